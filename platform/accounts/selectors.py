"""Reads for accounts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import TOKEN_PREFIX, PasswordChangeRequired, token_digest
from core.errors import DomainError
from core.prepared import PreparedQuery

# Writing last_used_at on every request would turn each API read into a write; once a minute
# is enough to tell a used token from an abandoned one.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenExpired(DomainError):
    """A known token past its expiry (a 401: core/errors.py)."""

    code = "token_expired"


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens for their tokens page: live ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )


def user_for_api_token(token: str) -> User | None:
    """The active user owning this token, or None (unknown, revoked, or user deactivated).

    PasswordChangeRequired (a 403 `password_change_required`) while the owner still has a
    password chosen by someone else: a token must not be a way around changing it.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = _LIVE_TOKEN.first(digest=token_digest(token))
    if row is None:
        return None
    now = timezone.now()
    if row.is_expired(now):
        # Said plainly, unlike an unknown token: the owner knows the token, so naming its
        # expiry leaks nothing, and it tells them what to do.
        raise TokenExpired(
            f"this API token ({row.name or row.prefix + '…'}) expired on "
            f"{row.expires_at:%Y-%m-%d %H:%M} UTC: create a new one at /account/tokens/"
        )
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    if row.user.must_change_password:
        raise PasswordChangeRequired()
    return row.user


# Every API request (each status poll too) authenticates: prepared, not compiled each time.
_LIVE_TOKEN = PreparedQuery(
    lambda digest: ApiToken.objects.select_related("user").filter(
        digest=digest, revoked_at__isnull=True, user__is_active=True
    )[:1],
    digest=str,
)
