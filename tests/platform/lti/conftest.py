"""A running test LMS (tests/lti_platform) registered in deepgrade, and launches through the
Django test client: the tool's login endpoint, then the platform's real authorization endpoint
over HTTP, then the tool's launch endpoint, as a browser would go."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from lti.keys import jwks
from lti.services import platform_register
from tests.lti_platform.server import LmsPlatform

TOOL = "http://testserver/lti"


@pytest.fixture
def lms(db: None) -> Iterator[LmsPlatform]:
    tool_keys = jwks()  # read here: the platform's thread has no access to the test database
    platform = LmsPlatform(
        tool_login_url=f"{TOOL}/login/",
        tool_launch_url=f"{TOOL}/launch/",
        tool_jwks=lambda: tool_keys,
    ).start()
    platform_register(
        name="Test LMS", deployment_ids=[platform.deployment_id], **platform.registration()
    )
    try:
        yield platform
    finally:
        platform.stop()


def login(client: Client, lms: LmsPlatform, who: str, message: str) -> dict[str, str]:
    """Third-party login initiation at the tool: the authentication request's parameters."""
    response = client.get("/lti/login/", lms.login_initiation(who, message))
    assert response.status_code == 302, response.content
    request = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert response["Location"].startswith(f"{lms.url}/auth?")
    return request


def launch(client: Client, lms: LmsPlatform, who: str, message: str, **headers: str) -> Any:
    """A complete launch: the platform's own /auth answers the tool's request over HTTP."""
    auth = login(client, lms, who, message)
    answer = requests.get(f"{lms.url}/auth", params=auth, timeout=10)
    assert answer.status_code == 200, answer.text
    form = dict(re.findall(r'name="(id_token|state)" value="([^"]+)"', answer.text))
    return client.post("/lti/launch/", form, **headers)


def forged_launch(
    client: Client,
    lms: LmsPlatform,
    who: str,
    message: str,
    *,
    edit: Callable[[dict[str, Any]], None] = lambda claims: None,
    key: Any = None,
) -> tuple[Any, dict[str, str]]:
    """A launch whose id_token the test shapes (claims edited, signed with `key`): the response
    and the form that was posted (to post it again)."""
    auth = login(client, lms, who, message)
    claims = lms.claims(who, message, auth["nonce"])
    edit(claims)
    form = {"id_token": lms.sign(claims, key), "state": auth["state"]}
    return client.post("/lti/launch/", form), form


def enter_link(response: Any) -> str:
    found = re.search(r'id="lti-open" href="([^"]+)"', response.content.decode())
    assert found, response.content.decode()
    return found.group(1)
