"""Reads for courses, and the one place that decides who may see which course.

A course is reachable by its members; its instructor pages only by its instructors (and
platform staff). Anything else is a 404, not a 403: a 403 would confirm the course exists.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from catalog.models import AlertResolution, Exercise, ExerciseAlert
from catalog.selectors import by_topic, exercise_get_in, exercise_list
from core.prepared import PreparedQuery
from courses.models import (
    Assignment,
    Course,
    Enrolment,
    Extension,
    Invitation,
    ScoreOverride,
)
from courses.rules import StudentRules, student_rules


def courses_taught_by(user: User) -> QuerySet[Course]:
    if user.is_platform_staff:
        return Course.objects.all().order_by("title")
    return Course.objects.filter(
        enrolments__user=user, enrolments__role=Enrolment.Role.INSTRUCTOR
    ).order_by("title")


def courses_of_student(user: User) -> QuerySet[Course]:
    return Course.objects.filter(
        enrolments__user=user, enrolments__role=Enrolment.Role.STUDENT
    ).order_by("title")


def course_get_for_member(*, user: User, slug: str) -> Course:
    """A course the user studies or teaches in (staff: any); Http404 otherwise."""
    course = Course.objects.filter(slug=slug).first()
    if course is None or not (
        user.is_platform_staff or Enrolment.objects.filter(course=course, user=user).exists()
    ):
        raise Http404("no such course")
    return course


def course_get_for_instructor(*, user: User, slug: str) -> Course:
    """A course the user teaches (staff: any); Http404 otherwise, also for its students."""
    course = courses_taught_by(user).filter(slug=slug).first()
    if course is None:
        raise Http404("no such course")
    return course


def is_instructor_of(user: User, course: Course) -> bool:
    return (
        user.is_platform_staff
        or Enrolment.objects.filter(
            course=course, user=user, role=Enrolment.Role.INSTRUCTOR
        ).exists()
    )


def students_of(course: Course) -> QuerySet[User]:
    return User.objects.filter(
        enrolments__course=course, enrolments__role=Enrolment.Role.STUDENT
    ).order_by("last_name", "first_name", "username")


def assignments_of(course: Course, *, published_only: bool = False) -> QuerySet[Assignment]:
    """The course's assignments in order: topic order, then the instructor's order."""
    # Through the course's manager: each assignment's `.course` is this very object, so the
    # rules (its time zone) cost no query per assignment.
    qs = course.assignments.select_related("exercise", "exercise__current_version")
    if published_only:
        qs = qs.filter(published=True, exercise__is_active=True)
    return qs.order_by(
        "exercise__topic_rank", "exercise__topic", "order", "exercise__order", "exercise__slug"
    )


def assignment_for(
    *, user: User, exercise: Exercise, course: Course | None = None
) -> Assignment | None:
    """The published assignment of `exercise` in a course where `user` is a student.

    With `course`, only that course; without, the one due soonest (undated last), so a student
    in two courses that assign the same exercise gets the more urgent one.
    """
    if course is None:
        assignment = _ASSIGNMENT_DUE_FIRST.first(user_id=user.pk, exercise_id=exercise.pk)
    else:
        assignment = _ASSIGNMENT_IN_COURSE.first(
            user_id=user.pk, exercise_id=exercise.pk, course_id=course.pk
        )
    if assignment is not None:
        assignment.exercise = exercise
    return assignment


def _assignments_of(user_id: int, exercise_id: int) -> QuerySet[Assignment]:
    return _published_to(user_id).filter(exercise_id=exercise_id).select_related("course")


_DUE_FIRST = (F("due_at").asc(nulls_last=True), "id")
# Every submission looks its assignment up: prepared (core/prepared.py), not compiled anew.
_ASSIGNMENT_DUE_FIRST = PreparedQuery(
    lambda user_id, exercise_id: _assignments_of(user_id, exercise_id).order_by(*_DUE_FIRST)[:1],
    user_id=int,
    exercise_id=int,
)
_ASSIGNMENT_IN_COURSE = PreparedQuery(
    lambda user_id, exercise_id, course_id: (
        _assignments_of(user_id, exercise_id).filter(course_id=course_id).order_by(*_DUE_FIRST)[:1]
    ),
    user_id=int,
    exercise_id=int,
    course_id=int,
)


def exercise_visible_to(user: User) -> Q:
    """Which exercises a user may open: the public bank (self-test), those published in their
    courses, and, for instructors and staff, everything they could assign."""
    if user.is_platform_staff or user.is_instructor:
        return Q()
    return Q(is_public=True) | Q(pk__in=_published_to(user).values("exercise"))


def exercise_is_visible(*, user: User, exercise: Exercise) -> bool:
    """`exercise_visible_to` for one exercise already loaded (no query when it is public)."""
    if exercise.is_public or user.is_platform_staff or user.is_instructor:
        return True
    return _published_to(user).filter(exercise=exercise).exists()


def alert_open_in(course: Any) -> Q:
    """The alerts still open for `course` (a Course, its pk, or an OuterRef to a course id).

    The one rule of per-course resolution: an alert is open in a course unless it is closed
    everywhere (`resolved_at`) or that course resolved it at or after its last occurrence. A
    failure after a course's resolution counts the alert up (`last_seen`), which shows it in
    that course again, as it used to open a new alert when resolutions were global.
    """
    resolved_here = AlertResolution.objects.filter(
        alert=OuterRef("pk"), course=course, resolved_at__gte=OuterRef("last_seen")
    )
    return Q(resolved_at__isnull=True) & ~Q(Exists(resolved_here))


def exercises_visible_to(user: User) -> QuerySet[Exercise]:
    """The open exercises `user` may see (exercise_visible_to), in the catalog's order."""
    return exercise_list().filter(exercise_visible_to(user))


