"""nn.Module exercises (graders/modules.py): the parameter mapping, the parameter check and its
messages, the staged comparison of outputs and gradients, and two real gradings through the
sandbox: a hidden case never quotes the student's parameter names."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from pydantic import ValidationError

from graders.compare import Context
from graders.exercise import load_exercise
from graders.modules import (
    Fusion,
    Layout,
    compare_case,
    map_parameters,
    parameter_problem,
    read_parameters,
)
from graders.protocol import Arr, Scalar
from graders.reference import ReferenceCase
from graders.schema import CodeSpec, ModuleSpec

E = 4
ATTENTION = [
    ("q.weight", (E, E)),
    ("k.weight", (E, E)),
    ("v.weight", (E, E)),
    ("q.bias", (E,)),
    ("k.bias", (E,)),
    ("v.bias", (E,)),
    ("out.weight", (E, E)),
]
QKV = [
    Fusion(("q.weight", "k.weight", "v.weight"), 0, "qkv.weight"),
    Fusion(("q.bias", "k.bias", "v.bias"), 0, "qkv.bias"),
]


# -- the mapping ----------------------------------------------------------------------------


def test_names_decide_between_parameters_of_one_shape():
    student = [("out.weight", (E, E)), ("v.weight", (E, E)), ("q.weight", (E, E))]
    held = map_parameters(ATTENTION[:3] + ATTENTION[6:], student)
    assert held == [(3,), (2,), (0,)]


def test_a_unique_shape_maps_whatever_its_name():
    reference = [("weight", (3, 2, 2, 5)), ("bias", (3,))]
    assert map_parameters(reference, [("b", (3,)), ("kernel", (3, 2, 2, 5))]) == [(1,), (0,)]


def test_parameters_of_one_shape_with_other_names_stay_unmapped():
    student = [("w_q", (E, E)), ("w_k", (E, E)), ("w_v", (E, E)), ("w_o", (E, E))]
    assert map_parameters(ATTENTION[:3] + ATTENTION[6:], student) == [(), (), (), ()]


def test_a_name_with_another_shape_is_not_that_parameter():
    reference = [("fc.weight", (5, 3)), ("fc.bias", (5,))]
    # Stored transposed: same name, not the same parameter (and no other shape matches it).
    assert map_parameters(reference, [("fc.weight", (3, 5)), ("fc.bias", (5,))]) == [(), (1,)]


def test_a_fused_parameter_by_its_name_or_by_its_unique_shape():
    named = [("qkv.weight", (3 * E, E)), ("qkv.bias", (3 * E,)), ("out.weight", (E, E))]
    assert map_parameters(ATTENTION, named, QKV) == [(0, 1, 2), (3, 4, 5), (6,)]
    other = [("in_proj", (3 * E, E)), ("in_bias", (3 * E,)), ("out.weight", (E, E))]
    assert map_parameters(ATTENTION, other, QKV) == [(0, 1, 2), (3, 4, 5), (6,)]


def test_a_fused_shape_that_a_plain_parameter_also_has_needs_the_name():
    reference = [("a", (2, 3)), ("b", (2, 3)), ("c", (4, 3))]
    fused = [Fusion(("a", "b"), 0, "ab")]
    assert map_parameters(reference, [("x", (4, 3)), ("y", (4, 3))], fused) == [(), ()]
    assert map_parameters(reference, [("ab", (4, 3)), ("c", (4, 3))], fused) == [(0, 1), (2,)]


def test_fusion_along_another_axis():
    reference = [("a", (2, 3)), ("b", (2, 4))]
    fused = [Fusion(("a", "b"), 1)]
    assert map_parameters(reference, [("ab", (2, 7))], fused) == [(0, 1)]
    assert map_parameters(reference, [("ab", (4, 3))], fused) == [()]


# -- the parameter check, on the trusted side -------------------------------------------------


def layout(params: list[tuple[str, tuple[int, ...]]], grad_inputs: tuple[str, ...] = ("x",)):
    return Layout(
        names=[n for n, _ in params],
        shapes=[s for _, s in params],
        grad_inputs=list(grad_inputs),
    )


def table(rows, visible=True, params=ATTENTION, fused=QKV):
    node = tuple(
        (name, tuple(Scalar(d, "int") for d in shape), holds) for name, shape, holds in rows
    )
    return read_parameters(node, layout(params), fused, visible)


def test_a_missing_bias_is_named_by_name_and_shape_and_the_counts_given():
    rows = [(name, shape, (i,)) for i, (name, shape) in enumerate(ATTENTION) if "bias" not in name]
    found = parameter_problem(layout(ATTENTION), table(rows))
    assert found is not None and not found.passed and found.stage == "parameters"
    assert "64 parameters in 4 tensors; the reference has 76 in 7 tensors" in found.message
    assert "q.bias of shape (4,), k.bias of shape (4,), v.bias of shape (4,)" in found.message
    assert "bias=False" in (found.hint or "")
    assert found.details == {"your_parameter_count": 64, "expected_parameter_count": 76}


def test_an_extra_parameter_is_named_by_shape_and_only_on_a_visible_case():
    rows = [(name, shape, (i,)) for i, (name, shape) in enumerate(ATTENTION)]
    rows.append(("scale_marker", (3,), ()))
    shown = parameter_problem(layout(ATTENTION), table(rows, visible=True))
    hidden = parameter_problem(layout(ATTENTION), table(rows, visible=False))
    assert shown is not None and hidden is not None
    assert "Extra" in shown.message and "shape (3,) (scale_marker)" in shown.message
    assert "shape (3,)" in hidden.message and "scale_marker" not in json.dumps(hidden.__dict__)
    # The parameter count alone is not compared: the extra parameter is then allowed.
    assert parameter_problem(layout(ATTENTION), table(rows), count_compared=False) is None


def test_parameters_only_names_tell_apart_get_a_hint_naming_them():
    params = ATTENTION[:3] + ATTENTION[6:]
    rows = [(f"w{i}", (E, E), ()) for i in range(4)]
    found = parameter_problem(layout(params), table(rows, params=params))
    assert found is not None
    assert "q.weight, k.weight, v.weight, out.weight" in (found.hint or "")
    assert "w0" in (found.hint or "")


def test_a_parameter_with_its_axes_in_another_order_is_named():
    params = [("weight", (3, 2, 4, 5)), ("bias", (3,))]
    rows = [("weight", (2, 3, 4, 5), ()), ("bias", (3,), (1,))]
    found = parameter_problem(layout(params), table(rows, params=params, fused=[]))
    assert found is not None and "another order" in (found.hint or "")
    assert "(3, 2, 4, 5)" in (found.hint or "")


def test_a_table_that_claims_a_parameter_twice_or_with_another_shape_is_refused():
    with pytest.raises(ValueError):
        table([("q.weight", (E, E), (0,)), ("again", (E, E), (0,))])
    with pytest.raises(ValueError):
        table([("q.weight", (E, 2), (0,))])
    with pytest.raises(ValueError):
        table([("qkv", (3 * E, E), (0, 1, 5))])  # no fused parameter is made of these


# -- outputs and gradients ---------------------------------------------------------------------

SPEC = ModuleSpec(init=["n"], forward=["x"], upstream="dout")
PARAMS = [("w", (3, 2)), ("b", (3,))]
rng = np.random.default_rng(0)
X, W, B, DOUT = (rng.standard_normal(s) for s in [(4, 2), (3, 2), (3,), (4, 3)])
OUT = X @ W.T + B
EXPECTED = (DOUT.T @ X, DOUT.sum(axis=0))  # w.grad, b.grad


def tensor(a: np.ndarray) -> Arr:
    return Arr(np.array(a, dtype=np.float64), kind="tensor")


def case(known_wrong=None) -> ReferenceCase:
    return ReferenceCase(
        index=0,
        name="a linear layer",
        visible=True,
        dims={},
        args=[Scalar(3, "int"), tensor(X), tensor(DOUT), tensor(W), tensor(B)],
        arg_names=["n", "x", "dout", "w", "b"],
        expected=(tensor(OUT), tensor(DOUT @ W), tensor(EXPECTED[0]), tensor(EXPECTED[1])),
        known_wrong=known_wrong or {},
    )


def results(out=OUT, dx=DOUT @ W, dw=EXPECTED[0], db=EXPECTED[1]):
    params = (("w", (Scalar(3, "int"), Scalar(2, "int")), (0,)), ("b", (Scalar(3, "int"),), (1,)))
    values = [None if v is None else tensor(v) for v in (out, dx, dw, db)]
    return (*values, params)


def judge(got, known_wrong=None):
    c = case(known_wrong)
    return compare_case(
        c, got, SPEC, Context(visible=True, framework="torch", known_wrong=c.known_wrong)
    )


def test_layout_names_the_output_and_every_gradient():
    assert Layout.of(case(), SPEC).output_names() == ["out", "x.grad", "w.grad", "b.grad"]


def test_matching_output_and_gradients_pass():
    outcome, values = judge(results())
    assert outcome.passed, outcome.message
    assert "the parameter count (9)" in outcome.message and len(values) == 4


def test_a_wrong_parameter_gradient_is_named():
    outcome, _ = judge(results(db=2 * EXPECTED[1]))
    assert not outcome.passed and outcome.details["output"] == "b.grad"
    assert "b.grad" in outcome.message and "factor of 2" in (outcome.hint or "")


def test_the_output_is_compared_before_the_gradients():
    outcome, _ = judge(results(out=OUT + 1, db=2 * EXPECTED[1]))
    assert outcome.details["output"] == "out"


def test_a_parameter_without_gradient_is_never_used():
    outcome, _ = judge(results(dw=None))
    assert not outcome.passed and outcome.stage == "gradients"
    assert "no gradient reached the parameter w" in outcome.message


def test_an_unused_parameter_explains_a_wrong_output_only_when_backward_ran():
    outcome, _ = judge(results(out=X @ W.T, db=None))
    assert outcome.hint is not None and "never uses b" in outcome.hint
    # No gradient at all: backward did not run (an output of another shape): no such hint.
    outcome, _ = judge(results(out=OUT[:2], dx=None, dw=None, db=None))
    assert outcome.stage == "shape" and "never uses" not in (outcome.hint or "")


def test_a_known_wrong_module_is_recognised_on_its_output():
    wrong = (tensor(X @ W.T), None, None, None)
    outcome, _ = judge(results(out=X @ W.T), {"bug": (wrong, "the bias is never added")})
    assert outcome.hint == "the bias is never added"


def test_only_what_the_exercise_compares_is_checked():
    spec = ModuleSpec(init=["n"], forward=["x"], upstream="dout", compare=["output"])
    got = results(dx=None, dw=2 * EXPECTED[0], db=None)
    extra = (*got[:-1], (*got[-1], ("spare", (Scalar(2, "int"),), ())))
    outcome, _ = compare_case(case(), extra, spec, Context(visible=True, framework="torch"))
    assert outcome.passed and outcome.message == "the output matches"
    outcome, _ = compare_case(case(), results(out=OUT + 1), spec, Context(framework="torch"))
    assert not outcome.passed


def test_a_malformed_result_is_not_read():
    outcome, _ = judge(results()[:-1])
    assert not outcome.passed and "could not be read" in outcome.message


# -- the schema -----------------------------------------------------------------------------


def test_a_module_exercise_is_a_torch_exercise():
    with pytest.raises(ValidationError, match="torch"):
        CodeSpec(entry_point="Net", framework="numpy", module={"forward": ["x"]})
    with pytest.raises(ValidationError, match="different inputs"):
        ModuleSpec(init=["x"], forward=["x"])
    with pytest.raises(ValidationError, match="output"):
        ModuleSpec(forward=["x"], compare=["input_grads"])


# -- through the sandbox ------------------------------------------------------------------------

EXTRA_PARAMETER = """
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        # Named after the module's own size: a hidden case must not show it.
        setattr(self, f"marker_{d_model}_zq", nn.Parameter(torch.zeros(d_model + 1)))

    def forward(self, x):
        return x
"""


def test_a_hidden_case_never_quotes_the_students_parameter_names(grader):
    exercise = load_exercise("mha-module")
    report = grader.grade(exercise, textwrap.dedent(EXTRA_PARAMETER), seed=5)
    visible = [c for c in report.checks if c.visible]
    hidden = [c for c in report.checks if not c.visible]
    assert visible and hidden and not any(c.passed for c in report.checks)
    assert all(c.stage == "parameters" for c in report.checks)
    assert "_zq" in visible[0].message and "Extra" in visible[0].message
    assert all(
        "Extra (the reference has nothing like them): a parameter of shape" in c.message
        for c in hidden
    )
    assert "_zq" not in json.dumps([c.__dict__ for c in hidden])


def test_autograd_stays_banned_for_function_exercises_and_is_the_graders_for_modules(grader):
    module = grader.banned_for(load_exercise("mha-module"))
    function = grader.banned_for(load_exercise("mha-torch"))
    assert "torch.autograd" in function and "torch.autograd" not in module
    assert "torch.nn.MultiheadAttention" in module
