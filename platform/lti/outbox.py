"""Scores on their way to an LMS: one ScoreSend row per (resource link, student), each step a
conditional UPDATE, as a submission's (submissions/lifecycle.py).

- A change of a student's effective score (`score_changed`) bumps the row's `version` and makes
  it pending; the send is published after the commit. Nothing is computed then: the task reads
  the score when it sends, so a burst of changes sends the newest score, and sending twice
  sends the same thing.
- The task claims the row (pending -> sending, with a token), sends, and marks it sent for the
  version it read, only if no change came meanwhile; otherwise the row goes back to pending and
  is sent again.
- While the assignment withholds its results (exam mode, `submissions.rules.score_withheld`)
  the row is `withheld` and nothing leaves; the sweeper (celery beat, every
  LTI_SWEEP_INTERVAL seconds) makes it pending once the release date has passed.
- An LMS that is down: the row goes back to pending with its error, the task retries with a
  doubling delay (lti/tasks.py), and after its last retry the sweeper keeps publishing it, so
  nothing is lost however long the LMS is away. An LMS that refuses (a 4xx): `failed`, with its
  answer, shown to the instructor, who can send again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from core.queues import PUBLISH_RETRY_POLICY
from courses.models import Enrolment
from lti.models import Identity, ResourceLink, ScoreSend
from lti.platform_api import ScoreToSend, score_send
from submissions.rules import score_withheld
from submissions.scores import EPSILON, student_result

logger = logging.getLogger(__name__)

Status = ScoreSend.Status
# A send claimed longer ago than this lost its worker (the HTTP calls time out far sooner).
SENDING_STUCK_AFTER = timedelta(minutes=5)


def publish_now(send_ids: Iterable[int]) -> None:
    """Publish the sends' messages; with the broker away, the sweeper publishes them later
    (the rows are pending), so a failure here is only logged."""
    from lti.tasks import send_score  # the task module imports this one

    for send_id in send_ids:
        try:
            send_score.apply_async((send_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception:
            logger.warning("score send %s not published; the sweeper will", send_id)


def publish_after_commit(send_ids: list[int]) -> None:
    if send_ids:
        transaction.on_commit(lambda: publish_now(send_ids), robust=True)


@transaction.atomic
def score_changed(*, assignment_id: int, student_id: int) -> list[int]:
    """The student's effective score on the assignment may have moved: every LMS activity
    linked to it that knows the student gets a send (ids returned). A student unknown to an
    LMS (never launched, not in its roster) has no LMS user id there: nothing to send."""
    links = ResourceLink.objects.filter(assignment_id=assignment_id).select_related(
        "context__platform"
    )
    issuers = set(Identity.objects.filter(user_id=student_id).values_list("issuer", flat=True))
    ids = []
    for link in links:
        if link.context.platform.issuer not in issuers:
            continue
        send, _ = ScoreSend.objects.get_or_create(link=link, student_id=student_id)
        # A send on its way stays claimed (its holder sees the new version and sends again);
        # any other state waits for the new send.
        ScoreSend.objects.filter(pk=send.pk).update(
            version=F("version") + 1,
            status=Case(
                When(status=Status.SENDING, then=Value(Status.SENDING)),
                default=Value(Status.PENDING),
            ),
            updated_at=timezone.now(),
        )
        ids.append(send.pk)
    publish_after_commit(ids)
    return ids


def assignment_changed(*, assignment_id: int) -> None:
    """Its rules changed (deadline, late policy, release date): every linked student's score
    may have moved."""
    links = ResourceLink.objects.filter(assignment_id=assignment_id).select_related(
        "context__platform", "assignment"
    )
    for link in links:
        students = Identity.objects.filter(
            issuer=link.context.platform.issuer,
            user__enrolments__course_id=link.assignment.course_id,
            user__enrolments__role=Enrolment.Role.STUDENT,
        ).values_list("user_id", flat=True)
        for student_id in students:
            score_changed(assignment_id=assignment_id, student_id=student_id)


def student_rules_changed(*, course_id: int, student_id: int) -> None:
    """An extension given or taken back: their late factors on the course's linked
    assignments may have moved."""
    linked = ResourceLink.objects.filter(assignment__course_id=course_id).values_list(
        "assignment_id", flat=True
    )
    for assignment_id in set(linked):
        score_changed(assignment_id=assignment_id, student_id=student_id)


# -- the task's steps ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    send_id: int
    token: uuid.UUID
    version: int


def send_claim(*, send_id: int) -> Claim | None:
    """pending -> sending for exactly one caller; None when another delivery has it, or it is
    sent, withheld or failed already."""
    token = uuid.uuid4()
    now = timezone.now()
    updated = ScoreSend.objects.filter(pk=send_id, status=Status.PENDING).update(
        status=Status.SENDING, claim_token=token, claimed_at=now, updated_at=now
    )
    if updated != 1:
        return None  # Nothing got updated: another delivery got there first.
    version = ScoreSend.objects.filter(pk=send_id).values_list("version", flat=True).get()
    return Claim(send_id, token, version)


def send_one(claim: Claim, send: Callable[[ResourceLink, ScoreToSend], None] = score_send) -> str:
    """Send the student's effective score as it is now, unless withheld or there already.
    Returns what happened; PlatformUnavailable / PlatformRefused from `send` propagate."""
    row = ScoreSend.objects.select_related(
        "link__context__platform",
        "link__assignment__exercise",
        "link__assignment__course",
        "student",
    ).get(pk=claim.send_id)
    assignment = row.link.assignment
    if score_withheld(assignment):
        _finish(claim, status=Status.WITHHELD)
        return "withheld"
    identity = Identity.objects.filter(
        issuer=row.link.context.platform.issuer, user=row.student
    ).first()
    cell = student_result(assignment=assignment, student=row.student)
    given, maximum = cell.score, cell.out_of
    unchanged = (
        row.sent_at is not None
        and _same(row.score_given, given)
        and _same(row.score_maximum, maximum)
    )
    if identity is None or unchanged or (row.sent_at is None and given is None):
        # Nothing the LMS lacks: the score it has, or nothing graded to send yet.
        _finish(claim, status=Status.SENT, given=row.score_given, maximum=row.score_maximum)
        return "unchanged"
    send(
        row.link,
        ScoreToSend(
            user_id=identity.sub,
            score_given=given,
            score_maximum=maximum,
            timestamp=timezone.now(),
        ),
    )
    _finish(claim, status=Status.SENT, given=given, maximum=maximum, sent=True)
    return "sent"


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < EPSILON)


def _finish(
    claim: Claim,
    *,
    status: str,
    given: float | None = None,
    maximum: float | None = None,
    sent: bool = False,
) -> None:
    """sending -> `status` for the claim holder, if no change came since the claim; else back
    to pending, and published again."""
    now = timezone.now()
    values: dict[str, object] = {
        "status": status,
        "claim_token": None,
        "sent_version": claim.version,
        "updated_at": now,
        "last_error": "",
        "attempts": 0,
    }
    if status == Status.SENT:
        values.update(score_given=given, score_maximum=maximum)
        if sent:
            values["sent_at"] = now
    held = ScoreSend.objects.filter(pk=claim.send_id, claim_token=claim.token)
    if held.filter(version=claim.version).update(**values) == 1:
        return
    if held.update(status=Status.PENDING, claim_token=None, updated_at=now) == 1:
        publish_now([claim.send_id])  # a newer score came while this one was on its way


def send_release(claim: Claim, error: str) -> None:
    """sending -> pending after a failure worth retrying, with what went wrong."""
    ScoreSend.objects.filter(pk=claim.send_id, claim_token=claim.token).update(
        status=Status.PENDING,
        claim_token=None,
        attempts=F("attempts") + 1,
        last_error=error[:500],
        updated_at=timezone.now(),
    )


def send_failed(claim: Claim, error: str) -> None:
    """sending -> failed: the LMS refused; the instructor sees why and may send again."""
    logger.warning("score send %s refused by the LMS: %s", claim.send_id, error)
    ScoreSend.objects.filter(pk=claim.send_id, claim_token=claim.token).update(
        status=Status.FAILED,
        claim_token=None,
        attempts=F("attempts") + 1,
        last_error=error[:500],
        updated_at=timezone.now(),
    )


@transaction.atomic
def sends_retry(*, send_ids: Iterable[int]) -> int:
    """An instructor's "send again": failed or waiting sends go now, even a score the LMS is
    believed to have (`sent_at` cleared)."""
    ids = list(
        ScoreSend.objects.filter(
            pk__in=list(send_ids), status__in=(Status.FAILED, Status.PENDING, Status.SENT)
        ).values_list("pk", flat=True)
    )
    ScoreSend.objects.filter(pk__in=ids).update(
        status=Status.PENDING, sent_at=None, updated_at=timezone.now()
    )
    publish_after_commit(ids)
    return len(ids)


def sweep() -> list[int]:
    """What the beat task republishes: pending sends untouched for a sweep interval (their
    message or their retries were lost), sends claimed by a worker that died, and withheld
    ones whose results are released now."""
    now = timezone.now()
    quiet = now - timedelta(seconds=settings.LTI_SWEEP_INTERVAL)
    ScoreSend.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - SENDING_STUCK_AFTER
    ).update(status=Status.PENDING, claim_token=None, updated_at=now)
    released = [
        send.pk
        for send in ScoreSend.objects.filter(status=Status.WITHHELD).select_related(
            "link__assignment"
        )
        if not score_withheld(send.link.assignment, now)
    ]
    ScoreSend.objects.filter(pk__in=released, status=Status.WITHHELD).update(
        status=Status.PENDING, updated_at=now
    )
    stale = ScoreSend.objects.filter(status=Status.PENDING, updated_at__lt=quiet).values_list(
        "pk", flat=True
    )
    return sorted({*stale, *released})
