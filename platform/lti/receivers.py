"""What makes a score go back to an LMS: every change of a student's effective score.

- `submissions.signals.effective_score_changed`: a grading stored, a regrade applied, a score
  set by hand, rubric points (sent by those apps).
- Changes made in `courses`, which cannot send that signal (it sits below submissions in the
  layers): an extension given or taken back (the student's late factor), and an assignment's
  rules that enter the score (deadline, late policy, penalty, the exam-mode release date),
  seen through the models' own signals.

Each receiver only records that a send is due (lti/outbox.py); the sending happens in a Celery
task after the commit. Nothing is done for assignments no LMS activity links to.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from courses.models import Assignment, Extension
from lti import outbox
from lti.models import ResourceLink
from submissions.signals import effective_score_changed

# The assignment's fields that enter a student's effective score or its release.
SCORE_RULES = ("due_at", "late_policy", "penalty_per_day", "scores_released_at")


def _rules(assignment: Assignment) -> tuple[Any, ...]:
    return tuple(getattr(assignment, name, None) for name in SCORE_RULES)


@receiver(effective_score_changed, dispatch_uid="lti.score_changed")
def on_score_changed(sender: Any, assignment_id: int, student_id: int, **_: Any) -> None:
    with transaction.atomic():  # a savepoint: a failure here leaves the sender's work intact
        outbox.score_changed(assignment_id=assignment_id, student_id=student_id)


@receiver(pre_save, sender=Assignment, dispatch_uid="lti.assignment_before")
def remember_rules(sender: Any, instance: Assignment, raw: bool = False, **_: Any) -> None:
    if (
        raw
        or instance.pk is None
        or not ResourceLink.objects.filter(assignment_id=instance.pk).exists()
    ):
        return
    before = Assignment.objects.filter(pk=instance.pk).first()
    instance._lti_rules_before = _rules(before) if before else None  # type: ignore[attr-defined]


@receiver(post_save, sender=Assignment, dispatch_uid="lti.assignment_after")
def on_assignment_saved(sender: Any, instance: Assignment, raw: bool = False, **_: Any) -> None:
    before = getattr(instance, "_lti_rules_before", None)
    if raw or before is None:
        return
    instance._lti_rules_before = None  # type: ignore[attr-defined]
    if before != _rules(instance):
        with transaction.atomic():
            outbox.assignment_changed(assignment_id=instance.pk)


@receiver(post_save, sender=Extension, dispatch_uid="lti.extension_saved")
@receiver(post_delete, sender=Extension, dispatch_uid="lti.extension_deleted")
def on_extension_changed(sender: Any, instance: Extension, raw: bool = False, **_: Any) -> None:
    if raw or not ResourceLink.objects.filter(assignment__course_id=instance.course_id).exists():
        return
    with transaction.atomic():
        outbox.student_rules_changed(course_id=instance.course_id, student_id=instance.student_id)
