"""The LTI 1.3 core launch over HTTP: a test LMS's launches are taken in (accounts made once
per (issuer, sub), the course on the first instructor launch, the LMS roles), and each bad
launch is refused with a page that says why, never a 500."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk

from accounts.models import User
from courses.models import Enrolment
from lti.models import Deployment, Identity, LinkedCourse, UsedNonce
from tests.lti_platform.server import LEARNER, LmsPlatform
from tests.platform.conftest import Bank
from tests.platform.lti.conftest import enter_link, forged_launch, launch

pytestmark = pytest.mark.django_db

DEPLOYMENT = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


def refused(response: Any, code: str, status: int = 403) -> str:
    text = response.content.decode()
    assert response.status_code == status, text
    assert f'data-code="{code}"' in text, text
    assert "deepgrade could not open this activity" in text
    return text


def test_the_first_instructor_launch_makes_the_course_and_the_account(
    lms: LmsPlatform, exercises: Bank
) -> None:
    response = launch(Client(), lms, "teacher", "deep_link")
    assert response.status_code == 200, response.content
    assert b"Add deepgrade exercises" in response.content
    linked = LinkedCourse.objects.get()
    assert linked.course.title == "Deep Learning 101"
    assert linked.memberships_url == f"{lms.url}/memberships"
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    assert teacher.role == User.Role.INSTRUCTOR
    assert teacher.first_name == "Tess" and teacher.email == "teacher@uni.example"
    assert not teacher.has_usable_password()
    assert Enrolment.objects.get(user=teacher, course=linked.course).role == "instructor"
    # Framable by the LMS, and no session of ours in its frame.
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    # A second launch is the same account and the same course.
    launch(Client(), lms, "teacher", "deep_link")
    assert Identity.objects.count() == 1 and LinkedCourse.objects.count() == 1


def test_a_student_before_any_instructor_is_told_to_wait(lms: LmsPlatform) -> None:
    lms.activities["x"] = lms_activity("x")
    refused(launch(Client(), lms, "student", "link:x"), "course_not_ready")
    assert not User.objects.filter(lti_identities__isnull=False).exists()


def lms_activity(link: str) -> Any:
    from tests.lti_platform.server import Activity

    return Activity(id=link, title="Double it", custom={"deepgrade_exercise": "double-it"})


def test_a_resource_link_opens_the_exercise_signed_in_as_the_lms_user(
    lms: LmsPlatform, exercises: Bank
) -> None:
    lms.activities["rl-1"] = lms_activity("rl-1")
    teacher = launch(Client(), lms, "teacher", "link:rl-1")  # links the course, assigns it
    assert teacher.status_code == 200, teacher.content
    browser = Client()
    framed = launch(browser, lms, "student", "link:rl-1")
    assert framed.status_code == 200
    assert b"Open the exercise in deepgrade" in framed.content
    assert "_auth_user_id" not in browser.session  # the frame gets no session of ours
    # The link signs in, once, in a window of our own.
    link = enter_link(framed)
    opened = browser.get(link)
    course = LinkedCourse.objects.get().course
    assert opened.status_code == 302
    assert opened["Location"] == f"/courses/{course.slug}/exercises/double-it/"
    student = Identity.objects.get(sub=lms.people["student"].sub).user
    assert browser.session["_auth_user_id"] == str(student.pk)
    assert student.role == User.Role.STUDENT
    assert Enrolment.objects.get(user=student, course=course).role == "student"
    page = browser.get(opened["Location"])
    assert page.status_code == 200 and b"Double it" in page.content
    refused(Client().get(link), "forbidden")  # a second use


def test_a_launch_opened_as_a_page_of_its_own_signs_in_at_once(
    lms: LmsPlatform, exercises: Bank
) -> None:
    lms.activities["rl-1"] = lms_activity("rl-1")
    launch(Client(), lms, "teacher", "link:rl-1")
    browser = Client()
    response = launch(browser, lms, "student", "link:rl-1", HTTP_SEC_FETCH_DEST="document")
    assert response.status_code == 302 and response["Location"].endswith("/exercises/double-it/")
    assert browser.session["_auth_user_id"]


def test_an_lms_role_deepgrade_has_no_use_for_is_refused(lms: LmsPlatform) -> None:
    lms.add_person(
        "parent", "Pat", "Parent", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
    )
    refused(launch(Client(), lms, "parent", "deep_link"), "role")


def test_a_student_cannot_deep_link(lms: LmsPlatform, exercises: Bank) -> None:
    launch(Client(), lms, "teacher", "deep_link")
    refused(launch(Client(), lms, "student", "deep_link"), "role")


# -- refusals: one each ------------------------------------------------------------------------
def test_a_wrong_signature_is_refused(lms: LmsPlatform) -> None:
    impostor = jwk.JWK.generate(kty="RSA", size=2048, kid=lms.key.get("kid"), alg="RS256")
    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", key=impostor)
    text = refused(response, "bad_signature")
    assert "signature does not verify" in text
    assert not Identity.objects.exists()


def test_a_key_the_platform_does_not_publish_is_refused(lms: LmsPlatform) -> None:
    unknown = jwk.JWK.generate(kty="RSA", size=2048, kid="not-published", alg="RS256")
    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", key=unknown)
    refused(response, "bad_signature")


def test_an_unknown_issuer_is_refused(lms: LmsPlatform) -> None:
    def elsewhere(claims: dict[str, Any]) -> None:
        claims["iss"] = "https://lms.elsewhere.example"

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=elsewhere)
    text = refused(response, "unknown_issuer")
    assert "https://lms.elsewhere.example" in text


def test_a_token_for_another_audience_is_refused(lms: LmsPlatform) -> None:
    def other_tool(claims: dict[str, Any]) -> None:
        claims["aud"] = claims["azp"] = "another-tool"

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=other_tool)
    text = refused(response, "wrong_audience")
    assert "another-tool" in text


def test_an_expired_token_is_refused(lms: LmsPlatform) -> None:
    def old(claims: dict[str, Any]) -> None:
        claims["iat"], claims["exp"] = int(time.time()) - 600, int(time.time()) - 60

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=old)
    text = refused(response, "expired")
    assert "expired" in text


def test_a_replayed_launch_is_refused(lms: LmsPlatform, exercises: Bank) -> None:
    browser = Client()
    first, form = forged_launch(browser, lms, "teacher", "deep_link")
    assert first.status_code == 200, first.content
    assert UsedNonce.objects.count() == 1
    # The same id_token and state, from the same browser (its state cookie still there).
    refused(browser.post("/lti/launch/", form), "replayed")


def test_a_nonce_deepgrade_did_not_issue_is_refused(lms: LmsPlatform) -> None:
    def made_up(claims: dict[str, Any]) -> None:
        claims["nonce"] = "made-up"

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=made_up)
    refused(response, "nonce")


def test_a_missing_deployment_is_refused(lms: LmsPlatform) -> None:
    def without(claims: dict[str, Any]) -> None:
        del claims[DEPLOYMENT]

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=without)
    text = refused(response, "missing_deployment")
    assert "names no deployment" in text


def test_an_unregistered_deployment_is_refused(lms: LmsPlatform) -> None:
    Deployment.objects.all().delete()
    refused(launch(Client(), lms, "teacher", "deep_link"), "unknown_deployment")


def test_a_state_that_is_not_this_browsers_is_refused(lms: LmsPlatform) -> None:
    _, form = forged_launch(Client(), lms, "teacher", "deep_link")
    # Another browser (no state cookie) posting the captured launch: login CSRF.
    refused(Client().post("/lti/launch/", form), "state")


def test_a_launch_without_an_id_token_is_refused(lms: LmsPlatform) -> None:
    refused(Client().post("/lti/launch/", {"state": "x"}), "state")


def test_a_login_from_an_unknown_platform_is_refused(lms: LmsPlatform) -> None:
    params = lms.login_initiation("teacher", "deep_link") | {"iss": "https://nobody.example"}
    refused(Client().get("/lti/login/", params), "unknown_issuer")


def test_a_member_without_a_learner_role_in_the_roster_is_a_student_only_if_learner(
    lms: LmsPlatform,
) -> None:
    from lti.provision import course_role

    assert course_role([LEARNER]) == "student"
    assert (
        course_role(
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]
        )
        == "instructor"
    )
    assert course_role(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]) is None


def test_a_token_without_an_expiry_is_refused(lms: LmsPlatform) -> None:
    def forever(claims: dict[str, Any]) -> None:
        del claims["exp"]

    response, _ = forged_launch(Client(), lms, "teacher", "deep_link", edit=forever)
    assert "exp" in refused(response, "invalid_message", status=400)
