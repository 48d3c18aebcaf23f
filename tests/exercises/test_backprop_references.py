"""The backprop references against outside oracles, and the known solutions against the references.

Every reference is checked on several seeded instances against PyTorch (the functional op and
torch.autograd) and against a central-difference numerical gradient of a NumPy forward pass
written here, independently of the reference. Then every `solutions/` file is run on the
exercise's own cases (make_inputs with each case's dims and options): correct variants must agree
with the reference everywhere, buggy ones must disagree where their expected verdict says so.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercises.oracle import EXERCISES, assert_close, load_module, numerical_gradient

TOPIC = "backprop"
SLUGS = [
    "sigmoid-backward",
    "linear-backward",
    "softmax-cross-entropy",
    "batchnorm-backward",
    "embedding-backward",
]
SEEDS = [0, 1, 2, 3]
# Central differences with h = 1e-5 are accurate to ~1e-10 here; leave room for rounding.
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7


def reference(slug: str) -> ModuleType:
    return load_module(TOPIC, slug)


def t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def grad_of(tensor: torch.Tensor) -> np.ndarray:
    assert tensor.grad is not None
    return tensor.grad.numpy()


# --- sigmoid-backward --------------------------------------------------------------------------


def np_sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free, and a different formula


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_backward(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (3 + seed, 5) if seed % 2 == 0 else (2, 3, 4 + seed)
    x = rng.standard_normal(shape) * 3.0
    dout = rng.standard_normal(shape)
    dx = reference("sigmoid-backward").sigmoid_backward(x.copy(), dout.copy())

    xt = t(x, grad=True)
    torch.sigmoid(xt).backward(t(dout))
    assert_close(dx, grad_of(xt))
    assert_close(dx, numerical_gradient(np_sigmoid, x, dout), NUM_RTOL, NUM_ATOL)


def test_sigmoid_backward_large_magnitudes_stay_finite() -> None:
    x = np.array([[-1000.0, -700.0, -30.0, 0.0, 30.0, 700.0, 1000.0]])
    dout = np.ones_like(x)
    # The reference must not even overflow internally (underflow to 0 is harmless).
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        dx = reference("sigmoid-backward").sigmoid_backward(x, dout)
    xt = t(x, grad=True)
    torch.sigmoid(xt).backward(t(dout))
    assert np.all(np.isfinite(dx))
    assert_close(dx, grad_of(xt))


# --- linear-backward ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_backward(seed: int) -> None:
    rng = np.random.default_rng(seed)
    N, D, M = 2 + seed, 3 + 2 * seed % 5, 4 + seed
    x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
    dout = rng.standard_normal((N, M))
    dx, dw, db = reference("linear-backward").linear_backward(x.copy(), w.copy(), b.copy(), dout)

    xt, wt, bt = t(x, True), t(w, True), t(b, True)
    F.linear(xt, wt.T, bt).backward(t(dout))
    assert_close(dx, grad_of(xt))
    assert_close(dw, grad_of(wt))
    assert_close(db, grad_of(bt))

    assert_close(dx, numerical_gradient(lambda v: v @ w + b, x, dout), NUM_RTOL, NUM_ATOL)
    assert_close(dw, numerical_gradient(lambda v: x @ v + b, w, dout), NUM_RTOL, NUM_ATOL)
    assert_close(db, numerical_gradient(lambda v: x @ w + v, b, dout), NUM_RTOL, NUM_ATOL)


# --- softmax-cross-entropy ---------------------------------------------------------------------


def np_cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    # scipy-free log-sum-exp, written differently from the reference (logaddexp).
    lse = np.logaddexp.reduce(logits, axis=1)
    return float(np.mean(lse - logits[np.arange(len(y)), y]))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("offset", [0.0, 1000.0, -1000.0])
def test_softmax_cross_entropy(seed: int, offset: float) -> None:
    rng = np.random.default_rng(seed)
    N, C = 3 + seed, 4 + 2 * seed
    logits = rng.standard_normal((N, C)) * 2.0 + offset
    y = rng.integers(0, C, size=N).astype(np.int64)
    loss, dlogits = reference("softmax-cross-entropy").softmax_cross_entropy(logits.copy(), y)
    assert isinstance(loss, float | np.floating)

    lt = t(logits, True)
    torch_loss = F.cross_entropy(lt, torch.from_numpy(y))
    torch_loss.backward()
    assert_close(loss, torch_loss.item())
    assert_close(dlogits, grad_of(lt))
    num = numerical_gradient(lambda v: np.array(np_cross_entropy(v, y)), logits, np.array(1.0))
    assert_close(dlogits, num, NUM_RTOL, NUM_ATOL)


def test_softmax_cross_entropy_magnitude_1000() -> None:
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((5, 6)) * 1000.0
    # Label 1000+ below the maximum: softmax underflows to 0 there, its log must not.
    y = np.argmin(logits, axis=1).astype(np.int64)
    loss, dlogits = reference("softmax-cross-entropy").softmax_cross_entropy(logits.copy(), y)
    lt = t(logits, True)
    torch_loss = F.cross_entropy(lt, torch.from_numpy(y))
    torch_loss.backward()
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert_close(loss, torch_loss.item())
    assert_close(dlogits, grad_of(lt))


# --- batchnorm-backward ------------------------------------------------------------------------


def np_batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    n = x.shape[0]
    mean = x.sum(axis=0) / n
    var = ((x - mean) ** 2).sum(axis=0) / n
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_batchnorm_backward(seed: int, eps: float) -> None:
    rng = np.random.default_rng(seed)
    N, D = 3 + seed, 2 + (3 * seed) % 5
    x = rng.standard_normal((N, D)) * rng.uniform(0.05, 2.0, D) + rng.uniform(-3, 3, D)
    gamma, beta = rng.uniform(0.5, 2.0, D), rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    dx, dgamma, dbeta = reference("batchnorm-backward").batchnorm_backward(
        x.copy(), gamma.copy(), beta.copy(), dout.copy(), eps
    )

    xt, gt, bt = t(x, True), t(gamma, True), t(beta, True)
    F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps).backward(t(dout))
    assert_close(dx, grad_of(xt))
    assert_close(dgamma, grad_of(gt))
    assert_close(dbeta, grad_of(bt))

    num_dx = numerical_gradient(lambda v: np_batchnorm(v, gamma, beta, eps), x, dout)
    num_dg = numerical_gradient(lambda v: np_batchnorm(x, v, beta, eps), gamma, dout)
    num_db = numerical_gradient(lambda v: np_batchnorm(x, gamma, v, eps), beta, dout)
    assert_close(dx, num_dx, NUM_RTOL, NUM_ATOL)
    assert_close(dgamma, num_dg, NUM_RTOL, NUM_ATOL)
    assert_close(dbeta, num_db, NUM_RTOL, NUM_ATOL)


def test_batchnorm_eps_defaults_to_1e_5() -> None:
    rng = np.random.default_rng(11)
    args = rng.standard_normal((4, 3)), np.ones(3), np.zeros(3), rng.standard_normal((4, 3))
    f = reference("batchnorm-backward").batchnorm_backward
    for got, expected in zip(f(*args), f(*args, 1e-5), strict=True):
        assert_close(got, expected, rtol=0, atol=0)


# --- embedding-backward ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_embedding_backward(seed: int) -> None:
    rng = np.random.default_rng(seed)
    N, T, D, V = 2 + seed, 5, 3 + seed % 2, 12
    idx = rng.integers(0, V // 2, size=(N, T)).astype(np.int64)  # many repeats, rows unused
    dout = rng.standard_normal((N, T, D))
    dW = reference("embedding-backward").embedding_backward(idx.copy(), dout.copy(), V)

    W = rng.standard_normal((V, D))
    Wt = t(W, True)
    F.embedding(torch.from_numpy(idx), Wt).backward(t(dout))
    assert_close(dW, grad_of(Wt), rtol=1e-12, atol=1e-12)
    assert_close(dW, numerical_gradient(lambda v: v[idx], W, dout), NUM_RTOL, NUM_ATOL)
    unused = np.setdiff1d(np.arange(V), idx)
    assert unused.size > 0 and np.all(dW[unused] == 0.0)


# --- known solutions against the reference -----------------------------------------------------


def exercise_config(slug: str) -> dict[str, Any]:
    with open(EXERCISES / TOPIC / slug / "exercise.toml", "rb") as fh:
        return tomllib.load(fh)


def draw_dims(rng: np.random.Generator, ranges: dict[str, list[int]]) -> dict[str, int]:
    """Draw pairwise-distinct dims from inclusive ranges (as the engine does by default)."""
    for _ in range(1000):
        dims = {k: int(rng.integers(lo, hi + 1)) for k, (lo, hi) in ranges.items()}
        if len(set(dims.values())) == len(dims):
            return dims
    raise AssertionError(f"cannot draw distinct dims from {ranges}")


def case_inputs(slug: str, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """The inputs of every case of the exercise (repeats expanded) for one seed."""
    cfg = exercise_config(slug)
    cases_mod = load_module(TOPIC, slug, "cases")
    ranges = {k: v for k, v in cfg["dims"].items() if k != "distinct"}
    assert "distinct" not in cfg["dims"], "draw_dims only knows the default distinctness"
    rng = np.random.default_rng(seed)
    out = []
    for case in cfg["cases"]:
        for r in range(case.get("repeat", 1)):
            dims = {**draw_dims(rng, ranges), **case.get("dims", {})}
            options = case.get("options", {})
            out.append((f"{case['name']} #{r}", cases_mod.make_inputs(rng, dims, options)))
    return out


def outputs_agree(got: Any, expected: Any, n_outputs: int) -> bool:
    """Same rule as the engine's value check: exact shape, finite, allclose(1e-5, 1e-8)."""
    if n_outputs > 1:
        if not isinstance(got, tuple) or len(got) != n_outputs:
            return False
        return all(outputs_agree(g, e, 1) for g, e in zip(got, expected, strict=True))
    g, e = np.asarray(got), np.asarray(expected)
    if g.shape != e.shape or g.dtype.kind not in "fiu":
        return False
    return bool(np.all(np.isfinite(g)) and np.allclose(g, e, rtol=1e-5, atol=1e-8))


