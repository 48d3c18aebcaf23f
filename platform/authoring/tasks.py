"""Celery task: validate a draft in the worker (never in the web process).

Thin, like grading: claim the draft's queued validation, run the checks, store the report. Safe
to run twice for one id: the second claim finds nothing queued and does nothing. A run that a
newer "Validate" superseded stores nothing (authoring.services.draft_store_validation).
"""

from __future__ import annotations

import logging
from pathlib import Path

from catalog.models import Exercise
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from authoring.folder import files_hash
from authoring.models import ExerciseDraft
from authoring.services import (
    VALIDATION_TIME_LIMIT,
    draft_claim_validation,
    draft_store_validation,
    drafts_sweep,
)

logger = logging.getLogger(__name__)


def _known_slugs() -> set[str]:
    """The exercises a draft's `requires` may name: in the database, or a folder of the bank."""
    known = set(Exercise.objects.values_list("slug", flat=True))
    known.update(
        path.parent.name for path in Path(settings.EXERCISES_DIR).glob("*/*/exercise.toml")
    )
    return known


@shared_task(
    name="authoring.tasks.validate_draft",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # Above the grading limits: validation grades the reference, the starter and every solution
    # for two seeds. The soft limit leaves time to store a "took too long" report.
    soft_time_limit=VALIDATION_TIME_LIMIT - 30,
    time_limit=VALIDATION_TIME_LIMIT,
)
def validate_draft(draft_id: int) -> str:
    from authoring.validation import report_of, validate_files

    token = draft_claim_validation(draft_id=draft_id)
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
        )
    except SoftTimeLimitExceeded:
        report = report_of(
            error=f"Validation took longer than {VALIDATION_TIME_LIMIT - 30} s and was stopped: "
            "lower the limits or the number of cases and solutions."
        )
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
