"""The references of causal-mask, softmax-backward, layernorm-backward and avgpool2d-backward
against outside oracles, and their known solutions against the references.

Oracles: PyTorch (`torch.ones(...).tril(diagonal=Tk - Tq)`, `torch.softmax`,
`F.layer_norm`, `F.avg_pool2d`) with torch.autograd for the backward exercises, plus
central-difference numerical gradients (h = 1e-5, float64) of NumPy forward passes written here,
independently of the references.

Inputs come from each exercise's own `cases.py`, for every case its `exercise.toml` declares, so
the oracles see the instances students are graded on.
"""

from __future__ import annotations

import functools
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

TOPIC = {
    "causal-mask": "attention",
    "softmax-backward": "attention",
    "layernorm-backward": "backprop",
    "avgpool2d-backward": "convolution",
}
SEEDS = [0, 1, 2]
# Central differences with h = 1e-5 are accurate to ~1e-10 here; leave room for rounding.
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7
AUTOGRAD_RTOL, AUTOGRAD_ATOL = 1e-9, 1e-12


# --- drawing instances the way the exercise declares them -----------------------------------


def _toml(slug: str) -> dict[str, Any]:
    return exercise_toml(TOPIC[slug], slug)


def _module(slug: str, name: str = "reference") -> Any:
    return load_module(TOPIC[slug], slug, name)


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    """(case name, dims, inputs) for every case of the exercise, as the engine draws them."""
    yield from instances(TOPIC[slug], slug, seed)


def _call(fn: Any, inputs: dict[str, Any]) -> Any:
    return call_like_engine(fn, inputs)


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _matches(got: Any, expected: Any) -> bool:
    """The engine's value check: types and dtypes, exact shapes, finite, allclose(1e-5, 1e-8)."""
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return False
    else:
        got, expected = (got,), (expected,)
    for g, e in zip(got, expected, strict=True):
        if not isinstance(g, np.ndarray):
            return False
        if e.dtype.kind == "f" and g.dtype.kind != "f":
            return False
        if e.dtype.kind == "b" and g.dtype != e.dtype:
            return False
        if g.shape != e.shape:
            return False
        if g.dtype.kind == "f" and not np.all(np.isfinite(g)):
            return False
        if not np.allclose(g.astype(np.float64), e.astype(np.float64), rtol=1e-5, atol=1e-8):
            return False
    return True


@pytest.mark.parametrize("slug", list(TOPIC))
def test_instances_honour_the_contract(slug: str) -> None:
    ref = getattr(_module(slug), _toml(slug)["code"]["entry_point"])
    for name, _dims, inputs in _instances(slug, 0):
        for key, value in inputs.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float64, (name, key, value.dtype)
            else:
                assert type(value) in (int, float), (name, key, type(value))
        out = _call(ref, inputs)
        for v in out if isinstance(out, tuple) else (out,):
            assert isinstance(v, np.ndarray), name
            assert v.dtype == (np.bool_ if slug == "causal-mask" else np.float64), name
            assert np.all(np.isfinite(v)), name


# --- causal-mask ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_causal_mask_matches_torch_tril(seed: int) -> None:
    ref = _module("causal-mask")
    seen_equal = seen_less = False
    for name, _dims, inputs in _instances("causal-mask", seed):
        Tq, Tk = inputs["Tq"], inputs["Tk"]
        got = ref.causal_mask(Tq, Tk)
        expected = torch.ones(Tq, Tk).tril(diagonal=Tk - Tq).bool().numpy()
        assert got.dtype == np.bool_ and got.shape == (Tq, Tk), name
        assert np.array_equal(got, expected), name
        # The last query is the newest position: it sees every key.
        assert got[-1].all(), name
        seen_equal |= Tq == Tk
        seen_less |= Tq < Tk
    assert seen_equal and seen_less


# --- softmax-backward ----------------------------------------------------------------------


def _np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("softmax-backward")
    axes = set()
    for name, _dims, inputs in _instances("softmax-backward", seed):
        x, dout, axis = inputs["x"], inputs["dout"], inputs["axis"]
        axes.add((x.ndim, axis))
        got = ref.softmax_backward(x.copy(), dout.copy(), axis)
        xt = _t(x, grad=True)
        torch.softmax(xt, dim=axis).backward(_t(dout))
        assert xt.grad is not None
        assert_close(got, xt.grad.numpy(), AUTOGRAD_RTOL, AUTOGRAD_ATOL)
        # The gradient of a softmax sums to 0 over its axis (shifting the scores changes nothing).
        assert np.allclose(got.sum(axis=axis), 0, atol=1e-12), name
        if np.abs(x).max() < 100:  # central differences of scores near 800 lose digits
            num = numerical_gradient(functools.partial(_np_softmax, axis=axis), x, dout)
            assert_close(got, num, NUM_RTOL, NUM_ATOL)
    assert {(2, -1), (2, 0), (2, 1), (3, -1), (3, 0), (3, 1)} <= axes


