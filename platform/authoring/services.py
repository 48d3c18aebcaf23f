"""Writes for authoring: drafts, their validation runs, publishing, exercises' owners.

Validation runs in the Celery worker (authoring.tasks), on its own queue (settings:
VALIDATION_QUEUE) that a separate worker of one process consumes at the lowest CPU priority
(scripts/run.py, docker-compose.yml): students' submissions never wait behind an instructor's
Validate. This module only queues a run and stores its result. Runs are claimed like
submissions are: a conditional update from queued to running with a fresh token, and only the
run holding the current token may store its report, so a duplicate delivery or a run superseded
by a newer "Validate" changes nothing; a superseded run that is still going is also stopped
(revoked with its pool process, which takes its sandbox with it), so it costs no more CPU.

Who may do what is decided in authoring.selectors (exercises_changeable_by); the services check
it again where they write, so no caller can skip it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from authoring.folder import (
    WORKED_SOLUTION,
    declared_topic,
    normalised,
    path_problem,
    size_problems,
    slug_problem,
    with_identity,
)
from authoring.models import ExerciseDraft, Publication
from authoring.selectors import (
    is_author,
    may_change_exercise,
    not_an_owner_message,
    publish_problem,
    validation_problem,
)
from authoring.skeletons import SkeletonError, skeleton_files
from catalog.models import Exercise, ExerciseOwner, ExerciseVersion
from catalog.services import exercise_publish_files
from core.claims import SWEEP_BATCH, ClaimColumns
from core.errors import DomainError
from core.queues import PUBLISH_RETRY_POLICY
from graders.exercise import TOPIC_ORDER, ExerciseError

logger = logging.getLogger(__name__)


def validation_time_limit() -> int:
    """The hard limit of a whole validation run, in seconds (settings.VALIDATION_TIME_LIMIT): a
    run still "running" after it was killed."""
    return int(settings.VALIDATION_TIME_LIMIT)


def validation_soft_time_limit() -> int:
    """When the run is told to stop: early enough to store a "took too long" report."""
    return int(settings.VALIDATION_SOFT_TIME_LIMIT)


class DraftError(DomainError):
    """A request the draft cannot take; `problems` are sentences for the author."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _check_files(files: dict[str, str]) -> None:
    problems = [p for rel in files if (p := path_problem(rel))]
    problems += size_problems(files)
    # PostgreSQL refuses a NUL in text and in JSON: said here, not as a 500 when saving.
    problems += [
        f"{rel} contains a NUL character (\\x00), which cannot be saved: delete it."
        for rel, text in files.items()
        if "\x00" in text
    ]
    for required in ("exercise.toml", "statement.md", "reference.py"):
        if required not in files:
            problems.append(f"{required} cannot be removed: every exercise needs it.")
    if problems:
        raise DraftError(problems)


