"""The references of the attention exercises of the deeper bank against outside oracles.

Oracles: PyTorch itself: `torch.softmax`, `torch.cummax` and `torch.logcumsumexp` (online
softmax), `F.scaled_dot_product_attention` (with `is_causal`, a float `attn_mask` for the
relative bias, and `enable_gqa`), `torch.logsumexp`, complex rotations with `torch.polar` (RoPE),
`nn.LayerNorm`, `nn.MultiheadAttention` and `nn.GELU` (the block), `FlopCounterMode` on meta
tensors (the FLOPs exercise), and torch.autograd; plus central-difference numerical gradients
(h = 1e-5, float64) of a NumPy forward pass written here, independently of the reference.

Inputs come from each exercise's own `cases.py`, for every case its `exercise.toml` declares (code
exercises), or from every combination of the parameters it declares (the math exercise), so the
oracles see the instances students are graded on. Torch exercises get torch tensors, as the engine
passes them. Whether the known solutions get their verdicts is `python -m graders validate`'s job.
"""

from __future__ import annotations

import functools
import itertools
import math
import tracemalloc
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode, bmm_flop

from tests.exercises.oracle import (
    assert_close,
    call_like_engine,
    exercise_toml,
    instances,
    load_module,
    numerical_gradient,
)

TOPIC = "attention"
CODE = [
    "online-softmax",
    "tiled-attention",
    "kv-cache-step",
    "multi-query-attention",
    "grouped-query-attention",
    "rotary-embedding",
    "relative-position-bias",
    "transformer-block-forward",
    "transformer-block-backward",
]
SEEDS = [0, 1]
TIGHT = {"rtol": 1e-9, "atol": 1e-12}
# Central differences with h = 1e-5 are accurate to ~1e-10 here; leave room for rounding.
NUM_RTOL, NUM_ATOL = 1e-5, 1e-7
# The tiled-attention case whose (B, Tq, Tk) score matrix does not fit the run's memory.
LONG_TK = 32_000


# --- drawing instances the way the exercise declares them -----------------------------------


def _toml(slug: str) -> dict[str, Any]:
    return exercise_toml(TOPIC, slug)


def _module(slug: str, name: str = "reference") -> Any:
    return load_module(TOPIC, slug, name)


def _reference(slug: str) -> Any:
    return getattr(_module(slug), _toml(slug)["code"]["entry_point"])


def _framework(slug: str) -> str:
    return _toml(slug)["code"]["framework"]


def _instances(slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict[str, Any]]]:
    yield from instances(TOPIC, slug, seed)


def _call(slug: str, inputs: dict[str, Any]) -> Any:
    return call_like_engine(_reference(slug), inputs, _framework(slug))


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _np(value: Any) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


@pytest.mark.parametrize("slug", CODE)
def test_instances_honour_the_contract(slug: str) -> None:
    """float64 arrays (int64 for positions), Python ints and floats in; finite float64 out, of
    the declared number of outputs, as tensors for torch exercises."""
    framework = _framework(slug)
    outputs = _toml(slug)["code"]["outputs"]
    for name, _dims, inputs in _instances(slug, 0):
        if inputs.get("k") is not None and inputs["k"].shape[1] == LONG_TK:
            continue  # the long case has its own test below
        for key, value in inputs.items():
            if isinstance(value, np.ndarray):
                want = np.int64 if key == "positions" else np.float64
                assert value.dtype == want, (name, key, value.dtype)
            else:
                assert type(value) in (int, float), (name, key, type(value))
        out = _call(slug, inputs)
        values = out if isinstance(out, tuple) else (out,)
        assert len(values) == len(outputs), name
        for v in values:
            assert isinstance(v, torch.Tensor if framework == "torch" else np.ndarray), name
            assert v.dtype in (np.float64, torch.float64), (name, v.dtype)
            assert np.all(np.isfinite(_np(v))), name


