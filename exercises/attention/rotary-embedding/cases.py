import numpy as np


def _positions(rng: np.random.Generator, T: int, kind: str) -> np.ndarray:
    if kind == "start":  # a prompt: 0 .. T-1
        return np.arange(T, dtype=np.int64)
    if kind == "gaps":  # increasing, not contiguous (e.g. tokens of a packed batch)
        return np.sort(rng.choice(np.arange(60), size=T, replace=False)).astype(np.int64)
    if kind == "far":  # late in a long sequence: angles of thousands of radians
        return (int(rng.integers(4000, 6000)) + np.arange(T)).astype(np.int64)
    # a continuation: p0 .. p0 + T - 1 after p0 >= 1 cached tokens
    return (int(rng.integers(1, 40)) + np.arange(T)).astype(np.int64)


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, Hq, Hk, T, d = dims["B"], dims["Hq"], dims["Hk"], dims["T"], 2 * dims["P"]
    return {
        "q": rng.standard_normal((B, Hq, T, d)),
        "k": rng.standard_normal((B, Hk, T, d)),
        "positions": _positions(rng, T, options.get("positions", "continue")),
        "base": float(options.get("base", 10000.0)),
    }
