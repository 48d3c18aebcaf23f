"""Reads for accounts."""

from __future__ import annotations

from datetime import timedelta

from core.prepared import PreparedQuery
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import TOKEN_PREFIX, token_digest

# Writing last_used_at on every request would turn each API read into a write; once a minute
# is enough to tell a used token from an abandoned one.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_api_token(token: str) -> User | None:
    """The active user owning this token, or None (unknown, revoked, or user deactivated)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = _LIVE_TOKEN.first(digest=token_digest(token))
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


# Every API request (each status poll too) authenticates: prepared, not compiled each time.
_LIVE_TOKEN = PreparedQuery(
    lambda digest: ApiToken.objects.select_related("user").filter(
        digest=digest, revoked_at__isnull=True, user__is_active=True
    )[:1],
    digest=str,
)