def _new_exercise_problems(slug: str, title: str) -> list[str]:
    """Why a new exercise cannot have this slug and title (a new draft's, a copy's)."""
    problems = []
    if problem := slug_problem(slug):
        problems.append(problem)
    elif Exercise.objects.filter(slug=slug).exists():
        problems.append(f"The slug {slug!r} is taken by an exercise: choose another one.")
    if len(title.strip()) < 3:
        problems.append("Give a title of at least 3 characters.")
    return problems


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
    problems = _new_exercise_problems(slug, title)
    if topic not in TOPIC_ORDER:
        problems.append(f"The topic must be one of {', '.join(TOPIC_ORDER)}.")
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
    work); a new one starts from the current version's files. Owners only (DraftError for
    anyone else: the view answers 404 before).
    """
    if not may_change_exercise(author, exercise):
        raise DraftError([not_an_owner_message(exercise)])
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


# What a copy of someone else's web exercise leaves out: the answers and the hidden cases.
ANSWER_FILES = ("reference.py", "cases.py", WORKED_SOLUTION)
REFERENCE_STUB = (
    "# Your reference implementation: a copy leaves out the original's answers (reference,\n"
    "# cases, solutions and worked solution). Write them, then Validate.\n"
    "raise NotImplementedError('write the reference')\n"
)


def _is_answer_file(rel: str) -> bool:
    return rel in ANSWER_FILES or rel.startswith("solutions/")


@transaction.atomic
def draft_copy_exercise(
    *, author: User, exercise: Exercise, slug: str, title: str
) -> ExerciseDraft:
    """A draft of a new exercise of `author`'s, from the current version of `exercise`.

    For an author who does not own `exercise`: it stays as it is, and the copy, once
    published, is a new exercise they own. exercise.toml and the statement's heading get the
    new slug and title. A web exercise's answers stay its owners' (only they export them): the
    copy holds its statement, starter and settings, and the copier writes their own reference,
    cases and solutions (`ANSWER_FILES` are left out, reference.py starts as a stub). Folder
    exercises are copied whole: their files are in the repository for every instructor anyway.
    """
    slug = slug.strip()
    title = title.strip()
    problems = _new_exercise_problems(slug, title)
    current = exercise.current_version
    if current is None:
        problems.append("This exercise has no version to copy.")
    if problems:
        raise DraftError(problems)
    assert current is not None
    files = dict(current.files)
    if exercise.source == Exercise.Source.WEB:
        files = {rel: text for rel, text in files.items() if not _is_answer_file(rel)}
        files["reference.py"] = REFERENCE_STUB
    try:
        files = with_identity(files, slug=slug, title=title)
    except ValueError as exc:
        raise DraftError([f"This exercise cannot be copied on the web: {exc}."]) from None
    return ExerciseDraft.objects.create(
        author=author,
        slug=slug,
        topic=declared_topic(files, exercise.topic),
        files=files,
    )


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
def draft_validate_request(*, draft: ExerciseDraft, user: User) -> ExerciseDraft:
    """Queue a validation of the draft's files as they are when the worker takes it.

    DraftError if `user` may not (authoring.selectors.validation_problem: not an owner of the
    draft's exercise, or another of the author's validations is queued or running). Allowed
    in any state of this draft: a run still going is superseded (its result will not be
    stored) and stopped, so "Validate" again is also the way out of a run that never ends.
    """
    # The author's row is the lock of "one validation per author": two requests for two of
    # their drafts at once are taken one after the other (PostgreSQL; SQLite writes one at a
    # time anyway), so the second sees the first as queued.
    User.objects.select_for_update().filter(pk=draft.author_id).first()
    locked = ExerciseDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise DraftError(["This draft was deleted meanwhile."])
    if problem := validation_problem(locked, user):
        raise DraftError([problem])
    running_task = locked.validation_task_id if locked.validation_token is not None else ""
    ExerciseDraft.objects.filter(pk=draft.pk).update(
        validation_state=ExerciseDraft.State.QUEUED,
        validation_token=None,
        validation_task_id="",
        validation_queued_at=timezone.now(),
        validation_started_at=None,
    )
    draft.refresh_from_db()
    draft_id = draft.pk
    # After commit, so the worker never looks for a state it cannot see yet; `robust`: a broker
    # that is down does not fail the request (the author sees "queued" and can validate again).
    if running_task:
        transaction.on_commit(lambda: stop_validation(running_task), robust=True)
    transaction.on_commit(lambda: enqueue_validation(draft_id), robust=True)
    return draft


# A draft's validation is claimed as a submission is (core/claims.py).
VALIDATION_WORK = ClaimColumns(
    model=ExerciseDraft,
    state="validation_state",
    queued=ExerciseDraft.State.QUEUED,
    running=ExerciseDraft.State.RUNNING,
    token="validation_token",
    started_at="validation_started_at",
    queued_at="validation_queued_at",
)


def enqueue_validation(draft_id: int) -> None:
    from authoring.tasks import validate_draft

    validate_draft.apply_async(
        (draft_id,),
        queue=settings.VALIDATION_QUEUE,
        # The limits travel with each message (a changed setting applies to the next run).
        soft_time_limit=validation_soft_time_limit(),
        time_limit=validation_time_limit(),
        retry=True,
        retry_policy=PUBLISH_RETRY_POLICY,
    )


def stop_validation(task_id: str) -> None:
    """Stop a superseded run now, not when it ends on its own (minutes with a slow reference).

    `terminate` kills the validation worker's pool process running it; its sandbox's zygote and
    children die with it (PR_SET_PDEATHSIG: graders/sandbox/zygote.py and harden.py), so their
    CPU use stops at once, and the worker starts a fresh pool process for the next run. SIGKILL:
    nothing of the run is worth finishing, and a process stuck in the sandbox's controller must
    not be able to delay it. The run's message is acknowledged (Celery's terminate), so it never
    runs again; the run would store nothing anyway (its token is gone). Best effort: a broadcast
    the worker misses is caught by the run itself, which checks its token between sandbox runs
    (authoring.tasks).
    """
    try:
        # The project's Celery app (config/celery.py), without the app importing the project.
        current_app.control.revoke(task_id, terminate=True, signal="SIGKILL")
    except Exception:  # the broker is away: the run stops at its next check
        logger.warning("could not revoke the superseded validation %s", task_id)


def validation_abandoned_after() -> int:
    """A run still "running" this long after its start lost its worker (the task's hard limit is
    VALIDATION_TIME_LIMIT): the sweeper ends it with a message rather than leave it spinning."""
    return validation_time_limit() + 60


ABANDONED_MESSAGE = (
    "The validation stopped before it finished: the worker running it went away. "
    "Nothing is wrong with your files as far as we know: press Validate again."
)


def drafts_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Rescue validations stuck on their way (celery beat, with the submissions' sweeper).

    - queued past SWEEP_QUEUED_AFTER: its message may be lost (broker restarted, publish
      failed), so it is published again; a duplicate is harmless (one claim wins).
    - running past validation_abandoned_after(): its worker died and nothing will redeliver the
      message soon, so it ends failed with a message; the author validates again.
    """
    now = now or timezone.now()
    republished = VALIDATION_WORK.republish_queued(
        now=now, after=settings.SWEEP_QUEUED_AFTER, publish=lambda pk, row: enqueue_validation(pk)
    )
    running_cutoff = now - timedelta(seconds=validation_abandoned_after())
    stuck_running = VALIDATION_WORK.running_since(running_cutoff).values_list(
        "pk", "validation_token"
    )
    abandoned: list[int] = []
    for pk, token in stuck_running[:SWEEP_BATCH]:
        from authoring.validation import report_of  # imports the engine: only when needed

        if VALIDATION_WORK.held(pk, token).update(
            validation_state=ExerciseDraft.State.FAILED,
            validation_report=report_of(error=ABANDONED_MESSAGE),
            validation_token=None,
            validation_task_id="",
        ):
            abandoned.append(pk)
    if republished or abandoned:
        logger.warning(
            "drafts sweeper: %d validations published again, %d abandoned ones ended",
            len(republished),
            len(abandoned),
        )
    return {"republished": republished, "abandoned": abandoned}


