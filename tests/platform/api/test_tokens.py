"""Personal API tokens: a name and an expiry, listed and revoked by their owner on
/account/tokens/, refused with a clear 401 once expired; `create_api_token --name --days`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db

PAGE = "/account/tokens/"
EXERCISES = "/api/v1/exercises"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_is_created_on_the_page_and_shown_once(client: Client, people: People) -> None:
    client.force_login(people.alice)
    response = client.post(PAGE, {"name": "laptop", "lifetime": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    token = re.search(r'<pre class="code" id="new-token">(dg_[\w-]+)</pre>', html)
    assert token is not None
    assert "shown only this once" in html
    assert Client().get(EXERCISES, **bearer(token.group(1))).status_code == 200
    row = ApiToken.objects.get(user=people.alice)
    assert row.name == "laptop"
    assert row.expires_at is not None
    assert timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= timedelta(days=30)
    # The list shows it, never the token again.
    listed = client.get(PAGE).content.decode()
    assert "laptop" in listed and row.prefix in listed
    assert token.group(1) not in listed
    assert "no-store" in response["Cache-Control"]


def test_a_token_that_never_expires_and_the_choices(client: Client, people: People) -> None:
    client.force_login(people.alice)
    page = client.get(PAGE).content.decode()
    for value, label in (("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Never")):
        assert f'<option value="{value}"' in page and label in page
    client.post(PAGE, {"name": "ci", "lifetime": "never"})
    assert ApiToken.objects.get(user=people.alice, name="ci").expires_at is None


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"name": "", "lifetime": "30"}, "This field is required"),
        ({"name": "x" * 101, "lifetime": "30"}, "at most 100 characters"),
        ({"name": "laptop", "lifetime": "7"}, "Select a valid choice"),
    ],
)
def test_a_bad_form_is_a_400_that_says_why(
    client: Client, people: People, form: dict[str, str], said: str
) -> None:
    client.force_login(people.alice)
    response = client.post(PAGE, form)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_created_last_used_and_expiry(client: Client, people: People) -> None:
    row, token = api_token_create(user=people.alice, name="script", days=90)
    Client().get(EXERCISES, **bearer(token))
    api_token_create(user=people.bob, name="bobs-token")
    client.force_login(people.alice)
    html = client.get(PAGE).content.decode()
    line = re.search(rf'<tr id="token-{row.pk}">(.*?)</tr>', html, re.S)
    assert line is not None
    cells = re.findall(r"<td>(.*?)</td>", line.group(1), re.S)
    assert cells[0] == "script"
    today = timezone.now().strftime("%Y-%m-%d")
    assert cells[2].startswith(today)  # created
    assert cells[3].startswith(today)  # last used: the request above
    expires = (timezone.now() + timedelta(days=90)).strftime("%Y-%m-%d")
    assert cells[4].startswith(expires)
    assert "active" in cells[5]
    assert "bobs-token" not in html  # only one's own


def test_revoking_a_token_stops_it_at_once(client: Client, people: People) -> None:
    row, token = api_token_create(user=people.alice, name="old laptop")
    client.force_login(people.alice)
    response = client.post(f"{PAGE}{row.pk}/revoke/", follow=True)
    assert "revoked: it no longer works" in response.content.decode()
    assert Client().get(EXERCISES, **bearer(token)).status_code == 401
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert "revoked" in client.get(PAGE).content.decode()


def test_nobody_revokes_someone_elses_token(client: Client, people: People) -> None:
    row, token = api_token_create(user=people.bob)
    client.force_login(people.alice)
    assert client.post(f"{PAGE}{row.pk}/revoke/").status_code == 404
    assert client.post(f"{PAGE}{'9' * 25}/revoke/").status_code == 404
    assert client.get(f"{PAGE}{row.pk}/revoke/").status_code == 405
    assert Client().get(EXERCISES, **bearer(token)).status_code == 200


def test_the_page_needs_a_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/signin/" in response["Location"]


def test_an_expired_token_is_a_401_that_says_so(people: People) -> None:
    row, token = api_token_create(user=people.alice, name="laptop", days=1)
    assert Client().get(EXERCISES, **bearer(token)).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(EXERCISES, **bearer(token))
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_expired"
    assert "laptop" in body["message"] and "expired" in body["message"]
    assert "/account/tokens/" in body["message"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_command_takes_a_name_and_days(people: People, capsys: Any) -> None:
    call_command("create_api_token", "alice", "--name", "cluster", "--days", "7")
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("dg_") and "cluster" in err and "expires" in err
    row = ApiToken.objects.get(user=people.alice)
    assert row.name == "cluster"
    assert row.expires_at is not None
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)
    assert Client().get(EXERCISES, **bearer(token)).status_code == 200

    call_command("create_api_token", "alice")
    assert "never expires" in capsys.readouterr().err
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 to 3650 days"):
        call_command("create_api_token", "alice", "--days", "0")
