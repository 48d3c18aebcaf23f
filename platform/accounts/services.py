"""Writes for accounts: creating users, setting passwords, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User, username_taken_message
from accounts.usernames import lookalike_problem, normalise, username_key
from core.errors import DomainError, NotFound

TOKEN_PREFIX = "dg_"


class AccountError(DomainError):
    """An account refused as asked: `field` names what to fix (a form puts the message there)."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class PasswordChangeRequired(DomainError):
    """The user must replace a password chosen by someone else before anything else."""

    code = "password_change_required"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "your password was chosen by someone else (a CSV upload or an instructor): "
            f"sign in on the site and choose your own first, at {reverse('password_change')}"
        )


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
    must_change_password: bool = False,
    password_hash: str = "",
) -> User:
    """A new user, under the username rules of accounts/usernames.py (stored NFKC; refused if
    it mixes look-alike alphabets or has the key of an existing user).

    `must_change_password`: the password was chosen by someone else (a CSV upload, an
    instructor), so the user must replace it at their first sign-in. `password_hash` instead of
    `password`: a password hashed earlier (a sign-up waiting for its e-mail confirmation keeps
    only the hash). AccountError, with the field to fix, when the user cannot be created;
    nothing is saved then.
    """
    user = User(
        username=normalise(username),
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        # Only platform staff use the Django admin; instructors work in the site itself.
        is_staff=role == User.Role.STAFF,
        is_superuser=role == User.Role.STAFF,
        must_change_password=must_change_password and bool(password),
    )
    if password:
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    # The name's own problem first: a look-alike is refused even where no account has its key.
    problem = lookalike_problem(user.username)
    if problem:
        raise AccountError(problem, field="username")
    existing = User.objects.filter(username_key=username_key(user.username)).first()
    if existing is not None:
        message = username_taken_message(user.username, existing)
        raise AccountError(message, field="username", code="conflict")
    try:
        # The key's uniqueness is checked above (and by User.clean for the model's forms).
        user.full_clean(exclude=["password", "username_key"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise AccountError(" ".join(messages), field=field) from None
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            user.save()
    except IntegrityError:
        # Created by another request between the check above and this insert.
        existing = User.objects.filter(username_key=username_key(user.username)).first()
        message = (
            username_taken_message(user.username, existing)
            if existing
            else f"The username {user.username!r} is taken: choose another."
        )
        raise AccountError(message, field="username", code="conflict") from None
    return user


@transaction.atomic
def password_set(*, user: User, password: str) -> None:
    """`user`'s own new password (validated by the caller's form): it ends a pending forced
    change. (A password set by staff in the admin starts one: accounts.forms.)"""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


# What the tokens page offers (days; None: never). The command line takes any number of days.
TOKEN_LIFETIMES: tuple[int | None, ...] = (30, 90, 365, None)
TOKEN_NAME_MAX_LENGTH = 100


class TokenError(DomainError):
    """A token that cannot be made as asked."""


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token valid for `days` days (None: until revoked); returns the row and the
    token itself, which is shown once and never stored."""
    name = name.strip()
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise TokenError(f"The name is too long: at most {TOKEN_NAME_MAX_LENGTH} characters.")
    if days is not None and not 1 <= days <= 3650:
        raise TokenError("A token lasts from 1 to 3650 days, or never expires.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days) if days is not None else None
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], digest=token_digest(token), expires_at=expires_at
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens: the next request with it is a 401. Revoking a
    revoked token changes nothing; someone else's token is NotFound (its id leaks nothing)."""
    row = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if row is None:
        raise NotFound("No such token.")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
    return row
