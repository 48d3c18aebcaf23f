"""Deep linking, Assignment and Grade Services, Names and Role Provisioning against the test LMS
over HTTP: exercises picked in deepgrade become LMS activities with line items, every change of
a student's effective score reaches the LMS (a grading, an override, an extension), an LMS that
is down gets it once back, exam mode holds it until the release date, a refusal is shown."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses.models import Assignment, Enrolment
from courses.services import extension_grant
from lti.models import Identity, LinkedCourse, ResourceLink, ScoreSend
from lti.tasks import send_score, sweep_score_sends
from submissions.overrides import score_override_create
from tests.lti_platform.server import LmsPlatform
from tests.platform.conftest import Bank, FakeGrader, make_submission, run_task
from tests.platform.lti.conftest import launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sends that would be published to the broker (run by `deliver`, as a worker would)."""
    sent: list[int] = []
    monkeypatch.setattr("lti.outbox.publish_now", lambda ids: sent.extend(ids))
    return sent


def deliver(published: list[int]) -> list[str]:
    results = []
    while published:
        results.append(send_score.apply(args=(published.pop(0),)).get())
    return results


def deep_link(lms: LmsPlatform, *slugs: str) -> list[str]:
    """The teacher adds `slugs` through deep linking; the LMS's new activity ids."""
    picker = launch(Client(), lms, "teacher", "deep_link")
    ticket = re.search(r'name="ticket" value="([^"]+)"', picker.content.decode()).group(1)
    answer = Client().post("/lti/deep-link/", {"ticket": ticket, "exercise": list(slugs)})
    assert answer.status_code == 200, answer.content
    text = answer.content.decode()
    assert f"form-action 'self' {lms.url}" in answer["Content-Security-Policy"]
    action = re.search(r'action="([^"]+)" id="lti-return"', text).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', text).group(1)
    back = requests.post(action, data={"JWT": token}, timeout=10)
    assert back.status_code == 200, (back.text, lms.refusals)
    return re.findall(r'data-link="([^"]+)"', back.text)


def student_grades(
    lms: LmsPlatform, bank: Bank, fake_grader: FakeGrader, captured: Any, link: str
) -> User:
    """The student launches `link` and submits a correct solution, graded by the task."""
    launch(Client(), lms, "student", f"link:{link}")
    student = Identity.objects.get(sub=lms.people["student"].sub).user
    submission = make_submission(
        student, bank.code, code="def double_it(x): return 2 * x  # correct"
    )
    with captured(execute=True):
        run_task(submission.pk)
    return student


