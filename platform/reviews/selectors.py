"""Reading reviews, each scoped to who asks: a student sees only their own submissions' comments
and requests; an instructor only those of the courses they teach (submissions_visible_to, the
project's one rule of who may see a submission); anything else is a 404."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from courses.models import Course
from courses.selectors import is_instructor_of
from reviews.models import LineComment, RegradeRequest
from submissions.models import RubricItem, RubricMark, Submission
from submissions.selectors import submissions_visible_to

# How long an answer stays as a notice on the student's course home.
NOTICE_DAYS = 30


def submission_for_reviewer(*, user: User, submission_id: int) -> Submission:
    """A submission in a course `user` teaches (staff: any in a course); Http404 otherwise."""
    submission = submissions_visible_to(user).filter(pk=submission_id).first()
    if submission is None or submission.course is None:
        raise Http404("no such submission")
    if not is_instructor_of(user, submission.course):
        raise Http404("no such submission")
    return submission


def submission_for_author(*, user: User, submission_id: int) -> Submission:
    submission = submissions_visible_to(user).filter(pk=submission_id, user=user).first()
    if submission is None:
        raise Http404("no such submission")
    return submission


def line_comments_of(submission: Submission) -> list[LineComment]:
    return list(LineComment.objects.filter(submission=submission).select_related("author"))


def rubric_of(submission: Submission) -> list[RubricItem]:
    if submission.course_id is None:
        return []
    return list(
        RubricItem.objects.filter(
            course_id=submission.course_id, exercise_id=submission.exercise_id
        )
    )


def rubric_marks_of(submission: Submission) -> list[RubricMark]:
    return list(RubricMark.objects.filter(submission=submission).select_related("item"))


def requests_of_submission(submission: Submission) -> list[RegradeRequest]:
    return list(RegradeRequest.objects.filter(submission=submission).select_related("answered_by"))


def requests_for_instructor(course: Course) -> QuerySet[RegradeRequest]:
    """The course's requests, open ones first (the queue), then the answered, newest first."""
    return (
        RegradeRequest.objects.filter(submission__course=course)
        .select_related("submission__exercise", "student", "answered_by")
        .order_by("-status", "-created_at")  # "open" sorts after "declined"/"accepted" reversed
    )


def request_for_instructor(course: Course, pk: int) -> RegradeRequest:
    found = requests_for_instructor(course).filter(pk=pk).first()
    if found is None:
        raise Http404("no such request")
    return found


def answered_notices(*, user: User, course: Course) -> list[RegradeRequest]:
    """The student's own requests in the course answered in the last NOTICE_DAYS days."""
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    return list(
        RegradeRequest.objects.filter(
            student=user, submission__course=course, answered_at__gte=since
        )
        .select_related("submission__exercise")
        .order_by("-answered_at")
    )
