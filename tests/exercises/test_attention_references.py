"""The attention references against outside oracles, and the known solutions against the references.

Oracles: PyTorch (`scaled_dot_product_attention` with a bool `attn_mask` or `is_causal`,
`nn.MultiheadAttention` with our weights mapped in, an explicit per-head torch computation,
`nn.LSTMCell` with the gate blocks reordered, autograd) plus central-difference numerical gradients
and the positional-encoding formula written out element by element.

The inputs are drawn with each exercise's own `cases.py`, for every case its `exercise.toml`
declares, so the oracles see exactly the kinds of instances students are graded on.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercises.oracle import EXERCISES, assert_close, load_module, numerical_gradient

TOPIC = "attention"
SLUGS = [
    "positional-encoding",
    "scaled-dot-product-attention",
    "causal-attention",
    "multi-head-attention",
    "attention-backward",
    "lstm-step",
]
SEEDS = [0, 1, 2]


# --- drawing instances the way the exercise declares them -----------------------------------


def _toml(slug: str) -> dict[str, Any]:
    with open(EXERCISES / TOPIC / slug / "exercise.toml", "rb") as f:
        return tomllib.load(f)


def _distinct_ok(dims: dict[str, int], groups: list[list[str]]) -> bool:
    return all(len({dims[n] for n in group}) == len(group) for group in groups)


def _draw_dims(
    rng: np.random.Generator, spec: dict[str, Any], cases_mod: Any, options: dict
) -> dict[str, int]:
    ranges = {name: r for name, r in spec.items() if name != "distinct"}
    groups = spec.get("distinct", [list(ranges)])
    accept = getattr(cases_mod, "accept", lambda dims, options: True)
    for _ in range(10_000):
        dims = {name: int(rng.integers(lo, hi + 1)) for name, (lo, hi) in ranges.items()}
        if _distinct_ok(dims, groups) and accept(dims, options):
            return dims
    raise AssertionError(f"could not draw dims from {spec}")


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    """(case name, dims, inputs) for every case of the exercise, repeats expanded."""
    meta = _toml(slug)
    cases_mod = load_module(TOPIC, slug, "cases")
    rng = np.random.default_rng(seed)
    for case in meta["cases"]:
        options = case.get("options", {})
        for r in range(case.get("repeat", 1)):
            dims = case.get("dims") or _draw_dims(rng, meta["dims"], cases_mod, options)
            inputs = cases_mod.make_inputs(rng, dict(dims), dict(options))
            yield f"{case['name']} #{r}", dims, inputs


def _call(fn: Any, inputs: dict[str, Any]) -> Any:
    # As the engine does: positionally, on private copies.
    args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in inputs.values()]
    return fn(*args)


def _as_tuple(out: Any, n_outputs: int) -> tuple[np.ndarray, ...]:
    return tuple(out) if n_outputs > 1 else (out,)


def _matches(got: Any, expected: Any, n_outputs: int) -> bool:
    """The engine's value check: exact shapes, all finite, allclose(rtol=1e-5, atol=1e-8)."""
    if n_outputs > 1 and (not isinstance(got, tuple) or len(got) != n_outputs):
        return False
    for g, e in zip(_as_tuple(got, n_outputs), _as_tuple(expected, n_outputs), strict=True):
        g = np.asarray(g)
        if g.shape != np.shape(e) or not np.all(np.isfinite(g)):
            return False
        if not np.allclose(g, e, rtol=1e-5, atol=1e-8):
            return False
    return True


# --- the instances themselves honour the contract ---------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_instances_honour_the_contract(slug: str) -> None:
    meta = _toml(slug)
    spec = meta["dims"]
    groups = spec.get("distinct", [[n for n in spec if n != "distinct"]])
    cases_mod = load_module(TOPIC, slug, "cases")
    accept = getattr(cases_mod, "accept", lambda dims, options: True)
    names = [n for n in spec if n != "distinct"]
    for case in meta["cases"]:
        if "dims" in case:
            assert set(case["dims"]) == set(names), case["name"]
            assert _distinct_ok(case["dims"], groups), case["name"]
            assert accept(case["dims"], case.get("options", {})), case["name"]
    for seed in SEEDS:
        for name, _dims, inputs in _instances(slug, seed):
            for key, value in inputs.items():
                if isinstance(value, np.ndarray) and key != "mask":
                    assert value.dtype == np.float64, (name, key)
                    assert np.all(np.isfinite(value)), (name, key)