# --- online-softmax ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_online_softmax_matches_torch_prefix_statistics(seed: int) -> None:
    blocks_seen = set()
    for name, _dims, inputs in _instances("online-softmax", seed):
        x, b = inputs["x"], inputs["block_size"]
        p, m, l = _call("online-softmax", inputs)
        N = x.shape[1]
        ends = torch.tensor([min(e, N) for e in range(b, N + b, b)]) - 1  # last column per block
        xt = _t(x)
        m_t = torch.cummax(xt, dim=1).values[:, ends]
        l_t = torch.exp(torch.logcumsumexp(xt, dim=1)[:, ends] - m_t)
        assert_close(p, torch.softmax(xt, dim=1).numpy(), **TIGHT)
        assert_close(m, m_t.numpy(), **TIGHT)
        assert_close(l, l_t.numpy(), rtol=1e-9, atol=0)
        assert m.shape[1] == math.ceil(N / b), name
        blocks_seen.add("ragged" if N % b else "full")
    assert blocks_seen == {"ragged", "full"}


# --- tiled-attention -----------------------------------------------------------------------


def _torch_attention_and_lse(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, chunk: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """F.scaled_dot_product_attention and torch.logsumexp of the scaled scores, a few queries at
    a time, so that the long case costs this process tens of MB, not 256."""
    qt, kt, vt = _t(q), _t(k), _t(v)
    outs, lses = [], []
    for start in range(0, q.shape[1], chunk):
        qc = qt[:, start : start + chunk]
        outs.append(F.scaled_dot_product_attention(qc, kt, vt))
        scores = qc @ kt.transpose(-2, -1) / math.sqrt(q.shape[-1])
        lses.append(torch.logsumexp(scores, dim=-1))
    return torch.cat(outs, dim=1).numpy(), torch.cat(lses, dim=1).numpy()


@pytest.mark.parametrize("seed", SEEDS)
def test_tiled_attention_matches_torch_sdpa_and_logsumexp(seed: int) -> None:
    ref = _reference("tiled-attention")
    for _name, _dims, inputs in _instances("tiled-attention", seed):
        q, k, v, block = inputs.values()
        if k.shape[1] < LONG_TK:
            out, lse = _call("tiled-attention", inputs)
            # The block size changes how the keys are read, never the result.
            for other in (1, k.shape[1]):
                again = ref(q, k, v, other)
                assert_close(again[0], out, **TIGHT)
                assert_close(again[1], lse, **TIGHT)
        elif seed == SEEDS[0]:  # one long instance is enough, and it is the slow one
            out, lse, peak = _traced(ref, q, k, v, block)
            # A few blocks of scores, far below the (B, Tq, Tk) matrix that the exercise's memory
            # limit refuses (NumPy reports its buffers to tracemalloc).
            full_bytes = q.shape[0] * q.shape[1] * k.shape[1] * 8
            block_bytes = q.shape[0] * q.shape[1] * block * 8
            assert full_bytes >= 256e6
            assert peak < 8 * block_bytes < full_bytes / 3, (peak, block_bytes, full_bytes)
        else:
            continue
        want_out, want_lse = _torch_attention_and_lse(q, k, v)
        assert_close(out, want_out, **TIGHT)
        assert_close(lse, want_lse, **TIGHT)


def _traced(fn: Any, *args: Any) -> tuple[Any, Any, int]:
    """fn(*args) and the peak of the memory it allocated, in bytes."""
    tracemalloc.start()
    try:
        out, lse = fn(*args)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, lse, peak


# --- kv-cache-step -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_kv_cache_step_matches_torch_sdpa_over_the_grown_cache(seed: int) -> None:
    for _name, _dims, inputs in _instances("kv-cache-step", seed):
        q, k_new, v_new, k_cache, v_cache = (_t(a) for a in inputs.values())
        out, k_all, v_all = _call("kv-cache-step", inputs)
        want_k = torch.cat([k_cache, k_new[:, :, None]], dim=2)
        want_v = torch.cat([v_cache, v_new[:, :, None]], dim=2)
        want_out = F.scaled_dot_product_attention(q[:, :, None], want_k, want_v)[:, :, 0]
        assert_close(k_all.numpy(), want_k.numpy(), rtol=0, atol=0)
        assert_close(v_all.numpy(), want_v.numpy(), rtol=0, atol=0)
        assert_close(out.numpy(), want_out.numpy(), **TIGHT)


# --- multi-query-attention and grouped-query-attention --------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_query_attention_matches_torch_causal_sdpa(seed: int) -> None:
    for _name, _dims, inputs in _instances("multi-query-attention", seed):
        x, wq, wk, wv, wo = (_t(inputs[n]) for n in ("x", "wq", "wk", "wv", "wo"))
        H = inputs["num_heads"]
        B, T, E = x.shape
        d = E // H
        q = (x @ wq).view(B, T, H, d).transpose(1, 2)
        k = (x @ wk)[:, None].expand(B, H, T, d)  # one key head, seen by every query head
        v = (x @ wv)[:, None].expand(B, H, T, d)
        heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        want = heads.transpose(1, 2).reshape(B, T, E) @ wo
        assert_close(_call("multi-query-attention", inputs), want.numpy(), **TIGHT)


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_query_attention_matches_torch_enable_gqa(seed: int) -> None:
    groups = set()
    for _name, dims, inputs in _instances("grouped-query-attention", seed):
        q, k, v = (_t(a) for a in inputs.values())
        want = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        assert_close(_call("grouped-query-attention", inputs).numpy(), want.numpy(), **TIGHT)
        groups.add("mqa" if dims["G"] == 1 else "mha" if dims["R"] == 1 else "gqa")
    assert groups == {"mqa", "mha", "gqa"}


# --- rotary-embedding ----------------------------------------------------------------------


def _torch_rope(x: torch.Tensor, positions: torch.Tensor, base: float) -> torch.Tensor:
    """Adjacent pairs as complex numbers, times e^{i p theta} (Meta's Llama formulation)."""
    d = x.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[:, None] * theta[None]
    rotor = torch.polar(torch.ones_like(angles), angles)
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rotor).reshape(x.shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_rotary_embedding_matches_complex_rotation_and_is_relative(seed: int) -> None:
    ref = _reference("rotary-embedding")
    for _name, _dims, inputs in _instances("rotary-embedding", seed):
        q, k, positions, base = inputs.values()
        q_rot, k_rot = _call("rotary-embedding", inputs)
        pos = torch.from_numpy(positions)
        assert_close(q_rot, _torch_rope(_t(q), pos, base).numpy(), **TIGHT)
        assert_close(k_rot, _torch_rope(_t(k), pos, base).numpy(), **TIGHT)
        # A rotation keeps lengths, and shifting every position by the same amount keeps every
        # score q_m . k_n: only m - n matters.
        assert_close(np.linalg.norm(q_rot, axis=-1), np.linalg.norm(q, axis=-1), **TIGHT)
        q_s, k_s = ref(q, k, positions + 7, base)
        heads = min(q.shape[1], k.shape[1])
        scores = q_rot[:, :heads] @ np.swapaxes(k_rot[:, :heads], -1, -2)
        shifted = q_s[:, :heads] @ np.swapaxes(k_s[:, :heads], -1, -2)
        assert_close(shifted, scores, rtol=1e-8, atol=1e-10)


# --- relative-position-bias ----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_relative_position_bias_matches_torch_sdpa_with_a_float_mask(seed: int) -> None:
    clipped = unclipped = False
    for _name, _dims, inputs in _instances("relative-position-bias", seed):
        q, k, v, table = (_t(inputs[n]) for n in ("q", "k", "v", "bias_table"))
        K = inputs["max_distance"]
        T = q.shape[2]
        pos = torch.arange(T)
        relative = (pos[None, :] - pos[:, None]).clamp(-K, K) + K  # [i, j]: key j - query i
        bias = table[:, relative]  # (H, T, T), added to the scaled scores by sdpa
        want = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        assert_close(_call("relative-position-bias", inputs), want.numpy(), **TIGHT)
        clipped |= K < T - 1
        unclipped |= K >= T - 1
    assert clipped and unclipped


# --- attention-flops-memory ----------------------------------------------------------------

TORCH_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def _every_instance(slug: str) -> Iterator[dict[str, Any]]:
    """Every combination of the declared parameters (all are choices), distinct as declared."""
    params = {n: p for n, p in _toml(slug)["params"].items() if n != "distinct"}
    names = list(params)
    ints = [n for n in names if all(isinstance(c, int) for c in params[n]["choices"])]
    for combo in itertools.product(*(params[n]["choices"] for n in names)):
        values = dict(zip(names, combo, strict=True))
        if len({values[n] for n in ints}) == len(ints):
            yield values


def test_attention_flops_memory_matches_torch_flop_counter_and_tensor_sizes() -> None:
    ref = _module("attention-flops-memory")
    count = 0
    for inst in _every_instance("attention-flops-memory"):
        B, H, T, d = inst["B"], inst["H"], inst["T"], inst["d"]
        dtype = TORCH_DTYPES[inst["dtype"]]
        # Meta tensors have shapes and dtypes but no storage: no memory, no arithmetic.
        q, k, v = (torch.empty(B, H, T, d, dtype=dtype, device="meta") for _ in range(3))
        p = torch.empty(B, H, T, T, dtype=dtype, device="meta")
        saved = sum(t.numel() * t.element_size() for t in (q, k, v, p))
        # torch's own FLOP count of the two batched products (the rule FlopCounterMode applies).
        flops = bmm_flop((B * H, T, d), (B * H, d, T)) + bmm_flop((B * H, T, T), (B * H, T, d))
        assert ref.answer(**inst) == [flops, saved], inst
        count += 1
    assert count == 3 * 3 * 4 * 2 * 3


def test_flop_counter_counts_the_attention_products_as_two_bmm() -> None:
    """FlopCounterMode on a whole forward pass counts exactly the two products above: the scale
    and the softmax are not counted, and a 4-D matmul is a bmm over B * H."""
    B, H, T, d = 2, 3, 16, 8
    q, k, v = (torch.empty(B, H, T, d, device="meta") for _ in range(3))
    with FlopCounterMode(display=False) as counter:
        torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1) @ v
    assert counter.get_total_flops() == 4 * B * H * T * T * d


