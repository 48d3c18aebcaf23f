"""The references of the backprop/optimisation exercises of the deeper bank against outside
oracles, and their known solutions against the references.

Oracles: PyTorch itself: `F.rms_norm`, `nn.GRUCell`, `nn.LSTM` (our i, f, o, g weights mapped to
its i, f, g, o), `torch.optim.SGD`, `torch.optim.Adam`, `torch.nn.utils.clip_grad_norm_`,
`torch.nn.init.kaiming_uniform_` / `xavier_uniform_` (sampled), `F.cross_entropy`, with
torch.autograd for the gradients; plus central-difference numerical gradients (h = 1e-5, float64)
of RMSNorm written here with NumPy.

Inputs come from each exercise's own `cases.py`, for every case its `exercise.toml` declares (code
exercises), or from every combination of the parameters it declares (math exercises), so the
oracles see the instances students are graded on. Torch exercises get torch tensors, as the engine
passes them.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator
from typing import Any

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from graders import codecheck
from graders.math.parse import evaluate, parse_expression
from tests.exercises.oracle import (
    EXERCISES,
    assert_close,
    call_like_engine,
    exercise_toml,
    instances,
    load_module,
    numerical_gradient,
)

TOPIC = "backprop"
CODE = [
    "rmsnorm-forward-backward",
    "gru-step-forward",
    "gru-step-backward",
    "lstm-bptt",
    "sgd-momentum-step",
    "adam-step",
    "gradient-clipping",
]
SEEDS = [0, 1]
TIGHT = {"rtol": 1e-9, "atol": 1e-12}
# Central differences with h = 1e-5 are accurate to ~1e-10 here; leave room for rounding.
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7


# --- drawing instances the way the exercise declares them -----------------------------------


def _toml(slug: str) -> dict[str, Any]:
    return exercise_toml(TOPIC, slug)


def _module(slug: str, name: str = "reference") -> Any:
    return load_module(TOPIC, slug, name)


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    yield from instances(TOPIC, slug, seed)


def _framework(slug: str) -> str:
    return _toml(slug)["code"]["framework"]


def _call(slug: str, fn: Any, inputs: dict[str, Any]) -> Any:
    return call_like_engine(fn, inputs, _framework(slug))


def _reference(slug: str) -> Any:
    return getattr(_module(slug), _toml(slug)["code"]["entry_point"])


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _values(out: Any, framework: str) -> tuple[Any, ...] | None:
    """The returned values as NumPy (scalars as 0-d arrays), or None when a type is wrong."""
    result = []
    for item in out if isinstance(out, tuple) else (out,):
        if framework == "torch":
            if not isinstance(item, torch.Tensor):
                return None
            item = item.numpy()
        elif not isinstance(item, np.ndarray | float | np.floating):
            return None
        result.append(np.asarray(item, dtype=np.float64))
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


# --- the instances honour the contract -----------------------------------------------------


@pytest.mark.parametrize("slug", CODE)
def test_instances_honour_the_contract(slug: str) -> None:
    framework = _framework(slug)
    for name, _dims, inputs in _instances(slug, 0):
        for key, value in inputs.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float64, (name, key, value.dtype)
            else:
                assert type(value) in (int, float), (name, key, type(value))
        out = _values(_call(slug, _reference(slug), inputs), framework)
        assert out is not None, name
        assert all(v.dtype == np.float64 and np.all(np.isfinite(v)) for v in out), name


# --- rmsnorm-forward-backward --------------------------------------------------------------


def _np_rmsnorm(x: np.ndarray, gamma: np.ndarray, eps: float) -> np.ndarray:
    return gamma * x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)


@pytest.mark.parametrize("seed", SEEDS)
def test_rmsnorm_matches_torch_rms_norm_autograd_and_finite_differences(seed: int) -> None:
    ref = _reference("rmsnorm-forward-backward")
    for name, _dims, inputs in _instances("rmsnorm-forward-backward", seed):
        x, gamma, dout, eps = inputs.values()
        out, dx, dgamma = _call("rmsnorm-forward-backward", ref, inputs)
        xt, gt = _t(x, grad=True), _t(gamma, grad=True)
        out_t = F.rms_norm(xt, (x.shape[-1],), gt, eps=eps)
        out_t.backward(_t(dout))
        assert xt.grad is not None and gt.grad is not None
        assert_close(out, out_t.detach().numpy(), **TIGHT)
        assert_close(dx, xt.grad.numpy(), 1e-8, 1e-10)
        assert_close(dgamma, gt.grad.numpy(), 1e-8, 1e-10)
        if seed == 0:
            num_x = numerical_gradient(
                functools.partial(_np_rmsnorm, gamma=gamma, eps=eps), x, dout
            )
            num_g = numerical_gradient(functools.partial(_np_rmsnorm, x, eps=eps), gamma, dout)
            assert_close(dx, num_x, NUM_RTOL, NUM_ATOL)
            assert_close(dgamma, num_g, NUM_RTOL, NUM_ATOL)
        # Without eps RMSNorm is scale-invariant, so x . dx = 0 per row; with eps it is not.
        if eps < 1e-3:
            assert np.allclose((x * dx).sum(axis=-1), 0, atol=1e-4), name


def test_rmsnorm_eps_case_tells_the_two_eps_conventions_apart() -> None:
    """The hidden eps = 0.1 cases exist to separate sqrt(ms + eps) from sqrt(ms) + eps."""
    for name, _dims, inputs in _instances("rmsnorm-forward-backward", 0):
        x, gamma, _dout, eps = inputs.values()
        ms = np.mean(x**2, axis=-1, keepdims=True)
        inside, outside = gamma * x / np.sqrt(ms + eps), gamma * x / (np.sqrt(ms) + eps)
        assert np.allclose(inside, outside, rtol=1e-5, atol=1e-8) == (eps < 1e-3), name


# --- gru-step-forward and gru-step-backward -------------------------------------------------


def _gru_cell(inputs: dict[str, Any], D: int, H: int) -> torch.nn.GRUCell:
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        # Our layout is nn.GRUCell's own: copy the arrays as they are.
        for attr in ("w_ih", "w_hh", "b_ih", "b_hh"):
            name = {"w": "weight", "b": "bias"}[attr[0]] + attr[1:]
            getattr(cell, name).copy_(_t(inputs[attr]))
    return cell


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_step_forward_matches_nn_grucell(seed: int) -> None:
    ref = _reference("gru-step-forward")
    for name, dims, inputs in _instances("gru-step-forward", seed):
        got = _call("gru-step-forward", ref, inputs)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64, name
        cell = _gru_cell(inputs, dims["D"], dims["H"])
        with torch.no_grad():
            expected = cell(_t(inputs["x"]), _t(inputs["h_prev"]))
        assert_close(got.numpy(), expected.numpy(), **TIGHT)


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_step_backward_matches_nn_grucell_autograd(seed: int) -> None:
    ref = _reference("gru-step-backward")
    for name, dims, inputs in _instances("gru-step-backward", seed):
        got = _call("gru-step-backward", ref, inputs)
        cell = _gru_cell(inputs, dims["D"], dims["H"])
        x, h = _t(inputs["x"], grad=True), _t(inputs["h_prev"], grad=True)
        cell(x, h).backward(_t(inputs["dh"]))
        expected = (x.grad, h.grad, cell.weight_ih.grad, cell.weight_hh.grad)
        expected += (cell.bias_ih.grad, cell.bias_hh.grad)
        assert len(got) == 6, name
        for g, e in zip(got, expected, strict=True):
            assert e is not None
            assert_close(g, e.numpy(), **TIGHT)


# --- lstm-bptt -----------------------------------------------------------------------------


def _ifog_to_ifgo(a: np.ndarray, H: int) -> np.ndarray:
    """The bank's gate blocks i, f, o, g along the last axis, in PyTorch's order i, f, g, o."""
    i, f, o, g = (a[..., k * H : (k + 1) * H] for k in range(4))
    return np.concatenate([i, f, g, o], axis=-1)


def _torch_lstm(inputs: dict[str, Any], D: int, H: int) -> torch.nn.LSTM:
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():
        # torch computes x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh.
        lstm.weight_ih_l0.copy_(_t(_ifog_to_ifgo(inputs["wx"], H).T))
        lstm.weight_hh_l0.copy_(_t(_ifog_to_ifgo(inputs["wh"], H).T))
        lstm.bias_ih_l0.copy_(_t(_ifog_to_ifgo(inputs["b"], H)))
        lstm.bias_hh_l0.zero_()
    return lstm


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_bptt_matches_nn_lstm_autograd(seed: int) -> None:
    ref = _reference("lstm-bptt")
    for _name, dims, inputs in _instances("lstm-bptt", seed):
        D, H = dims["D"], dims["H"]
        got = _call("lstm-bptt", ref, inputs)
        lstm = _torch_lstm(inputs, D, H)
        x = _t(inputs["x"], grad=True)
        h0, c0 = _t(inputs["h0"][None], grad=True), _t(inputs["c0"][None], grad=True)
        hs, _ = lstm(x, (h0, c0))
        hs.backward(_t(inputs["dh"]))
        grads = [x.grad, h0.grad, c0.grad]
        grads += [lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad, lstm.bias_ih_l0.grad]
        assert all(g is not None for g in grads)
        dx, dh0, dc0, dw_ih, dw_hh, db = (g.numpy() for g in grads)  # type: ignore[union-attr]
        # Back from torch's layout: transpose the weights, then the same block swap (its own
        # inverse) turns i, f, g, o back into i, f, o, g.
        expected = (dx, dh0[0], dc0[0], _ifog_to_ifgo(dw_ih.T, H), _ifog_to_ifgo(dw_hh.T, H))
        expected += (_ifog_to_ifgo(db, H),)
        for g, e in zip(got, expected, strict=True):
            assert_close(g, e, **TIGHT)


def test_lstm_bptt_forward_convention_is_lstm_steps() -> None:
    """The sequence the statement describes is lstm-step run T times: checked against nn.LSTM."""
    step = load_module("attention", "lstm-step").lstm_step
    for _name, dims, inputs in _instances("lstm-bptt", 0):
        h, c = inputs["h0"], inputs["c0"]
        outputs = []
        for t in range(dims["T"]):
            h, c = step(inputs["x"][:, t], h, c, inputs["wx"], inputs["wh"], inputs["b"])
            outputs.append(h)
        with torch.no_grad():
            hs, (_hT, cT) = _torch_lstm(inputs, dims["D"], dims["H"])(
                _t(inputs["x"]), (_t(inputs["h0"][None]), _t(inputs["c0"][None]))
            )
        assert_close(np.stack(outputs, axis=1), hs.numpy(), **TIGHT)
        assert_close(c, cT[0].numpy(), **TIGHT)


# --- sgd-momentum-step and adam-step -------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_momentum_step_matches_torch_optim_sgd(seed: int) -> None:
    ref = _reference("sgd-momentum-step")
    firsts = 0
    for _name, _dims, inputs in _instances("sgd-momentum-step", seed):
        param, buf = _call("sgd-momentum-step", ref, inputs)
        p = torch.nn.Parameter(_t(inputs["param"]))
        p.grad = _t(inputs["grad"])
        opt = torch.optim.SGD(
            [p], lr=inputs["lr"], momentum=inputs["momentum"], weight_decay=inputs["weight_decay"]
        )
        if np.any(inputs["buf"]):
            opt.state[p]["momentum_buffer"] = _t(inputs["buf"])
        else:
            # The first step: torch has no buffer yet and stores a copy of the gradient, which the
            # statement says a zero buffer reproduces.
            firsts += 1
        opt.step()
        assert_close(param.numpy(), p.detach().numpy(), **TIGHT)
        assert_close(buf.numpy(), opt.state[p]["momentum_buffer"].numpy(), **TIGHT)
    assert firsts >= 2


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_step_matches_torch_optim_adam(seed: int) -> None:
    ref = _reference("adam-step")
    steps = set()
    for name, _dims, inputs in _instances("adam-step", seed):
        param, m, v = _call("adam-step", ref, inputs)
        t = inputs["t"]
        steps.add(t)
        p = torch.nn.Parameter(_t(inputs["param"]))
        p.grad = _t(inputs["grad"])
        betas = (inputs["beta1"], inputs["beta2"])
        opt = torch.optim.Adam([p], lr=inputs["lr"], betas=betas, eps=inputs["eps"])
        if t > 1:
            # The state torch keeps after t - 1 updates; step() then counts this one as t.
            opt.state[p].update(
                step=torch.tensor(float(t - 1)),
                exp_avg=_t(inputs["m"]),
                exp_avg_sq=_t(inputs["v"]),
            )
        else:
            assert not np.any(inputs["m"]) and not np.any(inputs["v"]), name
        opt.step()
        assert_close(param, p.detach().numpy(), 1e-9, 1e-12)
        assert_close(m, opt.state[p]["exp_avg"].numpy(), **TIGHT)
        assert_close(v, opt.state[p]["exp_avg_sq"].numpy(), **TIGHT)
    assert 1 in steps and max(steps) >= 1000


def test_adam_tiny_gradient_case_makes_eps_matter() -> None:
    """The case with gradients near 1e-6 separates the places where eps can go; the others
    (gradients of order 1) do not, which is why eps conventions are partially accepted."""
    for name, _dims, inputs in _instances("adam-step", 0):
        ref_param, m, v = _reference("adam-step")(*inputs.values())
        v_hat = v / (1 - inputs["beta2"] ** inputs["t"])
        m_hat = m / (1 - inputs["beta1"] ** inputs["t"])
        inside = inputs["param"] - inputs["lr"] * m_hat / np.sqrt(v_hat + inputs["eps"])
        tiny = np.abs(inputs["grad"]).max() < 1e-4
        assert np.allclose(inside, ref_param, rtol=1e-5, atol=1e-8) != tiny, name


# --- gradient-clipping ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_clipping_matches_clip_grad_norm(seed: int) -> None:
    ref = _reference("gradient-clipping")
    clipped = unclipped = 0
    for name, _dims, inputs in _instances("gradient-clipping", seed):
        *grads, total = _call("gradient-clipping", ref, inputs)
        params = [torch.nn.Parameter(_t(inputs[k])) for k in ("dw1", "db1", "dw2", "db2")]
        for p in params:
            p.grad = p.detach().clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm=inputs["max_norm"])
        assert isinstance(total, float), name
        assert math.isclose(total, norm.item(), rel_tol=1e-12, abs_tol=1e-15), name
        for g, p in zip(grads, params, strict=True):
            assert p.grad is not None
            assert_close(g, p.grad.numpy(), **TIGHT)
        if total > inputs["max_norm"]:
            clipped += 1
        else:
            unclipped += 1
    assert clipped >= 2 and unclipped >= 2


# --- init-variance (math) ------------------------------------------------------------------


def _param_grid(slug: str) -> list[dict[str, Any]]:
    params = _toml(slug)["params"]
    names = [n for n in params if n != "distinct"]
    combos = itertools.product(*(params[n]["choices"] for n in names))
    return [dict(zip(names, c, strict=True)) for c in combos]


def _sampled_bound(init: Any, fan_out: int, fan_in: int) -> tuple[float, float]:
    """The largest |w| and the variance of many draws of an nn.Linear-shaped (fan_out, fan_in)
    weight initialised by torch: the bound of U(-a, a) up to sampling, and a^2 / 3."""
    w = torch.empty(fan_out, fan_in, dtype=torch.float64)
    draws = []
    for _ in range(max(1, 20_000 // w.numel())):
        init(w)
        draws.append(w.clone())
    every = torch.cat([d.flatten() for d in draws])
    return every.abs().max().item(), every.var().item()


def test_init_variance_matches_torch_nn_init() -> None:
    ref = _module("init-variance")
    grid = _param_grid("init-variance")
    torch.manual_seed(0)
    # Every instance against the formula torch documents; a spread-out few against torch itself.
    for params in grid[:: max(1, len(grid) // 6)]:
        a1, a2 = ref.answer(**params)
        relu = functools.partial(torch.nn.init.kaiming_uniform_, nonlinearity="relu")
        for a, init, fan_out, fan_in in (
            (a1, relu, params["n1"], params["n0"]),
            (a2, torch.nn.init.xavier_uniform_, params["n2"], params["n1"]),
        ):
            biggest, var = _sampled_bound(init, fan_out, fan_in)
            assert a * (1 - 2e-3) <= biggest <= a * (1 + 1e-12), (params, a, biggest)
            assert math.isclose(var, a * a / 3, rel_tol=0.05), (params, a, var)


def test_init_variance_mistakes_differ_from_the_answer() -> None:
    ref = _module("init-variance")
    mistakes = [m["function"] for m in _toml("init-variance")["math"]["mistakes"]]
    for params in _param_grid("init-variance"):
        want = np.array(ref.answer(**params))
        for fn in mistakes:
            wrong = np.array(getattr(ref, fn)(**params))
            assert not np.allclose(wrong, want, rtol=1e-3, atol=0), (fn, params)


# --- softmax-ce-gradient-symbolic (math) ---------------------------------------------------


def _at(text: str, z: np.ndarray) -> float:
    """A typed expression in z1, z2, z3 evaluated at z, with the engine's own parser."""
    expr = parse_expression(text, ["z1", "z2", "z3"])
    env = {s: mpmath.mpf(float(z[int(s.name[1]) - 1])) for s in expr.free_symbols}
    return float(mpmath.re(evaluate(expr, env)))


