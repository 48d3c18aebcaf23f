from __future__ import annotations

import pytest

from accounts.models import User
from courses.models import Course, Enrolment
from courses.selectors import students_taught_by
from courses.services import course_ensure, enrolment_ensure
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db


def test_an_instructor_teaches_the_students_of_their_courses_only(people: People) -> None:
    assert set(students_taught_by(people.carol)) == {people.alice, people.bob}
    assert list(students_taught_by(people.dave)) == []
    assert list(students_taught_by(people.alice)) == []


def test_enrolment_is_idempotent_and_follows_the_role(people: People) -> None:
    course = course_ensure(slug="ml101", title="ignored: the course exists")
    assert Course.objects.get(slug="ml101").title == "ML 101"
    again = enrolment_ensure(course=course, user=people.alice, role=User.Role.STUDENT)
    assert Enrolment.objects.filter(course=course, user=people.alice).count() == 1
    assert again.role == Enrolment.Role.STUDENT
    promoted = enrolment_ensure(course=course, user=people.alice, role=User.Role.INSTRUCTOR)
    assert promoted.role == Enrolment.Role.INSTRUCTOR