# --- transformer-block-forward -------------------------------------------------------------


def _layer_norm_module(E: int, gamma: torch.Tensor, beta: torch.Tensor) -> torch.nn.LayerNorm:
    ln = torch.nn.LayerNorm(E, eps=1e-5).double()
    with torch.no_grad():
        ln.weight.copy_(gamma)
        ln.bias.copy_(beta)
    return ln


@pytest.mark.parametrize("seed", SEEDS)
def test_transformer_block_matches_torch_modules(seed: int) -> None:
    for _name, _dims, inputs in _instances("transformer-block-forward", seed):
        p = {n: _t(a) for n, a in inputs.items() if isinstance(a, np.ndarray)}
        H = inputs["num_heads"]
        x = p["x"]
        T, E = x.shape[1], x.shape[2]
        ln1 = _layer_norm_module(E, p["ln1_gamma"], p["ln1_beta"])
        ln2 = _layer_norm_module(E, p["ln2_gamma"], p["ln2_beta"])
        attn = torch.nn.MultiheadAttention(E, H, bias=False, batch_first=True).double()
        with torch.no_grad():
            # nn.MultiheadAttention computes x @ W.T: our x @ w needs W = w.T.
            attn.in_proj_weight.copy_(torch.cat([p["wq"].T, p["wk"].T, p["wv"].T]))
            attn.out_proj.weight.copy_(p["wo"].T)
            future = torch.ones(T, T, dtype=torch.bool).triu(1)  # True = may NOT attend here
            a = ln1(x)
            h = x + attn(a, a, a, attn_mask=future, need_weights=False)[0]
            mlp = F.linear(torch.nn.GELU()(F.linear(ln2(h), p["w1"].T, p["b1"])), p["w2"].T)
            want = h + mlp + p["b2"]
        got = _call("transformer-block-forward", inputs)
        assert_close(got.numpy(), want.numpy(), rtol=1e-9, atol=1e-11)