# --- layernorm-backward --------------------------------------------------------------------


def _np_layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("layernorm-backward")
    for name, _dims, inputs in _instances("layernorm-backward", seed):
        x, gamma, beta, dout, eps = inputs.values()
        dx, dgamma, dbeta = _call(ref.layernorm_backward, inputs)
        xt, gt, bt = _t(x, grad=True), _t(gamma, grad=True), _t(beta, grad=True)
        F.layer_norm(xt, (x.shape[-1],), gt, bt, eps=eps).backward(_t(dout))
        for got, t in ((dx, xt), (dgamma, gt), (dbeta, bt)):
            assert t.grad is not None
            assert_close(got, t.grad.numpy(), 1e-8, 1e-10)
        assert np.allclose(dx.sum(axis=-1), 0, atol=1e-9), name
        ln = functools.partial(_np_layernorm, eps=eps)
        num_x = numerical_gradient(functools.partial(ln, gamma=gamma, beta=beta), x, dout)
        num_g = numerical_gradient(functools.partial(ln, x, beta=beta), gamma, dout)
        num_b = numerical_gradient(functools.partial(ln, x, gamma), beta, dout)
        assert_close(dx, num_x, NUM_RTOL, NUM_ATOL)
        assert_close(dgamma, num_g, NUM_RTOL, NUM_ATOL)
        assert_close(dbeta, num_b, NUM_RTOL, NUM_ATOL)


# --- avgpool2d-backward --------------------------------------------------------------------


def _np_avgpool(x: np.ndarray, ph: int, pw: int, s: int) -> np.ndarray:
    Ho = (x.shape[2] - ph) // s + 1
    Wo = (x.shape[3] - pw) // s + 1
    out = np.zeros((*x.shape[:2], Ho, Wo))
    for a in range(ph):
        for b in range(pw):
            out += x[:, :, a : a + s * (Ho - 1) + 1 : s, b : b + s * (Wo - 1) + 1 : s]
    return out / (ph * pw)


@pytest.mark.parametrize("seed", SEEDS)
def test_avgpool2d_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("avgpool2d-backward")
    for name, _dims, inputs in _instances("avgpool2d-backward", seed):
        x, ph, pw, s, dout = inputs.values()
        got = _call(ref.avgpool2d_backward, inputs)
        xt = _t(x, grad=True)
        out = F.avg_pool2d(xt, (ph, pw), stride=s)
        assert tuple(out.shape) == dout.shape, name
        out.backward(_t(dout))
        assert xt.grad is not None
        assert_close(got, xt.grad.numpy(), AUTOGRAD_RTOL, AUTOGRAD_ATOL)
        # Each window hands out exactly its gradient.
        assert np.allclose(got.sum(axis=(2, 3)), dout.sum(axis=(2, 3))), name
        if seed == 0:
            pool = functools.partial(_np_avgpool, ph=ph, pw=pw, s=s)
            num = numerical_gradient(pool, x, dout)
            assert_close(got, num, NUM_RTOL, NUM_ATOL)


# --- the known solutions against the reference ----------------------------------------------


def _solutions() -> list[tuple[str, dict[str, Any]]]:
    return [(slug, sol) for slug in TOPIC for sol in _toml(slug)["solutions"]]


@pytest.mark.parametrize(
    ("slug", "solution"), _solutions(), ids=[f"{s}/{sol['file']}" for s, sol in _solutions()]
)
def test_solution_gets_its_expected_verdict(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones fail the way declared.

    `rejected` = every case fails, `partially_accepted` = some pass and some fail, on every seed.
    """
    entry = _toml(slug)["code"]["entry_point"]
    expect = solution["expect"]
    expect = set(expect) if isinstance(expect, list) else {expect}
    ref = getattr(_module(slug), entry)
    sol = getattr(_module(slug, "solutions/" + solution["file"].removesuffix(".py")), entry)
    for seed in SEEDS:
        passed, failed, raised = [], [], False
        for name, _dims, inputs in _instances(slug, seed):
            expected = _call(ref, inputs)
            try:
                with np.errstate(all="ignore"):
                    got = _call(sol, inputs)
            except Exception:
                raised = True
                failed.append(name)
                continue
            (passed if _matches(got, expected) else failed).append(name)
        if failed and passed:
            verdicts = {"partially_accepted"}
        else:
            verdicts = {"rejected"} if failed else {"accepted"}
        if raised:
            verdicts.add("runtime_error")
        assert verdicts & expect, f"seed {seed}: {verdicts}; failed {failed}"
