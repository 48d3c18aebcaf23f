"""Reads for the students' pages: where a student stands in a course, in a few queries.

A course home lists every published assignment with the student's status, best score and
attempts. All of it comes from two queries (the assignments, then one aggregate over the
student's submissions grouped by exercise), never one query per row: a course has dozens of
assignments and the page is opened at every visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from accounts.models import User
from catalog.models import Exercise
from catalog.selectors import topic_title
from courses.models import Assignment, Course, Enrolment
from courses.selectors import assignments_of, courses_of_student, courses_taught_by
from django.db.models import F, Q
from django.utils import timezone
from submissions.models import COUNTS_AS_TRY, Submission
from submissions.scores import Cell, results_for_student

from graders.report import Verdict
from pages.wording import due_in_words, late_policy_words

SOLVED, TRIED, NEW = "solved", "tried", "new"
STATUS_LABELS = {SOLVED: "Solved", TRIED: "Tried", NEW: "New"}

_ACCEPTED = Q(status=Submission.Status.DONE, verdict=Verdict.ACCEPTED.value)


@dataclass(frozen=True)
class AssignmentRow:
    """One assignment of a course as one student stands on it."""

    assignment: Assignment
    status: str  # SOLVED, TRIED or NEW
    best_score: float | None  # the effective result in this course (submissions.scores)
    attempts_used: int  # graded attempts that count, in this course
    now: datetime
    result: Cell | None = None  # the same result, with its reason ("less 20% for 2 days late")

    @property
    def exercise(self) -> Exercise:
        return self.assignment.exercise

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def attempts_left(self) -> int | None:
        limit = self.assignment.max_attempts
        return None if limit is None else max(0, limit - self.attempts_used)

    @property
    def is_overdue(self) -> bool:
        return self.status != SOLVED and self.assignment.is_past_due(self.now)

    @property
    def due_words(self) -> str:
        return due_in_words(self.assignment.due_at, self.now, solved=self.status == SOLVED)

    @property
    def late_words(self) -> str:
        return late_policy_words(self.assignment)

    @property
    def is_due_ahead(self) -> bool:
        """Unsolved with a deadline still to come: what the "What's due" list shows."""
        due = self.assignment.due_at
        return self.status != SOLVED and due is not None and due > self.now


@dataclass(frozen=True)
class TopicProgress:
    title: str
    rows: list[AssignmentRow]

    @property
    def solved(self) -> int:
        return sum(row.status == SOLVED for row in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)


def assignment_rows(
    *, user: User, course: Course, now: datetime | None = None
) -> list[AssignmentRow]:
    """The course's published assignments in order, each with `user`'s standing (4 queries).

    Solved and the score are submissions.scores' rules (the gradebook's). Tried: any graded
    attempt in this course or any practice run that counts (an unparseable answer or a grader
    fault does not). Regrade rows are left out: they are an instructor's, not a try.
    """
    now = now or timezone.now()
    assignments = list(assignments_of(course, published_only=True))
    results = results_for_student(user=user, course=course, assignments=assignments)
    practised = set(
        Submission.objects.filter(
            COUNTS_AS_TRY,
            user=user,
            mode=Submission.Mode.PRACTICE,
            exercise_id__in=[a.exercise_id for a in assignments],
            regrade_of__isnull=True,
        )
        .order_by()
        .values_list("exercise_id", flat=True)
        .distinct()
    )
    rows = []
    for assignment in assignments:
        cell = results[assignment.exercise_id]
        tried = cell.attempts > 0 or assignment.exercise_id in practised
        status = SOLVED if cell.solved else TRIED if tried else NEW
        rows.append(
            AssignmentRow(
                assignment=assignment,
                status=status,
                best_score=cell.score,
                attempts_used=cell.attempts,
                now=now,
                result=cell,
            )
        )
    return rows


def topics_of(rows: Iterable[AssignmentRow]) -> list[TopicProgress]:
    """Rows grouped by topic, in the order `assignment_rows` gives (topic order first)."""
    return [
        TopicProgress(topic_title(topic), list(items))
        for topic, items in groupby(rows, key=lambda row: row.exercise.topic)
    ]


def due_ahead(rows: Iterable[AssignmentRow]) -> list[AssignmentRow]:
    """Unsolved assignments whose deadline is still to come, soonest first."""
    return sorted(
        (row for row in rows if row.is_due_ahead),
        key=lambda row: row.assignment.due_at or row.now,
    )


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    solved: int
    total: int
    next_due: Assignment | None  # the soonest unsolved assignment still to come
    now: datetime

    @property
    def next_due_words(self) -> str:
        return due_in_words(self.next_due.due_at, self.now) if self.next_due else ""


def course_summaries(*, user: User, now: datetime | None = None) -> list[CourseSummary]:
    """The courses `user` studies in, with progress and next deadline (2 + 2 per course)."""
    now = now or timezone.now()
    courses = list(courses_of_student(user))
    assignments = (
        Assignment.objects.filter(course__in=courses, published=True, exercise__is_active=True)
        .select_related("exercise")
        .order_by("due_at", "id")
    )
    by_course: dict[int, list[Assignment]] = {course.pk: [] for course in courses}
    for assignment in assignments:
        by_course[assignment.course_id].append(assignment)
    solved = {
        (course.pk, exercise_id)
        for course in courses
        for exercise_id, cell in results_for_student(
            user=user, course=course, assignments=by_course[course.pk]
        ).items()
        if cell.solved
    }
    summaries = []
    for course in courses:
        mine = by_course[course.pk]
        open_ahead = [
            a
            for a in mine
            if (course.pk, a.exercise_id) not in solved and a.due_at is not None and a.due_at > now
        ]
        summaries.append(
            CourseSummary(
                course=course,
                solved=sum((course.pk, a.exercise_id) in solved for a in mine),
                total=len(mine),
                next_due=open_ahead[0] if open_ahead else None,  # ordered by due_at
                now=now,
            )
        )
    return summaries


def assignments_by_exercise(user: User) -> dict[int, Assignment]:
    """Exercise id -> the published assignment it counts in for `user` (a student): when two
    courses assign it, the one due soonest, undated last (for the self-test catalog)."""
    rows = (
        Assignment.objects.filter(course__in=courses_of_student(user), published=True)
        .select_related("course")
        # Undated first and the soonest deadline last: the last one per exercise wins.
        .order_by(F("due_at").desc(nulls_first=True))
    )
    return {assignment.exercise_id: assignment for assignment in rows}


def courses_taught_list(user: User) -> list[Course]:
    """Courses `user` teaches (staff: all), for the instructors' part of the courses page."""
    if not (user.is_instructor or user.is_platform_staff):
        return []
    return list(courses_taught_by(user))


def single_course_of(user: User) -> Course | None:
    """The course of a student who is in exactly one (the home page opens it directly)."""
    if user.is_instructor or user.is_platform_staff:
        return None
    courses = list(courses_of_student(user)[:2])
    return courses[0] if len(courses) == 1 else None


def course_for_invite(code: str) -> Course | None:
    """The course an invite code opens, if the link is still open."""
    return Course.objects.filter(invite_code=code, invite_open=True).first()


def is_member(user: User, course: Course) -> bool:
    return Enrolment.objects.filter(course=course, user=user).exists()
