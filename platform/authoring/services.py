"""Writes for authoring: drafts, their validation runs, publishing.

Validation runs in the Celery worker (authoring.tasks), on the low-priority "regrade" queue:
this module only queues it and stores its result. Runs are claimed like submissions are: a
conditional update from queued to running with a fresh token, and only the run holding the
current token may store its report, so a duplicate delivery or a run superseded by a newer
"Validate" changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from catalog.models import Exercise, ExerciseVersion
from catalog.services import exercise_publish_files
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from authoring.folder import (
    WORKED_SOLUTION,
    declared_topic,
    normalised,
    path_problem,
    size_problems,
    slug_problem,
)
from authoring.models import ExerciseDraft, Publication
from authoring.selectors import publish_problem
from authoring.skeletons import SkeletonError, skeleton_files
from graders.exercise import TOPIC_ORDER, ExerciseError

logger = logging.getLogger(__name__)

VALIDATION_QUEUE = "regrade"  # the low-priority queue: students' grading never waits for it
# The task's hard time limit (authoring.tasks): a run still "running" after it was killed.
VALIDATION_TIME_LIMIT = 600


class DraftError(Exception):
    """A request the draft cannot take; `problems` are sentences for the author."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _check_files(files: dict[str, str]) -> None:
    problems = [p for rel in files if (p := path_problem(rel))]
    problems += size_problems(files)
    for required in ("exercise.toml", "statement.md", "reference.py"):
        if required not in files:
            problems.append(f"{required} cannot be removed: every exercise needs it.")
    if problems:
        raise DraftError(problems)


@transaction.atomic
def draft_create(
    *,
    author: User,
    slug: str,
    title: str,
    topic: str,
    kind: str,
    framework: str = "numpy",
    answer_type: str = "",
) -> ExerciseDraft:
    """A draft of a new exercise, from the skeleton of its kind (valid before any edit)."""
    problems = []
    if problem := slug_problem(slug):
        problems.append(problem)
    elif Exercise.objects.filter(slug=slug).exists():
        problems.append(f"The slug {slug!r} is taken by an exercise: choose another one.")
    if topic not in TOPIC_ORDER:
        problems.append(f"The topic must be one of {', '.join(TOPIC_ORDER)}.")
    if len(title.strip()) < 3:
        problems.append("Give a title of at least 3 characters.")
    if problems:
        raise DraftError(problems)
    try:
        files = skeleton_files(
            slug=slug,
            title=title.strip(),
            topic=topic,
            kind=kind,
            framework=framework,
            answer_type=answer_type,
        )
    except SkeletonError as exc:
        raise DraftError([str(exc)]) from None
    return ExerciseDraft.objects.create(author=author, slug=slug, topic=topic, files=files)


@transaction.atomic
def draft_open_for_exercise(*, author: User, exercise: Exercise) -> tuple[ExerciseDraft, bool]:
    """The author's draft of `exercise` based on its current version, created if none.

    Returns (draft, created). A draft based on an older version is left as it is (it may hold
    work); a new one starts from the current version's files.
    """
    current = exercise.current_version
    if current is None:
        raise DraftError(["This exercise has no version to start from."])
    draft = ExerciseDraft.objects.filter(
        author=author, exercise=exercise, base_version=current
    ).first()
    if draft is not None:
        return draft, False
    files = dict(current.files)
    draft = ExerciseDraft.objects.create(
        author=author,
        exercise=exercise,
        base_version=current,
        slug=exercise.slug,
        topic=declared_topic(files, exercise.topic),
        files=files,
    )
    return draft, True