def draft_claim_validation(*, draft_id: int, task_id: str = "") -> uuid.UUID | None:
    """Move a queued validation to running; its token, or None if there is nothing to do.

    `task_id`: the Celery task that claims it, kept so that a newer "Validate" can stop exactly
    this run (stop_validation). A run found "running" longer than the task's hard time limit
    was killed with its worker (acks_late redelivers the message): it may be claimed again.
    """
    now = timezone.now()
    abandoned = Q(
        validation_state=ExerciseDraft.State.RUNNING,
        validation_started_at__lt=now - timedelta(seconds=validation_time_limit()),
    )
    return VALIDATION_WORK.claim(draft_id, now=now, also=abandoned, validation_task_id=task_id[:64])


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
        "validation_task_id": "",
    }
    if passed:
        fields["ok_hash"] = checked_hash
    # Nothing got updated: a newer request superseded this run.
    return VALIDATION_WORK.held(draft_id, token).update(**fields) == 1


@transaction.atomic
def draft_publish(*, draft: ExerciseDraft, user: User) -> ExerciseVersion:
    """Publish the draft's files as the exercise's new current version.

    Only the exact files that passed validation, and a new version of an existing exercise only
    by one of its owners (DraftError otherwise: publish_problem). A new exercise is owned by
    the draft's author (and by `user`, who published it, if someone else). The draft then
    points at the exercise and at the new version, so it can be edited and published again.
    """
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the exercise.
    draft = (
        ExerciseDraft.objects.select_for_update(of=("self",))
        .select_related("exercise")
        .get(pk=draft.pk)
    )
    if problem := publish_problem(draft, user):
        raise DraftError([problem])
    try:
        version = exercise_publish_files(
            files=draft.files, topic=draft.topic, slug=draft.slug, exercise=draft.exercise
        )
    except ExerciseError as exc:
        raise DraftError([str(exc)]) from None
    if draft.exercise is None:  # created now: its author owns it
        for owner in {draft.author, user}:
            ExerciseOwner.objects.get_or_create(
                exercise=version.exercise, user=owner, defaults={"added_by": user}
            )
    Publication.objects.create(version=version, published_by=user)
    draft.exercise = version.exercise
    draft.base_version = version
    draft.save(update_fields=["exercise", "base_version", "updated_at"])
    return version


