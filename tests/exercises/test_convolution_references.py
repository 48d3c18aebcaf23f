"""The convolution references checked against outside oracles, and their known solutions.

Oracles: torch.nn.functional (conv2d, max_pool2d, conv_transpose2d) for the forward passes,
torch.autograd and central-difference numerical gradients for the backward passes. PyTorch's
max_pool2d backward does not promise which of several tied maxima gets the gradient, so ties are
checked against a brute-force NumPy scan instead, and autograd only sees tie-free inputs.
"""

from __future__ import annotations

import tomllib
from functools import partial
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercises.oracle import EXERCISES, assert_close, load_module, numerical_gradient

TOPIC = "convolution"
SLUGS = [
    "conv2d-forward",
    "conv2d-backward",
    "maxpool2d-forward",
    "maxpool2d-backward",
    "conv-transpose2d",
]
SEEDS = [0, 1, 2, 3]


def _spec(slug: str) -> dict[str, Any]:
    return tomllib.loads((EXERCISES / TOPIC / slug / "exercise.toml").read_text(encoding="utf-8"))


def _draw_dims(spec: dict[str, Any], cases: Any, rng: np.random.Generator, case: dict) -> dict:
    """Draw the dims of one case as the engine does: fixed dims kept, the rest drawn in range,
    distinct inside each `distinct` group, until cases.accept() agrees."""
    ranges = {k: v for k, v in spec["dims"].items() if k != "distinct"}
    groups = spec["dims"].get("distinct", [list(ranges)])
    fixed = case.get("dims", {})
    options = case.get("options", {})
    accept = getattr(cases, "accept", None)
    for _ in range(1000):
        dims = dict(fixed)
        for name, (low, high) in ranges.items():
            dims.setdefault(name, int(rng.integers(low, high + 1)))
        distinct = all(
            len({dims[n] for n in g}) == len(g) for g in groups if not set(g) <= set(fixed)
        )
        if distinct and (accept is None or accept(dict(dims), dict(options))):
            return dims
    raise AssertionError(f"no acceptable dims for case {case.get('name')!r}")


