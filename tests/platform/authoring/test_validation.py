"""Validating a draft: queued by the web, run by the worker's task, followed by the page.

Two tests run the real engine on the numpy skeleton (about a second each); the others stop
before the engine (files that do not load) or use the fake grader.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from authoring.folder import files_hash
from authoring.models import ExerciseDraft
from authoring.services import (
    draft_claim_validation,
    draft_store_validation,
    draft_validate_request,
    validation_time_limit,
)
from authoring.tasks import validate_draft
from tests.platform.authoring.conftest import new_draft, signed_in
from tests.platform.conftest import Bank, FakeGrader, People

pytestmark = pytest.mark.django_db


def _queued(draft: ExerciseDraft, **files: str) -> ExerciseDraft:
    if files:
        draft.files = {**draft.files, **files}
        draft.save()
    return draft_validate_request(draft=draft, user=draft.author)


def test_the_validation_is_published_only_once_the_request_commits(
    people: People, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("authoring.services.enqueue_validation", queued.append)
    draft = new_draft(people.dave)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        draft_validate_request(draft=draft, user=people.dave)
    assert queued == []  # a worker must not look for a state it cannot see yet
    assert draft.validation_state == ExerciseDraft.State.QUEUED
    for callback in callbacks:
        callback()
    assert queued == [draft.pk]


def test_the_skeleton_passes_validation_with_the_real_engine(
    people: People, validations: list[int]
) -> None:
    draft = _queued(new_draft(people.dave))
    assert validations == [draft.pk]

    assert validate_draft(draft.pk) == "ok"
    draft.refresh_from_db()
    report = draft.validation_report
    assert draft.validation_state == ExerciseDraft.State.OK
    assert draft.ok_hash == draft.validated_hash == files_hash(draft.files)
    assert report["ok"] and report["passed"] == report["total"] == 8  # 4 files x 2 seeds
    expected = {entry["name"]: entry["expected"] for entry in report["entries"]}
    assert expected == {
        "reference.py": "accepted",
        "starter.py": "not accepted",
        "solutions/correct_where.py": "accepted",
        "solutions/bug_no_upstream.py": "rejected",
    }


def test_a_reference_whose_solutions_miss_their_verdicts_fails(
    people: People, validations: list[int]
) -> None:
    draft = new_draft(people.dave)
    wrong_reference = draft.files["reference.py"].replace("dout * (x > 0)", "dout")
    draft = _queued(draft, **{"reference.py": wrong_reference})

    assert validate_draft(draft.pk) == "failed"
    draft.refresh_from_db()
    entries = {entry["name"]: entry for entry in draft.validation_report["entries"]}
    assert draft.validation_state == ExerciseDraft.State.FAILED
    assert draft.ok_hash == ""  # never passed: nothing may be published
    assert draft.validated_hash == files_hash(draft.files)
    correct = entries["solutions/correct_where.py"]
    assert not correct["ok"]
    assert "expected accepted, got rejected" in correct["runs"][0]["detail"]
    assert entries["reference.py"]["ok"]

    page = signed_in(people.dave).get(reverse("authoring-edit", args=[draft.pk])).content
    assert b'data-state="failed"' in page
    assert b"expected accepted, got rejected" in page


def test_a_broken_toml_is_reported_with_its_file(people: People, validations: list[int]) -> None:
    draft = _queued(new_draft(people.dave), **{"exercise.toml": 'slug = "relu-backward\n'})
    assert validate_draft(draft.pk) == "failed"
    draft.refresh_from_db()
    (problem,) = draft.validation_report["problems"]
    assert problem["file"] == "exercise.toml"
    assert "not valid TOML" in problem["message"]
    assert "/tmp" not in problem["message"]  # the worker's temporary folder is not shown
    assert draft.validation_report["entries"] == []


def test_schema_errors_name_the_file_the_field_and_the_fix(
    people: People, validations: list[int]
) -> None:
    draft = new_draft(people.dave)
    toml = draft.files["exercise.toml"].replace(
        'entry_point = "relu_backward"', 'entry_point = "relu-backward"\ncolour = "red"'
    )
    draft = _queued(draft, **{"exercise.toml": toml})
    validate_draft(draft.pk)
    draft.refresh_from_db()
    problems = {p["field"]: p for p in draft.validation_report["problems"]}
    assert set(problems) == {"code.entry_point", "code.colour"}
    assert problems["code.entry_point"]["fix"] == "use e.g. 'conv2d_forward'"
    assert problems["code.colour"]["message"] == "unknown field"
    assert all(p["file"] == "exercise.toml" for p in problems.values())

    page = signed_in(people.dave).get(reverse("authoring-edit", args=[draft.pk])).content
    assert b"code.entry_point" in page


def test_unknown_prerequisites_and_a_taken_slug_fail_validation(
    people: People, exercises: Bank, validations: list[int], fake_grader: FakeGrader
) -> None:
    draft = new_draft(people.dave, slug="late-comer")
    toml = draft.files["exercise.toml"].replace("requires = []", 'requires = ["no-such-thing"]')
    draft = _queued(draft, **{"exercise.toml": toml})
    # Someone publishes an exercise with the same slug after the draft was created.
    exercises.code.slug = "late-comer"
    exercises.code.save()

    assert validate_draft(draft.pk) == "failed"
    draft.refresh_from_db()
    fields = {p["field"]: p["message"] for p in draft.validation_report["problems"]}
    assert "unknown exercise 'no-such-thing'" in fields["requires"]
    assert "taken by another exercise" in fields["slug"]


def test_the_task_is_safe_to_run_twice(
    people: People, validations: list[int], fake_grader: FakeGrader
) -> None:
    draft = _queued(new_draft(people.dave))
    assert validate_draft(draft.pk) == "failed"  # the fake grader rejects the reference
    calls = len(fake_grader.calls)
    assert validate_draft(draft.pk) == "skipped"
    assert len(fake_grader.calls) == calls  # the duplicate delivery graded nothing


def test_a_superseded_run_stores_nothing(people: People, validations: list[int]) -> None:
    draft = _queued(new_draft(people.dave))
    token = draft_claim_validation(draft_id=draft.pk)
    assert token is not None
    _queued(draft)  # "Validate" again while the first run is going
    stored = draft_store_validation(
        draft_id=draft.pk, token=token, checked_hash="old", report={"ok": True}
    )
    draft.refresh_from_db()
    assert not stored
    assert (draft.validation_state, draft.ok_hash) == (ExerciseDraft.State.QUEUED, "")


def test_a_run_killed_with_its_worker_may_be_claimed_again(
    people: People, validations: list[int]
) -> None:
    draft = _queued(new_draft(people.dave))
    assert draft_claim_validation(draft_id=draft.pk) is not None
    assert draft_claim_validation(draft_id=draft.pk) is None  # running, within its time limit
    ExerciseDraft.objects.filter(pk=draft.pk).update(
        validation_started_at=timezone.now() - timedelta(seconds=validation_time_limit() + 1)
    )
    assert draft_claim_validation(draft_id=draft.pk) is not None


def test_an_engine_failure_is_a_failed_report_not_a_crash(
    people: People, validations: list[int], fake_grader: FakeGrader
) -> None:
    fake_grader.fail_with = RuntimeError("zygote gone")
    draft = _queued(new_draft(people.dave))
    assert validate_draft(draft.pk) == "failed"
    draft.refresh_from_db()
    assert "Validation could not run (zygote gone)" in draft.validation_report["error"]


def test_validate_saves_then_queues_and_the_status_endpoint_follows(
    people: People, validations: list[int], fake_grader: FakeGrader
) -> None:
    draft = new_draft(people.dave)
    client = signed_in(people.dave)
    form = {f"file:{rel}": text for rel, text in draft.files.items()}
    form["file:statement.md"] = "# ReLU\n\nEdited.\n"
    response = client.post(
        reverse("authoring-validate", args=[draft.pk]), form, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    assert validations == [draft.pk]
    assert fake_grader.calls == []  # nothing ran in the web process
    draft.refresh_from_db()
    assert draft.files["statement.md"] == "# ReLU\n\nEdited.\n"

    status_url = reverse("authoring-status", args=[draft.pk])
    status = client.get(status_url).json()
    assert (status["state"], status["publishable"]) == ("queued", False)
    assert "Queued" in status["html"]

    validate_draft(draft.pk)  # the worker
    status = client.get(status_url).json()
    assert status["state"] == "failed"
    assert "verdicts as expected" in status["html"]


def test_validate_without_javascript_redirects_to_the_page(
    people: People, validations: list[int]
) -> None:
    draft = new_draft(people.dave)
    form = {f"file:{rel}": text for rel, text in draft.files.items()}
    response = signed_in(people.dave).post(reverse("authoring-validate", args=[draft.pk]), form)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/drafts/{draft.pk}/#validation")
    assert validations == [draft.pk]


def test_validate_refuses_files_it_cannot_save(people: People, validations: list[int]) -> None:
    draft = new_draft(people.dave)
    form = {"file:statement.md": "x", "remove": "exercise.toml"}
    response = signed_in(people.dave).post(
        reverse("authoring-validate", args=[draft.pk]), form, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "only solutions files can" in response.json()["errors"][0]
    assert validations == []


# -- the sweeper: a validation lost on its way is not left "queued" forever ------------------------
def test_a_validation_whose_message_was_lost_is_published_again(
    people: People, validations: list[int], settings: Any
) -> None:
    from authoring.services import drafts_sweep

    lost = _queued(new_draft(people.dave))
    fresh = _queued(new_draft(people.carol, slug="tanh-backward"))  # one at a time per author
    long_ago = timezone.now() - timedelta(seconds=settings.SWEEP_QUEUED_AFTER + 1)
    ExerciseDraft.objects.filter(pk=lost.pk).update(validation_queued_at=long_ago)
    validations.clear()

    result = drafts_sweep()

    assert result == {"republished": [lost.pk], "abandoned": []}
    assert validations == [lost.pk]
    lost.refresh_from_db()
    assert lost.validation_state == ExerciseDraft.State.QUEUED
    assert lost.validation_queued_at > long_ago  # the next republication waits again
    assert drafts_sweep() == {"republished": [], "abandoned": []}
    assert fresh.pk not in validations


def test_a_validation_whose_worker_died_ends_with_a_message(
    people: People, validations: list[int]
) -> None:
    from authoring.services import drafts_sweep, validation_abandoned_after

    dead = _queued(new_draft(people.dave))
    token = draft_claim_validation(draft_id=dead.pk)
    alive = _queued(new_draft(people.carol, slug="tanh-backward"))  # one at a time per author
    assert draft_claim_validation(draft_id=alive.pk) is not None
    ExerciseDraft.objects.filter(pk=dead.pk).update(
        validation_started_at=timezone.now() - timedelta(seconds=validation_abandoned_after() + 1)
    )

    assert drafts_sweep() == {"republished": [], "abandoned": [dead.pk]}

    dead.refresh_from_db()
    assert dead.validation_state == ExerciseDraft.State.FAILED
    assert "press Validate again" in dead.validation_report["error"]
    assert ExerciseDraft.objects.get(pk=alive.pk).validation_state == ExerciseDraft.State.RUNNING
    # Should the dead run ever answer, it stores nothing.
    assert token is not None
    assert not draft_store_validation(
        draft_id=dead.pk, token=token, checked_hash="x", report={"ok": True}
    )


def test_the_validation_sweeper_is_scheduled_on_the_maintenance_queue(settings: Any) -> None:
    from authoring.tasks import sweep_stuck_validations

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-validations"]
    assert entry["task"] == sweep_stuck_validations.name
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "maintenance"}
    assert sweep_stuck_validations() == {"republished": 0, "abandoned": 0}
