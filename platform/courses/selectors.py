"""Reads for courses."""

from __future__ import annotations

from accounts.models import User
from django.db.models import QuerySet

from courses.models import Enrolment


def students_taught_by(user: User) -> QuerySet[User]:
    """Users enrolled as students in a course where `user` is an instructor."""
    taught = Enrolment.objects.filter(user=user, role=Enrolment.Role.INSTRUCTOR).values("course")
    return User.objects.filter(
        enrolments__course__in=taught, enrolments__role=Enrolment.Role.STUDENT
    ).distinct()