def test_sdpa_masks_cover_every_layout_and_keep_two_keys_per_query() -> None:
    seen = set()
    for seed in SEEDS:
        for name, dims, inputs in _instances("scaled-dot-product-attention", seed):
            B, Tq, Tk = dims["B"], dims["Tq"], dims["Tk"]
            if "mask" not in inputs:
                seen.add("omitted")
                continue
            mask = inputs["mask"]
            if mask is None:
                seen.add("none")
                continue
            assert mask.dtype == np.bool_, name
            layouts = {(B, Tq, Tk): "bqk", (Tq, Tk): "qk", (1, Tq, Tk): "1qk", (B, 1, Tk): "b1k"}
            seen.add(layouts[mask.shape])
            full = np.broadcast_to(mask, (B, Tq, Tk))
            assert (full.sum(axis=-1) >= 2).all(), f"{name}: a query with fewer than 2 keys"
            assert not full.all(), f"{name}: the mask blocks nothing"
    assert seen == {"omitted", "none", "bqk", "qk", "1qk", "b1k"}


@pytest.mark.parametrize("slug", ["scaled-dot-product-attention", "causal-attention"])
def test_large_cases_really_overflow_a_naive_softmax(slug: str) -> None:
    for name, _dims, inputs in _instances(slug, 0):
        if "large" not in name:
            continue
        q, k = inputs["q"], inputs["k"]
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
        assert scores.min() > 710, name  # np.exp overflows past ~709.78


# --- positional encoding ----------------------------------------------------------------------


def test_positional_encoding_matches_the_formula() -> None:
    ref = load_module(TOPIC, "positional-encoding")
    for T, d in [(4, 6), (7, 2), (64, 24), (5, 16), (33, 10)]:
        expected = np.zeros((T, d))
        for p in range(T):
            for i in range(d // 2):
                theta = p / 10000 ** (2 * i / d)
                expected[p, 2 * i] = math.sin(theta)
                expected[p, 2 * i + 1] = math.cos(theta)
        got = ref.positional_encoding(T, d)
        assert got.dtype == np.float64
        assert_close(got, expected, rtol=1e-12, atol=1e-14)
    # Row 0 is [0, 1, 0, 1, ...] whatever d: the statement says so.
    assert_close(ref.positional_encoding(3, 8)[0], np.tile([0.0, 1.0], 4))


# --- scaled dot-product and causal attention ----------------------------------------------------


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a))


@pytest.mark.parametrize("seed", SEEDS)
def test_sdpa_matches_torch(seed: int) -> None:
    ref = load_module(TOPIC, "scaled-dot-product-attention")
    for name, _dims, inputs in _instances("scaled-dot-product-attention", seed):
        q, k, v = inputs["q"], inputs["k"], inputs["v"]
        mask = inputs.get("mask")
        # torch's bool attn_mask has our polarity: True = takes part in attention.
        expected = F.scaled_dot_product_attention(
            _t(q), _t(k), _t(v), attn_mask=None if mask is None else _t(mask)
        ).numpy()
        got = _call(ref.scaled_dot_product_attention, inputs)
        assert got.shape == expected.shape, name
        assert_close(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_causal_attention_matches_torch(seed: int) -> None:
    ref = load_module(TOPIC, "causal-attention")
    for name, _dims, inputs in _instances("causal-attention", seed):
        q, k, v = inputs["q"], inputs["k"], inputs["v"]
        expected = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), is_causal=True).numpy()
        got = _call(ref.causal_attention, inputs)
        assert got.shape == expected.shape, name
        assert_close(got, expected, rtol=1e-9, atol=1e-12)


# --- multi-head attention -----------------------------------------------------------------------


def _mha_torch_explicit(
    x_q: np.ndarray,
    x_kv: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    num_heads: int,
) -> np.ndarray:
    """The contract's definition written head by head with torch ops (no reshapes)."""
    E = x_q.shape[-1]
    d = E // num_heads
    Q, K, V = _t(x_q) @ _t(wq), _t(x_kv) @ _t(wk), _t(x_kv) @ _t(wv)
    heads = []
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        weights = torch.softmax(Q[..., cols] @ K[..., cols].transpose(1, 2) / math.sqrt(d), dim=-1)
        heads.append(weights @ V[..., cols])
    return (torch.cat(heads, dim=-1) @ _t(wo)).numpy()


def _mha_torch_module(
    x_q: np.ndarray,
    x_kv: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    num_heads: int,
) -> np.ndarray:
    """nn.MultiheadAttention with our weights: it computes x @ W.T, so it gets our w transposed."""
    E = x_q.shape[-1]
    mha = torch.nn.MultiheadAttention(E, num_heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([_t(wq.T), _t(wk.T), _t(wv.T)], dim=0))
        mha.out_proj.weight.copy_(_t(wo.T))
        out, _ = mha(_t(x_q), _t(x_kv), _t(x_kv), need_weights=False)
    return out.numpy()


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_head_attention_matches_torch(seed: int) -> None:
    ref = load_module(TOPIC, "multi-head-attention")
    for name, _dims, inputs in _instances("multi-head-attention", seed):
        got = _call(ref.multi_head_attention, inputs)
        explicit = _mha_torch_explicit(*inputs.values())
        module = _mha_torch_module(*inputs.values())
        assert got.shape == explicit.shape == module.shape, name
        assert_close(got, explicit, rtol=1e-9, atol=1e-12)
        assert_close(got, module, rtol=1e-9, atol=1e-12)


