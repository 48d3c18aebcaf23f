"""What runs in the child for an nn.Module exercise: build the module, load the reference's
parameter values into it, run forward and backward, and return the results as data.

Imported by graders/sandbox/child.py in the zygote (after hardening a child cannot read the
project's files); torch is imported only when a case runs, so the NumPy zygote never loads it.
Like everything in the child, this runs next to untrusted code and is believed by nobody: the
trusted side compares what it returns (graders/modules.py, `compare_case`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graders.modules import (
    Fusion,
    draw_parameter,
    fusion_of,
    fusions_from_config,
    map_parameters,
)

Prepare = Callable[[list[Any]], list[Any]]


def harness(build: Any, config: dict[str, Any]) -> Callable[..., tuple[Any, ...]]:
    """The student's class as the child calls an entry point: on one case's arguments (the
    reference case's args, then the reference's parameter names; graders.modules.student_args)."""
    n_init, n_forward = len(config["init"]), len(config["forward"])
    fused = fusions_from_config(config)

    def call(*args: Any) -> tuple[Any, ...]:
        *values, names = args
        init = values[:n_init]
        forward = values[n_init : n_init + n_forward]
        upstream = values[n_init + n_forward]
        reference = list(zip(names, values[n_init + n_forward + 1 :], strict=True))
        return run_module(build, init, forward, upstream, reference, fused, config["names"])

    return call


def run_module(
    build: Any,
    init: Sequence[Any],
    forward: Sequence[Any],
    upstream: Any,
    reference: list[tuple[str, Any]],
    fused: Sequence[Fusion],
    with_names: bool,
) -> tuple[Any, ...]:
    """(output, each float input's gradient, each reference parameter's gradient, the parameter
    table). The table has a row (name or None, shape, indices of the reference parameters held)
    per parameter of the module. When a reference parameter has no counterpart nothing runs:
    the module's values would be its own random ones."""
    import torch

    # The reference's values are float64: so is every tensor the module makes by default.
    torch.set_default_dtype(torch.float64)
    # The CPU generator only: torch.manual_seed also seeds CUDA, at a few ms per call.
    torch.default_generator.manual_seed(0)
    module = build(*init)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"calling {getattr(build, '__name__', 'your class')}(...) gave a "
            f"{type(module).__name__}, not a torch.nn.Module: define a class deriving from "
            "nn.Module"
        )
    named = list(module.named_parameters())
    names = [name for name, _ in reference]
    ref_shapes = [(name, tuple(value.shape)) for name, value in reference]
    held = map_parameters(ref_shapes, [(n, tuple(p.shape)) for n, p in named], fused)
    table = tuple(
        (name if with_names else None, tuple(int(d) for d in p.shape), h)
        for (name, p), h in zip(named, held, strict=True)
    )
    grad_inputs = [
        i for i, a in enumerate(forward) if isinstance(a, torch.Tensor) and a.is_floating_point()
    ]
    input_grads: list[Any] = [None] * len(grad_inputs)
    param_grads: list[Any] = [None] * len(reference)
    if {i for h in held for i in h} != set(range(len(reference))):
        return (None, *input_grads, *param_grads, table)
    with torch.no_grad():
        for (_, p), h in zip(named, held, strict=True):
            if len(h) == 1:
                p.copy_(reference[h[0]][1])
            elif h:
                dim = fusion_of(h, names, fused).dim
                p.copy_(torch.cat([reference[i][1] for i in h], dim=dim))
    for i in grad_inputs:
        forward[i].requires_grad_(True)
    out = module(*forward)
    if (
        isinstance(out, torch.Tensor)
        and out.requires_grad
        and tuple(out.shape) == tuple(upstream.shape)
    ):
        # backward() of a scalar: with a gradient tensor, torch imports SymPy to compare shapes,
        # which a hardened child cannot (the zygote does not preload it). Same gradients.
        torch.sum(out * upstream).backward()
        input_grads = [forward[i].grad for i in grad_inputs]
        for (_, p), h in zip(named, held, strict=True):
            if p.grad is None or not h:
                continue
            if len(h) == 1:
                param_grads[h[0]] = p.grad
                continue
            dim = fusion_of(h, names, fused).dim
            sizes = [reference[i][1].shape[dim] for i in h]
            for i, part in zip(h, torch.split(p.grad, sizes, dim=dim), strict=True):
                param_grads[i] = part
    return (out, *input_grads, *param_grads, table)


def reference_case(
    reference_class: Any,
    known_wrong: dict[str, Any],
    inputs: dict[str, Any],
    config: dict[str, Any],
    rng: np.random.Generator,
    prepare: Prepare,
) -> tuple[list[Any], list[str], tuple[Any, ...], dict[str, Any]]:
    """One case of the reference: (args, their names, expected values, known-wrong values).

    args are the constructor's arguments, forward()'s, the upstream gradient, then the reference
    parameters' values drawn from `rng`; the expected values are the output, each float input's
    gradient and each parameter's gradient (graders.modules.Layout)."""
    import torch

    keys = [*config["init"], *config["forward"], config["upstream"]]
    if sorted(inputs) != sorted(keys):
        raise ValueError(
            f"make_inputs() returned {sorted(inputs)}, but [code.module] uses {sorted(keys)}: "
            "return exactly the constructor's and forward()'s arguments and the upstream gradient"
        )
    init = [inputs[k] for k in config["init"]]
    forward = [inputs[k] for k in config["forward"]]
    upstream = inputs[config["upstream"]]
    torch.set_default_dtype(torch.float64)
    # The CPU generator only: torch.manual_seed also seeds CUDA, at a few ms per call.
    torch.default_generator.manual_seed(0)
    module = reference_class(*prepare(init))
    names = [name for name, _ in module.named_parameters()]
    values = [draw_parameter(rng, tuple(p.shape)) for _, p in module.named_parameters()]
    fused = fusions_from_config(config)

    def run(build: Any) -> tuple[Any, ...]:
        params = list(zip(names, prepare(values), strict=True))
        fresh_init, fresh_forward, fresh_upstream = prepare([init, forward, upstream])
        return run_module(build, fresh_init, fresh_forward, fresh_upstream, params, fused, False)

    result = run(lambda *_: module)
    if result[0] is None or any(v is None for v in result[:-1]):
        raise ValueError(
            "the reference module left an input or a parameter without a gradient, or has "
            "parameters its own mapping does not find"
        )
    wrong: dict[str, Any] = {}
    for name, cls in known_wrong.items():
        try:
            wrong[name] = run(cls)[:-1]
        except BaseException:
            wrong[name] = None  # a broken hint solution only loses its hint
    args = [*init, *forward, upstream, *values]
    arg_names = [*config["init"], *config["forward"], config["upstream"], *names]
    return args, arg_names, result[:-1], wrong
