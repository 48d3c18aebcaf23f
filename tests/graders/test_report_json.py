"""A report is strict JSON: PostgreSQL's json type refuses Infinity and NaN (and so the whole
submission row), so the report written to the database has none (graders/report.py)."""

from __future__ import annotations

import json
import math

import numpy as np

from graders.compare import Context, compare
from graders.protocol import Arr
from graders.report import Check, Report, Verdict, finite_json


def test_non_finite_floats_become_strings_everywhere() -> None:
    data = {"a": math.inf, "b": [-math.inf, {"c": math.nan}], "d": (1.5, 2), "e": "inf"}
    assert finite_json(data) == {"a": "inf", "b": ["-inf", {"c": "nan"}], "d": [1.5, 2], "e": "inf"}


def test_a_huge_output_over_an_expected_zero_stores_as_strict_json() -> None:
    # The relative error over an expected 0 overflows to inf: a real wrong answer's report.
    expected = np.array([[0.0, 1.0], [2.0, 0.0]])
    got = np.array([[1e300, 1.0], [2.0, -1e300]])
    outcome = compare(Arr(expected), Arr(got), ["dx"], Context(visible=True))
    assert not outcome.passed
    report = Report(
        exercise="x", version="v", seed=1, verdict=Verdict.REJECTED, score=0.0, max_score=1.0,
        checks=[Check(name="case", passed=False, message=outcome.message, details=outcome.details)],
    )  # fmt: skip
    text = json.dumps(report.to_dict(), allow_nan=False)  # raises on Infinity / NaN
    assert '"inf"' in text
