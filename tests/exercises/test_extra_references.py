"""The references of the extra (non-core) code exercises against outside oracles, and their known
solutions against the references.

Oracles: PyTorch (`torch.relu`/`torch.tanh`, `F.cross_entropy`, `F.conv2d`,
`F.scaled_dot_product_attention`, `nn.MultiheadAttention` with our weights mapped in) and
torch.autograd for the backward exercises, plus central-difference numerical gradients (h = 1e-5,
float64) of NumPy forward passes written here, independently of the references.

Inputs come from each exercise's own `cases.py`, for every case its `exercise.toml` declares, so
the oracles see the instances students are graded on. Torch exercises get torch tensors, as the
engine passes them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from graders import codecheck
from tests.exercises.oracle import (
    EXERCISES,
    assert_close,
    call_like_engine,
    exercise_toml,
    instances,
    load_module,
    numerical_gradient,
)

EXTRA = {
    "relu-tanh-backward": "backprop",
    "mlp-column-backward": "backprop",
    "cross-entropy-torch": "backprop",
    "conv2d-im2col": "convolution",
    "conv-as-matrix": "convolution",
    "edge-detection": "convolution",
    "sdpa-torch": "attention",
    "mha-torch": "attention",
}
SEEDS = [0, 1, 2]
# Central differences with h = 1e-5 are accurate to ~1e-10 here; leave room for rounding.
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7
# conv2d-im2col's large cases only exist for its time limit (which `graders validate` checks):
# the value checks of the solutions run on the small cases, the oracle on the large ones once.
LARGE_CASE = "large:"


# --- drawing instances the way the exercise declares them -----------------------------------


def _toml(slug: str) -> dict[str, Any]:
    return exercise_toml(EXTRA[slug], slug)


def _module(slug: str, name: str = "reference") -> Any:
    return load_module(EXTRA[slug], slug, name)


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    """(case name, dims, inputs) for every case of the exercise, as the engine draws them."""
    yield from instances(EXTRA[slug], slug, seed)


def _call(slug: str, fn: Any, inputs: dict[str, Any]) -> Any:
    return call_like_engine(fn, inputs, _toml(slug)["code"]["framework"])


def _values(out: Any, framework: str) -> tuple[Any, ...] | None:
    """The returned values as NumPy, or None when the type is wrong for the framework."""
    items = out if isinstance(out, tuple) else (out,)
    result = []
    for item in items:
        if framework == "torch":
            if not isinstance(item, torch.Tensor):
                return None
            item = item.numpy()
        result.append(np.asarray(item))
    return tuple(result)


def _matches(got: Any, expected: Any, framework: str) -> bool:
    """The engine's value check: right types, exact shapes, finite, allclose(1e-5, 1e-8)."""
    if isinstance(expected, tuple) and (not isinstance(got, tuple) or len(got) != len(expected)):
        return False
    g, e = _values(got, framework), _values(expected, framework)
    assert e is not None
    if g is None:
        return False
    for gi, ei in zip(g, e, strict=True):
        if gi.shape != ei.shape or not np.all(np.isfinite(gi)):
            return False
        if not np.allclose(gi, ei, rtol=1e-5, atol=1e-8):
            return False
    return True


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


# --- the instances honour the contract -----------------------------------------------------


@pytest.mark.parametrize("slug", list(EXTRA))
def test_instances_are_float64_and_reference_is_finite(slug: str) -> None:
    framework = _toml(slug)["code"]["framework"]
    ref = getattr(_module(slug), _toml(slug)["code"]["entry_point"])
    for name, _dims, inputs in _instances(slug, 0):
        for key, value in inputs.items():
            if isinstance(value, np.ndarray):
                assert value.dtype in (np.float64, np.int64, np.bool_), (name, key, value.dtype)
        out = _values(_call(slug, ref, inputs), framework)
        assert out is not None and all(np.all(np.isfinite(v)) for v in out), name
        assert all(v.dtype == np.float64 for v in out), name