# --- transformer-block-backward ------------------------------------------------------------

WEIGHTS = ["wq", "wk", "wv", "wo", "w1", "w2"]


def _torch_small_block(x: torch.Tensor, w: dict[str, torch.Tensor]) -> torch.Tensor:
    a = F.layer_norm(x, (x.shape[-1],), eps=1e-5)
    heads = F.scaled_dot_product_attention(a @ w["wq"], a @ w["wk"], a @ w["wv"], is_causal=True)
    h = x + heads @ w["wo"]
    m = F.layer_norm(h, (h.shape[-1],), eps=1e-5)
    return h + torch.relu(m @ w["w1"]) @ w["w2"]


def _np_small_block(x: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    def ln(z: np.ndarray) -> np.ndarray:
        centred = z - z.mean(axis=-1, keepdims=True)
        return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)

    T, E = x.shape[1], x.shape[2]
    a = ln(x)
    s = (a @ w["wq"]) @ np.swapaxes(a @ w["wk"], -1, -2) / np.sqrt(E)
    s = s + np.triu(np.full((T, T), -np.inf), 1)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    h = x + (e / e.sum(axis=-1, keepdims=True)) @ (a @ w["wv"]) @ w["wo"]
    return h + np.maximum(ln(h) @ w["w1"], 0) @ w["w2"]


