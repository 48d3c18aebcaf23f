"""The site's own middleware: the response headers every page gets, and two failures answered
plainly instead of with a 500 or a full disk.

- Every response carries the Content-Security-Policy and Permissions-Policy of the settings, and
  one made for a request with credentials (the session cookie or an Authorization header) is
  `Cache-Control: no-store` unless its view chose otherwise (docs/security.md#response-headers).

- A database that is briefly away (restart, failover) is a 503 with Retry-After: nothing was
  saved when the query failed, so the honest answer is "try again in a few seconds". Browsers
  get a page, API clients JSON; load balancers (via /healthz) take the instance out meanwhile.
- A request body above MAX_REQUEST_BYTES is a 413 before a byte of it is read. Django's own
  DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, which it would spool to disk in
  full before any form could look at their size.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control

from core.errors import DB_RETRY_AFTER_SECONDS, DB_UNAVAILABLE_MESSAGE

logger = logging.getLogger(__name__)

# The same words for the pages (here) and the API (api/api.py): written once, in core.
RETRY_AFTER_SECONDS = DB_RETRY_AFTER_SECONDS
MESSAGE = DB_UNAVAILABLE_MESSAGE
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;">
  <h1>{title}</h1>
  <p>{message}</p>
  <p>{advice}</p>
</body>
</html>
"""


def _plain_error(
    request: HttpRequest, status: int, code: str, message: str, **page: str
) -> HttpResponse:
    """JSON for the API (and /healthz), a small page for browsers."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return JsonResponse({"message": message, "code": code}, status=status)
    return HttpResponse(PAGE.format(message=message, **page), status=status)


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and, for whatever a signed-in user or a token holder is sent,
    no-store.

    Every page of a signed-in user holds their code, answers or grades (or a class's): a
    shared computer's browser cache or a proxy must keep none of it. One rule on the
    credentials rather than a decorator per view, so that no page can be forgotten; a view
    that sets its own Cache-Control (never_cache, static files) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        has_credentials = (
            settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
        )
        if has_credentials and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads no body without a valid length
        limit = settings.MAX_REQUEST_BYTES
        if size <= limit:
            return self.get_response(request)
        message = (
            f"The request is too large: {filesizeformat(size)}; the limit is "
            f"{filesizeformat(limit)}. Nothing was saved."
        )
        response = _plain_error(
            request,
            413,
            "too_large",
            message,
            title="Too large",
            advice="A CSV of students can be split into several files.",
        )
        # The unread body is not worth reading to keep the connection: close it.
        response["Connection"] = "close"
        return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
        response = _plain_error(
            request,
            503,
            "database_unavailable",
            MESSAGE,
            title="Back in a moment",
            advice="If you were submitting, your code is still in the page: go back and submit again.",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