@transaction.atomic
def draft_delete(*, draft: ExerciseDraft) -> None:
    """Forget a draft (and stop its validation if one is running). Published versions are not
    touched."""
    running_task = draft.validation_task_id if draft.validation_token is not None else ""
    draft.delete()
    if running_task:
        transaction.on_commit(lambda: stop_validation(running_task), robust=True)


# -- owners ---------------------------------------------------------------------------------------
class OwnerError(DomainError):
    """An owner change that cannot be made; the message is for the person who asked."""


@transaction.atomic
def exercise_owner_add(*, exercise: Exercise, username: str, by: User) -> ExerciseOwner:
    """Make the author named `username` a co-owner of `exercise`; `by` must own it.

    Only web exercises have owners (a folder exercise is staff's: its folder is its source),
    and only authors (instructors, staff) can be owners. Adding an owner twice is not an error.
    """
    if not may_change_exercise(by, exercise):
        raise OwnerError("Only an owner of this exercise can add owners.")
    if exercise.source != Exercise.Source.WEB:
        raise OwnerError(
            "This exercise comes from a folder in exercises/: it belongs to platform staff, and "
            "has no owners (publish it from the web first to make it a web exercise)."
        )
    name = username.strip()
    user = User.objects.filter(username=name).first() if name else None
    if user is None:
        raise OwnerError(f"There is no user {name!r}." if name else "Give a username.")
    if not is_author(user):
        raise OwnerError(f"{user.username} is not an instructor: only authors can own exercises.")
    owner, _ = ExerciseOwner.objects.get_or_create(
        exercise=exercise, user=user, defaults={"added_by": by}
    )
    return owner


@transaction.atomic
def exercise_owner_remove(*, exercise: Exercise, user_id: int, by: User) -> None:
    """Remove an owner of `exercise`; `by` must own it. The last owner cannot be removed (the
    exercise would then be staff's only, which is not what anyone removing a name expects)."""
    # The exercise's row serialises removals: two owners removing each other at once must not
    # leave it with none.
    Exercise.objects.select_for_update().filter(pk=exercise.pk).first()
    if not may_change_exercise(by, exercise):
        raise OwnerError("Only an owner of this exercise can remove owners.")
    owners = ExerciseOwner.objects.filter(exercise=exercise)
    if not owners.filter(user_id=user_id).exists():
        raise OwnerError("That user is not an owner of this exercise.")
    if owners.count() <= 1:
        raise OwnerError("The last owner cannot be removed: add another owner first.")
    owners.filter(user_id=user_id).delete()