def exercise_get_for(user: User, slug: str) -> Exercise:
    """An open exercise `user` may see, with its current version; Http404 otherwise."""
    return exercise_get_in(exercises_visible_to(user), slug)


def exercises_by_topic_for(user: User) -> list[tuple[str, list[Exercise]]]:
    return by_topic(exercises_visible_to(user))


def _published_to(user: User | int) -> QuerySet[Assignment]:
    """The published assignments of the courses where `user` (or the user of that id) is a
    student."""
    return Assignment.objects.filter(
        published=True,
        course__enrolments__user=user,
        course__enrolments__role=Enrolment.Role.STUDENT,
    )


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    student_count: int
    published_count: int  # published assignments of active exercises (what students see)
    open_alerts: int


def course_summaries_for(user: User) -> list[CourseSummary]:
    """The courses `user` teaches (staff: all) with the numbers of the /teach/ page."""
    # Counted on a fresh queryset: annotating courses_taught_by() directly would count over
    # its enrolment join, which is filtered to the instructor's own row.
    courses = list(
        Course.objects.filter(pk__in=courses_taught_by(user).values("pk"))
        .annotate(
            student_count=Count(
                "enrolments",
                filter=Q(enrolments__role=Enrolment.Role.STUDENT),
                distinct=True,
            ),
            published_count=Count(
                "assignments",
                filter=Q(assignments__published=True, assignments__exercise__is_active=True),
                distinct=True,
            ),
        )
        .order_by("title", "slug")
    )
    # Each (course, alert) pair once, open by the course's own resolutions (alert_open_in).
    alerts = Counter(
        course_id
        for course_id, _ in ExerciseAlert.objects.filter(exercise__assignments__course__in=courses)
        .annotate(assigned_in=F("exercise__assignments__course"))
        .filter(alert_open_in(OuterRef("assigned_in")))
        .values_list("assigned_in", "pk")
        .distinct()
    )
    return [
        CourseSummary(
            course=course,
            student_count=course.student_count,
            published_count=course.published_count,
            open_alerts=alerts[course.pk],
        )
        for course in courses
    ]


def invitations_for(user: User) -> QuerySet[Invitation]:
    """The invitations waiting for `user`'s answer, newest first."""
    return Invitation.objects.filter(user=user).select_related("course", "invited_by")


def instructors_of(course: Course) -> QuerySet[User]:
    return User.objects.filter(
        enrolments__course=course, enrolments__role=Enrolment.Role.INSTRUCTOR
    ).order_by("last_name", "first_name", "username")


@dataclass(frozen=True)
class AssignmentRow:
    exercise: Exercise
    assignment: Assignment | None  # None: not assigned in the course


def assignment_table(*, course: Course, user: User) -> list[tuple[str, list[AssignmentRow]]]:
    """Every exercise `user` may assign, by topic, with its assignment in `course` if any."""
    assigned = {a.exercise_id: a for a in Assignment.objects.filter(course=course)}
    return [
        (title, [AssignmentRow(exercise, assigned.get(exercise.pk)) for exercise in exercises])
        for title, exercises in exercises_by_topic_for(user)
    ]


def assignment_in(*, course: Course, exercise: Exercise) -> Assignment | None:
    return Assignment.objects.filter(course=course, exercise=exercise).first()


def alerts_for_course(course: Course) -> QuerySet[ExerciseAlert]:
    """Alerts open in `course` (not resolved for it: alert_open_in) about exercises assigned in
    it (published or not), newest first."""
    return (
        ExerciseAlert.objects.filter(
            alert_open_in(course),
            exercise__in=Assignment.objects.filter(course=course).values("exercise"),
        )
        .select_related("exercise", "version")
        .order_by("-last_seen", "-pk")
    )


def alert_get_for_course(*, course: Course, pk: int) -> ExerciseAlert | None:
    """An alert (open or resolved) about an exercise assigned in `course`; None otherwise."""
    return (
        ExerciseAlert.objects.filter(
            pk=pk, exercise__in=Assignment.objects.filter(course=course).values("exercise")
        )
        .select_related("exercise")
        .first()
    )


# -- a student's own rules: extensions, and scores set by hand ------------------------------------
def _extensions_of(course_id: int, student_id: int, assignment_id: int) -> QuerySet[Extension]:
    return Extension.objects.filter(course_id=course_id, student_id=student_id).filter(
        Q(assignment_id=assignment_id) | Q(assignment__isnull=True)
    )