def _instances(slug: str, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """One input dict per case of exercise.toml (repeats expanded), drawn from `seed`."""
    spec = _spec(slug)
    cases = load_module(TOPIC, slug, "cases")
    out = []
    for k, case in enumerate(c for c in spec["cases"] for _ in range(c.get("repeat", 1))):
        rng = np.random.default_rng([seed, k])
        dims = _draw_dims(spec, cases, rng, case)
        out.append((case["name"], cases.make_inputs(rng, dims, dict(case.get("options", {})))))
    return out


def _call(fn: Any, inputs: dict[str, Any]) -> Any:
    # Every call gets its own copies, as in the grader: a solution may modify its inputs.
    return fn(*[np.copy(v) if isinstance(v, np.ndarray) else v for v in inputs.values()])


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _entry(slug: str, name: str = "reference") -> Any:
    return getattr(load_module(TOPIC, slug, name), _spec(slug)["code"]["entry_point"])


# --- the instances themselves ------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_instances_are_float64_and_stride_pad_are_python_ints(slug: str) -> None:
    for _, inputs in _instances(slug, 0):
        for name, value in inputs.items():
            if name in {"stride", "pad", "pool_h", "pool_w"}:
                assert type(value) is int, (name, type(value))
            else:
                assert isinstance(value, np.ndarray) and value.dtype == np.float64, name


def test_conv_instances_cover_the_contract() -> None:
    """pad 0 with stride >= 2, pad > 0, stride 1 with pad > 0, never stride 1 with pad 0,
    non-square images and kernels, batch and channels >= 2."""
    seen = set()
    for slug in ("conv2d-forward", "conv2d-backward"):
        for _, inp in _instances(slug, 0):
            x, w, stride, pad = inp["x"], inp["w"], inp["stride"], inp["pad"]
            N, C, H, W = x.shape
            _, _, HH, WW = w.shape
            assert N >= 2 and C >= 2 and w.shape[0] >= 2
            assert H != W and HH != WW
            assert not np.allclose(w, w[..., ::-1, ::-1])
            assert (stride, pad) != (1, 0)
            seen.add(("pad0_stride2+", pad == 0 and stride >= 2))
            seen.add(("pad>0", pad > 0))
            seen.add(("stride1_pad>0", stride == 1 and pad > 0))
    assert {("pad0_stride2+", True), ("pad>0", True), ("stride1_pad>0", True)} <= seen


def test_maxpool_backward_instances_have_ties_that_matter() -> None:
    """The tie cases must hold windows whose maximum repeats in a way that tells the first
    row-major maximum apart from the last one and from the first column-major one."""
    told_apart = 0
    for name, inp in _instances("maxpool2d-backward", 0):
        if "tied" not in name:
            continue
        x, ph, pw, s = inp["x"], inp["pool_h"], inp["pool_w"], inp["stride"]
        for i in range((x.shape[2] - ph) // s + 1):
            for j in range((x.shape[3] - pw) // s + 1):
                win = x[0, 0, i * s : i * s + ph, j * s : j * s + pw]
                hits = np.argwhere(win == win.max())
                first_row_major = tuple(hits[0])
                first_col_major = tuple(min(hits.tolist(), key=lambda rc: (rc[1], rc[0])))
                if len(hits) > 1 and first_row_major != first_col_major:
                    told_apart += 1
    assert told_apart >= 5


# --- forward passes against torch --------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_forward_matches_torch(seed: int) -> None:
    ref = _entry("conv2d-forward")
    for _, inp in _instances("conv2d-forward", seed):
        expected = F.conv2d(
            _t(inp["x"]), _t(inp["w"]), _t(inp["b"]), stride=inp["stride"], padding=inp["pad"]
        ).numpy()
        assert_close(_call(ref, inp), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_maxpool2d_forward_matches_torch(seed: int) -> None:
    ref = _entry("maxpool2d-forward")
    for _, inp in _instances("maxpool2d-forward", seed):
        expected = F.max_pool2d(
            _t(inp["x"]), (inp["pool_h"], inp["pool_w"]), stride=inp["stride"]
        ).numpy()
        assert_close(_call(ref, inp), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose2d_matches_torch(seed: int) -> None:
    ref = _entry("conv-transpose2d")
    for _, inp in _instances("conv-transpose2d", seed):
        expected = F.conv_transpose2d(_t(inp["x"]), _t(inp["w"]), stride=inp["stride"]).numpy()
        assert_close(_call(ref, inp), expected)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d() -> None:
    """conv_transpose2d(g, w, s) == dx of conv2d(x, w, stride=s, pad=0) for upstream g, when the
    conv's output covers the whole input ((H - K) divisible by s)."""
    transpose = _entry("conv-transpose2d")
    backward = _entry("conv2d-backward")
    rng = np.random.default_rng(7)
    # conv2d weights (F, C, K, K) are read by conv_transpose2d as (Cin, Cout, K, K): the same
    # tensor maps the conv's F output channels back to its C input channels.
    x = rng.standard_normal((2, 4, 9, 7))  # (N, C, H, W); (9 - 3) and (7 - 3) divisible by 2
    w = rng.standard_normal((3, 4, 3, 3))  # (F, C, K, K)
    g = rng.standard_normal((2, 3, 4, 3))  # upstream gradient of the conv's (N, F, 4, 3) output
    dx, _, _ = backward(x, w, np.zeros(3), 2, 0, g)
    assert_close(transpose(g, w, 2), dx)


# --- backward passes: autograd and numerical gradients -----------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_backward_matches_autograd(seed: int) -> None:
    ref = _entry("conv2d-backward")
    for _, inp in _instances("conv2d-backward", seed):
        x, w, b = _t(inp["x"], True), _t(inp["w"], True), _t(inp["b"], True)
        F.conv2d(x, w, b, stride=inp["stride"], padding=inp["pad"]).backward(_t(inp["dout"]))
        dx, dw, db = _call(ref, inp)
        assert_close(dx, x.grad.numpy())
        assert_close(dw, w.grad.numpy())
        assert_close(db, b.grad.numpy())


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_conv2d_backward_matches_numerical_gradient(seed: int) -> None:
    """Central differences of the reference forward, itself checked against torch above."""
    ref = _entry("conv2d-backward")
    forward = _entry("conv2d-forward")
    # Each numerical gradient costs two forward passes per element: check the two visible cases
    # (stride 2 without padding, stride 1 with padding), one random case and stride 3 with pad 2.
    instances = _instances("conv2d-backward", seed)
    picked = [
        inp for k, (name, inp) in enumerate(instances) if k in (0, 1, 2) or "stride 3" in name
    ]
    assert len(picked) == 4
    for inp in picked:
        x, w, b, s, p, dout = inp.values()
        dx, dw, db = _call(ref, inp)
        # numerical_gradient calls f(v) with the perturbed array in the position left open.
        num = {
            "dx": numerical_gradient(partial(forward, w=w, b=b, stride=s, pad=p), x, dout),
            "dw": numerical_gradient(partial(forward, x, b=b, stride=s, pad=p), w, dout),
            "db": numerical_gradient(partial(forward, x, w, stride=s, pad=p), b, dout),
        }
        assert_close(dx, num["dx"], rtol=1e-5, atol=1e-7)
        assert_close(dw, num["dw"], rtol=1e-5, atol=1e-7)
        assert_close(db, num["db"], rtol=1e-5, atol=1e-7)


def _tie_free(name: str) -> bool:
    return "tied" not in name and "equal" not in name


@pytest.mark.parametrize("seed", SEEDS)
def test_maxpool2d_backward_matches_autograd_without_ties(seed: int) -> None:
    ref = _entry("maxpool2d-backward")
    checked = 0
    for name, inp in _instances("maxpool2d-backward", seed):
        if not _tie_free(name):
            continue
        x = _t(inp["x"], True)
        F.max_pool2d(x, (inp["pool_h"], inp["pool_w"]), stride=inp["stride"]).backward(
            _t(inp["dout"])
        )
        assert_close(_call(ref, inp), x.grad.numpy())
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_maxpool2d_backward_matches_numerical_gradient_without_ties(seed: int) -> None:
    ref = _entry("maxpool2d-backward")
    forward = _entry("maxpool2d-forward")
    tie_free = [inp for name, inp in _instances("maxpool2d-backward", seed) if _tie_free(name)]
    for inp in tie_free[:3]:
        x, ph, pw, s, dout = inp.values()
        # The max is piecewise linear: the central difference is exact unless h crosses a kink,
        # i.e. two values of a window closer than h. Standard normal draws are far apart.
        expected = numerical_gradient(partial(forward, pool_h=ph, pool_w=pw, stride=s), x, dout)
        assert_close(_call(ref, inp), expected, rtol=1e-5, atol=1e-7)


def _brute_force_maxpool_backward(
    x: np.ndarray, ph: int, pw: int, s: int, dout: np.ndarray
) -> np.ndarray:
    """An independent oracle for ties: scan each window row by row, first strict maximum wins."""
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, at = None, None
                    for a in range(ph):
                        for b in range(pw):
                            v = x[n, c, i * s + a, j * s + b]
                            if best is None or v > best:
                                best, at = v, (i * s + a, j * s + b)
                    dx[n, c, at[0], at[1]] += dout[n, c, i, j]
    return dx


@pytest.mark.parametrize("seed", SEEDS)
def test_maxpool2d_backward_ties_go_to_the_first_maximum(seed: int) -> None:
    ref = _entry("maxpool2d-backward")
    for _, inp in _instances("maxpool2d-backward", seed):
        assert_close(
            _call(ref, inp), _brute_force_maxpool_backward(*inp.values()), rtol=0, atol=1e-12
        )


def test_maxpool2d_backward_constant_input_sends_everything_to_window_corners() -> None:
    ref = _entry("maxpool2d-backward")
    x = np.full((2, 3, 5, 6), -0.5)
    dout = np.arange(2 * 3 * 3 * 3, dtype=np.float64).reshape(2, 3, 3, 3) + 1
    dx = ref(x, 3, 4, 1, dout)
    expected = np.zeros_like(x)
    expected[:, :, :3, :3] = dout  # window (i, j) starts at (i, j) with stride 1
    assert_close(dx, expected, rtol=0, atol=0)


# --- the worked examples printed in the statements ---------------------------------------------


def test_statement_examples() -> None:
    x = np.array([[1, 2, 0, 1], [0, 1, 3, 2], [2, 1, 0, 1]], dtype=np.float64)[None, None]
    w = np.array([[1, 0], [2, -1]], dtype=np.float64)[None, None]
    conv = _entry("conv2d-forward")
    assert_close(conv(x, w, np.array([1.0]), 1, 0)[0, 0], np.array([[1, 2, 5], [4, 4, 3]]))
    assert conv(x, w, np.array([1.0]), 2, 1)[0, 0, 0, 0] == 0.0
    g = np.array([[1, 0, 2], [0, -1, 0]], dtype=np.float64)[None, None]
    dx, dw, db = _entry("conv2d-backward")(x, w, np.array([1.0]), 1, 0, g)
    assert_close(dx[0, 0], np.array([[1, 0, 2, 0], [2, -2, 4, -2], [0, -2, 1, 0]]))
    assert_close(dw[0, 0], np.array([[0, 1], [5, 5]]))
    assert_close(db, np.array([2.0]))

    xp = np.array([[1, 3, 2, 0, 1], [4, 0, 1, 2, 5], [2, 2, 3, 1, 0]], dtype=np.float64)[None, None]
    pool = _entry("maxpool2d-forward")
    assert_close(pool(xp, 2, 3, 1)[0, 0], np.array([[4, 3, 5], [4, 3, 5]]))
    assert_close(pool(xp, 2, 3, 2)[0, 0], np.array([[4, 5]]))
    assert_close(pool(xp, 3, 2, 1)[0, 0], np.array([[4, 3, 3, 5]]))

    xt = np.array([[1, 3, 3, 0], [3, 2, 1, 3], [0, 3, 2, 1]], dtype=np.float64)[None, None]
    d = np.array([[1, 10], [100, 1000]], dtype=np.float64)[None, None]
    expected = np.array([[0, 11, 0, 0], [100, 0, 0, 1000], [0, 0, 0, 0]])
    assert_close(_entry("maxpool2d-backward")(xt, 2, 3, 1, d)[0, 0], expected)

    tconv = _entry("conv-transpose2d")
    row = np.array([[1, 2]], dtype=np.float64)[None, None]
    assert_close(tconv(row, w, 1)[0, 0], np.array([[1, 2, 0], [2, 3, -2]]))
    assert_close(tconv(row, w, 2)[0, 0], np.array([[1, 0, 2, 0], [2, -1, 4, -2]]))


# --- the known solutions -----------------------------------------------------------------------


def _outputs_equal(a: Any, b: Any) -> bool:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    return len(a) == len(b) and all(
        np.shape(u) == np.shape(v)
        and np.allclose(np.asarray(u, dtype=np.float64), v, rtol=1e-5, atol=1e-8)
        for u, v in zip(a, b, strict=True)
    )


def _solution_params() -> list[Any]:
    params = []
    for slug in SLUGS:
        for sol in _spec(slug)["solutions"]:
            params.append(pytest.param(slug, sol, id=f"{slug}/{sol['file']}"))
    return params


@pytest.mark.parametrize(("slug", "solution"), _solution_params())
def test_known_solutions(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones disagree on at least
    one (on all cases if expected `rejected`, on some but not all if `partially_accepted`)."""
    ref = _entry(slug)
    fn = _entry(slug, "solutions/" + solution["file"].removesuffix(".py"))
    expect = solution["expect"]
    expect = [expect] if isinstance(expect, str) else expect
    for seed in SEEDS[:2]:
        agree = []
        for _, inp in _instances(slug, seed):
            try:
                agree.append(_outputs_equal(_call(fn, inp), _call(ref, inp)))
            except Exception:
                agree.append(False)
        if expect == ["accepted"]:
            assert all(agree), agree
        else:
            assert not all(agree), agree
            if expect == ["rejected"]:
                assert not any(agree), agree
            elif expect == ["partially_accepted"]:
                assert any(agree), agree
