"""Validations never starve students: their own queue, a superseded run is stopped, one
validation at a time per author, and a whole run (and each sandbox run of it) within
settings.VALIDATION_TIME_LIMIT.

The worker's side runs the task in this process with a recording grader; the broker is
replaced by recorders (nothing is sent).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from authoring.models import ExerciseDraft
from authoring.services import draft_claim_validation, draft_validate_request, enqueue_validation
from authoring.tasks import validate_draft
from graders.report import Report, Verdict
from tests.platform.authoring.conftest import new_draft, signed_in
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db


class RecordingGrader:
    """Accepts all but the starter (so the skeleton passes); records each sandbox run's limits;
    `on_grade` runs before each."""

    def __init__(self) -> None:
        self.limits: list[tuple[float, float]] = []
        self.on_grade: Any = None

    def grade(self, exercise: Any, submission: str, *, seed: int, **_: Any) -> Report:
        if self.on_grade is not None:
            self.on_grade()
        limits = exercise.spec.limits
        self.limits.append((limits.wall_seconds, limits.cpu_seconds))
        rejected = "NotImplementedError" in submission or submission == exercise.file(
            "solutions/bug_no_upstream.py"
        )
        return Report(
            exercise=exercise.slug,
            version=exercise.version,
            seed=seed,
            verdict=Verdict.REJECTED if rejected else Verdict.ACCEPTED,
            score=1.0,
            max_score=1.0,
            message="forgets the upstream gradient" if rejected else "ok",  # the declared hint
        )


@pytest.fixture
def grader(monkeypatch: pytest.MonkeyPatch) -> RecordingGrader:
    import graders.engine

    recording = RecordingGrader()
    monkeypatch.setattr(graders.engine, "get_grader", lambda: recording)
    return recording


@pytest.fixture
def revoked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What would be revoked through the broker (nothing is sent)."""
    from config.celery import app

    calls: list[tuple[str, dict[str, Any]]] = []
    control = SimpleNamespace(revoke=lambda task_id, **options: calls.append((task_id, options)))
    monkeypatch.setattr(app, "control", control)
    return calls


