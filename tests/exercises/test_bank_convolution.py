"""The references of the second convolution bank against outside oracles, and their known
solutions against the references.

Oracles: torch.nn.functional (conv2d with dilation and groups, fold / unfold, max_pool2d's
indices and max_unpool2d, conv_transpose2d's output size), torch.autograd for the backward pass,
central-difference numerical gradients where a second opinion is cheap, and a stack of torch
conv1d layers whose input gradient shows the receptive field.

Inputs come from each exercise's own `cases.py`, for every case its `exercise.toml` declares,
drawn as the engine draws them, so the oracles see the instances students are graded on.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercises.oracle import (
    assert_close,
    call_like_engine,
    exercise_toml,
    instances,
    load_module,
    numerical_gradient,
)

TOPIC = "convolution"
CODE = [
    "dilated-conv2d",
    "grouped-conv2d",
    "depthwise-separable-conv",
    "col2im",
    "conv2d-backward-im2col",
    "max-unpool2d",
    "depthwise-conv-torch",
]
SEEDS = [0, 1]
RTOL, ATOL = 1e-10, 1e-12  # float64 against float64: only the order of the sums differs
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7  # central differences with h = 1e-5


def _entry(slug: str, name: str = "reference") -> Any:
    return getattr(load_module(TOPIC, slug, name), exercise_toml(TOPIC, slug)["code"]["entry_point"])


def _framework(slug: str) -> str:
    return exercise_toml(TOPIC, slug)["code"].get("framework", "numpy")


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    yield from instances(TOPIC, slug, seed)


def _call(slug: str, fn: Any, inputs: dict[str, Any]) -> Any:
    """Call as the engine does. A torch exercise's tensors come back as NumPy arrays, and
    anything else it returns as None (the engine refuses a NumPy array there)."""
    out = call_like_engine(fn, inputs, _framework(slug))
    if _framework(slug) != "torch":
        return out
    if isinstance(out, tuple):
        return tuple(o.numpy() if isinstance(o, torch.Tensor) else None for o in out)
    return out.numpy() if isinstance(out, torch.Tensor) else None


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


# --- the instances themselves ------------------------------------------------------------------


@pytest.mark.parametrize("slug", CODE)
def test_instances_honour_the_contract(slug: str) -> None:
    """float64 arrays, Python ints, int64 indices; batch >= 2, non-square images, kernels not
    180-degree symmetric; the reference returns finite float64 arrays of the declared count."""
    ref = _entry(slug)
    outputs = exercise_toml(TOPIC, slug)["code"]["outputs"]
    for name, dims, inputs in _instances(slug, 0):
        for key, value in inputs.items():
            if isinstance(value, np.ndarray):
                want = np.int64 if key == "indices" else np.float64
                assert value.dtype == want, (name, key, value.dtype)
            else:
                assert type(value) is int, (name, key, type(value))
        first = next(iter(inputs.values()))
        assert first.shape[0] >= 2, name
        assert dims["H"] != dims["W"], name
        for key in ("w", "w_dw"):
            if key in inputs:
                w = inputs[key]
                assert not np.allclose(w, w[..., ::-1, ::-1]), (name, key)
        out = _call(slug, ref, inputs)
        out = out if isinstance(out, tuple) else (out,)
        assert len(out) == len(outputs), name
        for v in out:
            assert isinstance(v, np.ndarray) and v.dtype == np.float64, name
            assert np.all(np.isfinite(v)), name


# --- forward passes against F.conv2d -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_dilated_conv2d_matches_torch(seed: int) -> None:
    ref = _entry("dilated-conv2d")
    dilations = set()
    for _name, _dims, inp in _instances("dilated-conv2d", seed):
        x, w, b, s, p, d = inp.values()
        expected = F.conv2d(_t(x), _t(w), _t(b), stride=s, padding=p, dilation=d).numpy()
        assert_close(_call("dilated-conv2d", ref, inp), expected, RTOL, ATOL)
        dilations.add(d)
    assert {1, 2, 3} <= dilations


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_conv2d_matches_torch(seed: int) -> None:
    ref = _entry("grouped-conv2d")
    for name, _dims, inp in _instances("grouped-conv2d", seed):
        x, w, b, s, p, g = inp.values()
        assert g >= 2 and x.shape[1] // g >= 2 and w.shape[0] // g >= 2, name
        expected = F.conv2d(_t(x), _t(w), _t(b), stride=s, padding=p, groups=g).numpy()
        assert_close(_call("grouped-conv2d", ref, inp), expected, RTOL, ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_depthwise_separable_conv_matches_two_torch_convolutions(seed: int) -> None:
    ref = _entry("depthwise-separable-conv")
    multipliers = set()
    for _name, _dims, inp in _instances("depthwise-separable-conv", seed):
        x, w_dw, b_dw, w_pw, b_pw, s, p = inp.values()
        C = x.shape[1]
        mid = F.conv2d(_t(x), _t(w_dw), _t(b_dw), stride=s, padding=p, groups=C)
        expected = F.conv2d(mid, _t(w_pw), _t(b_pw)).numpy()
        assert_close(_call("depthwise-separable-conv", ref, inp), expected, RTOL, ATOL)
        multipliers.add(w_dw.shape[0] // C)
    assert {1, 2, 3} <= multipliers


@pytest.mark.parametrize("seed", SEEDS)
def test_depthwise_conv_torch_matches_grouped_conv2d(seed: int) -> None:
    ref = _entry("depthwise-conv-torch")
    for _name, _dims, inp in _instances("depthwise-conv-torch", seed):
        x, w, b, s, p = inp.values()
        got = call_like_engine(ref, inp, "torch")
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
        expected = F.conv2d(_t(x), _t(w), _t(b), stride=s, padding=p, groups=x.shape[1])
        assert_close(got.numpy(), expected.numpy(), RTOL, ATOL)


# --- col2im against F.fold, and as the adjoint of F.unfold --------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_col2im_matches_fold_and_is_the_adjoint_of_unfold(seed: int) -> None:
    ref = _entry("col2im")
    rng = np.random.default_rng(seed)
    for name, _dims, inp in _instances("col2im", seed):
        cols, H, W, HH, WW, s, p = inp.values()
        got = _call("col2im", ref, inp)
        expected = F.fold(_t(cols), (H, W), (HH, WW), padding=p, stride=s).numpy()
        assert_close(got, expected, RTOL, ATOL)
        # <unfold(x), cols> = <x, col2im(cols)> for every x: col2im is unfold's transpose.
        x = rng.standard_normal(got.shape)
        unfolded = F.unfold(_t(x), (HH, WW), padding=p, stride=s).numpy()
        assert np.isclose(np.sum(unfolded * cols), np.sum(x * got), rtol=1e-10), name


# --- the backward pass against autograd and central differences --------------------------------


def _np_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """A forward pass written here, independently of the exercise's files."""
    H, W = x.shape[2:]
    HH, WW = w.shape[2:]
    Ho, Wo = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((x.shape[0], w.shape[0], Ho, Wo)) + b[:, None, None]
    for kh in range(HH):
        for kw in range(WW):
            taps = xp[:, :, kh : kh + stride * (Ho - 1) + 1 : stride, kw : kw + stride * (Wo - 1) + 1 : stride]
            out += np.einsum("nchw,fc->nfhw", taps, w[:, :, kh, kw])
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_backward_im2col_matches_autograd(seed: int) -> None:
    ref = _entry("conv2d-backward-im2col")
    for name, _dims, inp in _instances("conv2d-backward-im2col", seed):
        x, w, b, s, p, dout = inp.values()
        got = _call("conv2d-backward-im2col", ref, inp)
        xt, wt, bt = _t(x, grad=True), _t(w, grad=True), _t(b, grad=True)
        out = F.conv2d(xt, wt, bt, stride=s, padding=p)
        assert tuple(out.shape) == dout.shape, name
        out.backward(_t(dout))
        for g, t in zip(got, (xt, wt, bt), strict=True):
            assert t.grad is not None
            assert_close(g, t.grad.numpy(), 1e-9, 1e-10)


