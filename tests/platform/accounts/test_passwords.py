"""Password change, reset by e-mail, and the change forced on a password chosen by someone else."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from accounts.services import api_token_create
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-quiet-8172"


def can_sign_in(username: str, password: str) -> bool:
    # Through the sign-in form, as a browser does (django-axes needs the request).
    return Client().post("/signin/", {"username": username, "password": password}).status_code == 302


def signed_in_client(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/signin/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# -- changing one's password -------------------------------------------------------------------
def test_the_header_links_to_the_password_change(client: Client, people: People) -> None:
    client.force_login(people.alice)
    html = client.get("/submissions/").content.decode()
    assert 'href="/account/password/" id="account-password"' in html


def test_a_user_changes_their_password_and_stays_signed_in(people: People) -> None:
    alice = signed_in_client("alice", "alice-pass-123")

    response = alice.post(
        "/account/password/",
        {"old_password": "alice-pass-123", "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == "/"
    assert alice.get("/submissions/").status_code == 200  # this session goes on
    assert not can_sign_in("alice", "alice-pass-123")
    assert can_sign_in("alice", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"old_password": "wrong"}, "Your old password was entered incorrectly"),
        ({"new_password1": "alice-pass-123", "new_password2": "alice-pass-123"},
         "This is your current password"),
        ({"new_password2": "something-else-9"}, "didn’t match"),
        ({"new_password1": "password", "new_password2": "password"}, "too common"),
    ],
    ids=["wrong-old", "same-as-old", "mismatch", "common"],
)
def test_a_refused_change_says_why_and_changes_nothing(
    people: People, fields: dict[str, str], message: str
) -> None:
    alice = signed_in_client("alice", "alice-pass-123")
    data = {"old_password": "alice-pass-123", "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD, **fields}

    response = alice.post("/account/password/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert can_sign_in("alice", "alice-pass-123")


# -- reset by e-mail ---------------------------------------------------------------------------
def reset_link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/account/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def ask_reset(client: Client, email: str) -> Any:
    return client.post("/account/password/reset/", {"email": email})


def test_the_reset_link_works_once(client: Client, people: People, settings: Any) -> None:
    settings.SITE_NAME = "deepgrade-test"
    people.alice.email = "alice@uni.example"
    people.alice.save()
    assert 'href="/account/password/reset/"' in client.get("/signin/").content.decode()

    response = ask_reset(client, "ALICE@uni.example")

    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert "works once, for 1 day" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@uni.example"] and "deepgrade-test" in message.subject
    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert 'id="set-password"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/done/"
    assert can_sign_in("alice", NEW_PASSWORD) and not can_sign_in("alice", "alice-pass-123")
    # Once used, the link is dead: the token was made from the old password.
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again and 'id="set-password"' not in again


def test_the_reset_link_expires(client: Client, people: People, settings: Any,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    people.alice.email = "alice@uni.example"
    people.alice.save()
    ask_reset(client, "alice@uni.example")
    link = reset_link(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    page = client.get(link, follow=True).content.decode()

    assert "This link does not work" in page and 'id="set-password"' not in page


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client: Client, people: People
) -> None:
    response = ask_reset(client, "nobody@uni.example")
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []


def test_reset_e_mails_to_one_address_are_limited(client: Client, people: People) -> None:
    people.alice.email = "alice@uni.example"
    people.alice.save()
    for _ in range(3):
        assert ask_reset(client, "alice@uni.example").status_code == 302

    response = ask_reset(client, "alice@uni.example")

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many password reset requests" in response.content.decode()
    assert 'value="alice@uni.example"' in response.content.decode()  # what was typed stays
    assert len(mail.outbox) == 3


def test_a_reset_ends_a_forced_change(client: Client, people: People) -> None:
    alice = people.alice
    alice.email, alice.must_change_password = "alice@uni.example", True
    alice.save()
    ask_reset(client, "alice@uni.example")
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)

    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "alice-pass-123", "new_password2": "alice-pass-123"},
    )  # the first password again: refused
    alice.refresh_from_db()
    assert alice.must_change_password
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    alice.refresh_from_db()
    assert not alice.must_change_password


# -- a first password chosen by someone else ---------------------------------------------------
@pytest.fixture
def first_password(carol: Client, people: People) -> str:
    """zoe, created by carol's CSV upload; returns the first password carol was shown."""
    response = carol.post(
        "/teach/ml101/students/upload/",
        {"csv_file": SimpleUploadedFile("s.csv", b"username,email\nzoe,zoe@uni.example\n")},
    )
    [(username, password)] = response.context["csv_result"].created
    assert username == "zoe"
    return password


def test_a_csv_account_must_change_its_password_before_anything_else(first_password: str) -> None:
    zoe = signed_in_client("zoe", first_password)

    for url in ("/", "/courses/", "/courses/ml101/", "/exercises/", "/submissions/", "/teach/"):
        response = zoe.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/password/?next="), url
    page = zoe.get("/account/password/?next=/courses/ml101/").content.decode()
    assert 'id="password-change-required"' in page

    response = zoe.post(
        "/account/password/",
        {"old_password": first_password, "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD, "next": "/courses/ml101/"},
    )

    assert response.status_code == 302 and response["Location"] == "/courses/ml101/"
    assert zoe.get("/courses/ml101/").status_code == 200
    assert not User.objects.get(username="zoe").must_change_password
    assert not can_sign_in("zoe", first_password)  # what the instructor saw opens nothing


def test_the_first_password_cannot_be_kept(first_password: str) -> None:
    zoe = signed_in_client("zoe", first_password)
    response = zoe.post(
        "/account/password/",
        {"old_password": first_password, "new_password1": first_password,
         "new_password2": first_password},
    )
    assert response.status_code == 200
    assert "This is your current password" in response.content.decode()
    assert User.objects.get(username="zoe").must_change_password


def test_the_api_refuses_until_the_password_is_changed(first_password: str) -> None:
    zoe = signed_in_client("zoe", first_password)
    _row, token = api_token_create(user=User.objects.get(username="zoe"))

    for response in (
        zoe.get("/api/v1/exercises"),  # the session
        Client().get("/api/v1/exercises", HTTP_AUTHORIZATION=f"Bearer {token}"),  # a token
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "password_change_required"
        assert "/account/password/" in body["message"]

    zoe.post(
        "/account/password/",
        {"old_password": first_password, "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )
    assert zoe.get("/api/v1/exercises").status_code == 200
    assert Client().get(
        "/api/v1/exercises", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).status_code == 200


def test_signing_out_stays_possible(first_password: str) -> None:
    zoe = signed_in_client("zoe", first_password)
    assert zoe.post("/signout/").status_code == 302
    assert zoe.get("/courses/")["Location"].startswith("/signin/")


def test_a_password_set_by_staff_in_the_admin_must_be_changed(
    client: Client, people: People
) -> None:
    client.force_login(people.erin)

    created = client.post(
        "/admin/accounts/user/add/",
        {"username": "yann", "usable_password": "true",
         "password1": "Unusual-pass-4821", "password2": "Unusual-pass-4821"},
    )
    reset = client.post(
        f"/admin/accounts/user/{people.bob.pk}/password/",
        {"usable_password": "true", "password1": "Unusual-pass-4821",
         "password2": "Unusual-pass-4821"},
    )

    assert created.status_code == 302 and reset.status_code == 302
    assert User.objects.get(username="yann").must_change_password
    people.bob.refresh_from_db()
    assert people.bob.must_change_password
