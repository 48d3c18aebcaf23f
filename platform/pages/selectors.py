"""Reads for the students' pages: where a student stands in a course, in a few queries.

A course home lists every published assignment with the student's status, best score and
attempts, under the student's own rules (their extensions). All of it comes from a fixed number
of queries (the assignments, the student's submissions and applied regrades, their extensions
and score overrides, their practice), never one query per row: a course has dozens of
assignments and the page is opened at every visit.

"What's due" lists the unsolved assignments a graded submission can still earn something on:
the deadline ahead, or past but late work still accepted (in full, or under a penalty that has
not reached 100%), with what late work earns now in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from catalog.selectors import topic_title
from courses.models import Assignment, Course, Enrolment
from courses.rules import StudentRules
from courses.selectors import (
    CourseExceptions,
    assignments_of,
    course_exceptions,
    courses_of_student,
    courses_taught_by,
    exceptions_of_student,
)
from pages.wording import due_in_words, late_now_words, late_policy_words
from submissions.models import COUNTS_AS_TRY, Submission
from submissions.scores import Cell, results_for_student

SOLVED, TRIED, NEW = "solved", "tried", "new"
STATUS_LABELS = {SOLVED: "Solved", TRIED: "Tried", NEW: "New"}

@dataclass(frozen=True)
class AssignmentRow:
    """One assignment of a course as one student stands on it."""

    assignment: Assignment
    status: str  # SOLVED, TRIED or NEW
    best_score: float | None  # the effective result in this course (submissions.scores)
    attempts_used: int  # graded attempts that count, in this course
    now: datetime
    rules: StudentRules  # the student's own deadline and attempts (their extension included)
    result: Cell | None = None  # the same result, with its reason ("less 20% for 2 days late")

    @property
    def exercise(self) -> Exercise:
        return self.assignment.exercise

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def attempts_left(self) -> int | None:
        limit = self.rules.max_attempts
        return None if limit is None else max(0, limit - self.attempts_used)

    @property
    def is_overdue(self) -> bool:
        return self.status != SOLVED and self.rules.is_past_due(self.now)

    @property
    def due_words(self) -> str:
        return due_in_words(self.rules.due_at, self.now, solved=self.status == SOLVED)

    @property
    def late_words(self) -> str:
        return late_policy_words(self.rules)

    @property
    def late_now_words(self) -> str:
        """Overdue: what late work earns now ("late work loses 10% per day, 80% now ...")."""
        return late_now_words(self.rules, self.now) if self.is_overdue else ""

    @property
    def is_due_ahead(self) -> bool:
        """Unsolved with a deadline still to come."""
        due = self.rules.due_at
        return self.status != SOLVED and due is not None and due > self.now

    @property
    def is_due(self) -> bool:
        """What the "What's due" list shows: unsolved, with a deadline, where a graded
        submission can still earn something now (deadline ahead, or late work still accepted)
        and the student has attempts left; a score set by hand leaves nothing to do."""
        if self.status == SOLVED or self.rules.due_at is None or self.attempts_left == 0:
            return False
        if self.result is not None and self.result.is_overridden:
            return False
        return self.is_due_ahead or bool(self.late_now_words)


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
    *,
    user: User,
    course: Course,
    now: datetime | None = None,
    exceptions: CourseExceptions | None = None,
) -> list[AssignmentRow]:
    """The course's published assignments in order, each with `user`'s standing (6 queries).

    Solved and the score are submissions.scores' rules (the gradebook's), under the student's
    own rules (`exceptions`: theirs in this course, read here when not given). Tried: any
    graded attempt in this course or any practice run that counts (an unparseable answer or a
    grader fault does not). Regrade rows are left out: they are an instructor's, not a try.
    """
    now = now or timezone.now()
    if exceptions is None:
        exceptions = course_exceptions(course, student_ids=[user.pk])
    assignments = list(assignments_of(course, published_only=True))
    results = results_for_student(
        user=user, course=course, assignments=assignments, exceptions=exceptions
    )
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
                rules=cell.rules or exceptions.rules(assignment, user.pk),
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


def whats_due(rows: Iterable[AssignmentRow]) -> list[AssignmentRow]:
    """What's due (AssignmentRow.is_due), by the student's deadline: overdue ones that still
    accept late work first (they lose more each day), then the soonest."""
    return sorted(
        (row for row in rows if row.is_due),
        key=lambda row: row.rules.due_at or row.now,
    )


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    solved: int
    total: int
    due: list[AssignmentRow]  # what's due (whats_due), most urgent first
    now: datetime

    @property
    def next_due(self) -> AssignmentRow | None:
        return self.due[0] if self.due else None


def course_summaries(*, user: User, now: datetime | None = None) -> list[CourseSummary]:
    """The courses `user` studies in, with progress and what's due (3 + 2 per course)."""
    now = now or timezone.now()
    courses = list(courses_of_student(user))
    by_pk = {course.pk: course for course in courses}
    assignments = (
        Assignment.objects.filter(course__in=courses, published=True, exercise__is_active=True)
        .select_related("exercise")
        .order_by("due_at", "id")
    )
    by_course: dict[int, list[Assignment]] = {course.pk: [] for course in courses}
    for assignment in assignments:
        assignment.course = by_pk[assignment.course_id]  # its time zone, without a query
        by_course[assignment.course_id].append(assignment)
    exceptions = exceptions_of_student(user=user, courses=courses)
    summaries = []
    for course in courses:
        mine = by_course[course.pk]
        cells = results_for_student(
            user=user, course=course, assignments=mine, exceptions=exceptions[course.pk]
        )
        # Solved or not is all this page tells (whether tried would cost the practice query).
        rows = [
            AssignmentRow(
                assignment=assignment,
                status=SOLVED if cells[assignment.exercise_id].solved else NEW,
                best_score=cells[assignment.exercise_id].score,
                attempts_used=cells[assignment.exercise_id].attempts,
                now=now,
                rules=exceptions[course.pk].rules(assignment, user.pk),
                result=cells[assignment.exercise_id],
            )
            for assignment in mine
        ]
        summaries.append(
            CourseSummary(
                course=course,
                solved=sum(row.status == SOLVED for row in rows),
                total=len(rows),
                due=whats_due(rows),
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
