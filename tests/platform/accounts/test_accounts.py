from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import ApiToken, User
from courses.models import Enrolment
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_a_token_that_works(
    people: People, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("create_api_token", "alice", "--name", "laptop")
    token = capsys.readouterr().out.strip()

    assert token.startswith("dg_") and len(token) > 40
    row = ApiToken.objects.get(user=people.alice)
    assert row.name == "laptop" and token not in (row.digest, row.prefix)  # only a digest stored
    response = client.get("/api/v1/exercises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_create_api_token_for_an_unknown_user_fails(db: None) -> None:
    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "nobody")


def test_demo_users_are_idempotent_and_can_sign_in(
    settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.VAR_DIR = tmp_path
    call_command("create_demo_users")
    first = capsys.readouterr().out
    call_command("create_demo_users")
    second = capsys.readouterr().out

    assert first == second  # the same sign-in every time
    assert User.objects.filter(username__in=["instructor", "student"]).count() == 2
    assert Enrolment.objects.filter(course__slug="demo").count() == 2
    password = second.split("password:")[-1].strip()  # the student's line is last
    assert _form_login(password)
    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o777 == 0o600


def test_demo_users_can_get_a_fresh_api_token(
    settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], client: Client
) -> None:
    settings.VAR_DIR = tmp_path
    call_command("create_demo_users", "--api-token")
    first = capsys.readouterr().out.split("API token (Authorization: Bearer ...): ")[1].strip()
    call_command("create_demo_users", "--api-token")
    second = capsys.readouterr().out.split("API token (Authorization: Bearer ...): ")[1].strip()

    assert client.get("/api/v1/exercises", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    # The previous run's token is revoked: one live demo token at a time.
    assert client.get("/api/v1/exercises", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 401


def _form_login(password: str) -> bool:
    # django-axes needs a request, which Client.login does not pass; sign in as a browser does.
    response = Client().post("/signin/", {"username": "student", "password": password})
    return response.status_code == 302


def test_roles(people: People) -> None:
    assert people.erin.is_platform_staff and people.erin.is_staff
    assert people.carol.is_instructor and not people.carol.is_staff
    assert not people.alice.is_instructor and not people.alice.is_platform_staff


def test_repeated_failed_sign_ins_are_locked_out(
    client: Client, people: People, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/signin/", {"username": "alice", "password": "wrong"})
    locked = client.post("/signin/", {"username": "alice", "password": "alice-pass-123"})
    assert locked.status_code == 429


def test_a_username_signs_in_whatever_its_case_and_failures_count_together(
    people: People, settings: Any
) -> None:
    assert (
        Client().post("/signin/", {"username": "ALICE", "password": "alice-pass-123"}).status_code
        == 302
    )
    assert Client().post("/signin/", {"username": " Alice", "password": "wrong"}).status_code == 200
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for spelling in ("alice", "Alice", "ALICE"):
        client.post("/signin/", {"username": spelling, "password": "wrong"})
    locked = client.post("/signin/", {"username": "aLiCe", "password": "alice-pass-123"})
    assert locked.status_code == 429
