"""A database that is briefly away (restart, failover) is a 503 with Retry-After, not a 500.

Nothing was saved when the query failed, so the honest answer is "try again in a few
seconds": browsers show the page below, API clients get JSON, load balancers (via /healthz)
take the instance out of rotation until the database answers again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = (
    "The database is unavailable for a moment; nothing was lost or saved. "
    f"Try again in {RETRY_AFTER_SECONDS} seconds."
)
PAGE = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Back in a moment</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;">
  <h1>Back in a moment</h1>
  <p>{MESSAGE}</p>
  <p>If you were submitting, your code is still in the page: go back and submit again.</p>
</body>
</html>
"""


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
        wants_json = request.path.startswith("/api/") or request.path == "/healthz"
        if wants_json:
            response: HttpResponse = JsonResponse(
                {"message": MESSAGE, "code": "database_unavailable"}, status=503
            )
        else:
            response = HttpResponse(PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
