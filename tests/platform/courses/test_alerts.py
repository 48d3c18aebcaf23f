"""Open exercise alerts on the course page, and resolving them."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import ExerciseAlert
from catalog.services import exercise_alert_raise
from courses.models import Assignment, Course
from courses.selectors import alerts_for_course
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


def test_alerts_for_course_are_the_open_ones_of_its_assigned_exercises(
    people: People, exercises: Bank, alert: ExerciseAlert
) -> None:
    ml101 = Course.objects.get(slug="ml101")
    cv201 = Course.objects.get(slug="cv201")
    math_alert, _ = exercise_alert_raise(version=exercises.math.current_version, message="boom")
    ExerciseAlert.objects.filter(pk=math_alert.pk).update(resolved_at=alert.last_seen)

    assert list(alerts_for_course(ml101)) == [alert]
    assert list(alerts_for_course(cv201)) == []  # it does not assign the exercise
    Assignment.objects.filter(course=ml101, exercise=exercises.code).update(published=False)
    assert list(alerts_for_course(ml101)) == [alert]  # unpublished is still assigned


def test_the_course_page_lists_the_alert_with_its_count(
    client: Client, people: People, alert: ExerciseAlert
) -> None:
    client.force_login(people.carol)

    html = client.get("/teach/ml101/").content.decode()

    assert f'data-alert="{alert.pk}"' in html
    assert "ZeroDivisionError: division by zero" in html
    assert "3 submissions affected" in html
    assert f'action="/teach/ml101/alerts/{alert.pk}/resolve/"' in html


def test_resolving_an_alert_sets_its_time_and_hides_it(
    client: Client, people: People, alert: ExerciseAlert
) -> None:
    client.force_login(people.carol)

    response = client.post(f"/teach/ml101/alerts/{alert.pk}/resolve/")

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#alerts"
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert f'data-alert="{alert.pk}"' not in client.get("/teach/ml101/").content.decode()
    first = alert.resolved_at
    again = client.post(f"/teach/ml101/alerts/{alert.pk}/resolve/", follow=True)
    assert "was resolved already" in again.content.decode()
    alert.refresh_from_db()
    assert alert.resolved_at == first


def test_an_alert_of_an_exercise_the_course_does_not_assign_is_404(
    client: Client, people: People, alert: ExerciseAlert
) -> None:
    client.force_login(people.dave)
    assert client.post(f"/teach/cv201/alerts/{alert.pk}/resolve/").status_code == 404
    alert.refresh_from_db()
    assert alert.resolved_at is None
