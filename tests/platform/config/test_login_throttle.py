"""Sign-in throttling (config/login_throttle.py): guessing is slowed per (address, username) and
per (address, password), and nobody can lock a victim out of their own browser, nor from
another address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from config.login_throttle import DEVICE_COOKIE
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db

CAMPUS = "192.0.2.10"  # one proxy address for a whole campus
HOME = "198.51.100.7"
SPRAYED = "Winter2026!"


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client: Client, username: str, password: str, ip: str, **extra: Any) -> int:
    response = client.post(
        "/signin/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
    if response.status_code == 429:
        assert "Too many failed sign-ins" in response.content.decode()
        assert int(response["Retry-After"]) >= 1
    return response.status_code


def test_one_password_tried_across_many_usernames_is_throttled(people: People) -> None:
    # Each username fails once only: the per-username rule never sees a second failure.
    for username in ("alice", "bob", "nobody-1"):
        assert sign_in(Client(), username, SPRAYED, CAMPUS) == 200  # "did not match"
    assert sign_in(Client(), "erin", SPRAYED, CAMPUS) == 429  # refused before it is checked
    # Only that password from that address: the others still sign in.
    assert sign_in(Client(), "carol", "carol-pass-123", CAMPUS) == 302
    assert sign_in(Client(), "erin", SPRAYED, HOME) == 200  # elsewhere: simply wrong


def test_a_username_is_locked_from_one_address_not_for_everyone(people: People) -> None:
    for attempt in range(3):
        sign_in(Client(), "alice", f"guess-{attempt}", CAMPUS)
    assert sign_in(Client(), "alice", "alice-pass-123", CAMPUS) == 429  # a new browser there
    assert sign_in(Client(), "alice", "alice-pass-123", HOME) == 302  # alice, from home


def test_the_victims_own_browser_is_not_locked_from_the_same_proxy(people: People) -> None:
    victim = Client()
    assert sign_in(victim, "alice", "alice-pass-123", CAMPUS) == 302
    assert DEVICE_COOKIE in victim.cookies
    victim.post("/signout/")
    for attempt in range(5):  # the attacker, behind the same campus proxy
        sign_in(Client(), "alice", f"guess-{attempt}", CAMPUS)
    assert sign_in(Client(), "alice", "alice-pass-123", CAMPUS) == 429  # a new browser
    assert sign_in(victim, "alice", "alice-pass-123", CAMPUS) == 302  # hers: not locked


def test_a_known_browser_cookie_names_one_user_and_is_spent_by_failures(
    people: People,
) -> None:
    shared = Client()  # a lab computer on which alice once signed in
    assert sign_in(shared, "alice", "alice-pass-123", CAMPUS) == 302
    shared.post("/signout/")
    # It exempts nothing for another username.
    for attempt in range(3):
        sign_in(shared, "bob", f"guess-{attempt}", CAMPUS)
    assert sign_in(shared, "bob", "bob-pass-123", CAMPUS) == 429
    # Guessing alice's password with her cookie is counted too: after the limit, it no longer
    # exempts, and the (address, username) rule applies again.
    for attempt in range(3):
        assert sign_in(shared, "alice", f"guess-{attempt}", CAMPUS) == 200  # not locked
    for attempt in range(3):
        sign_in(shared, "alice", f"more-{attempt}", CAMPUS)
    assert sign_in(shared, "alice", "alice-pass-123", CAMPUS) == 429


def test_a_forged_cookie_exempts_nothing(people: People) -> None:
    for attempt in range(3):
        sign_in(Client(), "alice", f"guess-{attempt}", CAMPUS)
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = '{"u": "alice", "n": "x"}'
    assert sign_in(forged, "alice", "alice-pass-123", CAMPUS) == 429


def test_behind_our_proxy_each_client_is_counted_apart(people: People, settings: Any) -> None:
    proxy = "10.0.0.2"  # every request reaches the web from it
    settings.TRUST_X_FORWARDED_FOR = True
    for attempt in range(3):
        sign_in(Client(), "alice", f"guess-{attempt}", proxy, HTTP_X_FORWARDED_FOR=CAMPUS)
    # The client may add addresses in front; the last one is what our proxy saw.
    assert sign_in(
        Client(), "alice", "alice-pass-123", proxy, HTTP_X_FORWARDED_FOR=f"{HOME}, {CAMPUS}"
    ) == 429
    assert sign_in(Client(), "alice", "alice-pass-123", proxy, HTTP_X_FORWARDED_FOR=HOME) == 302


def test_without_trusting_the_proxy_its_header_is_ignored(people: People) -> None:
    for attempt in range(3):
        spoofed = f"203.0.113.{attempt}"
        sign_in(Client(), "alice", f"guess-{attempt}", CAMPUS, HTTP_X_FORWARDED_FOR=spoofed)
    assert sign_in(Client(), "alice", "alice-pass-123", CAMPUS, HTTP_X_FORWARDED_FOR=HOME) == 429


def test_the_cache_holds_no_password(people: People) -> None:
    from django.core.cache import cache

    sign_in(Client(), "alice", SPRAYED, CAMPUS)
    keys = list(cache._cache.keys())  # the test's local-memory cache
    assert keys and not any(SPRAYED in key for key in keys)