def test_softmax_ce_gradient_matches_autograd() -> None:
    ref = _module("softmax-ce-gradient-symbolic")
    mistakes = [m["function"] for m in _toml("softmax-ce-gradient-symbolic")["math"]["mistakes"]]
    rng = np.random.default_rng(0)
    for params in _param_grid("softmax-ce-gradient-symbolic"):
        T, y, j = params["T"], params["y"], params["j"]
        for z in rng.normal(0.0, 2.0, size=(2, 3)):
            zt = _t(z, grad=True)
            F.cross_entropy((zt / T)[None], torch.tensor([y - 1])).backward()
            assert zt.grad is not None
            expected = zt.grad[j - 1].item()
            assert math.isclose(_at(ref.answer(**params), z), expected, rel_tol=1e-9), params
            for fn in mistakes:  # each declared mistake is wrong where it applies
                wrong = getattr(ref, fn)(**params)
                if wrong is not None:
                    assert not math.isclose(_at(wrong, z), expected, rel_tol=1e-6), (fn, params)


# --- the statements' worked examples -------------------------------------------------------


def test_statement_examples() -> None:
    a = np.array
    out, dx, dgamma = _reference("rmsnorm-forward-backward")(
        a([[1.0, 2, 2], [3, 0, -4]]), a([1.0, -1, 2]), a([[1.0, 0, 0], [0, 1, 1]]), 0.0
    )
    assert_close(out, a([[0.577350, -1.154701, 2.309401], [1.039230, 0, -2.771281]]), 1e-6, 1e-6)
    assert_close(dx, a([[0.5132, -0.1283, -0.1283], [0.332554, -0.34641, 0.249415]]), 1e-4, 1e-6)
    assert_close(dgamma, a([0.577350, 0, -1.385641]), 1e-6, 1e-6)

    gru = (a([[1.0]]), a([[0.5]]), a([[1.0], [-1], [2]]), a([[0.5], [1], [-1]]))
    gru += (a([0.0, 0, 0]), a([0.0, 0, 1.5]))
    h = _reference("gru-step-forward")(*(torch.from_numpy(v) for v in gru))
    assert math.isclose(h.item(), 0.806431, rel_tol=1e-6)
    back = _reference("gru-step-backward")(*gru, a([[1.0]]))
    assert_close(back[0], a([[0.136466]]), 1e-5, 1e-7)
    assert_close(back[1], a([[0.255247]]), 1e-5, 1e-7)
    assert_close(back[5], a([0.001655, -0.115690, 0.007431]), 1e-3, 1e-6)

    lstm = _reference("lstm-bptt")(
        a([[[1.0], [-1]]]), a([[0.0]]), a([[0.5]]), a([[0.5, 1, -1, 2]]), a([[1.0, -1, 0.5, 1]]),
        a([0.0, 0, 0, 0]), a([[[0.0], [1]]]),
    )  # fmt: skip
    assert_close(lstm[0], a([[[0.081203], [0.138150]]]), 1e-5, 1e-7)
    assert_close(lstm[2], a([[0.098746]]), 1e-5, 1e-7)
    assert_close(lstm[5], a([-0.137584, 0.138037, -0.074052, 0.038028]), 1e-5, 1e-7)

    adam = _reference("adam-step")
    p, m, v = adam(a([1.0, -2]), a([0.5, 0.1]), a([0.0, 0]), a([0.0, 0]), 1, 0.01, 0.9, 0.999, 1e-8)
    assert_close(p, a([0.99, -2.01]), 1e-9, 1e-9)
    p, m, v = adam(p, a([-0.5, 0.3]), m, v, 2, 0.01, 0.9, 0.999, 1e-8)
    assert_close(p, a([0.990526, -2.019178]), 1e-6, 1e-6)
    assert_close(v, a([0.00049975, 0.00009999]), 1e-9, 1e-12)

    sgd = _reference("sgd-momentum-step")
    p, b = sgd(
        torch.tensor([1.0, -2]), torch.tensor([0.5, 0.1]), torch.tensor([0.2, -0.4]), 0.1, 0.9, 0.1
    )
    assert_close(b.numpy(), a([0.78, -0.46]), 1e-6, 1e-7)
    assert_close(p.numpy(), a([0.922, -1.954]), 1e-6, 1e-7)

    *grads, total = _reference("gradient-clipping")(
        a([[1.0, 2], [2, 0]]), a([2.0, 0]), a([[2.0], [2]]), a([2.0]), 1.0
    )
    assert total == 5.0
    assert_close(
        np.concatenate([g.ravel() for g in grads]), a([1, 2, 2, 0, 2, 0, 2, 2, 2]) * 0.2, 1e-6
    )