def _edited(
    files: dict[str, str], texts: dict[str, str], remove: Iterable[str], add: str
) -> dict[str, str]:
    files = dict(files)
    for rel, text in texts.items():
        files[rel] = normalised(text)
    for rel in remove:
        if not rel.startswith("solutions/"):
            raise DraftError([f"{rel} cannot be removed: only solutions files can."])
        files.pop(rel, None)
    if not files.get(WORKED_SOLUTION, "").strip():
        files.pop(WORKED_SOLUTION, None)
    name = add.strip().removeprefix("solutions/")
    if name:
        rel = f"solutions/{name}"
        if problem := path_problem(rel):
            raise DraftError([problem])
        if rel in files:
            raise DraftError([f"{rel} exists already."])
        files[rel] = files.get("reference.py", "") if rel.endswith(".py") else ""
    return files


@transaction.atomic
def draft_update(
    *,
    draft: ExerciseDraft,
    texts: dict[str, str],
    remove: Iterable[str] = (),
    add: str = "",
) -> ExerciseDraft:
    """Store an edit of the draft's files; DraftError (and nothing stored) if a path or a size
    is not allowed.

    `texts` replaces contents by path (a file the edit did not send keeps its content; line
    ends become LF, as in a folder), `remove` drops solutions files, `add` adds one
    (solutions/NAME: a .py starts as a copy of the reference, a .txt empty). An empty
    worked_solution.md means "no worked solution". The validation state stays: the report says
    which files it was about, and publishing compares hashes, so an edit after a validation
    simply needs a new one.
    """
    files = _edited(draft.files, texts, remove, add)
    _check_files(files)
    draft.files = files
    draft.topic = declared_topic(files, draft.topic)
    draft.save(update_fields=["files", "topic", "updated_at"])
    return draft


@transaction.atomic
def draft_validate_request(*, draft: ExerciseDraft) -> ExerciseDraft:
    """Queue a validation of the draft's files as they are when the worker takes it.

    Allowed in any state: a run still going is superseded (its result will not be stored), so
    "Validate" again is also the way out of a run that never ends.
    """
    ExerciseDraft.objects.filter(pk=draft.pk).update(
        validation_state=ExerciseDraft.State.QUEUED,
        validation_token=None,
        validation_queued_at=timezone.now(),
        validation_started_at=None,
    )
    draft.refresh_from_db()
    draft_id = draft.pk
    # After commit, so the worker never looks for a state it cannot see yet; `robust`: a broker
    # that is down does not fail the request (the author sees "queued" and can validate again).
    transaction.on_commit(lambda: enqueue_validation(draft_id), robust=True)
    return draft


def enqueue_validation(draft_id: int) -> None:
    from authoring.tasks import validate_draft

    validate_draft.apply_async(
        (draft_id,),
        queue=VALIDATION_QUEUE,
        retry=True,
        retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.5},
    )


# A run still "running" this long after its start lost its worker (the task's hard limit is
# VALIDATION_TIME_LIMIT): the sweeper ends it with a message rather than leave it spinning.
VALIDATION_ABANDONED_AFTER = VALIDATION_TIME_LIMIT + 60
ABANDONED_MESSAGE = (
    "The validation stopped before it finished: the worker running it went away. "
    "Nothing is wrong with your files as far as we know: press Validate again."
)


