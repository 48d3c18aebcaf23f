"""The references of the nn.Module exercises against PyTorch's own layers, with the same weights.

Each case is computed as the engine computes it (graders/sandbox/module_case.py,
`reference_case`: the reference class, the parameter values drawn from the seed, forward and
backward), then again by PyTorch's layer with those values copied in: `nn.MultiheadAttention`
for mha-module, `F.conv2d` for conv2d-module, `F.layer_norm` for layernorm-module and
`nn.TransformerEncoderLayer(norm_first=True)` for transformer-block-module. The output, the
input's gradient and every parameter's gradient must agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from graders import modules
from graders.exercise import load_exercise
from graders.instances import case_rng, expand_cases
from graders.sandbox.child import prepare_args
from graders.sandbox.module_case import reference_case
from tests.exercises.oracle import EXERCISES, assert_close, instances, load_module

SEEDS = [0, 1]
RTOL, ATOL = 1e-9, 1e-12
Values = dict[str, np.ndarray]


@pytest.fixture(autouse=True)
def _default_dtype() -> Iterator[None]:
    """reference_case makes float64 the default dtype, as the child does: restored after."""
    before = torch.get_default_dtype()
    yield
    torch.set_default_dtype(before)


def engine_cases(topic: str, slug: str, seed: int) -> Iterator[tuple[str, dict[str, Any], Values]]:
    """(case name, the case's inputs and parameters by name, expected values by name)."""
    exercise = load_exercise(EXERCISES / topic / slug)
    code = exercise.spec.code
    assert code is not None and code.module is not None
    config = modules.job_config(code.module, names=False)
    build = getattr(load_module(topic, slug), code.entry_point)
    drawn = instances(topic, slug, seed)
    for case, (name, _, inputs) in zip(expand_cases(exercise.spec), drawn, strict=True):
        args, arg_names, expected, _ = reference_case(
            build,
            {},
            inputs,
            config,
            case_rng(seed, case.index, 2),
            lambda values: prepare_args(values, "torch"),
        )
        given = dict(zip(arg_names, args, strict=True))
        params = arg_names[len(config["init"]) + len(config["forward"]) + 1 :]
        labels = ["out", *(f"{k}.grad" for k in config["forward"]), *(f"{p}.grad" for p in params)]
        values = {k: v.detach().numpy() for k, v in zip(labels, expected, strict=True)}
        yield name, given, values


def t(a: Any, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def backward(out: torch.Tensor, dout: np.ndarray) -> None:
    torch.sum(out * t(dout)).backward()


def check(expected: Values, got: Values) -> None:
    assert sorted(expected) == sorted(got)
    for name, value in got.items():
        assert_close(value, expected[name], RTOL, ATOL)


def copy_attention(mha: nn.MultiheadAttention, given: dict[str, Any], prefix: str) -> None:
    with torch.no_grad():
        mha.in_proj_weight.copy_(
            t(np.concatenate([given[f"{prefix}{p}_proj.weight"] for p in "qkv"]))
        )
        mha.in_proj_bias.copy_(t(np.concatenate([given[f"{prefix}{p}_proj.bias"] for p in "qkv"])))
        mha.out_proj.weight.copy_(t(given[f"{prefix}out_proj.weight"]))
        mha.out_proj.bias.copy_(t(given[f"{prefix}out_proj.bias"]))


def attention_grads(mha: nn.MultiheadAttention, prefix: str) -> Values:
    e = mha.embed_dim
    grads = {}
    for i, p in enumerate("qkv"):
        grads[f"{prefix}{p}_proj.weight.grad"] = mha.in_proj_weight.grad[i * e : (i + 1) * e]
        grads[f"{prefix}{p}_proj.bias.grad"] = mha.in_proj_bias.grad[i * e : (i + 1) * e]
    grads[f"{prefix}out_proj.weight.grad"] = mha.out_proj.weight.grad
    grads[f"{prefix}out_proj.bias.grad"] = mha.out_proj.bias.grad
    return {k: v.numpy() for k, v in grads.items()}


def mha_oracle(given: dict[str, Any]) -> Values:
    mha = nn.MultiheadAttention(
        given["d_model"], given["n_heads"], batch_first=True, dtype=torch.float64
    )
    copy_attention(mha, given, "")
    x = t(given["x"], grad=True)
    out, _ = mha(x, x, x, need_weights=False)
    backward(out, given["dout"])
    assert x.grad is not None
    return {"out": out.detach().numpy(), "x.grad": x.grad.numpy(), **attention_grads(mha, "")}


def conv_oracle(given: dict[str, Any]) -> Values:
    x, w, b = t(given["x"], True), t(given["weight"], True), t(given["bias"], True)
    out = F.conv2d(x, w, b, stride=given["stride"], padding=given["padding"])
    backward(out, given["dout"])
    assert x.grad is not None and w.grad is not None and b.grad is not None
    return {
        "out": out.detach().numpy(),
        "x.grad": x.grad.numpy(),
        "weight.grad": w.grad.numpy(),
        "bias.grad": b.grad.numpy(),
    }


def layernorm_oracle(given: dict[str, Any]) -> Values:
    x, w, b = t(given["x"], True), t(given["weight"], True), t(given["bias"], True)
    out = F.layer_norm(x, (given["normalized_shape"],), w, b, given["eps"])
    backward(out, given["dout"])
    assert x.grad is not None and w.grad is not None and b.grad is not None
    return {
        "out": out.detach().numpy(),
        "x.grad": x.grad.numpy(),
        "weight.grad": w.grad.numpy(),
        "bias.grad": b.grad.numpy(),
    }


def block_oracle(given: dict[str, Any]) -> Values:
    layer = nn.TransformerEncoderLayer(
        given["d_model"],
        given["n_heads"],
        given["d_ff"],
        dropout=0.0,
        activation="gelu",
        layer_norm_eps=1e-5,
        batch_first=True,
        norm_first=True,
        dtype=torch.float64,
    )
    pairs = {
        "norm1": "ln1",
        "norm2": "ln2",
        "linear1": "fc1",
        "linear2": "fc2",
    }
    with torch.no_grad():
        for theirs, ours in pairs.items():
            getattr(layer, theirs).weight.copy_(t(given[f"{ours}.weight"]))
            getattr(layer, theirs).bias.copy_(t(given[f"{ours}.bias"]))
    copy_attention(layer.self_attn, given, "attn.")
    x = t(given["x"], grad=True)
    out = layer(x)
    backward(out, given["dout"])
    assert x.grad is not None
    grads = {"out": out.detach().numpy(), "x.grad": x.grad.numpy()}
    for theirs, ours in pairs.items():
        grads[f"{ours}.weight.grad"] = getattr(layer, theirs).weight.grad.numpy()
        grads[f"{ours}.bias.grad"] = getattr(layer, theirs).bias.grad.numpy()
    return {**grads, **attention_grads(layer.self_attn, "attn.")}


ORACLES: dict[str, tuple[str, Callable[[dict[str, Any]], Values]]] = {
    "mha-module": ("attention", mha_oracle),
    "conv2d-module": ("convolution", conv_oracle),
    "layernorm-module": ("backprop", layernorm_oracle),
    "transformer-block-module": ("attention", block_oracle),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_reference_matches_pytorch_forward_and_gradients(slug: str, seed: int) -> None:
    topic, oracle = ORACLES[slug]
    seen = 0
    for name, given, expected in engine_cases(topic, slug, seed):
        try:
            check(expected, oracle(given))
        except AssertionError as exc:
            raise AssertionError(f"{slug}, seed {seed}, case {name!r}: {exc}") from None
        seen += 1
    assert seen >= 5


def test_the_drawn_parameters_are_not_degenerate() -> None:
    """Every parameter is drawn (no zero bias, no unit scale): a bug that ignores one shows."""
    for _, given, _ in engine_cases("attention", "transformer-block-module", 0):
        for name in ("ln1.weight", "ln2.bias", "attn.out_proj.bias", "fc2.bias"):
            value = np.asarray(given[name])
            assert np.abs(value).min() > 0 and not np.allclose(value, 1.0)
