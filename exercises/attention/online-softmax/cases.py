import numpy as np


def _block_size(rng: np.random.Generator, N: int, block: object) -> int:
    """The block size of a case: fixed by the case, dividing N, or (default) ragged: between 2 and
    N - 1 and not dividing N, so that there are at least two blocks and the last is shorter."""
    if isinstance(block, int):
        return block
    if block == "divides":
        divisors = [b for b in range(2, N // 2 + 1) if N % b == 0]
        if divisors:
            return int(rng.choice(divisors))
        return 1  # N prime: blocks of one entry still all have the same size
    ragged = [b for b in range(2, N) if N % b != 0]
    return int(rng.choice(ragged))


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    R, N = dims["R"], dims["N"]
    block_size = _block_size(rng, N, options.get("block", "ragged"))
    x = rng.standard_normal((R, N)) * options.get("spread", 1.0)
    if options.get("order") == "ascending":
        x = np.sort(x, axis=1)
    else:
        # Move each row's maximum out of the first block: then the running maximum changes at
        # least once in every row, and an update that forgets to rescale the old sum is caught
        # on every case (a row whose maximum sits in block 0 never needs a rescale).
        for r in range(R):
            top = int(np.argmax(x[r]))
            if top < block_size:
                later = int(rng.integers(block_size, N))
                x[r, [top, later]] = x[r, [later, top]]
    x = x + options.get("shift", 0.0)
    return {"x": x, "block_size": block_size}