def run_solution(fn: Callable[..., Any], inputs: dict[str, Any]) -> Any:
    args = [np.copy(v) if isinstance(v, np.ndarray) else v for v in inputs.values()]
    with np.errstate(all="ignore"):  # buggy variants overflow on purpose
        return fn(*args)


SOLUTIONS = [
    (slug, sol["file"], sol["expect"])
    for slug in SLUGS
    for sol in exercise_config(slug)["solutions"]
]


def test_every_exercise_has_enough_solutions() -> None:
    for slug in SLUGS:
        expects = [e for s, _, e in SOLUTIONS if s == slug]
        assert expects.count("accepted") >= 2, slug
        assert len(expects) - expects.count("accepted") >= 3, slug


@pytest.mark.parametrize(("slug", "file", "expect"), SOLUTIONS)
def test_solution_against_reference(slug: str, file: str, expect: str | list[str]) -> None:
    cfg = exercise_config(slug)
    entry, n_out = cfg["code"]["entry_point"], len(cfg["code"]["outputs"])
    ref = getattr(reference(slug), entry)
    sol = getattr(load_module(TOPIC, slug, "solutions/" + file.removesuffix(".py")), entry)
    verdicts = set(expect) if isinstance(expect, list) else {expect}
    for seed in (0, 1):
        results = []
        for name, inputs in case_inputs(slug, seed):
            expected = run_solution(ref, inputs)
            try:
                got = run_solution(sol, inputs)
            except Exception:
                got = None
            results.append((name, outputs_agree(got, expected, n_out)))
        passed = [name for name, ok in results if ok]
        failed = [name for name, ok in results if not ok]
        if verdicts == {"accepted"}:
            assert not failed, f"{file} disagrees with the reference on {failed}"
            continue
        assert failed, f"buggy {file} agrees with the reference on every case"
        if "partially_accepted" not in verdicts:
            assert not passed, f"{file} expected rejected but passes {passed}"
        if "rejected" not in verdicts:
            assert passed, f"{file} expected partially_accepted but fails every case"