def test_deep_linked_exercises_become_activities_and_a_grade_reaches_the_lms(
    lms: LmsPlatform,
    exercises: Bank,
    fake_grader: FakeGrader,
    published: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    links = deep_link(lms, "double-it", "count-params")
    assert len(links) == 2 and not lms.refusals
    items = sorted((i["label"], i["scoreMaximum"], i["resourceId"]) for i in lms.lineitems.values())
    assert items == [
        ("Count the parameters", 2.0, "count-params"),
        ("Double it", 10.0, "double-it"),
    ]
    course = LinkedCourse.objects.get().course
    assert set(
        Assignment.objects.filter(course=course, published=True).values_list(
            "exercise__slug", flat=True
        )
    ) == {"double-it", "count-params"}
    double = next(a for a in lms.activities.values() if a.title == "Double it")

    student = student_grades(
        lms, exercises, fake_grader, django_capture_on_commit_callbacks, double.id
    )
    assert Enrolment.objects.get(course=course, user=student).role == "student"
    assert deliver(published) == ["sent"]
    [score] = lms.scores_for("student")
    assert score["scoreGiven"] == 10.0 and score["scoreMaximum"] == 10.0
    assert score["gradingProgress"] == "FullyGraded" and score["activityProgress"] == "Completed"
    assert score["lineitem"] == double.lineitem
    assert ScoreSend.objects.get().status == ScoreSend.Status.SENT
    # Nothing changed: delivered again, nothing more is sent.
    ScoreSend.objects.update(status=ScoreSend.Status.PENDING)
    assert deliver([ScoreSend.objects.get().pk]) == ["unchanged"]
    assert len(lms.scores_for("student")) == 1


def test_an_override_and_an_extension_send_the_new_score(
    lms: LmsPlatform,
    exercises: Bank,
    fake_grader: FakeGrader,
    published: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    [link, _] = deep_link(lms, "double-it", "count-params")
    link = next(a.id for a in lms.activities.values() if a.title == "Double it")
    student = student_grades(lms, exercises, fake_grader, django_capture_on_commit_callbacks, link)
    deliver(published)
    assignment = ResourceLink.objects.get(resource_link_id=link).assignment
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    with django_capture_on_commit_callbacks(execute=True):
        score_override_create(
            assignment=assignment,
            student=student,
            score=7.5,
            reason="oral exam",
            created_by=teacher,
        )
    assert deliver(published) == ["sent"]
    assert [s["scoreGiven"] for s in lms.scores_for("student")] == [10.0, 7.5]
    # An extension changes no score here, but is noticed: sent only if the score moved.
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(days=3))
    assignment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        extension_grant(
            course=assignment.course,
            student=student,
            assignment=assignment,
            due_at=timezone.now() + timedelta(days=1),
            extra_attempts=0,
            reason="ill",
            created_by=teacher,
        )
    assert deliver(published) == ["unchanged"]


def test_an_lms_that_is_down_gets_the_score_once_it_is_back(
    lms: LmsPlatform,
    exercises: Bank,
    fake_grader: FakeGrader,
    published: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.LTI_SEND_MAX_RETRIES = 1
    settings.LTI_SWEEP_INTERVAL = 0
    link = deep_link(lms, "double-it")[0]
    student_grades(lms, exercises, fake_grader, django_capture_on_commit_callbacks, link)
    lms.stop()
    assert deliver(published) == ["left to the sweeper"]
    send = ScoreSend.objects.get()
    assert send.status == ScoreSend.Status.PENDING and send.attempts == 2
    assert "ConnectionError" in send.last_error
    # The instructor sees it waiting.
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    page = as_user(teacher).get(f"/lti/courses/{send.link.context.course.slug}/")
    assert b"Waiting to be sent" in page.content and b"ConnectionError" in page.content
    lms.start()
    assert sweep_score_sends.apply().get() == 1
    assert deliver(published) == ["sent"]
    assert [s["scoreGiven"] for s in lms.scores_for("student")] == [10.0]


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_refusal_by_the_lms_is_kept_with_its_reason_and_can_be_sent_again(
    lms: LmsPlatform,
    exercises: Bank,
    fake_grader: FakeGrader,
    published: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    link = deep_link(lms, "double-it")[0]
    student_grades(lms, exercises, fake_grader, django_capture_on_commit_callbacks, link)
    ResourceLink.objects.update(lineitem_url=f"{lms.url}/lineitems/99")  # deleted in the LMS
    assert deliver(published) == ["refused"]
    send = ScoreSend.objects.get()
    assert send.status == ScoreSend.Status.FAILED and "HTTP 404" in send.last_error
    ResourceLink.objects.update(lineitem_url=f"{lms.url}/lineitems/1")
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    with django_capture_on_commit_callbacks(execute=True):
        as_user(teacher).post(f"/lti/courses/{send.link.context.course.slug}/resend/")
    assert deliver(published) == ["sent"]


def test_exam_mode_holds_the_score_until_the_release(
    lms: LmsPlatform,
    exercises: Bank,
    fake_grader: FakeGrader,
    published: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    if not hasattr(Assignment, "scores_released_at"):
        pytest.skip("exam mode (Assignment.scores_released_at) is not in this tree")
    settings.LTI_SWEEP_INTERVAL = 0
    link = deep_link(lms, "double-it")[0]
    release = timezone.now() + timedelta(hours=2)
    Assignment.objects.filter(exercise__slug="double-it").update(scores_released_at=release)
    student_grades(lms, exercises, fake_grader, django_capture_on_commit_callbacks, link)
    assert deliver(published) == ["withheld"]
    assert ScoreSend.objects.get().status == ScoreSend.Status.WITHHELD
    assert sweep_score_sends.apply().get() == 0 and lms.scores_for("student") == []
    Assignment.objects.filter(exercise__slug="double-it").update(
        scores_released_at=timezone.now() - timedelta(seconds=1)
    )
    assert sweep_score_sends.apply().get() == 1
    assert deliver(published) == ["sent"]
    assert [s["scoreGiven"] for s in lms.scores_for("student")] == [10.0]


def test_roster_sync_enrols_the_lms_members(lms: LmsPlatform, exercises: Bank) -> None:
    lms.add_person(
        "ana", "Ana", "Another", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    )
    launch(Client(), lms, "teacher", "deep_link")
    linked = LinkedCourse.objects.get()
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    response = as_user(teacher).post(
        f"/lti/courses/{linked.course.slug}/roster/{linked.pk}/", follow=True
    )
    assert b"Roster synced: 3 members enrolled (2 new accounts), 0 skipped." in response.content
    roles = dict(
        Enrolment.objects.filter(course=linked.course).values_list("user__first_name", "role")
    )
    assert roles == {"Tess": "instructor", "Sam": "student", "Ana": "student"}
    assert not lms.refusals
    # Someone else's course page stays closed.
    stranger = User.objects.create_user(username="stranger", role=User.Role.INSTRUCTOR)
    assert as_user(stranger).get(f"/lti/courses/{linked.course.slug}/").status_code == 404
