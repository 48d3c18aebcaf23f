from __future__ import annotations

import pytest

from accounts.models import User
from courses.models import Course, Enrolment
from courses.services import course_ensure, enrolment_ensure
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db


def test_enrolment_is_idempotent_and_follows_the_role(people: People) -> None:
    course = course_ensure(slug="ml101", title="ignored: the course exists")
    assert Course.objects.get(slug="ml101").title == "ML 101"
    again = enrolment_ensure(course=course, user=people.alice, role=User.Role.STUDENT)
    assert Enrolment.objects.filter(course=course, user=people.alice).count() == 1
    assert again.role == Enrolment.Role.STUDENT
    promoted = enrolment_ensure(course=course, user=people.alice, role=User.Role.INSTRUCTOR)
    assert promoted.role == Enrolment.Role.INSTRUCTOR
