"""Fairness across random instances: a deliberately harder family is flagged, a fair one not."""

from __future__ import annotations

import random
from typing import Any

from django.test import Client

from accounts.models import User
from accounts.services import user_create
from courses.models import Course
from courses.services import enrolment_ensure
from gradebook.fairness import Outcome, families_of, fisher_lower, harder_p_value
from tests.platform.conftest import Bank, People
from tests.platform.gradebook.conftest import graded


def synthetic(solve_rate: dict[str, float], per_value: int, seed: int = 1) -> list[Outcome]:
    """Students spread over n's values, each solving with that value's rate; a second parameter
    (k) drawn independently of difficulty."""
    rng = random.Random(seed)
    out = []
    for value, rate in solve_rate.items():
        for _ in range(per_value):
            solved = rng.random() < rate
            families = (("k", str(rng.randint(1, 3))), ("n", value))
            out.append(Outcome(families, solved, rng.randint(1, 4) if solved else None))
    return out


def test_a_deliberately_harder_family_is_flagged() -> None:
    families = families_of(synthetic({"2": 0.8, "3": 0.8, "4": 0.8, "5": 0.3}, per_value=60))
    flagged = [(f.parameter, f.value) for f in families if f.flagged]
    assert flagged == [("n", "5")]
    assert {f.test for f in families} == {"z"}


def test_none_is_flagged_on_a_fair_exercise() -> None:
    for seed in range(5):
        families = families_of(synthetic({"2": 0.7, "3": 0.7, "4": 0.7, "5": 0.7}, 60, seed))
        assert not any(f.flagged for f in families), seed
        assert len(families) == 7  # n: 4 values, k: 3 values


def test_small_counts_use_fishers_exact_test() -> None:
    # 0 of 4 in the family against 8 of 8 elsewhere: hypergeometric 1 / C(12, 4).
    assert abs(fisher_lower(0, 4, 8, 8) - 1 / 495) < 1e-12
    p_value, test = harder_p_value(0, 4, 8, 8)
    assert test == "Fisher" and p_value < 0.01
    families = families_of(
        [Outcome((("n", "1"),), False, None)] * 4 + [Outcome((("n", "2"),), True, 1)] * 8
    )
    # Two families, Bonferroni: 0.05 / 2; the easier family is never "harder".
    assert [(f.value, f.flagged) for f in families] == [("1", True), ("2", False)]


def test_the_statistics_page_shows_the_families_and_the_method(
    carol: Client, exercises: Bank, people: People
) -> None:
    course = Course.objects.get(slug="ml101")
    math = exercises.math
    for i in range(24):
        user = user_create(username=f"s{i}", password="s-pass-12345", role=User.Role.STUDENT)
        enrolment_ensure(course=course, user=user, role=User.Role.STUDENT)
        seed = i % 2  # even seeds draw n = 7, which no one solves; odd ones n = 3
        graded(user, math, math.points if seed else 0.0, seed=seed)

    def fake_params(version: Any, seed: int) -> dict[str, int]:
        return {"n": 3 if seed else 7}

    import gradebook.fairness

    original = gradebook.fairness.exercise_fairness.__kwdefaults__["params"]
    gradebook.fairness.exercise_fairness.__kwdefaults__["params"] = fake_params
    try:
        page = carol.get(f"/teach/ml101/gradebook/exercises/{math.slug}/").content.decode()
    finally:
        gradebook.fairness.exercise_fairness.__kwdefaults__["params"] = original
    assert "Bonferroni" in page
    assert page.count('data-flagged="true"') == 1
    flagged = page.split('data-flagged="true"')[1].split("</tr>")[0]
    assert "n = 7" in flagged
    code_page = carol.get(f"/teach/ml101/gradebook/exercises/{exercises.code.slug}/")
    assert "Not measured" in code_page.content.decode()