# --- attention backward ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_backward_matches_autograd_and_finite_differences(seed: int) -> None:
    ref = load_module(TOPIC, "attention-backward")
    forward = load_module(TOPIC, "scaled-dot-product-attention").scaled_dot_product_attention
    for _name, _dims, inputs in _instances("attention-backward", seed):
        q, k, v, dout = inputs["q"], inputs["k"], inputs["v"], inputs["dout"]
        dq, dk, dv = _call(ref.attention_backward, inputs)

        tq, tk, tv = (_t(a).clone().requires_grad_(True) for a in (q, k, v))
        F.scaled_dot_product_attention(tq, tk, tv).backward(_t(dout))
        for got, leaf in ((dq, tq), (dk, tk), (dv, tv)):
            assert leaf.grad is not None
            assert_close(got, leaf.grad.numpy(), rtol=1e-9, atol=1e-12)

        # Default arguments bind this iteration's arrays (ruff B023).
        num_dq = numerical_gradient(lambda x, k=k, v=v: forward(x, k, v), q, dout)
        num_dk = numerical_gradient(lambda x, q=q, v=v: forward(q, x, v), k, dout)
        num_dv = numerical_gradient(lambda x, q=q, k=k: forward(q, k, x), v, dout)
        for got, numerical in ((dq, num_dq), (dk, num_dk), (dv, num_dv)):
            assert_close(got, numerical, rtol=1e-5, atol=1e-7)


# --- LSTM step ------------------------------------------------------------------------------


def _ifog_to_ifgo(a: np.ndarray, H: int) -> np.ndarray:
    """Reorder the four gate blocks along the last axis from ours (i, f, o, g) to torch's."""
    i, f, o, g = (a[..., n * H : (n + 1) * H] for n in range(4))
    return np.concatenate([i, f, g, o], axis=-1)


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_step_matches_torch_lstm_cell(seed: int) -> None:
    ref = load_module(TOPIC, "lstm-step")
    for name, dims, inputs in _instances("lstm-step", seed):
        D, H = dims["D"], dims["H"]
        cell = torch.nn.LSTMCell(D, H).double()
        with torch.no_grad():
            # torch computes x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh.
            cell.weight_ih.copy_(_t(_ifog_to_ifgo(inputs["wx"], H).T))
            cell.weight_hh.copy_(_t(_ifog_to_ifgo(inputs["wh"], H).T))
            cell.bias_ih.copy_(_t(_ifog_to_ifgo(inputs["b"], H)))
            cell.bias_hh.zero_()
            h_exp, c_exp = cell(_t(inputs["x"]), (_t(inputs["h_prev"]), _t(inputs["c_prev"])))
        with np.errstate(over="ignore"):
            h, c = _call(ref.lstm_step, inputs)
        assert h.shape == c.shape == (dims["N"], H), name
        assert_close(h, h_exp.numpy(), rtol=1e-9, atol=1e-12)
        assert_close(c, c_exp.numpy(), rtol=1e-9, atol=1e-12)


# --- the known solutions against the reference ----------------------------------------------


def _solutions() -> list[tuple[str, dict[str, Any]]]:
    return [(slug, sol) for slug in SLUGS for sol in _toml(slug)["solutions"]]


@pytest.mark.parametrize(
    ("slug", "solution"), _solutions(), ids=[f"{s}/{sol['file']}" for s, sol in _solutions()]
)
def test_solution_gets_its_expected_verdict(slug: str, solution: dict[str, Any]) -> None:
    """Correct variants agree with the reference on every case; buggy ones fail the way declared.

    `rejected` = every case fails, `partially_accepted` = some pass and some fail, on every seed
    (a bug that a random draw can hide would make the engine's verdict depend on the student).
    """
    n_outputs = len(_toml(slug)["code"]["outputs"])
    ref = load_module(TOPIC, slug)
    entry = _toml(slug)["code"]["entry_point"]
    sol = load_module(TOPIC, slug, "solutions/" + solution["file"].removesuffix(".py"))
    expect = solution["expect"]
    expect = set(expect) if isinstance(expect, list) else {expect}
    for seed in SEEDS:
        passed, failed, raised = [], [], False
        for name, _dims, inputs in _instances(slug, seed):
            expected = _call(getattr(ref, entry), inputs)
            try:
                with np.errstate(all="ignore"):
                    got = _call(getattr(sol, entry), inputs)
            except Exception:
                raised = True
                failed.append(name)
                continue
            (passed if _matches(got, expected, n_outputs) else failed).append(name)
        if failed and passed:
            verdicts = {"partially_accepted"}
        else:
            verdicts = {"rejected"} if failed else {"accepted"}
        if raised:
            verdicts.add("runtime_error")  # the engine may name the crash instead
        assert verdicts & expect, f"seed {seed}: {verdicts}; failed {failed}"
