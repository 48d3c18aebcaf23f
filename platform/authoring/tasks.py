"""Celery task: validate a draft in the worker (never in the web process).

Thin, like grading: claim the draft's queued validation, run the checks, store the report. Safe
to run twice for one id: the second claim finds nothing queued and does nothing. A run that a
newer "Validate" superseded stores nothing (authoring.services.draft_store_validation), and it
stops: revoked with its pool process (authoring.services.stop_validation), or, should the
revoke be missed, at its next check between two sandbox runs (authoring.validation).

It runs on its own queue (settings.VALIDATION_QUEUE), which only the validation worker consumes
(one pool process, lowest CPU priority: scripts/run.py, docker-compose.yml).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from authoring.folder import files_hash
from authoring.models import ExerciseDraft
from authoring.selectors import validation_is_current
from authoring.services import (
    draft_claim_validation,
    draft_store_validation,
    drafts_sweep,
    validation_soft_time_limit,
)
from catalog.models import Exercise

logger = logging.getLogger(__name__)

# No sandbox run starts later than this before the soft limit: the report still gets stored.
DEADLINE_MARGIN_SECONDS = 5


def _known_slugs() -> set[str]:
    """The exercises a draft's `requires` may name: in the database, or a folder of the bank."""
    known = set(Exercise.objects.values_list("slug", flat=True))
    known.update(
        path.parent.name for path in Path(settings.EXERCISES_DIR).glob("*/*/exercise.toml")
    )
    return known


def _too_long() -> str:
    return (
        f"Validation took longer than {validation_soft_time_limit()} s and was stopped: lower "
        "the limits or the number of cases and solutions."
    )


@shared_task(
    bind=True,
    name="authoring.tasks.validate_draft",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # Defaults for a message without its own: authoring.services.enqueue_validation sends the
    # limits of the settings as they are when it is queued. The soft limit leaves time to
    # store a "took too long" report.
    soft_time_limit=settings.VALIDATION_SOFT_TIME_LIMIT,
    time_limit=settings.VALIDATION_TIME_LIMIT,
)
def validate_draft(self: Task, draft_id: int) -> str:
    from authoring.validation import OutOfTime, Superseded, report_of, validate_files

    started = time.monotonic()
    token = draft_claim_validation(draft_id=draft_id, task_id=self.request.id or "")
    if token is None:
        return "skipped"  # a duplicate delivery, or the draft is gone
    draft = ExerciseDraft.objects.filter(pk=draft_id).first()
    if draft is None:
        return "gone"  # deleted since it was claimed
    files = dict(draft.files)
    slug_taken = draft.exercise_id is None and Exercise.objects.filter(slug=draft.slug).exists()
    try:
        report = validate_files(
            files=files,
            topic=draft.topic,
            slug=draft.slug,
            known_slugs=_known_slugs(),
            slug_taken=slug_taken,
            deadline=started + validation_soft_time_limit() - DEADLINE_MARGIN_SECONDS,
            go_on=lambda: validation_is_current(draft_id=draft_id, token=token),
        )
    except Superseded:
        return "superseded"
    except (SoftTimeLimitExceeded, OutOfTime):
        report = report_of(error=_too_long())
    except Exception as exc:  # the engine or its sandbox: tell the author, keep the worker
        logger.exception("draft %s: validation failed", draft_id)
        report = report_of(error=f"Validation could not run ({exc}). Try again later.")
    stored = draft_store_validation(
        draft_id=draft_id, token=token, checked_hash=files_hash(files), report=report
    )
    if not stored:
        return "superseded"
    return "ok" if report["ok"] else "failed"


@shared_task(name="authoring.tasks.sweep_stuck_validations", ignore_result=True)
def sweep_stuck_validations() -> dict[str, int]:
    result = drafts_sweep()
    return {name: len(ids) for name, ids in result.items()}
