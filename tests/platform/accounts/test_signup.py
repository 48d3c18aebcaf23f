"""Sign-up through a course's invite link, with and without the course's e-mail domain."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from courses.models import Course, Enrolment
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db

PASSWORD = "Lantern-quiet-8172"


def ml101() -> Course:
    return Course.objects.get(slug="ml101")


def sign_up(client: Client, **fields: str) -> Any:
    data = {"username": "frank", "email": "frank@uni.example", "password1": PASSWORD,
            "password2": PASSWORD, **fields}
    return client.post(f"/join/{ml101().invite_code}/", data)


def is_student(username: str) -> bool:
    return Enrolment.objects.filter(
        course__slug="ml101", user__username=username, role=Enrolment.Role.STUDENT
    ).exists()


def test_the_invite_link_offers_sign_in_and_sign_up(client: Client, people: People) -> None:
    code = ml101().invite_code
    html = client.get(f"/join/{code}/").content.decode()
    assert "Join ML 101" in html
    assert f'href="/signin/?next=/join/{code}/"' in html
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    assert 'id="create-account"' in html


def test_a_newcomer_signs_up_and_lands_in_the_course(client: Client, people: People) -> None:
    response = sign_up(client)

    assert response.status_code == 302 and response["Location"] == "/courses/ml101/"
    frank = User.objects.get(username="frank")
    assert frank.email == "frank@uni.example" and frank.role == User.Role.STUDENT
    assert not frank.must_change_password  # they chose it
    assert is_student("frank")
    assert client.get("/courses/ml101/").status_code == 200  # signed in
    assert can_sign_in("frank", PASSWORD)


def can_sign_in(username: str, password: str) -> bool:
    return Client().post("/signin/", {"username": username, "password": password}).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password2": "Other-pass-1234"}, "password2", "didn’t match"),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "too common"),
        ({"username": "ALICE"}, "username", "already exists"),
        ({"username": "\u0412\u041e\u0412"}, "username", "is taken"),  # ВОВ looks like bob
        ({"username": "b\u043eb"}, "username", "mixes alphabets"),  # a Cyrillic о
        ({"username": "frank smith"}, "username", "Enter a valid username"),
        ({"email": "not-an-address"}, "email", "valid email address"),
        ({"email": "ALICE@example.org"}, "email", "An account already uses this address"),
    ],
    ids=["mismatch", "common", "case", "lookalike", "mixed", "space", "email", "email-taken"],
)
def test_a_refused_sign_up_says_why_and_keeps_what_was_typed(
    client: Client, people: People, fields: dict[str, str], field: str, message: str
) -> None:
    people.alice.email = "alice@example.org"
    people.alice.save()
    users = User.objects.count()

    response = sign_up(client, **fields)

    assert response.status_code == 400
    form = response.context["signup_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    typed = {"username": "frank", "email": "frank@uni.example", **fields}
    assert f'value="{typed["username"]}"' in html and f'value="{typed["email"]}"' in html
    assert User.objects.count() == users


def test_sign_ups_from_one_address_are_rate_limited(
    client: Client, people: People, settings: Any
) -> None:
    settings.SIGNUP_RATE = (2, 600)
    assert sign_up(client, username="one", email="one@uni.example").status_code == 302
    client.logout()
    assert sign_up(client, username="two", email="two@uni.example").status_code == 302
    client.logout()

    response = sign_up(client, username="three", email="three@uni.example")

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many sign-ups from your network" in response.content.decode()
    assert not User.objects.filter(username="three").exists()


def test_a_closed_link_takes_no_sign_up(client: Client, people: People) -> None:
    course = ml101()
    course.invite_open = False
    course.save()
    response = sign_up(client)
    assert response.status_code == 404
    assert not User.objects.filter(username="frank").exists()


# -- with an e-mail domain -----------------------------------------------------------------------
@pytest.fixture
def uni_only(people: People) -> Course:
    course = ml101()
    course.signup_domain = "uni.example"
    course.save()
    return course


def confirm_link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/join/\S+/confirm/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_another_domain_is_refused_with_a_clear_message(client: Client, uni_only: Course) -> None:
    assert "uni.example only" in client.get(f"/join/{uni_only.invite_code}/").content.decode()

    response = sign_up(client, email="frank@gmail.example")

    assert response.status_code == 400
    [error] = response.context["signup_form"].errors["email"]
    assert "accepts new accounts with an address at uni.example only" in error
    assert "not at gmail.example" in error
    assert mail.outbox == [] and not User.objects.filter(username="frank").exists()


def test_the_domain_s_address_is_confirmed_by_e_mail_before_the_account_exists(
    client: Client, uni_only: Course
) -> None:
    response = sign_up(client)

    assert response.status_code == 200 and 'id="signup-sent"' in response.content.decode()
    assert not User.objects.filter(username="frank").exists()  # nothing before the link
    [message] = mail.outbox
    assert message.to == ["frank@uni.example"] and "ML 101" in message.subject
    link = confirm_link(message)
    # Opening the link (or a mail scanner fetching it) only shows a button.
    assert 'id="confirm-signup"' in client.get(link).content.decode()
    assert not User.objects.filter(username="frank").exists()

    joined = client.post(link)

    assert joined.status_code == 302 and joined["Location"] == "/courses/ml101/"
    assert is_student("frank") and can_sign_in("frank", PASSWORD)
    assert client.get("/courses/ml101/").status_code == 200  # signed in
    used = Client().post(link)
    assert used.status_code == 404 and "expired or was used" in used.content.decode()
    assert User.objects.filter(username="frank").count() == 1


def test_a_mail_server_that_fails_is_said_and_nothing_is_created(
    client: Client, uni_only: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: Any) -> None:
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("pages.accounts.send_mail", refuse)

    response = sign_up(client)

    assert response.status_code == 503
    assert "could not send the confirmation e-mail" in response.content.decode()
    assert 'value="frank@uni.example"' in response.content.decode()
    assert not User.objects.filter(username="frank").exists()


def test_a_username_taken_before_the_confirmation_is_said_plainly(
    client: Client, uni_only: Course
) -> None:
    sign_up(client)
    User.objects.create_user("FRANK", password="x")  # made meanwhile by someone else

    response = client.post(confirm_link(mail.outbox[0]))

    assert response.status_code == 409
    assert "is taken" in response.content.decode()


def test_existing_accounts_join_with_the_link_as_before(uni_only: Course, people: People) -> None:
    dave = Client()
    dave.force_login(people.dave)  # no address at uni.example
    response = dave.post(f"/join/{uni_only.invite_code}/")
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=uni_only, user=people.dave).exists()


# -- the instructor sets the domain ----------------------------------------------------------------
def test_the_instructor_sets_the_domain_on_the_course_page(carol: Client) -> None:
    assert 'id="signup-domain"' in carol.get("/teach/ml101/").content.decode()

    response = carol.post("/teach/ml101/signup-domain/", {"signup_domain": " @Uni.Example "})

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#invite"
    assert ml101().signup_domain == "uni.example"
    refused = carol.post("/teach/ml101/signup-domain/", {"signup_domain": "not a domain!"})
    assert refused.status_code == 400
    assert "is not a domain name" in refused.content.decode()
    assert 'value="not a domain!"' in refused.content.decode()  # kept, with the reason
    assert ml101().signup_domain == "uni.example"
    carol.post("/teach/ml101/signup-domain/", {"signup_domain": ""})
    assert ml101().signup_domain == ""


def test_only_the_course_s_instructors_set_the_domain(client: Client, people: People) -> None:
    for person in (people.alice, people.dave):
        client.force_login(person)
        response = client.post("/teach/ml101/signup-domain/", {"signup_domain": "evil.example"})
        assert response.status_code == 404
    assert ml101().signup_domain == ""