# --- the known solutions against the reference ----------------------------------------------


def _solutions() -> list[tuple[str, dict[str, Any]]]:
    return [(slug, sol) for slug in CODE for sol in _toml(slug)["solutions"]]


@pytest.mark.parametrize(
    ("slug", "solution"), _solutions(), ids=[f"{s}/{sol['file']}" for s, sol in _solutions()]
)
def test_solution_gets_its_expected_verdict(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones fail the way declared.

    `rejected` = every case fails, `partially_accepted` = some pass and some fail, on every seed.
    The banned ones are caught by the static check.
    """
    spec = _toml(slug)["code"]
    expect = solution["expect"]
    expect = set(expect) if isinstance(expect, list) else {expect}
    if expect == {"banned_call"}:
        source = (EXERCISES / TOPIC / slug / "solutions" / solution["file"]).read_text()
        banned = codecheck.banned_names(spec["framework"], spec.get("banned", []))
        problem = codecheck.check_source(source, "solution.py", banned)
        assert problem is not None and problem.verdict == "banned_call"
        return
    ref = _reference(slug)
    sol = getattr(
        _module(slug, "solutions/" + solution["file"].removesuffix(".py")), spec["entry_point"]
    )
    for seed in SEEDS:
        passed, failed = [], []
        for name, _dims, inputs in _instances(slug, seed):
            expected = _call(slug, ref, inputs)
            with np.errstate(all="ignore"):
                got = _call(slug, sol, inputs)
            (passed if _matches(got, expected, spec["framework"]) else failed).append(name)
        verdict = (
            "partially_accepted" if failed and passed else "rejected" if failed else "accepted"
        )
        assert verdict in expect, f"seed {seed}: {verdict}; failed {failed}"
