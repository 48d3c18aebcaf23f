"""Inputs of conv2d-module: the constructor's arguments, x and the output's gradient. The
weight and bias are drawn by the grader (docs/exercise-format.md, "Module exercises")."""

import numpy as np


def _out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, C, F, H, W = dims["N"], dims["C"], dims["F"], dims["H"], dims["W"]
    KH, KW, S, P = dims["KH"], dims["KW"], dims["S"], dims["P"]
    kernel = int(KH) if options.get("int_kernel") else (int(KH), int(KW))
    OH, OW = _out(H, KH, S, P), _out(W, KW, S, P)
    return {
        "in_channels": int(C),
        "out_channels": int(F),
        "kernel_size": kernel,
        "stride": int(S),
        "padding": int(P),
        "x": rng.standard_normal((N, C, H, W)),
        "dout": rng.standard_normal((N, F, OH, OW)),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    # At least 2 output positions each way, a non-square output, and a padding smaller than the
    # kernel. Random cases are padded ([dims] P >= 1); a fixed case has padding 0.
    S, P = dims["S"], dims["P"]
    oh = _out(dims["H"], dims["KH"], S, P)
    ow = _out(dims["W"], dims["KW"], S, P)
    return oh >= 2 and ow >= 2 and oh != ow and P < min(dims["KH"], dims["KW"])
