"""Sign-in throttling that slows guessing without letting anyone lock a victim out.

Three rules, each checked before a password is (docs/security.md#signing-in):

- **(address, username)**: django-axes locks a username *from one address* after
  AXES_FAILURE_LIMIT failures (settings.AXES_LOCKOUT_PARAMETERS), never the username from
  everywhere: failures from elsewhere cannot lock its owner out.
- **(address, password)**: this module's `PasswordThrottleBackend` refuses a password that
  failed AXES_FAILURE_LIMIT times from one address, whatever the usernames. One password tried
  across many usernames ("password spraying") never meets the per-username rule; it meets this.
- **a known browser**: a signed cookie given at each successful sign-in (`DEVICE_COOKIE`) names
  the user; a browser holding one for the username it signs in as is exempt from both locks.
  A campus proxy puts the victim and an attacker behind one address: the attacker's failures
  then lock that (address, username) for new browsers, but not the victim's own browser. The
  cookie's own failures are counted, and after AXES_FAILURE_LIMIT of them it no longer exempts.

Counters live in the cache (Redis in production, shared by every web process) for
AXES_COOLOFF_HOURS from the first failure. If the cache is down they let sign-ins through, as
the submission rate limit does: a Redis restart must not stop everyone from signing in.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import get_random_string, salted_hmac

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "dg_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
_DEVICE_SALT = "config.login_throttle.device"


def client_ip(request: HttpRequest) -> str:
    """The address a request comes from (settings.AXES_CLIENT_IP_CALLABLE, and the counters).

    Behind the site's own reverse proxy REMOTE_ADDR is the proxy's, the same for everyone, and
    a lock "by address and username" would be a lock by username. With TRUST_X_FORWARDED_FOR
    the address is the last one of X-Forwarded-For: the one that proxy appended itself (any
    earlier ones are the client's to invent).
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", ""))


def _cool_off_seconds() -> int:
    cool_off = get_cool_off()
    return max(1, int(cool_off.total_seconds())) if cool_off else 3600


def _key(kind: str, *parts: str) -> str:
    # Keyed with the SECRET_KEY: the cache never holds a password, nor a hash of one that could
    # be checked against a list of common passwords.
    digest = salted_hmac(f"config.login_throttle.{kind}", "\0".join(parts), algorithm="sha256")
    return f"login-throttle:{kind}:{digest.hexdigest()}"


def _retry_after(key: str) -> int | None:
    """Seconds until `key`'s failures are forgotten if they reached the limit, else None."""
    try:
        found = cache.get_many([key, f"{key}:until"])
    except Exception:
        logger.warning("sign-in throttle unavailable (cache down): not checked")
        return None
    if found.get(key, 0) < settings.AXES_FAILURE_LIMIT:
        return None
    until = found.get(f"{key}:until") or time.time() + _cool_off_seconds()
    return max(1, math.ceil(until - time.time()))


def _count_failure(key: str) -> None:
    ttl = _cool_off_seconds()
    try:
        if cache.add(key, 0, timeout=ttl):
            cache.set(f"{key}:until", time.time() + ttl, timeout=ttl)
        cache.incr(key)
    except ValueError:  # expired between add and incr: this failure starts a new period
        cache.set(key, 1, timeout=ttl)
        cache.set(f"{key}:until", time.time() + ttl, timeout=ttl)
    except Exception:
        logger.warning("sign-in throttle unavailable (cache down): failure not counted")


# -- the known-browser cookie ------------------------------------------------------------------


def _device(request: HttpRequest) -> dict[str, str] | None:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        device = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    ok = isinstance(device, dict) and {"u", "n"} <= device.keys()
    return device if ok else None


def _username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    return str(username)


def _trusted_nonce(request: HttpRequest, username: str) -> str | None:
    """The nonce of this browser's cookie if it names `username` and is still trusted."""
    device = _device(request)
    if device is None or device["u"] != username.casefold():
        return None
    if _retry_after(_key("device", device["n"])) is not None:
        return None  # failed too often with it: it exempts no more
    return device["n"]


def trusted_device(request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
    """settings.AXES_WHITELIST_CALLABLE: a browser known for this username is not locked (nor
    counted) by the (address, username) rule."""
    if request is None:
        return False
    return _trusted_nonce(request, _username(request, credentials)) is not None


# -- the (address, password) rule ----------------------------------------------------------------


@dataclass
class _Attempt:
    password_key: str
    device_nonce: str | None


class PasswordThrottleBackend:
    """Refuses (PermissionDenied, before any password is checked) a password that failed too
    often from this address; authenticates nobody itself.

    It sits between axes's backend and ModelBackend (settings.AUTHENTICATION_BACKENDS). The
    failure itself is counted by `_on_failure` below, since only the last backend knows it.
    Not a BaseBackend: without `get_user`, Django never takes it for the backend of a session.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None or password is None or not settings.AXES_ENABLED:
            return None
        nonce = _trusted_nonce(request, username or "")
        attempt = _Attempt(_key("password", client_ip(request), password), nonce)
        if nonce is None and (retry := _retry_after(attempt.password_key)) is not None:
            logger.warning("sign-in refused: a password failed too often from %s", client_ip(request))
            # Answered by axes's middleware with settings.AXES_LOCKOUT_CALLABLE (below).
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.login_retry_after = retry  # type: ignore[attr-defined]
            raise PermissionDenied("too many failed sign-ins with this password")
        request.login_attempt = attempt  # type: ignore[attr-defined]
        return None


def _on_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempt = getattr(request, "login_attempt", None)
    if not isinstance(attempt, _Attempt):
        return  # refused before the password was checked: nothing was guessed
    _count_failure(attempt.password_key)
    if attempt.device_nonce is not None:
        _count_failure(_key("device", attempt.device_nonce))


def _on_success(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        # A new nonce each time: whatever failures the previous cookie had stay with it.
        request.login_device_cookie = signing.dumps(  # type: ignore[attr-defined]
            {"u": user.get_username().casefold(), "n": get_random_string(24)}, salt=_DEVICE_SALT
        )


# This module is imported with the backend, on the first authenticate() of the process: before
# any sign-in can fail or succeed.
user_login_failed.connect(_on_failure, dispatch_uid="config.login_throttle.failure")
user_logged_in.connect(_on_success, dispatch_uid="config.login_throttle.success")


class DeviceCookieMiddleware:
    """Gives the browser its known-browser cookie on the response of a successful sign-in."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, "login_device_cookie", None)
        if value:
            response.set_cookie(
                DEVICE_COOKIE,
                value,
                max_age=DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: a 429 page that says what happened and for how long."""
    retry = getattr(request, "login_retry_after", None) or _cool_off_seconds()
    context = {"minutes": max(1, math.ceil(retry / 60))}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(retry)
    return response