@pytest.mark.parametrize("seed", SEEDS)
def test_transformer_block_backward_matches_autograd(seed: int) -> None:
    for name, _dims, inputs in _instances("transformer-block-backward", seed):
        grads = _call("transformer-block-backward", inputs)
        xt = _t(inputs["x"], grad=True)
        wt = {n: _t(inputs[n], grad=True) for n in WEIGHTS}
        _torch_small_block(xt, wt).backward(_t(inputs["dy"]))
        for got, t in zip(grads, [xt, *wt.values()], strict=True):
            assert t.grad is not None
            assert_close(got, t.grad.numpy(), rtol=1e-8, atol=1e-10)
        assert name


def test_transformer_block_backward_matches_central_differences() -> None:
    for _name, _dims, inputs in _instances("transformer-block-backward", 0):
        dx, *dws = _call("transformer-block-backward", inputs)
        x, dy = inputs["x"], inputs["dy"]
        w = {n: inputs[n] for n in WEIGHTS}
        block = functools.partial(_np_small_block, w=w)
        assert_close(dx, numerical_gradient(block, x, dy), NUM_RTOL, NUM_ATOL)
        for n, got in zip(WEIGHTS, dws, strict=True):
            with_weight = functools.partial(_with_weight, x=x, w=w, name=n)
            assert_close(got, numerical_gradient(with_weight, w[n], dy), NUM_RTOL, NUM_ATOL)


def _with_weight(
    value: np.ndarray, x: np.ndarray, w: dict[str, np.ndarray], name: str
) -> np.ndarray:
    return _np_small_block(x, {**w, name: value})


# The forward of the block above is also checked against torch, so that the central differences
# test a forward pass that is itself right.
def test_numpy_small_block_matches_torch() -> None:
    for _name, _dims, inputs in _instances("transformer-block-backward", 0):
        w = {n: inputs[n] for n in WEIGHTS}
        want = _torch_small_block(_t(inputs["x"]), {n: _t(a) for n, a in w.items()})
        assert_close(_np_small_block(inputs["x"], w), want.numpy(), **TIGHT)