# --- backprop ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_tanh_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("relu-tanh-backward")
    for name, _dims, inputs in _instances("relu-tanh-backward", seed):
        x, dout = inputs["x"], inputs["dout"]
        dx_relu, dx_tanh = ref.relu_tanh_backward(x.copy(), dout.copy())
        for fn, got in ((torch.relu, dx_relu), (torch.tanh, dx_tanh)):
            xt = _t(x, grad=True)
            fn(xt).backward(_t(dout))  # torch's relu has gradient 0 at x = 0, our convention
            assert xt.grad is not None
            assert_close(got, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        # Central differences are only valid away from ReLU's kink and tanh's flat tails.
        if np.all(np.abs(x) > 1e-3) and np.all(np.abs(x) < 50):
            assert_close(
                dx_relu, numerical_gradient(lambda z: np.maximum(z, 0), x, dout), NUM_RTOL, NUM_ATOL
            )
            assert_close(dx_tanh, numerical_gradient(np.tanh, x, dout), NUM_RTOL, NUM_ATOL)
        elif "zeros" in name:
            assert np.any(x == 0) and np.all(dx_relu[x == 0] == 0)


def _np_mlp_loss(x: np.ndarray, y: np.ndarray, weights: list, biases: list) -> float:
    a = x
    for W, b in zip(weights, biases, strict=True):
        a = 1.0 / (1.0 + np.exp(-(W @ a + b)))
    return 0.5 * float(np.sum((a - y) ** 2))


def _mlp_numerical_gradients(
    x: np.ndarray, y: np.ndarray, weights: list, biases: list, layer: int
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of the loss with respect to W and b of one layer."""

    def loss_of_w(W: np.ndarray) -> float:
        return _np_mlp_loss(x, y, [*weights[:layer], W, *weights[layer + 1 :]], biases)

    def loss_of_b(b: np.ndarray) -> float:
        return _np_mlp_loss(x, y, weights, [*biases[:layer], b, *biases[layer + 1 :]])

    one = np.array(1.0)
    return (
        numerical_gradient(loss_of_w, weights[layer], one),
        numerical_gradient(loss_of_b, biases[layer], one),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_column_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("mlp-column-backward")
    for name, dims, inputs in _instances("mlp-column-backward", seed):
        x, y = inputs["x"], inputs["y"]
        weights, biases = list(inputs["weights"]), list(inputs["biases"])
        L = dims["L"]
        out = ref.mlp_column_backward(x.copy(), y.copy(), tuple(weights), tuple(biases))
        assert isinstance(out, tuple) and len(out) == 1 + 2 * L, name
        loss, grads = out[0], out[1:]
        dWs, dbs = grads[0::2], grads[1::2]

        wt = [_t(W, grad=True) for W in weights]
        bt = [_t(b, grad=True) for b in biases]
        a = _t(x)
        for W, b in zip(wt, bt, strict=True):
            a = torch.sigmoid(W @ a + b)
        loss_t = 0.5 * ((a - _t(y)) ** 2).sum()
        loss_t.backward()
        assert math.isclose(loss, loss_t.item(), rel_tol=1e-12), name
        for layer in range(L):
            assert_close(dWs[layer], wt[layer].grad.numpy(), rtol=1e-9, atol=1e-12)
            assert_close(dbs[layer], bt[layer].grad.numpy(), rtol=1e-9, atol=1e-12)
            assert dbs[layer].shape == biases[layer].shape == (weights[layer].shape[0], 1)

        if seed == 0:  # numerical gradients of every parameter, on one seed (they are slow-ish)
            for layer in range(L):
                num_w, num_b = _mlp_numerical_gradients(x, y, weights, biases, layer)
                assert_close(dWs[layer], num_w, NUM_RTOL, NUM_ATOL)
                assert_close(dbs[layer], num_b, NUM_RTOL, NUM_ATOL)


def _np_mean_cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_torch_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = _module("cross-entropy-torch")
    for name, _dims, inputs in _instances("cross-entropy-torch", seed):
        logits, y = inputs["logits"], inputs["y"]
        got = _call("cross-entropy-torch", ref.cross_entropy_dlogits, inputs)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64, name
        zt = _t(logits, grad=True)
        F.cross_entropy(zt, torch.from_numpy(y)).backward()
        assert zt.grad is not None
        assert_close(got.numpy(), zt.grad.numpy(), rtol=1e-9, atol=1e-12)
        if np.abs(logits).max() < 100:  # finite differences of a loss near 1000 lose digits
            num = numerical_gradient(
                functools.partial(_np_mean_cross_entropy, y=y), logits, np.array(1.0)
            )
            assert_close(got.numpy(), num, NUM_RTOL, NUM_ATOL)


# --- convolution ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_im2col_matches_torch(seed: int) -> None:
    ref = _module("conv2d-im2col")
    for name, _dims, inputs in _instances("conv2d-im2col", seed):
        if seed > 0 and name.startswith(LARGE_CASE):
            continue
        x, w, b, stride, pad = inputs.values()
        got = ref.conv2d_im2col(x.copy(), w.copy(), b.copy(), stride, pad)
        expected = F.conv2d(_t(x), _t(w), _t(b), stride=stride, padding=pad).numpy()
        assert got.shape == expected.shape, name
        assert_close(got, expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_as_matrix_reproduces_torch_conv2d(seed: int) -> None:
    ref = _module("conv-as-matrix")
    rng = np.random.default_rng(100 + seed)
    for name, _dims, inputs in _instances("conv-as-matrix", seed):
        w, H, W = inputs["w"], inputs["H"], inputs["W"]
        M = ref.conv_matrix(w.copy(), H, W)
        Ho, Wo = H - w.shape[0] + 1, W - w.shape[1] + 1
        assert M.shape == (Ho * Wo, H * W), name
        for _ in range(3):
            x = rng.standard_normal((H, W))
            expected = F.conv2d(_t(x)[None, None], _t(w)[None, None])[0, 0].numpy()
            assert_close((M @ x.ravel()).reshape(Ho, Wo), expected, rtol=1e-9, atol=1e-12)
        # Each row holds exactly the kernel's k1*k2 entries; the rest are zeros.
        assert np.all((M != 0).sum(axis=1) == w.size), name
        rows = np.sort(M[M != 0].reshape(Ho * Wo, w.size), axis=1)
        assert np.array_equal(rows, np.broadcast_to(np.sort(w.ravel()), rows.shape)), name


SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_edge_detection_matches_torch_conv2d(seed: int) -> None:
    ref = _module("edge-detection")
    kernels = _t(np.stack([SOBEL_X, SOBEL_X.T])[:, None])  # (2, 1, 3, 3): gx then gy
    for name, _dims, inputs in _instances("edge-detection", seed):
        img = inputs["img"]
        gx, gy, mag = ref.sobel_edges(img.copy())
        expected = F.conv2d(_t(img)[None, None], kernels)[0].numpy()
        assert_close(gx, expected[0], rtol=1e-9, atol=1e-12)
        assert_close(gy, expected[1], rtol=1e-9, atol=1e-12)
        assert_close(mag, np.sqrt(expected[0] ** 2 + expected[1] ** 2), rtol=1e-9, atol=1e-12)
        # The step images are what catches a swapped gx/gy: one of the two is ~0, the other not.
        if "vertical step" in name:
            assert np.allclose(gy, 0) and np.abs(gx).max() > 0.5, name
        if "horizontal step" in name:
            assert np.allclose(gx, 0) and np.abs(gy).max() > 0.5, name


# --- attention -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_sdpa_torch_matches_torch_sdpa(seed: int) -> None:
    ref = _module("sdpa-torch")
    for name, _dims, inputs in _instances("sdpa-torch", seed):
        got = _call("sdpa-torch", ref.scaled_dot_product_attention_torch, inputs)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64, name
        q, k, v = (_t(inputs[n]) for n in "qkv")
        mask = inputs.get("mask")
        attn_mask = None if mask is None else torch.from_numpy(mask)
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        assert_close(got.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_mha_torch_matches_nn_multihead_attention(seed: int) -> None:
    ref = _module("mha-torch")
    for name, dims, inputs in _instances("mha-torch", seed):
        got = _call("mha-torch", ref.multi_head_attention_torch, inputs)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64, name
        E = dims["H"] * dims["D"]
        mha = torch.nn.MultiheadAttention(E, dims["H"], bias=False, batch_first=True).double()
        with torch.no_grad():
            # nn.MultiheadAttention computes x @ weight.T: our x @ w needs weight = w.T.
            mha.in_proj_weight.copy_(
                torch.cat([_t(inputs["wq"]).T, _t(inputs["wk"]).T, _t(inputs["wv"]).T])
            )
            mha.out_proj.weight.copy_(_t(inputs["wo"]).T)
            expected, _ = mha(_t(inputs["x_q"]), _t(inputs["x_kv"]), _t(inputs["x_kv"]))
        assert_close(got.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)


# --- the known solutions against the reference ----------------------------------------------


def _solutions() -> list[tuple[str, dict[str, Any]]]:
    return [(slug, sol) for slug in EXTRA for sol in _toml(slug)["solutions"]]


def _source(slug: str, file: str) -> str:
    return (EXERCISES / EXTRA[slug] / slug / "solutions" / file).read_text()


@pytest.mark.parametrize(
    ("slug", "solution"), _solutions(), ids=[f"{s}/{sol['file']}" for s, sol in _solutions()]
)
def test_solution_gets_its_expected_verdict(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones fail the way declared.

    `rejected` = every case fails, `partially_accepted` = some pass and some fail, on every seed.
    Solutions that must time out are right on the small cases (they are only too slow); the
    banned ones are caught by the static check, except the one hiding its call behind getattr,
    which only the sandbox's run-time ban catches (checked by `graders validate`).
    """
    meta = _toml(slug)
    spec = meta["code"]
    expect = solution["expect"]
    expect = set(expect) if isinstance(expect, list) else {expect}
    if expect == {"banned_call"}:
        banned = codecheck.banned_names(spec["framework"], spec.get("banned", []))
        problem = codecheck.check_source(_source(slug, solution["file"]), "solution.py", banned)
        if "getattr" in _source(slug, solution["file"]):
            assert problem is None  # only the run-time ban can see it
        else:
            assert problem is not None and problem.verdict == "banned_call"
        return

    ref = getattr(_module(slug), spec["entry_point"])
    sol = getattr(
        _module(slug, "solutions/" + solution["file"].removesuffix(".py")), spec["entry_point"]
    )
    for seed in SEEDS:
        passed, failed, raised = [], [], False
        for name, _dims, inputs in _instances(slug, seed):
            if name.startswith(LARGE_CASE):
                continue
            expected = _call(slug, ref, inputs)
            try:
                with np.errstate(all="ignore"):
                    got = _call(slug, sol, inputs)
            except Exception:
                raised = True
                failed.append(name)
                continue
            (passed if _matches(got, expected, spec["framework"]) else failed).append(name)
        if expect == {"timeout"}:
            assert not failed, f"seed {seed}: a too-slow solution must still be right: {failed}"
            continue
        if expect == {"runtime_error"}:
            assert raised and not passed, f"seed {seed}: expected a crash on every case"
            continue
        if failed and passed:
            verdicts = {"partially_accepted"}
        else:
            verdicts = {"rejected"} if failed else {"accepted"}
        if raised:
            verdicts.add("runtime_error")
        assert verdicts & expect, f"seed {seed}: {verdicts}; failed {failed}"