def drafts_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Rescue validations stuck on their way (celery beat, with the submissions' sweeper).

    - queued past SWEEP_QUEUED_AFTER: its message may be lost (broker restarted, publish
      failed), so it is published again; a duplicate is harmless (one claim wins).
    - running past VALIDATION_ABANDONED_AFTER: its worker died and nothing will redeliver the
      message soon, so it ends failed with a message; the author validates again.
    """
    now = now or timezone.now()
    republished: list[int] = []
    abandoned: list[int] = []
    queued_cutoff = now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER)
    stuck_queued = ExerciseDraft.objects.filter(
        validation_state=ExerciseDraft.State.QUEUED, validation_queued_at__lt=queued_cutoff
    ).values_list("pk", "validation_queued_at")
    for pk, queued_at in stuck_queued[:100]:
        if ExerciseDraft.objects.filter(
            pk=pk, validation_state=ExerciseDraft.State.QUEUED, validation_queued_at=queued_at
        ).update(validation_queued_at=now):
            republished.append(pk)
            enqueue_validation(pk)
    running_cutoff = now - timedelta(seconds=VALIDATION_ABANDONED_AFTER)
    stuck_running = ExerciseDraft.objects.filter(
        validation_state=ExerciseDraft.State.RUNNING, validation_started_at__lt=running_cutoff
    ).values_list("pk", "validation_token")
    for pk, token in stuck_running[:100]:
        from authoring.validation import report_of  # imports the engine: only when needed

        if ExerciseDraft.objects.filter(
            pk=pk, validation_state=ExerciseDraft.State.RUNNING, validation_token=token
        ).update(
            validation_state=ExerciseDraft.State.FAILED,
            validation_report=report_of(error=ABANDONED_MESSAGE),
            validation_token=None,
        ):
            abandoned.append(pk)
    if republished or abandoned:
        logger.warning(
            "drafts sweeper: %d validations published again, %d abandoned ones ended",
            len(republished),
            len(abandoned),
        )
    return {"republished": republished, "abandoned": abandoned}


def draft_claim_validation(*, draft_id: int) -> uuid.UUID | None:
    """Move a queued validation to running; its token, or None if there is nothing to do.

    A run found "running" longer than the task's hard time limit was killed with its worker
    (acks_late redelivers the message): it may be claimed again.
    """
    token = uuid.uuid4()
    now = timezone.now()
    abandoned = Q(
        validation_state=ExerciseDraft.State.RUNNING,
        validation_started_at__lt=now - timedelta(seconds=VALIDATION_TIME_LIMIT),
    )
    claimed = (
        ExerciseDraft.objects.filter(pk=draft_id)
        .filter(Q(validation_state=ExerciseDraft.State.QUEUED) | abandoned)
        .update(
            validation_state=ExerciseDraft.State.RUNNING,
            validation_token=token,
            validation_started_at=now,
        )
    )
    return token if claimed == 1 else None


def draft_store_validation(
    *, draft_id: int, token: uuid.UUID, checked_hash: str, report: dict[str, Any]
) -> bool:
    """Store the report of the run holding `token` about the files hashed `checked_hash`.

    False (nothing stored) if a newer request superseded the run.
    """
    passed = bool(report.get("ok"))
    fields: dict[str, Any] = {
        "validation_state": ExerciseDraft.State.OK if passed else ExerciseDraft.State.FAILED,
        "validation_report": report,
        "validated_hash": checked_hash,
        "validation_token": None,
    }
    if passed:
        fields["ok_hash"] = checked_hash
    stored = ExerciseDraft.objects.filter(
        pk=draft_id, validation_token=token, validation_state=ExerciseDraft.State.RUNNING
    ).update(**fields)
    return stored == 1


@transaction.atomic
def draft_publish(*, draft: ExerciseDraft, user: User) -> ExerciseVersion:
    """Publish the draft's files as the exercise's new current version.

    Only the exact files that passed validation (DraftError otherwise). The draft then points
    at the exercise and at the new version, so it can be edited and published again.
    """
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the exercise.
    draft = (
        ExerciseDraft.objects.select_for_update(of=("self",))
        .select_related("exercise")
        .get(pk=draft.pk)
    )
    if problem := publish_problem(draft):
        raise DraftError([problem])
    try:
        version = exercise_publish_files(
            files=draft.files, topic=draft.topic, slug=draft.slug, exercise=draft.exercise
        )
    except ExerciseError as exc:
        raise DraftError([str(exc)]) from None
    Publication.objects.create(version=version, published_by=user)
    draft.exercise = version.exercise
    draft.base_version = version
    draft.save(update_fields=["exercise", "base_version", "updated_at"])
    return version


@transaction.atomic
def draft_delete(*, draft: ExerciseDraft) -> None:
    """Forget a draft. Published versions are not touched."""
    draft.delete()
