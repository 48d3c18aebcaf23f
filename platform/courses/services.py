"""Writes for courses: creating them, enrolling people, assigning exercises."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from accounts.models import User
from catalog.models import Exercise
from django.db import transaction
from django.utils.text import slugify

from courses.models import Assignment, Course, Enrolment, new_invite_code


class CourseError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Short names that would collide with /teach/<name>/ pages of the site itself.
RESERVED_SLUGS = frozenset({"exercises", "new", "join"})


@transaction.atomic
def course_ensure(*, slug: str, title: str) -> Course:
    course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title})
    return course


@transaction.atomic
def course_create(*, title: str, slug: str = "", description: str = "", instructor: User) -> Course:
    """A new course taught by `instructor`. CourseError if the slug is taken or empty."""
    slug = slugify(slug or title)[:50]
    if not slug:
        raise CourseError("give the course a title or a short name made of letters and digits")
    if slug in RESERVED_SLUGS:
        raise CourseError(f"{slug!r} is reserved for the site's own pages: choose another")
    if Course.objects.filter(slug=slug).exists():
        raise CourseError(f"a course with the short name {slug!r} exists already: choose another")
    course = Course.objects.create(slug=slug, title=title.strip(), description=description)
    Enrolment.objects.create(course=course, user=instructor, role=Enrolment.Role.INSTRUCTOR)
    return course


@transaction.atomic
def enrolment_ensure(
    *, course: Course, user: User, role: str = Enrolment.Role.STUDENT
) -> Enrolment:
    """Enrol `user` in `course` with `role` (a user's platform role `staff` enrols as instructor)."""
    course_role = Enrolment.Role.STUDENT if role == User.Role.STUDENT else Enrolment.Role.INSTRUCTOR
    enrolment, created = Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": course_role}
    )
    if not created and enrolment.role != course_role:
        enrolment.role = course_role
        enrolment.save(update_fields=["role"])
    return enrolment


@transaction.atomic
def enrolment_join(*, user: User, invite_code: str) -> Course:
    """The invite link: join the course as a student. An instructor keeps their role."""
    course = Course.objects.filter(invite_code=invite_code, invite_open=True).first()
    if course is None:
        raise CourseError("this invite link is not valid (any more): ask your instructor")
    Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": Enrolment.Role.STUDENT}
    )
    return course


@transaction.atomic
def invite_code_reset(*, course: Course) -> str:
    course.invite_code = new_invite_code()
    course.save(update_fields=["invite_code"])
    return course.invite_code


@dataclass
class CsvEnrolResult:
    enrolled: list[str] = field(default_factory=list)  # existing users now in the course
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, first password)
    already: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 3: ..." messages


CSV_MAX_ROWS = 5000


def enrol_from_csv(*, course: Course, text: str) -> CsvEnrolResult:
    """Enrol the students of a CSV file: a header with `username` and optionally `email`,
    `first_name`, `last_name`. Unknown usernames become new student accounts with a random
    first password (shown once to the instructor). Bad rows are reported, the others kept.
    """
    result = CsvEnrolResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    if "username" not in fields:
        raise CourseError(
            "the CSV needs a header line with a 'username' column "
            "(optional: email, first_name, last_name)"
        )
    reader.fieldnames = fields
    rows: Iterable[dict[str, str | None]] = reader
    for number, row in enumerate(rows, start=2):
        if number - 1 > CSV_MAX_ROWS:
            result.errors.append(f"more than {CSV_MAX_ROWS} rows: the rest was not read")
            break
        _enrol_row(course, number, row, result)
    return result


@transaction.atomic
def _enrol_row(
    course: Course, number: int, row: dict[str, str | None], result: CsvEnrolResult
) -> None:
    from accounts.services import user_create

    username = (row.get("username") or "").strip()
    if not username:
        result.errors.append(f"line {number}: no username")
        return
    if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        result.errors.append(
            f"line {number}: {username[:40]!r} is not a valid username "
            "(letters, digits and @.+-_ only)"
        )
        return
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(9)
        user = user_create(username=username, password=password, role=User.Role.STUDENT)
        for name in ("email", "first_name", "last_name"):
            value = (row.get(name) or "").strip()
            if value:
                setattr(user, name, value[:150])
        user.save()
        result.created.append((username, password))
    elif Enrolment.objects.filter(course=course, user=user).exists():
        result.already.append(username)
        return
    else:
        result.enrolled.append(username)
    Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": Enrolment.Role.STUDENT}
    )


@transaction.atomic
def assignment_ensure(*, course: Course, exercise: Exercise, **settings: object) -> Assignment:
    """Assign `exercise` in `course` (or update its settings if it is assigned already)."""
    assignment, created = Assignment.objects.get_or_create(
        course=course, exercise=exercise, defaults=settings
    )
    if not created and settings:
        for name, value in settings.items():
            setattr(assignment, name, value)
        assignment.save()
    return assignment


@transaction.atomic
def assign_all(*, course: Course, published: bool = True) -> int:
    """Assign every active exercise not yet in the course (the demo course uses this)."""
    have = set(Assignment.objects.filter(course=course).values_list("exercise_id", flat=True))
    new = [
        Assignment(course=course, exercise=exercise, published=published)
        for exercise in Exercise.objects.filter(is_active=True).exclude(pk__in=have)
    ]
    Assignment.objects.bulk_create(new)
    return len(new)
