"""Domain errors: a code and a message for the person, never an HTTP status.

Services raise them; the API's exception handler (api/api.py) and the pages (pages/views.py and
the other apps' views) turn them into responses with `http_status`, the one place where a code
becomes a status. A code is also what the API returns as `code`, so clients can rely on it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; `message` is written for the person who made it."""

    code = "invalid"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        # Facts a response may carry besides the message (e.g. retry_after of a rate limit).
        self.extra = extra

    @property
    def status(self) -> int:
        """The HTTP status of this error's code, read from the one table below."""
        return http_status(self)


class NotFound(DomainError):
    """Not there, or not for this user: the same answer, so that an id's existence leaks not."""

    code = "not_found"


# code -> HTTP status. A code missing here is a 400: the request was refused as it was sent.
HTTP_STATUS = {
    "invalid": 400,
    "course_required": 400,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "rate_limited": 429,
    # The answer preview's reader could not start, or stayed busy (api/preview.py).
    "preview_unavailable": 503,
    # "Another one" asked too often: each new instance may run the engine in the web process.
    "too_many_instances": 429,
    # A known API token past its expiry: authenticate again (with a new token).
    "token_expired": 401,
    # Allowed to ask, not allowed now (the student's attempts, the deadline, the rules).
    "no_attempts_left": 403,
    "not_assigned": 403,
    "deadline_passed": 403,
    "practice_closed": 403,
    "solution_opened": 403,
    "forbidden": 403,
    # A password chosen by someone else (a CSV upload) must be changed on the site first.
    "password_change_required": 403,
}


def http_status(error: DomainError) -> int:
    return HTTP_STATUS.get(error.code, 400)


# When the database is away for a moment (a failover, a restart): the pages' middleware and the
# API answer 503 with these, and nothing is saved.
DB_RETRY_AFTER_SECONDS = 5
DB_UNAVAILABLE_MESSAGE = (
    "The database is unavailable for a moment; nothing was lost or saved. "
    f"Try again in {DB_RETRY_AFTER_SECONDS} seconds."
)
