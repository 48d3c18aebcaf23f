"""Feedback release tiers: the hidden cases' messages are shown immediately, after the
student's own deadline, or never (submissions.selectors.report_for_viewer); before then a
student sees only pass/fail, instructors always see everything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create
from courses.selectors import rules_for
from courses.services import extension_grant
from pages.wording import hidden_feedback_words
from submissions.models import Submission
from submissions.selectors import HIDDEN_NEVER, HIDDEN_UNTIL_DEADLINE, report_for_viewer
from tests.platform.conftest import Bank, People, assignment
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db

REPORT: dict[str, Any] = {
    "checks": [
        {"name": "shown", "passed": True, "visible": True, "message": "ok"},
        {"name": "hidden 1", "passed": False, "visible": False, "message": "x=3 gave 5"},
    ]
}


def _set(exercises: Bank, release: str, due_in: timedelta | None) -> None:
    row = assignment(exercises)
    row.feedback_release = release
    row.due_at = None if due_in is None else timezone.now() + due_in
    row.save()


def _hidden_message(exercises: Bank, user: User) -> str:
    made = graded(user, exercises.code, 0.0)
    Submission.objects.filter(pk=made.pk).update(report=REPORT)
    made.refresh_from_db()
    return report_for_viewer(made, user)["checks"][1]["message"]


FULL = REPORT["checks"][1]["message"]
AHEAD, PAST = timedelta(days=1), -timedelta(hours=1)


@pytest.mark.parametrize(
    ("release", "due_in", "expected"),
    [
        ("now", AHEAD, FULL),
        ("now", PAST, FULL),
        ("due", AHEAD, HIDDEN_UNTIL_DEADLINE.format(outcome="failed")),
        ("due", PAST, FULL),
        ("due", None, HIDDEN_UNTIL_DEADLINE.format(outcome="failed")),  # as before the tiers
        ("never", AHEAD, HIDDEN_NEVER.format(outcome="failed")),
        ("never", PAST, HIDDEN_NEVER.format(outcome="failed")),
    ],
)
def test_each_tier_before_and_after_the_due_date(
    people: People, exercises: Bank, release: str, due_in: timedelta | None, expected: str
) -> None:
    _set(exercises, release, due_in)

    assert _hidden_message(exercises, people.alice) == expected


def test_the_api_and_the_submission_page_apply_the_tier(people: People, exercises: Bank) -> None:
    _set(exercises, "never", PAST)
    made = graded(people.alice, exercises.code, 0.0)
    Submission.objects.filter(pk=made.pk).update(report=REPORT)
    token = api_token_create(user=people.alice)[1]

    api = Client().get(f"/api/v1/submissions/{made.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    alice = Client()
    alice.force_login(people.alice)
    page = alice.get(f"/submissions/{made.pk}/").content.decode()

    assert api.status_code == 200
    message = api.json()["report"]["checks"][1]["message"]
    assert message == HIDDEN_NEVER.format(outcome="failed")
    assert "x=3 gave 5" not in page and "not shown in this course" in page


def test_instructors_see_everything(people: People, exercises: Bank) -> None:
    _set(exercises, "never", AHEAD)
    made = graded(people.alice, exercises.code, 0.0)
    Submission.objects.filter(pk=made.pk).update(report=REPORT)
    made.refresh_from_db()

    assert report_for_viewer(made, people.carol) == REPORT


def test_an_extension_moves_the_release_for_one_student(people: People, exercises: Bank) -> None:
    _set(exercises, "due", PAST)
    row = assignment(exercises)
    extension_grant(
        course=row.course, student=people.alice, assignment=row,
        due_at=timezone.now() + timedelta(days=2), extra_attempts=0, reason="",
        created_by=people.carol,
    )  # fmt: skip

    assert _hidden_message(exercises, people.alice) == HIDDEN_UNTIL_DEADLINE.format(
        outcome="failed"
    )
    assert _hidden_message(exercises, people.bob) == FULL
    words = hidden_feedback_words(rules_for(row, people.alice))
    assert "held back until the deadline (" in words  # her own date, written out


def test_the_rules_box_says_what_is_withheld(people: People, exercises: Bank) -> None:
    row = assignment(exercises)
    for release, phrase in (
        ("now", "shown in full"),
        ("due", "held back until the deadline"),
        ("never", "never shown"),
    ):
        row.feedback_release, row.due_at = release, timezone.now() + AHEAD
        row.save()
        assert phrase in hidden_feedback_words(rules_for(row, people.alice))


def test_an_unknown_tier_is_a_form_error(people: People, exercises: Bank) -> None:
    carol = Client()
    carol.force_login(people.carol)
    response = carol.post(
        "/teach/ml101/assignments/double-it/",
        {
            "published": "on", "late_policy": "penalty", "penalty_per_day": "10",
            "feedback_release": "sometimes", "solution_policy": "attempts",
            "solution_after_attempts": "5",
        },
    )  # fmt: skip

    assert response.status_code == 400
    assert assignment(exercises).feedback_release == "now"


OLD = ("courses", "0005_time_zone_extensions_overrides")
NEW = ("courses", "0006_assignment_feedback_release")


def _migrated_to(target: tuple[str, str]) -> Any:
    """The Assignment model as of `target`, once the database is migrated there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_keeps_todays_meaning() -> None:
    apps = _migrated_to(OLD)
    course = apps.get_model("courses", "Course").objects.create(slug="c", title="C")
    Exercise, Old = apps.get_model("catalog", "Exercise"), apps.get_model("courses", "Assignment")
    for slug, shown in (("shown", True), ("held", False)):
        exercise = Exercise.objects.create(slug=slug, title=slug, topic="t", kind="code", points=1)
        Old.objects.create(course=course, exercise=exercise, hidden_feedback=shown)
    try:
        New = _migrated_to(NEW).get_model("courses", "Assignment")
        tiers = dict(New.objects.values_list("exercise__slug", "feedback_release"))
        assert tiers == {"shown": "now", "held": "due"}
        New.objects.filter(exercise__slug="shown").update(feedback_release="never")
        Back = _migrated_to(OLD).get_model("courses", "Assignment")
        flags = dict(Back.objects.values_list("exercise__slug", "hidden_feedback"))
        assert flags == {"shown": False, "held": False}  # never: held back, the closest
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
