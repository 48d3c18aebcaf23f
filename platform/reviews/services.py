"""Writing reviews: line comments, rubric items and marks, regrade requests and their answers.

Every refusal is a ReviewInvalid naming the input at fault, which the views show next to what
was typed (a 400). Who may call what is checked by the views through reviews.selectors.

A score set by hand is the gradebook's override (gradebook/services.py, with its audit log):
this app links the instructor to its form rather than importing it, because reviews and
gradebook are independent apps of one layer (pyproject.toml, importlinter).
"""

from __future__ import annotations

import math

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from courses.models import Assignment
from reviews.models import LineComment, RegradeRequest
from submissions.models import RubricItem, RubricMark, Submission
from submissions.overrides import OVERRIDE_REASON_MAX, OverrideInvalid, score_override_create
from submissions.selectors import results_withheld_from
from submissions.signals import announce_submission

TEXT_MAX = 2000
NAME_MAX = 200
POINTS_MAX = 1000.0


class ReviewInvalid(DomainError):
    """A review input refused; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _text(value: str, *, field: str, what: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if not value:
        raise ReviewInvalid(f"write {what}", field=field)
    if len(value) > limit:
        raise ReviewInvalid(f"{what} is {len(value)} characters long; at most {limit}", field=field)
    return value


def _number(value: str, *, field: str, what: str) -> float:
    try:
        number = float(value.strip())
    except (TypeError, ValueError):
        raise ReviewInvalid(f"{what} is a number, such as 1 or 0.5", field=field) from None
    if not math.isfinite(number) or abs(number) > POINTS_MAX:
        raise ReviewInvalid(
            f"{what} is a number from -{POINTS_MAX:g} to {POINTS_MAX:g}", field=field
        )
    return number


def is_reviewable(submission: Submission) -> bool:
    """A graded, original submission in a course: what a review, a rubric and a request are for."""
    return (
        submission.course_id is not None
        and submission.mode == Submission.Mode.GRADED
        and submission.regrade_of_id is None
    )


def line_comment_create(
    *, submission: Submission, line: str, body: str, author: User
) -> LineComment:
    lines = max(1, len(submission.code.splitlines()))
    try:
        number = int(line.strip())
    except (AttributeError, ValueError):
        raise ReviewInvalid(f"the line is a number from 1 to {lines}", field="line") from None
    if not 1 <= number <= lines:
        raise ReviewInvalid(f"the line is a number from 1 to {lines}", field="line")
    text = _text(body, field="body", what="the comment")
    return LineComment.objects.create(submission=submission, line=number, body=text, author=author)


def rubric_item_create(*, submission: Submission, name: str, points: str) -> RubricItem:
    """A new item of the rubric of the submission's exercise in its course."""
    if not is_reviewable(submission):
        raise ReviewInvalid("rubric points are for graded submissions in a course", field="name")
    clean = _text(name, field="name", what="the item's name", limit=NAME_MAX)
    value = _number(points, field="points", what="the points")
    item, created = RubricItem.objects.get_or_create(
        course_id=submission.course_id,
        exercise_id=submission.exercise_id,
        name=clean,
        defaults={"points": value},
    )
    if not created:
        raise ReviewInvalid(f"the rubric already has “{clean}”: tick it instead", field="name")
    return item


def rubric_marks_set(
    *, submission: Submission, item_ids: list[str], created_by: User
) -> list[RubricMark]:
    """Exactly the given items of the rubric marked on the submission (ticked boxes)."""
    if not is_reviewable(submission):
        raise ReviewInvalid("rubric points are for graded submissions in a course", field="items")
    try:
        wanted = {int(value) for value in item_ids}
    except ValueError:
        raise ReviewInvalid("pick items of this exercise's rubric", field="items") from None
    items = {
        item.pk: item
        for item in RubricItem.objects.filter(
            course_id=submission.course_id, exercise_id=submission.exercise_id, pk__in=wanted
        )
    }
    if set(items) != wanted:
        raise ReviewInvalid("pick items of this exercise's rubric", field="items")
    with transaction.atomic():
        RubricMark.objects.filter(submission=submission).exclude(item_id__in=wanted).delete()
        have = set(
            RubricMark.objects.filter(submission=submission).values_list("item_id", flat=True)
        )
        for pk in wanted - have:
            RubricMark.objects.create(submission=submission, item=items[pk], created_by=created_by)
        announce_submission(sender=RubricMark, submission_id=submission.pk)
    return list(RubricMark.objects.filter(submission=submission).select_related("item"))


def regrade_request_create(*, submission: Submission, student: User, reason: str) -> RegradeRequest:
    if submission.user_id != student.pk:
        raise ReviewInvalid("only the submission's author may ask for a review", field="reason")
    if not is_reviewable(submission) or submission.status != Submission.Status.DONE:
        raise ReviewInvalid(
            "a review can be asked for a graded submission in a course", field="reason"
        )
    if when := results_withheld_from(submission, student):
        raise ReviewInvalid(
            f"the results of this assignment are released on {when}: ask for a review then",
            field="reason",
        )
    text = _text(reason, field="reason", what="the reason")
    if RegradeRequest.objects.filter(submission=submission, status="open").exists():
        raise ReviewInvalid("a request for this submission is already open", field="reason")
    try:
        with transaction.atomic():
            return RegradeRequest.objects.create(
                submission=submission, student=student, reason=text
            )
    except IntegrityError:  # a second, simultaneous request: the constraint kept one
        raise ReviewInvalid(
            "a request for this submission is already open", field="reason"
        ) from None


@transaction.atomic
def regrade_request_answer(
    *,
    request: RegradeRequest,
    status: str,
    answer: str,
    answered_by: User,
    score: str = "",
) -> RegradeRequest:
    """Answer a request; an accepted one may set the student's score on the assignment by
    hand at once (`score`, as typed: "" for none), as a score override with its audit row,
    in the same transaction: an answer is never stored without the score it announces."""
    if request.status != RegradeRequest.Status.OPEN:
        raise ReviewInvalid("this request was answered already", field="answer")
    if status not in (RegradeRequest.Status.ACCEPTED, RegradeRequest.Status.DECLINED):
        raise ReviewInvalid("choose accepted or declined", field="status")
    text = _text(answer, field="answer", what="the answer")
    new_score = None
    if score.strip():
        new_score = _number(score, field="score", what="the new score")
        if status != RegradeRequest.Status.ACCEPTED:
            raise ReviewInvalid("a new score goes with an accepted request", field="score")
    updated = RegradeRequest.objects.filter(pk=request.pk, status="open").update(
        status=status, answer=text, answered_by=answered_by, answered_at=timezone.now()
    )
    if not updated:  # another instructor answered in between
        raise ReviewInvalid("this request was answered already", field="answer")
    if new_score is not None:
        submission = request.submission
        assignment = Assignment.objects.get(
            course_id=submission.course_id, exercise_id=submission.exercise_id
        )
        try:
            score_override_create(
                assignment=assignment,
                student=request.student,
                score=new_score,
                reason=f"regrade request #{request.pk} accepted: {text}"[:OVERRIDE_REASON_MAX],
                created_by=answered_by,
            )
        except OverrideInvalid as exc:  # rolls the answer back with it
            raise ReviewInvalid(exc.message, field="score") from None
    request.refresh_from_db()
    return request
