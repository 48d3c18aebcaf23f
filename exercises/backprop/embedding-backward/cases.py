import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, T, D, V = dims["N"], dims["T"], dims["D"], dims["V"]
    if options.get("same"):
        used = rng.integers(1, V - 1, size=1)
    elif options.get("boundary"):
        middle = rng.choice(np.arange(1, V - 1), size=2, replace=False)
        used = np.concatenate([[0, V - 1], middle])
    else:
        # Fewer distinct rows than tokens (k <= N*T/2), so indices must repeat (pigeonhole):
        # the classic dW[idx] += dout bug only shows with repeats. The last row V-1 is never
        # used here, so rows no index hits (including trailing ones) must stay zero.
        k = int(rng.integers(2, max(2, min(N * T // 2, V - 2)) + 1))
        used = rng.choice(V - 1, size=k, replace=False)
    idx = used[rng.integers(0, len(used), size=(N, T))]
    # Make sure every chosen row really occurs (the boundary case needs both 0 and V-1).
    idx.flat[: len(used)] = rng.permutation(used)
    return {
        "idx": idx.astype(np.int64),
        "dout": rng.standard_normal((N, T, D)),
        "vocab_size": int(V),
    }
