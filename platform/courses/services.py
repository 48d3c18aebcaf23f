"""Writes for courses."""

from __future__ import annotations

from accounts.models import User
from django.db import transaction

from courses.models import Course, Enrolment


@transaction.atomic
def course_ensure(*, slug: str, title: str) -> Course:
    course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title})
    return course


@transaction.atomic
def enrolment_ensure(*, course: Course, user: User, role: str = Enrolment.Role.STUDENT) -> Enrolment:
    """Enrol `user` in `course` with `role` (a user's platform role `staff` enrols as instructor)."""
    course_role = Enrolment.Role.STUDENT if role == User.Role.STUDENT else Enrolment.Role.INSTRUCTOR
    enrolment, created = Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": course_role}
    )
    if not created and enrolment.role != course_role:
        enrolment.role = course_role
        enrolment.save(update_fields=["role"])
    return enrolment
