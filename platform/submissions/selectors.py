"""Reads for submissions. Who may see what is decided here, once, for pages and API alike."""

from __future__ import annotations

from accounts.models import User
from catalog.models import Exercise
from courses.selectors import students_taught_by
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from submissions.models import Submission


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Students: their own. Instructors: their own and their courses' students'. Staff: all."""
    qs = Submission.objects.select_related("exercise", "user")
    if user.is_platform_staff:
        return qs
    if user.is_instructor:
        return qs.filter(Q(user=user) | Q(user__in=students_taught_by(user)))
    return qs.filter(user=user)


def submission_get_for_user(*, user: User, submission_id: int) -> Submission:
    """One submission the user may see; Http404 otherwise.

    404 and not 403 for someone else's submission: a 403 would confirm that the id exists.
    """
    submission = (
        submissions_visible_to(user).select_related("version").filter(pk=submission_id).first()
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


def submission_list_for_student(
    *, user: User, exercise: Exercise | None = None
) -> QuerySet[Submission]:
    qs = Submission.objects.filter(user=user).select_related("exercise")
    if exercise is not None:
        qs = qs.filter(exercise=exercise)
    return qs.order_by("-created_at", "-id")


def best_scores_for_student(*, user: User) -> dict[int, float]:
    """Exercise id -> the best score of the student's graded, finished submissions."""
    rows = (
        Submission.objects.filter(
            user=user,
            mode=Submission.Mode.GRADED,
            status=Submission.Status.DONE,
            regrade_of__isnull=True,
        )
        .values("exercise_id")
        .annotate(best=Max("score"))
    )
    return {row["exercise_id"]: row["best"] for row in rows if row["best"] is not None}
