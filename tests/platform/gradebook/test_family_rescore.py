"""Re-scoring a family of instances that fairness flagged: a preview of who changes, then score
overrides with their audit rows, never lowering a result; instructors of the course only."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from accounts.models import User
from accounts.services import user_create
from courses.models import Course, ScoreOverride
from courses.services import enrolment_ensure
from gradebook.fairness import _key
from tests.platform.conftest import Bank, People, assignment
from tests.platform.gradebook.conftest import graded

RESCORE = "/teach/ml101/gradebook/exercises/count-params/families/rescore/"


def family_course(exercises: Bank) -> dict[str, float]:
    """Six students: seed 0 draws n = 7 (scores 0, 1 and a full 3 of 3), seed 1 draws n = 3."""
    course = Course.objects.get(slug="ml101")
    math = exercises.math
    assignment(exercises, "math")
    version = math.current_version
    cache.set(_key(version, 0), {"n": 7}, timeout=None)
    cache.set(_key(version, 1), {"n": 3}, timeout=None)
    scores = {"s0": 0.0, "s1": 1.0, "s2": math.points, "s3": 0.0, "s4": 0.0, "s5": 0.0}
    for i, (name, score) in enumerate(scores.items()):
        user = user_create(username=name, password="s-pass-12345", role=User.Role.STUDENT)
        enrolment_ensure(course=course, user=user, role=User.Role.STUDENT)
        graded(user, math, score, seed=0 if i < 3 else 1)
    return scores


def test_the_preview_lists_the_family_and_applying_never_lowers(
    carol: Client, exercises: Bank, people: People
) -> None:
    family_course(exercises)
    points = exercises.math.points
    page = carol.get(RESCORE, {"parameter": "n", "value": "7"}).content.decode()
    table = page.split('id="family-students"')[1].split("</table>")[0]
    assert "s0" in table and "s1" in table and "s2" in table and "s3" not in table
    assert table.count("unchanged") == 1  # s2 has the full score already

    response = carol.post(
        RESCORE, {"parameter": "n", "value": "7", "score": points, "reason": "n = 7 overflowed"}
    )
    assert response.status_code == 302
    overrides = ScoreOverride.objects.order_by("student__username")
    assert [(o.student.username, o.score, o.previous) for o in overrides] == [
        ("s0", points, 0.0),
        ("s1", points, 1.0),
    ]
    assert "instance family n = 7 re-scored: n = 7 overflowed" in overrides[0].reason
    book = carol.get("/teach/ml101/gradebook/").content.decode()
    assert "n = 7 re-scored" in book or book.count(f"{points:g}") >= 3


def test_bad_input_keeps_the_form_and_changes_nothing(
    carol: Client, exercises: Bank, people: People
) -> None:
    family_course(exercises)
    for bad in ({"score": "-1", "reason": "x"}, {"score": "2", "reason": "  "}, {"score": "abc"}):
        response = carol.post(RESCORE, {"parameter": "n", "value": "7", **bad})
        assert response.status_code == 400, bad
    assert not ScoreOverride.objects.exists()
    assert carol.get(RESCORE).status_code == 404  # no family named


def test_only_the_courses_instructors_may_rescore(exercises: Bank, people: People) -> None:
    family_course(exercises)
    for who in (people.alice, people.dave):
        client = Client()
        client.force_login(who)
        query = {"parameter": "n", "value": "7", "score": "3", "reason": "mine"}
        assert client.get(RESCORE, query).status_code == 404
        assert client.post(RESCORE, query).status_code == 404
    assert not ScoreOverride.objects.exists()
