"""The staged comparison and its hints, on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from graders.compare import Context, compare
from graders.protocol import Arr, Other, Scalar

rng = np.random.default_rng(0)
E = rng.standard_normal((4, 3))


def check(expected, got, names=("out",), **ctx):
    return compare(expected, got, list(names), Context(**ctx))


def test_exact_match_passes():
    out = check(Arr(E), Arr(E.copy()))
    assert out.passed and out.stage == "values"


def test_none_is_a_missing_return():
    out = check(Arr(E), None)
    assert not out.passed and out.stage == "returns" and "return" in out.message


def test_type_stage_list_instead_of_array():
    out = check(Arr(E), [Scalar(1.0, "float")])
    assert out.stage == "type" and "np.array" in out.message


def test_type_stage_subclass_rejected():
    out = check(Arr(E), Arr(E, subclass="matrix"))
    assert out.stage == "type" and "subclass" in out.message


def test_type_stage_object_value():
    out = check(Arr(E), Other("dict"))
    assert out.stage == "type" and "dict" in out.message


def test_torch_exercise_wants_a_tensor():
    out = check(Arr(E, kind="tensor"), Arr(E), framework="torch")
    assert out.stage == "type" and "torch.Tensor" in out.message


def test_shape_is_exact_never_broadcast():
    out = check(Arr(E), Arr(E[:1]))  # (1, 3) would broadcast against (4, 3)
    assert out.stage == "shape" and "(4, 3)" in out.message and "(1, 3)" in out.message


def test_transposed_shape_is_named():
    out = check(Arr(E), Arr(E.T.copy()))
    assert out.stage == "shape" and "transpose" in out.hint


def test_square_transpose_is_named_at_values():
    sq = rng.standard_normal((3, 3))
    out = check(Arr(sq), Arr(sq.T.copy()))
    assert out.stage == "values" and "transpose" in out.hint


def test_sign_flip_is_named():
    out = check(Arr(E), Arr(-E))
    assert out.stage == "values" and "sign" in out.hint


@pytest.mark.parametrize(
    ("factor", "label"), [(4.0, "N = 4"), (0.25, "1/N"), (2.0, "2"), (3.0**0.5, "sqrt(D)")]
)
def test_scaled_by_a_dimension_is_named(factor, label):
    out = check(Arr(E), Arr(E * factor), dims={"N": 4, "D": 3})
    assert out.stage == "values" and "factor" in out.hint and label in out.hint


def test_nan_positions_are_reported():
    bad = E.copy()
    bad[1, 2] = np.nan
    bad[3, 0] = np.inf
    out = check(Arr(E), Arr(bad))
    assert out.stage == "finite"
    assert out.details["nan_count"] == 1 and out.details["inf_count"] == 1
    assert out.details["first_nonfinite"][0] == [1, 2]


def test_value_errors_are_quantified_without_leaking_hidden_values():
    bad = E.copy()
    bad[0, 1] += 1.0
    out = check(Arr(E), Arr(bad), visible=False)
    assert out.stage == "values"
    assert out.details["wrong_count"] == 1 and out.details["first_wrong"] == [[0, 1]]
    assert out.details["max_abs_error"] == pytest.approx(1.0)
    assert "first_wrong_values" not in out.details and "wrong_mask" not in out.details
    shown = check(Arr(E), Arr(bad), visible=True)
    assert shown.details["first_wrong_values"][0]["index"] == [0, 1]


def test_tolerance_float64_and_float32():
    assert check(Arr(E), Arr(E * (1 + 5e-6))).passed
    assert not check(Arr(E), Arr(E * (1 + 5e-5))).passed
    out = check(Arr(E), Arr((E * (1 + 5e-5)).astype(np.float32)))
    assert out.passed and "float32" in out.warnings[0]


def test_tuple_outputs_are_named():
    out = check((Arr(E), Arr(E[0])), (Arr(E), Arr(E[0] * 2)), names=("dx", "db"))
    assert not out.passed and out.message.startswith("db")
    short = check((Arr(E), Arr(E[0])), (Arr(E),), names=("dx", "db"))
    assert short.stage == "type"
    single = check((Arr(E), Arr(E[0])), Arr(E), names=("dx", "db"))
    assert single.stage == "type" and "tuple" in single.message


def test_list_instead_of_tuple_is_accepted_with_a_warning():
    out = check((Arr(E), Arr(E[0])), [Arr(E), Arr(E[0])], names=("dx", "db"))
    assert out.passed and "tuple" in out.warnings[0]


def test_scalar_outputs():
    assert check(Scalar(1.25, "float"), Scalar(1.25, "float64")).passed
    assert check(Scalar(1.25, "float"), Arr(np.array(1.25))).passed
    nan = check(Scalar(1.25, "float"), Scalar(float("nan"), "float"))
    assert nan.stage == "finite"
    assert check(Scalar(1.25, "float"), Scalar(True, "bool")).stage == "type"
    assert "sign" in check(Scalar(1.25, "float"), Scalar(-1.25, "float")).hint


def test_known_wrong_output_names_the_bug():
    wrong = E[:, ::-1].copy()
    ctx_wrong = {"rev": (Arr(wrong), "you reversed the columns")}
    out = check(Arr(E), Arr(wrong), known_wrong=ctx_wrong)
    assert out.hint == "you reversed the columns"


def test_all_zeros_is_called_unfinished():
    out = check(Arr(E), Arr(np.zeros_like(E)))
    assert "zeros" in out.hint


def test_known_wrong_is_not_named_where_it_gives_the_expected_output():
    # A softmax loss off by 3e-5 (log(p + 1e-5)) is not "p[:, y] -= 1 subtracts 1 in every
    # row": that known-wrong solution's loss is the expected one.
    loss = Scalar(1.2345, "float")
    off = Scalar(1.2345 * (1 + 3e-5), "float")
    wrong = {"columns": ((loss, Arr(E * 2)), "p[:, y] -= 1 subtracts 1 in every row")}
    out = check((loss, Arr(E)), (off, Arr(E)), names=("loss", "dlogits"), known_wrong=wrong)
    assert not out.passed and out.details["output"] == "loss"
    assert out.hint is None or "subtracts" not in out.hint


def test_known_wrong_is_matched_at_the_students_tolerance():
    wrong = E[:, ::-1].copy()
    ctx_wrong = {"rev": (Arr(wrong), "you reversed the columns")}
    near = check(Arr(E), Arr(wrong * (1 + 5e-5)), known_wrong=ctx_wrong)
    assert near.hint != "you reversed the columns"  # float64: 5e-5 is a difference
    loose = check(Arr(E), Arr((wrong * (1 + 5e-5)).astype(np.float32)), known_wrong=ctx_wrong)
    assert loose.hint == "you reversed the columns" and loose.known_hint


def test_an_arbitrary_ratio_is_no_factor():
    out = check(Arr(E), Arr(E * 2.8), dims={"N": 4, "D": 3})
    assert out.hint is None and out.factor == "?"
    scalar = check(Scalar(1.5, "float"), Scalar(1.5 * 5.3, "float"), dims={"N": 4})
    assert scalar.hint is None
    named = check(Scalar(1.5, "float"), Scalar(1.5 / 4, "float"), dims={"N": 4})
    assert "1/N" in named.hint and named.factor == "1/N"


def test_factor_hints_stay_only_when_the_cases_agree():
    from graders.judge import _agreeing_factors, _Tally
    from graders.report import Check

    agree = _Tally([], [], [])
    for label in ("1/N", "1/N"):
        check_ = Check("case", False, "off", hint=f"off by a factor of {label}")
        agree.checks.append(check_)
        agree.factors.append((check_, label))
    _agreeing_factors(agree)
    assert all(c.hint for c in agree.checks)
    differ = _Tally([], [], [])
    for label in ("2", "?"):
        check_ = Check("case", False, "off", hint="off by a factor of 2" if label == "2" else None)
        differ.checks.append(check_)
        differ.factors.append((check_, label))
    _agreeing_factors(differ)
    assert not any(c.hint for c in differ.checks)


def test_an_empty_axis_is_named():
    visible = check(Arr(E), Arr(np.zeros((4, 0))), visible=True)
    assert visible.stage == "shape" and "-0 is 0" in visible.hint
    hidden = check(Arr(E), Arr(np.zeros((0, 3))), visible=False)
    assert hidden.stage == "shape" and "-0 is 0" in hidden.hint
