"""The report as the pages show it: "Details" as labelled fields (not a JSON dump), each hint
once for every case that has it, and a visible case's table of inputs, expected outputs and
yours (small arrays whole, large ones summarised); nothing of the sort for a hidden case.

The engine's side is checked on a real grading too: a visible case carries its values, bounded
in size; a hidden case carries none (tests/graders/test_hidden_feedback.py checks that no hidden
input reaches a report by any other way).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from django.test import Client

from graders.compare import value_preview
from graders.engine import Grader
from graders.exercise import Exercise as EngineExercise
from graders.exercise import load_exercise
from graders.judge import case_values
from graders.protocol import Arr, Scalar
from pages.report_view import check_view, report_checks
from tests.platform.conftest import Bank, People, make_submission

SMALL = {
    "kind": "array",
    "dtype": "float64",
    "shape": [2, 2],
    "values": [[1.0, -2.5], [0.125, 4.0]],
}
LARGE = {
    "kind": "array",
    "dtype": "float64",
    "shape": [64, 32],
    "min": -3.25,
    "max": 2.5,
    "mean": 0.0125,
}


def visible_check(**details: Any) -> dict[str, Any]:
    values = {
        "inputs": [{"name": "x", **SMALL}, {"name": "big", **LARGE}],
        "expected": [{"name": "out", **SMALL}],
        "got": [{"name": "out", **SMALL, "values": [[1.0, 2.5], [0.125, 4.0]]}],
    }
    return {
        "name": "case 1: small example",
        "passed": False,
        "visible": True,
        "message": "out: 1 of 4 values are wrong",
        "hint": "the sign is flipped",
        "details": {
            "expected_shape": [2, 2],
            "got_shape": [2, 2],
            "wrong_count": 1,
            "share_wrong": 0.25,
            "max_abs_error": 5.0,
            "first_wrong": [[0, 1]],
            "first_wrong_values": [{"index": [0, 1], "expected": -2.5, "got": 2.5}],
            "wrong_mask": [[0, 1], [0, 0]],
            "dims": {"N": 2, "D": 2},
            "seconds": 0.00123,
            "inputs": {"x": "float64 array of shape (2, 2)"},
            "values": values,
            **details,
        },
    }


def hidden_check(number: int, hint: str | None, **details: Any) -> dict[str, Any]:
    return {
        "name": f"case {number}: random instance",
        "passed": hint is None,
        "visible": False,
        "message": "out: wrong" if hint else "out matches",
        "hint": hint,
        "details": {"expected_shape": [5, 3], "got_shape": [5, 3], **details},
    }


# -- arranging the checks ------------------------------------------------------------------------


def test_a_hint_shared_by_several_cases_is_given_once_with_their_numbers() -> None:
    checks = [
        hidden_check(1, None),
        hidden_check(2, "the sign is flipped"),
        hidden_check(3, "the sign is flipped"),
        hidden_check(4, "off by a factor of N"),
        hidden_check(5, "the sign is flipped"),
    ]

    views = report_checks(checks)

    labels = [(v.number, v.hint_label, v.hint_same_as) for v in views]
    assert labels == [
        ("case 1", "", ""),
        ("case 2", "Hint (cases 2, 3, 5)", ""),
        ("case 3", "", "case 2"),
        ("case 4", "Hint", ""),
        ("case 5", "", "case 2"),
    ]


def test_details_are_labelled_fields_not_json() -> None:
    view = check_view(visible_check())

    rows = {row.label: row.lines for row in view.detail_rows}
    assert rows["dimensions"] == ["N = 2, D = 2"]
    assert rows["first wrong positions"] == ["(0, 1)"]
    assert rows["first wrong values"] == ["at (0, 1): expected -2.5, yours 2.5"]
    assert rows["time of your function"] == ["0.00123 s"]
    # Shown above the details already: the figures, the heatmap and the values table.
    assert not {"wrong count", "wrong mask", "values", "inputs", "max abs error"} & set(rows)
    assert ("max abs error", "5") in view.figures and ("wrong values", "1 (25%)") in view.figures
    assert not any("{" in line for lines in rows.values() for line in lines)

    math = check_view(
        {
            "name": "answer",
            "passed": False,
            "visible": True,
            "details": {"understood": "[[1, 2], [3, 5]]", "wrong_entries": [[1, 1]]},
        }
    )
    rows = {row.label: row.lines for row in math.detail_rows}
    assert rows == {
        "your answer, as read": ["[[1, 2], [3, 5]]"],
        "wrong entries": ["row 2, column 2"],
    }


def test_a_visible_case_has_a_table_of_its_values_small_whole_large_summarised() -> None:
    view = check_view(visible_check())

    table = [(v.heading, v.about, v.rows, v.text) for v in view.values]
    assert [heading for heading, *_ in table] == ["x", "big", "out, expected", "out, yours"]
    x = table[0]
    assert x[1] == "(2, 2) float64" and x[2] == [
        [("1", False), ("-2.5", False)],
        [("0.125", False), ("4", False)],
    ]
    big = table[1]
    assert big[2] is None and big[3] == "min -3.25, max 2.5, mean 0.0125"
    # Yours, with the entries the heatmap marks wrong marked in the table too.
    assert table[3][2] == [[("1", False), ("2.5", True)], [("0.125", False), ("4", False)]]


def test_a_hidden_case_never_shows_values_or_a_heatmap_even_if_the_report_had_some() -> None:
    planted = visible_check()["details"]
    view = check_view(hidden_check(2, "the sign is flipped", **planted))

    assert view.values == [] and view.mask_rows is None
    # What remains are figures and labelled fields, never the planted arrays' numbers.
    shown = json.dumps([row.lines for row in view.detail_rows])
    assert "0.125" not in shown and "-2.5" not in shown


# -- the page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_submission_page_shows_the_report_readably(
    client: Client, exercises: Bank, people: People
) -> None:
    report = {
        "checks": [
            visible_check(hint="the sign is flipped"),
            hidden_check(2, "the sign is flipped"),
            hidden_check(3, None),
            hidden_check(4, "the sign is flipped"),
        ]
    }
    submission = make_submission(
        people.alice,
        exercises.code,
        status="done",
        verdict="rejected",
        score=0.0,
        max_score=10.0,
        report=report,
    )
    client.force_login(people.alice)

    page = client.get(f"/submissions/{submission.pk}/").content.decode()

    assert page.count('class="hint"') == 1
    assert "Hint (cases 1, 2, 4):</strong> the sign is flipped" in page
    assert page.count("Hint: the same as for case 1.") == 2
    assert page.count('<table class="case-values">') == 1
    assert "Case 1: its inputs, the expected output and yours" in page
    assert "min -3.25, max 2.5, mean 0.0125" in page
    assert page.count('class="wrong"') == 1  # the one wrong entry of yours
    assert '<dl class="details">' in page and "<dt>dimensions</dt>" in page
    assert "<pre>{" not in page and '"wrong_mask"' not in page  # no JSON dump


# -- the engine: what a visible case's report carries ----------------------------------------------


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    g = Grader()
    yield g
    g.close()


@pytest.fixture(scope="module")
def linear() -> EngineExercise:
    return load_exercise("linear-backward")


DW_TRANSPOSED = """
def linear_backward(x, w, b, dout):
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)
"""


def test_a_graded_visible_case_carries_its_values_and_a_hidden_one_none(
    grader: Grader, linear: EngineExercise
) -> None:
    report = grader.grade(linear, DW_TRANSPOSED, seed=3)

    visible = [c for c in report.checks if c.visible]
    hidden = [c for c in report.checks if not c.visible]
    assert visible and hidden
    values = visible[0].details["values"]
    assert [v["name"] for v in values["inputs"]] == ["x", "w", "b", "dout"]
    assert [v["name"] for v in values["expected"]] == [v["name"] for v in values["got"]]
    assert [v["name"] for v in values["got"]] == ["dx", "dw", "db"]
    reference = grader.reference(linear, 3).cases[0]
    x = reference.args[0].array
    assert values["inputs"][0]["values"] == x.tolist()  # small: whole
    got_dw = np.array(values["got"][1]["values"])
    expected_dw = np.array(values["expected"][1]["values"])
    assert got_dw.shape == expected_dw.T.shape and np.allclose(got_dw, expected_dw.T)
    for check in hidden:
        assert "values" not in check.details and "inputs" not in check.details
    json.dumps(report.to_dict(), allow_nan=False)  # storable as it is


def test_value_preview_bounds_what_it_shows() -> None:
    small = value_preview(Arr(np.arange(36.0).reshape(6, 6)))
    assert small["values"][5][5] == 35.0 and "min" not in small
    big = value_preview(Arr(np.arange(42.0).reshape(6, 7)))
    assert "values" not in big and (big["min"], big["max"], big["mean"]) == (0.0, 41.0, 20.5)
    three_d = value_preview(Arr(np.ones((2, 2, 2))))
    assert "values" not in three_d and three_d["shape"] == [2, 2, 2]
    odd = value_preview(Arr(np.array([1.0, np.nan, np.inf, -np.inf])))
    assert odd["values"] == [1.0, "nan", "inf", "-inf"]
    lots = np.full((10, 10), np.nan)
    lots[0, 0] = 2.0
    summary = value_preview(Arr(lots))
    assert (summary["min"], summary["nan_count"], summary["inf_count"]) == (2.0, 99, 0)
    assert value_preview(Scalar(float("nan"), "float"))["value"] == "nan"
    nested = value_preview(tuple(Scalar(float(i), "float") for i in range(20)))
    assert nested["length"] == 20 and len(nested["items"]) == 8
    json.dumps([small, big, odd, summary, nested], allow_nan=False)


def test_case_values_refuses_a_hidden_case(grader: Grader, linear: EngineExercise) -> None:
    hidden = next(c for c in grader.reference(linear, 3).cases if not c.visible)
    with pytest.raises(ValueError, match="hidden"):
        case_values(hidden, ["dx", "dw", "db"])


def test_the_shown_values_are_the_cases_own(grader: Grader, linear: EngineExercise) -> None:
    """The visible case's numbers are in the report; no hidden case's first value is."""
    report = json.dumps(grader.grade(linear, DW_TRANSPOSED, seed=3).to_dict())
    cases = grader.reference(linear, 3).cases
    for case in cases:
        first = repr(float(case.args[0].array.ravel()[0]))
        assert (re.search(re.escape(first), report) is not None) == case.visible, case.name