def test_conv2d_backward_im2col_matches_numerical_gradients() -> None:
    ref = _entry("conv2d-backward-im2col")
    small = [c for c in _instances("conv2d-backward-im2col", 0) if not c[0].startswith("large")]
    assert len(small) >= 7
    for _name, _dims, inp in small:
        x, w, b, s, p, dout = inp.values()
        got = _call("conv2d-backward-im2col", ref, inp)
        numerical = (
            numerical_gradient(functools.partial(_np_conv, w=w, b=b, stride=s, pad=p), x, dout),
            numerical_gradient(functools.partial(_np_conv, x, b=b, stride=s, pad=p), w, dout),
            numerical_gradient(functools.partial(_np_conv, x, w, stride=s, pad=p), b, dout),
        )
        for g, num in zip(got, numerical, strict=True):
            assert_close(g, num, NUM_RTOL, NUM_ATOL)


# --- max unpooling against F.max_pool2d's indices and F.max_unpool2d ---------------------------


def test_max_unpool2d_indices_follow_torch_max_pool2d() -> None:
    """cases.py computes the indices itself (the sandbox has no torch for NumPy exercises): they
    must be PyTorch's, flat r*W + t inside each (n, c) plane."""
    cases = load_module(TOPIC, "max-unpool2d", "cases")
    rng = np.random.default_rng(0)
    for ph, pw, s in [(2, 2, 2), (3, 2, 1), (2, 3, 3), (3, 2, 2)]:
        x = rng.standard_normal((2, 3, 9, 7))
        idx, pooled = cases._pool_indices(x, ph, pw, s)
        values, indices = F.max_pool2d(_t(x), (ph, pw), stride=s, return_indices=True)
        assert np.array_equal(idx, indices.numpy())
        assert_close(pooled, values.numpy(), 0, 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_max_unpool2d_matches_torch(seed: int) -> None:
    ref = _entry("max-unpool2d")
    shared = uncovered = 0
    for name, _dims, inp in _instances("max-unpool2d", seed):
        y, idx, ph, pw, s, H, W = inp.values()
        got = _call("max-unpool2d", ref, inp)
        expected = F.max_unpool2d(
            _t(y), torch.from_numpy(idx), (ph, pw), stride=s, output_size=(H, W)
        ).numpy()
        assert_close(got, expected, 0, 0)
        planes = idx.reshape(-1, idx.shape[2] * idx.shape[3])
        repeats = sum(len(np.unique(row)) < row.size for row in planes)
        if s < max(ph, pw):
            assert repeats, name  # overlapping cases hold shared maxima, which must not be summed
            shared += 1
        # The size PyTorch would guess without output_size, (H' - 1)*stride + pool: the given
        # (H, W) must matter in some cases.
        uncovered += (idx.shape[2] - 1) * s + ph != H or (idx.shape[3] - 1) * s + pw != W
    assert shared >= 3 and uncovered >= 3


# --- the math exercises ------------------------------------------------------------------------


def test_conv_transpose_output_size_matches_torch() -> None:
    ref = load_module(TOPIC, "conv-transpose-output-size")
    rng = np.random.default_rng(0)
    tried = 0
    for K, S, P, D, OP in itertools.product([2, 3, 4, 5], [2, 3], [1, 2, 3], [2, 3], [1, 2]):
        N, Cin, Cout = 2, 3, 4
        H, W = (int(v) for v in rng.integers(4, 21, size=2))
        if not ref.accept(N, Cin, Cout, H, W, K, S, P, D, OP):
            continue
        out = F.conv_transpose2d(
            torch.zeros(N, Cin, H, W),
            torch.zeros(Cin, Cout, K, K),
            stride=S,
            padding=P,
            output_padding=OP,
            dilation=D,
        )
        assert tuple(out.shape) == ref.answer(N, Cin, Cout, H, W, K, S, P, D, OP)
        tried += 1
    assert tried >= 60


def _receptive_field_by_autograd(K: int, dilations: list[int], length: int) -> int:
    """The input samples the last output of a stack of all-ones conv1d layers depends on."""
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    h = x
    for d in dilations:
        h = F.conv1d(h, torch.ones(1, 1, K, dtype=torch.float64), dilation=d)
    h[0, 0, -1].backward()
    assert x.grad is not None
    hit = np.flatnonzero(x.grad.numpy()[0, 0])
    return int(hit[-1] - hit[0] + 1)


def test_dilated_receptive_field_matches_autograd() -> None:
    ref = load_module(TOPIC, "dilated-receptive-field")
    seen = set()
    for seed in range(40):
        params = ref.params(np.random.default_rng(seed))
        expected = ref.answer(**params)
        stack = params["dilations"] * params["B"]
        assert len(stack) == params["layers"]
        assert _receptive_field_by_autograd(params["K"], stack, expected + 5) == expected
        seen.add((params["K"], params["b"]))
    assert seen == {(2, 2), (2, 3), (3, 2), (3, 3)}


# --- the worked examples printed in the statements ---------------------------------------------


def test_statement_examples() -> None:
    x = np.arange(1.0, 21.0).reshape(1, 1, 4, 5)
    w = np.array([[1.0, 2.0], [0.0, -1.0]])[None, None]
    got = _entry("dilated-conv2d")(x, w, np.zeros(1), 1, 0, 2)
    assert_close(got[0, 0], np.array([[-6, -4, -2], [4, 6, 8]]))

    x2 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])[None, :, None, :]  # (1, 2, 1, 3)
    wg = np.array([[1.0, -1.0], [2.0, 1.0]])[:, None, None, :]  # (2, 1, 1, 2)
    got = _entry("grouped-conv2d")(x2, wg, np.zeros(2), 1, 0, 2)
    assert_close(got[0, :, 0], np.array([[-1, -1], [13, 16]]))

    x3 = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, -1.0]])[None, :, None, :]
    w_pw = np.array([1.0, -1.0]).reshape(1, 2, 1, 1)
    dsc = _entry("depthwise-separable-conv")
    got = dsc(x3, wg, np.array([0.0, 1.0]), w_pw, np.array([0.5]), 1, 0)
    assert_close(got[0, 0, 0], np.array([-8.5, -2.5]))
    dw = _entry("depthwise-conv-torch")(_t(x3), _t(wg), _t(np.array([0.0, 1.0])), 1, 0)
    assert_close(dw.numpy()[0, :, 0], np.array([[-1, -1], [8, 2]]))

    c2i = _entry("col2im")
    counts = c2i(np.ones((1, 4, 6)), 3, 4, 2, 2, 1, 0)
    assert_close(counts[0, 0], np.array([[1, 2, 2, 1], [2, 4, 4, 2], [1, 2, 2, 1]]))
    assert_close(c2i(np.ones((1, 4, 20)), 3, 4, 2, 2, 1, 1), np.full((1, 1, 3, 4), 4.0))

    xb = np.array([[1, 2, 0, 1], [0, 1, 3, 2], [2, 1, 0, 1]], dtype=np.float64)[None, None]
    wb = np.array([[1, 0], [2, -1]], dtype=np.float64)[None, None]
    g = np.array([[1, 0, 2], [0, -1, 0]], dtype=np.float64)[None, None]
    dx, dwb, db = _entry("conv2d-backward-im2col")(xb, wb, np.zeros(1), 1, 0, g)
    assert_close(dx[0, 0], np.array([[1, 0, 2, 0], [2, -2, 4, -2], [0, -2, 1, 0]]))
    assert_close(dwb[0, 0], np.array([[0, 1], [5, 5]]))
    assert_close(db, np.array([2.0]))

    y = np.array([5.0, 6.0]).reshape(1, 1, 1, 2)
    idx = np.array([1, 6], dtype=np.int64).reshape(1, 1, 1, 2)
    got = _entry("max-unpool2d")(y, idx, 2, 2, 2, 2, 4)
    assert_close(got[0, 0], np.array([[0, 5, 0, 0], [0, 0, 6, 0]]))

    cto = load_module(TOPIC, "conv-transpose-output-size")
    assert cto.answer(4, 16, 8, 7, 9, 3, 2, 1, 2, 1) == (4, 8, 16, 20)
    assert load_module(TOPIC, "dilated-receptive-field")._rf(4, [1, 4, 16], 2) == 127


