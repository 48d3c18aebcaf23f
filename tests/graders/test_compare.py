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


# -- conventions: a right answer to another convention is told what differs ---------------------


def test_an_inverted_boolean_mask_is_named_swapped():
    mask = np.tril(np.ones((4, 6), dtype=bool), k=2)
    out = check(Arr(mask), Arr(~mask), names=("mask",))
    assert out.stage == "values" and "True and False are swapped" in out.hint
    assert out.known_hint  # certain: it beats a mutant's likeness


def test_a_mask_off_by_one_is_no_swap():
    mask = np.tril(np.ones((4, 6), dtype=bool), k=2)
    near = ~mask
    near[0, 0] = mask[0, 0]  # the complement but for one entry
    out = check(Arr(mask), Arr(near))
    assert not out.passed and (out.hint is None or "swapped" not in out.hint)
    shifted = check(Arr(mask), Arr(np.tril(np.ones((4, 6), dtype=bool), k=1)))
    assert not shifted.passed and (shifted.hint is None or "swapped" not in shifted.hint)


def test_an_all_false_mask_where_all_true_is_expected_asks_both_questions():
    # One decoding step sees every key: all True. All False is the complement, and also what an
    # unfinished np.zeros(..., dtype=bool) returns: the hint may not assert either.
    out = check(Arr(np.ones((1, 7), dtype=bool)), Arr(np.zeros((1, 7), dtype=bool)))
    assert "finished" in out.hint and "swapped" in out.hint and not out.known_hint


def test_a_zero_one_mask_inverted_is_named_swapped():
    keep = (rng.random((5, 4)) < 0.5).astype(np.float64)
    keep[0, :2] = (0.0, 1.0)  # both values present
    out = check(Arr(keep), Arr(1.0 - keep))
    assert "0 and 1 are swapped" in out.hint and out.known_hint


def test_one_minus_a_non_mask_is_no_swap():
    ones = np.ones((3, 3))  # only 1s: no mask to invert, and all zeros says "unfinished"
    assert "swapped" not in check(Arr(ones), Arr(1.0 - ones)).hint
    halves = np.where(rng.random((3, 4)) < 0.5, 0.0, 0.5)
    out = check(Arr(halves), Arr(1.0 - halves))
    assert out.hint is None or "swapped" not in out.hint


N_, D_, M_ = 2, 3, 4
DX, DW, DB = rng.standard_normal((N_, D_)), rng.standard_normal((D_, M_)), rng.standard_normal(M_)
GRADS = (Arr(DX), Arr(DW), Arr(DB))


def test_outputs_in_another_order_are_named():
    out = check(GRADS, (Arr(DX), Arr(DB), Arr(DW)), names=("dx", "dw", "db"))
    assert not out.passed and out.known_hint
    assert "(dx, db, dw)" in out.message and "(dx, dw, db)" in out.message
    assert "axis" not in out.hint and "dx, dw, db" in out.hint
    assert out.details["returned_order"] == ["dx", "db", "dw"]


def test_outputs_of_one_shape_swapped_are_found_by_their_values():
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    out = check((Arr(a), Arr(b)), (Arr(b), Arr(a)), names=("dq", "dk"))
    assert out.stage == "values" and "(dk, dq)" in out.message and out.known_hint


def test_shapes_in_another_order_with_wrong_values_name_the_shape_only():
    out = check(GRADS, (Arr(DX), Arr(DB * 2), Arr(DW)), names=("dx", "dw", "db"))
    assert out.stage == "shape" and "expected shape (3, 4)" in out.message
    assert "dw has the shape of db" in out.hint and "axis" not in out.hint
    assert not out.known_hint  # a question, not a certainty


def test_a_transpose_borne_out_by_the_values_beats_the_order_question():
    # Each output transposed: the shapes are also those of the other output, in another order.
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 3))
    out = check((Arr(a), Arr(b)), (Arr(a.T.copy()), Arr(b.T.copy())), names=("dq", "dk"))
    assert out.stage == "shape" and "transpose" in out.hint and "order" not in out.hint


def test_a_wrong_shape_that_is_no_other_outputs_keeps_the_usual_hint():
    # db summed over the wrong axis, shape (N,): no order of the outputs gives these shapes.
    out = check(GRADS, (Arr(DX), Arr(DW), Arr(DX.sum(axis=1))), names=("dx", "dw", "db"))
    assert out.stage == "shape" and "order" not in (out.hint or "")
    assert "order" not in out.message and "returned_order" not in out.details


def test_a_known_wrong_message_beats_the_order_question():
    wrong = {"order": ((Arr(DX), Arr(DB), Arr(DW)), "your dw is db")}
    out = check(GRADS, (Arr(DX), Arr(DB), Arr(DW)), names=("dx", "dw", "db"), known_wrong=wrong)
    assert out.hint == "your dw is db"


def _attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    scores = q @ k.T / q.dtype.type(np.sqrt(q.shape[-1]))  # in q's dtype, float32 or 64
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True) @ v


def _large_scores(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gen = np.random.default_rng(seed)
    q, k, v = gen.standard_normal((5, 4)), gen.standard_normal((6, 4)), gen.standard_normal((6, 3))
    q[:, 0] = k[:, 0] = 100.0  # scores ~5000: float32 keeps about 3 digits of their differences
    return q, k, v


@pytest.mark.parametrize("seed", range(5))
def test_float32_rounding_on_a_failing_case_is_named(seed):
    q, k, v = _large_scores(seed)
    expected = _attention(q, k, v)
    got = _attention(*(x.astype(np.float32) for x in (q, k, v)))
    out = check(Arr(expected), Arr(got))
    assert not out.passed and out.stage == "values"
    assert "float32" in out.hint and "float64" in out.hint
    # The same output in float64 is a wrong one, of unknown cause: nothing about float32.
    plain = check(Arr(expected), Arr(got.astype(np.float64)))
    assert not plain.passed and (plain.hint is None or "float32" not in plain.hint)


@pytest.mark.parametrize("seed", range(5))
def test_float32_is_not_blamed_for_a_wrong_formula(seed):
    q, k, v = _large_scores(seed)
    expected = _attention(q, k, v)
    unscaled = _attention(q * np.sqrt(4), k, v)  # no 1/sqrt(d): a mistake, whatever the dtype
    out = check(Arr(expected), Arr(unscaled.astype(np.float32)))
    assert not out.passed and (out.hint is None or "float32" not in out.hint)
    one_off = expected.copy()
    one_off[2, 1] += 0.01 * np.abs(expected).max()
    near = check(Arr(expected), Arr(one_off.astype(np.float32)))
    assert not near.passed and near.hint is None


def test_float32_factor_is_named_as_a_factor():
    out = check(Arr(E), Arr((E * 2).astype(np.float32)), dims={"N": 4})
    assert "factor" in out.hint and "float32" not in out.hint


def test_float32_overflow_is_named_at_the_finite_stage():
    bad = E.astype(np.float32)
    bad[0, 0] = np.inf
    out = check(Arr(E), Arr(bad))
    assert out.stage == "finite" and "float32" in out.hint and "88" in out.hint
    wide = check(Arr(E), Arr(np.where(bad == np.inf, np.inf, E)))
    assert wide.stage == "finite" and "float32" not in wide.hint