# Asked by every graded submission (its refusals and attempt limit): prepared.
_EXTENSIONS_OF = PreparedQuery(
    lambda course_id, student_id, assignment_id: _extensions_of(
        course_id, student_id, assignment_id
    ).order_by("pk"),
    course_id=int,
    student_id=int,
    assignment_id=int,
)


def rules_for(assignment: Assignment, student: User | None) -> StudentRules:
    """`assignment`'s rules for `student`, their extensions included (one query); for None
    (an instructor's preview, a page without a student) the assignment's own."""
    if student is None or student.pk is None or assignment.pk is None:
        return student_rules(assignment)
    found = _EXTENSIONS_OF.all(
        course_id=assignment.course_id, student_id=student.pk, assignment_id=assignment.pk
    )
    return student_rules(assignment, found)


@dataclass
class CourseExceptions:
    """A course's extensions and standing score overrides, read once for many students and
    assignments (the gradebook, a course home): no query per student or per cell."""

    extensions: dict[int, list[Extension]] = field(default_factory=dict)  # by student id
    # (assignment id, student id) -> the newest override row, if its score is set.
    overrides: dict[tuple[int, int], ScoreOverride] = field(default_factory=dict)

    def rules(self, assignment: Assignment, student_id: int) -> StudentRules:
        return student_rules(assignment, self.extensions.get(student_id, ()))

    def override(self, assignment: Assignment, student_id: int) -> ScoreOverride | None:
        return self.overrides.get((assignment.pk, student_id))

    def overridden_students(self, assignment: Assignment) -> list[int]:
        return [student for (pk, student) in self.overrides if pk == assignment.pk]


def _standing(rows: Iterable[ScoreOverride]) -> dict[tuple[int, int], ScoreOverride]:
    """The newest row of each (assignment, student), kept only if it sets a score: a newer
    row supersedes, and a row without a score clears."""
    newest: dict[tuple[int, int], ScoreOverride] = {}
    for row in rows:  # oldest first
        newest[(row.assignment_id, row.student_id)] = row
    return {key: row for key, row in newest.items() if row.score is not None}


def course_exceptions(
    course: Course, *, student_ids: Iterable[int] | None = None
) -> CourseExceptions:
    """The course's extensions and standing overrides (of these students): two queries."""
    extensions = Extension.objects.filter(course=course)
    overrides = ScoreOverride.objects.filter(assignment__course=course)
    if student_ids is not None:
        ids = list(student_ids)
        extensions = extensions.filter(student_id__in=ids)
        overrides = overrides.filter(student_id__in=ids)
    by_student: dict[int, list[Extension]] = defaultdict(list)
    for extension in extensions.order_by("pk"):
        by_student[extension.student_id].append(extension)
    standing = _standing(overrides.select_related("created_by").order_by("created_at", "pk"))
    return CourseExceptions(dict(by_student), standing)


def exceptions_of_student(*, user: User, courses: Iterable[Course]) -> dict[int, CourseExceptions]:
    """Course id -> `user`'s extensions and standing overrides there: two queries for all the
    courses (the courses page)."""
    ids = [course.pk for course in courses]
    found: dict[int, CourseExceptions] = {pk: CourseExceptions() for pk in ids}
    for extension in Extension.objects.filter(course_id__in=ids, student=user).order_by("pk"):
        found[extension.course_id].extensions.setdefault(user.pk, []).append(extension)
    overrides = (
        ScoreOverride.objects.filter(assignment__course_id__in=ids, student=user)
        .select_related("created_by", "assignment")
        .order_by("created_at", "pk")
    )
    for key, row in _standing(overrides).items():
        found[row.assignment.course_id].overrides[key] = row
    return found


def extensions_for_pairs(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], list[Extension]]:
    """(course id, student id) -> that student's extensions in that course, in one query."""
    wanted = set(pairs)
    if not wanted:
        return {}
    query = Q()
    for course_id, student_id in wanted:
        query |= Q(course_id=course_id, student_id=student_id)
    found: dict[tuple[int, int], list[Extension]] = defaultdict(list)
    for extension in Extension.objects.filter(query).order_by("pk"):
        found[(extension.course_id, extension.student_id)].append(extension)
    return dict(found)


def extensions_of(course: Course) -> QuerySet[Extension]:
    """The course's extensions, for its instructors' page: by student, course-wide first."""
    return (
        Extension.objects.filter(course=course)
        .select_related("student", "assignment__exercise", "created_by")
        .order_by("student__username", F("assignment_id").asc(nulls_first=True), "pk")
    )


def extensions_of_student(*, course: Course, student: User) -> list[Extension]:
    return list(extensions_of(course).filter(student=student))


def score_overrides_of(*, assignment: Assignment, student: User) -> list[ScoreOverride]:
    """The audit log of `student`'s score on `assignment`, newest first."""
    return list(
        ScoreOverride.objects.filter(assignment=assignment, student=student)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )
