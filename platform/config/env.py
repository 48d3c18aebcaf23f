"""Tiny strict readers for environment variables (the healthchecks way).

Every setting comes from the environment through one of these, and every variable they read is
listed in `.env.example`. They are strict on purpose: `DEBUG=yes` or `SWEEP_INTERVAL=30s` is a
typo that should stop the process at start-up, not a value quietly read as False or ignored.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envstr(name: str, default: str = "") -> str:
    return _raw(name, default)


def envbool(name: str, default: str) -> bool:
    """`True` or `False`, spelled exactly so; anything else is a configuration error."""
    value = _raw(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name}={value!r}: use True or False")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = _raw(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected an integer") from None


def envfloat(name: str, default: str) -> float:
    value = _raw(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a number") from None


def envlist(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks around items and empty items are dropped."""
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str:
    """A secret from `NAME_FILE` (Docker/Kubernetes secrets) if set, else from `NAME`.

    Reading from a file keeps the secret out of `docker inspect` and of the process environment
    that child processes inherit. Setting both is ambiguous and refused.
    """
    file_name = os.environ.get(f"{name}_FILE", "")
    if file_name:
        if os.environ.get(name):
            raise ImproperlyConfigured(f"set {name} or {name}_FILE, not both")
        try:
            with open(file_name, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r}: {exc.strerror}") from None
    return os.environ.get(name, "")


def envrate(name: str, default: str) -> tuple[int, int]:
    """A rate `N/SECONDS`, e.g. `20/60` for 20 per minute."""
    value = _raw(name, default)
    count, sep, seconds = value.partition("/")
    try:
        if not sep:
            raise ValueError
        rate = (int(count), int(seconds))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected N/SECONDS, e.g. 20/60") from None
    if rate[0] < 1 or rate[1] < 1:
        raise ImproperlyConfigured(f"{name}={value!r}: both numbers must be at least 1")
    return rate
