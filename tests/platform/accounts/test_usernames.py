"""Usernames: NFKC, unique whatever the case, look-alikes refused, on every path that makes a user."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from accounts.models import User
from accounts.services import AccountError, user_create
from accounts.usernames import lookalike_problem, normalise, username_key
from courses.models import Course, Enrolment
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db

CYRILLIC_BOB = "b\u043eb"  # a Latin b, a Cyrillic о, a Latin b
FULLWIDTH_BOB = "\uff42\uff4f\uff42"  # ｂｏｂ


def upload(client: Client, text: str) -> Any:
    return client.post(
        "/teach/ml101/students/upload/",
        {"csv_file": SimpleUploadedFile("students.csv", text.encode())},
    )


def test_the_rules() -> None:
    assert normalise(FULLWIDTH_BOB) == "bob"
    assert username_key("Bob") == username_key(FULLWIDTH_BOB) == "bob"
    assert username_key("\u0412\u041e\u0412") == "bob"  # Cyrillic capitals ВОВ look like BOB
    assert username_key(CYRILLIC_BOB) == "bob"
    assert lookalike_problem(CYRILLIC_BOB) is not None
    assert "о is Cyrillic" in (lookalike_problem(CYRILLIC_BOB) or "")
    # One alphabet is fine, whatever it is; so are digits and punctuation with it.
    # Japanese mixes Han, Hiragana and Katakana by itself (Unicode TR39 allows it).
    for fine in ("боб", "josé", "jdoe.2024", "Ζωή", "li_wei+ml", "田中たろう", "やまだタロウ"):
        assert lookalike_problem(fine) is None, fine


def test_the_lookalike_csv_gets_a_message_per_line_and_creates_nothing(
    carol: Client, people: People
) -> None:
    """The upload of issue 17: Cyrillic bоb then full-width ｂｏｂ (bob is in ml101) answered
    500 after creating an account whose password was never shown."""
    users_before = User.objects.count()

    response = upload(carol, f"username,email\n{CYRILLIC_BOB},c@example.org\n{FULLWIDTH_BOB},\n")

    assert response.status_code == 200
    result = response.context["csv_result"]
    assert len(result.errors) == 1 and result.errors[0].startswith("line 2: ")
    assert "mixes alphabets" in result.errors[0] and "Cyrillic" in result.errors[0]
    assert result.notes == [f"line 3: {FULLWIDTH_BOB!r} is read as 'bob'"]
    assert result.already == ["bob"] and result.created == [] and result.invited == []
    assert User.objects.count() == users_before  # nothing made, so no password left unshown
    html = response.content.decode()
    assert 'id="csv-errors"' in html and 'id="csv-notes"' in html


def test_a_fullwidth_name_makes_the_normal_account_and_says_so(carol: Client) -> None:
    result = upload(carol, "username\n\uff5a\uff4f\uff45\n").context["csv_result"]  # ｚｏｅ

    assert [name for name, _ in result.created] == ["zoe"]
    assert result.notes == ["line 2: 'ｚｏｅ' is read as 'zoe'"]
    assert User.objects.filter(username="zoe").exists()


def test_case_makes_no_new_account_in_a_csv(carol: Client, people: People) -> None:
    frank = user_create(username="frank", password="frank-pass-123")

    result = upload(carol, "username\nALICE\nFrank\n").context["csv_result"]

    # ALICE is alice (in the course already), Frank is frank (invited under his own name).
    assert result.already == ["alice"] and result.invited == ["frank"]
    assert result.created == [] and result.errors == []
    assert not Enrolment.objects.filter(user=frank).exists()
    assert "line 2: 'ALICE' is the account 'alice'" in result.notes


def test_a_whole_word_lookalike_of_an_account_is_refused_in_a_csv(
    carol: Client, people: People
) -> None:
    result = upload(carol, "username\n\u0412\u041e\u0412\n").context["csv_result"]  # ВОВ

    assert result.created == [] and result.already == []
    assert len(result.errors) == 1
    assert "looks like the existing account 'bob'" in result.errors[0]


def test_user_create_refuses_case_variants_and_lookalikes(people: People) -> None:
    for name in ("Alice", "ALICE", "\u0412\u041e\u0412"):
        with pytest.raises(AccountError) as refused:
            user_create(username=name, password="a-long-password-1")
        assert refused.value.field == "username"
        assert "is taken" in refused.value.message
    with pytest.raises(AccountError) as refused:
        user_create(username=CYRILLIC_BOB, password="a-long-password-1")
    assert "mixes alphabets" in refused.value.message
    assert User.objects.count() == 5
    # Stored in NFKC form, whichever way it was typed.
    assert user_create(username="\uff46\uff52\uff41\uff4e\uff4b").username == "frank"


def test_the_database_itself_refuses_a_second_account_with_the_same_key(people: People) -> None:
    # Any path that skips the checks (a script, a race between two uploads) meets the column.
    with pytest.raises(IntegrityError):
        User.objects.create(username="Carol")


def test_the_admin_applies_the_same_rules(client: Client, people: People) -> None:
    client.force_login(people.erin)
    for name, message in (
        ("Bob", "already exists"),  # Django's own case-insensitive check
        ("\u0412\u041e\u0412", "is taken"),  # ВОВ: the key's
        (CYRILLIC_BOB, "mixes alphabets"),
    ):
        response = client.post(
            "/admin/accounts/user/add/",
            {"username": name, "usable_password": "true",
             "password1": "Unusual-pass-4821", "password2": "Unusual-pass-4821"},
        )
        assert response.status_code == 200, name  # the form again, with its error
        assert message in response.content.decode(), name
    assert User.objects.count() == 5


def test_create_demo_users_goes_through_the_rules(
    settings: Any, tmp_path: Any, people: People
) -> None:
    settings.VAR_DIR = tmp_path
    user_create(username="Student", password="a-long-password-1")  # the demo's name, in capitals

    with pytest.raises(AccountError, match="is taken"):
        call_command("create_demo_users")
    assert not User.objects.filter(username="student").exists()
    assert not Course.objects.filter(slug="demo").exists()  # one transaction: nothing half-made
