"""Writes for accounts: creating users and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from accounts.models import ApiToken, User

TOKEN_PREFIX = "dg_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    role: str = User.Role.STUDENT,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    user = User(
        username=username,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        # Only platform staff use the Django admin; instructors work in the site itself.
        is_staff=role == User.Role.STAFF,
        is_superuser=role == User.Role.STAFF,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; returns the row and the token itself, which is shown once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], digest=token_digest(token)
    )
    return row, token
