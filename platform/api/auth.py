"""API authentication: a personal token (`Authorization: Bearer dg_...`) or the site's session.

A session-authenticated write must carry the CSRF token (a page's script posting on the
student's behalf); a bearer token needs none, since a browser never adds it by itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.selectors import user_for_api_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_api_token(token)


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in user of the session; CSRF checked on writes.

    Unlike ninja's SessionAuth, an anonymous request is simply not authenticated (401), rather
    than failing the CSRF check first (403): a client with no session should be told to sign in.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie"
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None