# --- the known solutions against the reference -------------------------------------------------


def _matches(got: Any, expected: Any) -> bool:
    """The engine's value check: exact shapes, float dtypes, finite, allclose(1e-5, 1e-8)."""
    got = got if isinstance(got, tuple) else (got,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    if len(got) != len(expected):
        return False
    for g, e in zip(got, expected, strict=True):
        if not isinstance(g, np.ndarray) or g.shape != e.shape or g.dtype.kind != "f":
            return False
        if not np.all(np.isfinite(g)) or not np.allclose(g, e, rtol=1e-5, atol=1e-8):
            return False
    return True


@functools.cache
def _expected(slug: str, seed: int) -> list[tuple[str, dict[str, Any], Any]]:
    """The reference's outputs, without the large cases: they exist for the time limit, which
    `graders validate` checks in the sandbox, and their values are those of the small ones."""
    ref = _entry(slug)
    return [
        (name, inp, _call(slug, ref, inp))
        for name, _dims, inp in _instances(slug, seed)
        if not name.startswith("large")
    ]


def _solutions() -> list[Any]:
    """Every solution whose verdict is about values (timeouts and bans are the engine's to
    judge: `graders validate` runs those in the sandbox)."""
    params = []
    for slug in CODE:
        for sol in exercise_toml(TOPIC, slug)["solutions"]:
            expect = sol["expect"] if isinstance(sol["expect"], list) else [sol["expect"]]
            if set(expect) & {"accepted", "rejected", "partially_accepted"}:
                params.append(pytest.param(slug, sol, id=f"{slug}/{sol['file']}"))
    return params


@pytest.mark.parametrize(("slug", "solution"), _solutions())
def test_solution_gets_its_expected_verdict(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones fail as declared:
    `rejected` = every case fails, `partially_accepted` = some pass and some fail."""
    fn = _entry(slug, "solutions/" + solution["file"].removesuffix(".py"))
    expect = solution["expect"] if isinstance(solution["expect"], list) else [solution["expect"]]
    for seed in SEEDS:
        passed, failed = [], []
        for name, inp, expected in _expected(slug, seed):
            try:
                with np.errstate(all="ignore"):
                    got = _call(slug, fn, inp)
            except Exception:
                failed.append(name)
                continue
            (passed if _matches(got, expected) else failed).append(name)
        verdict = "partially_accepted" if passed and failed else ("rejected" if failed else "accepted")
        assert verdict in expect, f"seed {seed}: {verdict}; failed {failed}"