def test_validations_are_published_on_their_own_queue_with_their_time_limits(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(
        validate_draft, "apply_async", lambda args, **options: published.append(options)
    )
    settings.VALIDATION_TIME_LIMIT, settings.VALIDATION_SOFT_TIME_LIMIT = 120, 105
    enqueue_validation(7)
    (options,) = published
    assert options["queue"] == settings.VALIDATION_QUEUE == "validation"
    assert options["queue"] not in ("grading", "regrade")  # never the students' workers
    assert (options["time_limit"], options["soft_time_limit"]) == (120, 105)
    assert settings.CELERY_TASK_ROUTES[validate_draft.name] == {"queue": "validation"}


def test_validate_again_stops_the_run_that_is_going(
    people: People, validations: list[int], revoked: list[tuple[str, dict[str, Any]]]
) -> None:
    draft = new_draft(people.dave)
    client = signed_in(people.dave)
    url = reverse("authoring-validate", args=[draft.pk])
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 202
    assert revoked == []  # nothing was running
    assert draft_claim_validation(draft_id=draft.pk, task_id="task-of-the-first-run") is not None

    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 202

    assert revoked == [("task-of-the-first-run", {"terminate": True, "signal": "SIGKILL"})]
    draft.refresh_from_db()
    assert (draft.validation_state, draft.validation_token) == (ExerciseDraft.State.QUEUED, None)
    assert draft.validation_task_id == ""
    assert validations == [draft.pk, draft.pk]
    # Queued again but not running yet: nothing to stop.
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 202
    assert len(revoked) == 1


def test_a_superseded_run_stops_at_its_next_sandbox_run(
    people: People, validations: list[int], grader: RecordingGrader
) -> None:
    """Should the revoke be missed (a worker away from the broker), the run stops itself."""
    draft = draft_validate_request(draft=new_draft(people.dave), user=people.dave)
    grader.on_grade = lambda: draft_validate_request(draft=draft, user=people.dave)

    assert validate_draft(draft.pk) == "superseded"

    assert len(grader.limits) == 1  # one sandbox run, not the 8 of a whole validation
    draft.refresh_from_db()
    assert draft.validation_state == ExerciseDraft.State.QUEUED  # the newer request's
    assert draft.validation_report == {}


def test_one_validation_at_a_time_per_author(
    people: People, validations: list[int], grader: RecordingGrader
) -> None:
    first = new_draft(people.dave)
    second = new_draft(people.dave, slug="tanh-backward")
    client = signed_in(people.dave)
    assert (
        client.post(
            reverse("authoring-validate", args=[first.pk]), HTTP_ACCEPT="application/json"
        ).status_code
        == 202
    )

    refused = client.post(
        reverse("authoring-validate", args=[second.pk]), HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 409
    assert (
        "“relu-backward” is still queued: one validation at a time" in refused.json()["errors"][0]
    )
    page = client.post(reverse("authoring-validate", args=[second.pk]), follow=True)
    assert "one validation at a time per author" in page.content.decode()
    second.refresh_from_db()
    assert second.validation_state == ExerciseDraft.State.NEW
    assert validations == [first.pk]

    # Someone else's validation is not held up by dave's.
    carols = new_draft(people.carol, slug="carols-exercise")
    carol = signed_in(people.carol)
    carol_url = reverse("authoring-validate", args=[carols.pk])
    assert carol.post(carol_url, HTTP_ACCEPT="application/json").status_code == 202

    assert validate_draft(first.pk) == "ok"  # the worker finishes dave's first one
    assert (
        client.post(
            reverse("authoring-validate", args=[second.pk]), HTTP_ACCEPT="application/json"
        ).status_code
        == 202
    )
    assert validations == [first.pk, carols.pk, second.pk]


def _with_limits(draft: ExerciseDraft, wall: float, cpu: float) -> ExerciseDraft:
    toml = re.sub(
        r"wall_seconds = .*\ncpu_seconds = .*\n",
        f"wall_seconds = {wall}\ncpu_seconds = {cpu}\n",
        draft.files["exercise.toml"],
    )
    draft.files = {**draft.files, "exercise.toml": toml}
    draft.save()
    return draft


def test_each_sandbox_run_is_capped_by_the_validation_time_limit(
    people: People, validations: list[int], grader: RecordingGrader, settings: Any
) -> None:
    settings.VALIDATION_TIME_LIMIT, settings.VALIDATION_SOFT_TIME_LIMIT = 60, 45
    draft = _with_limits(new_draft(people.dave), wall=120.0, cpu=100.0)
    draft_validate_request(draft=draft, user=people.dave)

    assert validate_draft(draft.pk) == "ok"

    # 40 s left at most (45 - 5 s to store the report); the reference run may take (2 + 2
    # solutions) times the case limits: 10 s each at most.
    assert len(grader.limits) == 8
    assert all(wall <= 10.0 and cpu <= 10.0 for wall, cpu in grader.limits)
    # A short limit of the exercise's own is kept as it is.
    draft = _with_limits(draft, wall=3.0, cpu=2.0)
    draft_validate_request(draft=draft, user=people.dave)
    grader.limits.clear()
    validate_draft(draft.pk)
    assert set(grader.limits) == {(3.0, 2.0)}


def test_a_run_past_its_time_limit_stops_with_a_message(
    people: People,
    validations: list[int],
    grader: RecordingGrader,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.VALIDATION_TIME_LIMIT, settings.VALIDATION_SOFT_TIME_LIMIT = 30, 15
    clock = SimpleNamespace(now=1000.0)
    fake_time = SimpleNamespace(monotonic=lambda: clock.now)
    monkeypatch.setattr("authoring.tasks.time", fake_time)
    monkeypatch.setattr("authoring.validation.time", fake_time)

    def slow() -> None:
        clock.now += 20  # each sandbox run takes 20 s

    grader.on_grade = slow
    draft = draft_validate_request(draft=new_draft(people.dave), user=people.dave)

    assert validate_draft(draft.pk) == "failed"

    assert len(grader.limits) == 1  # the second run would have started past the deadline
    draft.refresh_from_db()
    assert draft.validation_state == ExerciseDraft.State.FAILED
    assert "Validation took longer than 15 s and was stopped" in draft.validation_report["error"]
    assert draft.ok_hash == ""
