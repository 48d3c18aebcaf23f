"""Registering an LMS (the command, the admin's setup page) and deepgrade's own keys: made on
first need, rotated with a grace period in the public JWKS, never shown in full."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from lti.models import Platform, ToolKey

pytestmark = pytest.mark.django_db


def kids(client: Client) -> list[str]:
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert all(set(k) >= {"kid", "kty", "n", "e", "alg", "use"} and "d" not in k for k in keys)
    return [k["kid"] for k in keys]


def test_keys_rotate_with_a_grace_period(settings: Any) -> None:
    client = Client()
    [first] = kids(client)  # made on first need
    out = StringIO()
    call_command("lti_keys", "rotate", stdout=out)
    second = ToolKey.objects.get(retired_at__isnull=True).kid
    assert f"new signing key {second}" in out.getvalue()
    assert sorted(kids(client)) == sorted([first, second])  # the old one, for the grace period
    ToolKey.objects.filter(kid=first).update(
        retired_at=timezone.now() - timedelta(days=settings.LTI_KEY_GRACE_DAYS, seconds=1)
    )
    assert kids(client) == [second]
    call_command("lti_keys", "rotate", stdout=StringIO())
    assert not ToolKey.objects.filter(kid=first).exists()  # past its grace: deleted
    assert ToolKey.objects.filter(retired_at__isnull=True).count() == 1


def test_lti_register_is_idempotent_and_adds_deployments() -> None:
    args = [
        "--name=Moodle",
        "--issuer=https://moodle.uni.example",
        "--client-id=abc",
        "--auth-url=https://moodle.uni.example/mod/lti/auth.php",
        "--token-url=https://moodle.uni.example/mod/lti/token.php",
        "--jwks-url=https://moodle.uni.example/mod/lti/certs.php",
    ]
    out = StringIO()
    call_command(
        "lti_register", *args, "--deployment=1", "--site=https://grade.example", stdout=out
    )
    assert "https://grade.example/lti/login/" in out.getvalue()
    call_command("lti_register", *args, "--deployment=2", stdout=StringIO())
    platform = Platform.objects.get()
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == ["1", "2"]
    with pytest.raises(CommandError, match="deployment"):
        call_command("lti_register", *args, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("lti_register", *args[:-1], "--jwks-url=not a url", "--deployment=1")


def test_the_setup_page_is_for_staff_and_prints_what_the_lms_needs() -> None:
    staff = User.objects.create_user(username="root", role=User.Role.STAFF, is_staff=True)
    teacher = User.objects.create_user(username="teach", role=User.Role.INSTRUCTOR)
    client = Client()
    client.force_login(teacher)
    assert client.get("/lti/setup/").status_code == 403
    client.force_login(staff)
    page = client.get("/lti/setup/").content.decode()
    assert "http://testserver/lti/login/" in page and "http://testserver/lti/jwks.json" in page
    assert "&quot;oidc_initiation_url&quot;: &quot;http://testserver/lti/login/&quot;" in page
    assert "BEGIN PUBLIC KEY" in page and "PRIVATE" not in page
