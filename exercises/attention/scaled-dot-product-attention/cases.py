import numpy as np

# Mask layouts the contract allows, by the name used in exercise.toml's options.
MASK_SHAPES = {
    "bqk": lambda B, Tq, Tk: (B, Tq, Tk),
    "qk": lambda B, Tq, Tk: (Tq, Tk),
    "1qk": lambda B, Tq, Tk: (1, Tq, Tk),
    "b1k": lambda B, Tq, Tk: (B, 1, Tk),
}


def _mask(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """A bool mask (True = may attend) where every row keeps between 2 and Tk-1 keys.

    At least one allowed key per row is the contract (a fully masked row has no softmax); two make
    the weights of every row depend on the scores, so a wrong scale cannot pass on a row that
    keeps a single key. At least one blocked key per row makes the mask matter everywhere, and
    keeps every row non-empty under the inverted mask, so a polarity bug gives finite (and wrong)
    numbers. Needs Tk >= 3.
    """
    Tk = shape[-1]
    rows = int(np.prod(shape[:-1]))
    while True:
        flat = np.zeros((rows, Tk), dtype=bool)
        for r in range(rows):
            allowed = rng.integers(2, Tk)  # 2 .. Tk-1
            flat[r, rng.choice(Tk, size=allowed, replace=False)] = True
        # Rows that differ: a mask applied to the wrong batch or query is then caught.
        if rows == 1 or len({row.tobytes() for row in flat}) > 1:
            return flat.reshape(shape)


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, Tq, Tk, d, dv = dims["B"], dims["Tq"], dims["Tk"], dims["d"], dims["dv"]
    q = rng.standard_normal((B, Tq, d))
    k = rng.standard_normal((B, Tk, d))
    v = rng.standard_normal((B, Tk, dv))
    if options.get("large"):
        # Every query and key gets a common component c along the first axis, so every score is
        # c^2 / sqrt(d) (at least 10000 / sqrt(12) ~ 2900) plus an ordinary O(1) part. exp() of
        # the raw scores overflows to inf (inf / inf = nan), but the softmax itself is unchanged by
        # the per-row constant and stays well spread, so this case still checks the values.
        c = 100.0
        q[..., 0] = c
        k[..., 0] = c
    if options.get("one_row_large"):
        # The first query of each batch element scores every key about c^2 / sqrt(d) >= 2900,
        # the other queries O(1): a maximum taken over the whole array instead of each row
        # leaves exp() of the other rows at 0 (0 / 0 = nan).
        c = 100.0
        q[..., 0] = 0.0
        q[:, 0, 0] = c
        k[..., 0] = c
    inputs = {"q": q, "k": k, "v": v}
    layout = options.get("mask", "omitted")
    if layout == "none":
        inputs["mask"] = None  # passed explicitly: mask=None
    elif layout != "omitted":  # "omitted": the call has three arguments (the default)
        inputs["mask"] = _mask(rng, MASK_SHAPES[layout](B, Tq, Tk))
    if options.get("blocked_large"):
        # In the first batch element the blocked keys hold the largest scores (about
        # c^2 / sqrt(d) >= 2900), the allowed ones O(1): a maximum taken over all the scores,
        # blocked ones included, with exp(...) then multiplied by the mask, leaves every allowed
        # weight there at 0 (0 / 0 = nan). The other batch elements are ordinary, so such an
        # output is not NaN everywhere. Needs a mask of shape (B, 1, Tk): a key blocked for
        # every query of its batch element.
        c = 100.0
        q[0, :, 0] = c
        k[0, :, 0] = np.where(inputs["mask"][0, 0, :], 0.0, c)
    return inputs
