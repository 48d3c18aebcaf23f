"""Why a submission is refused before it is saved: codes and messages (core/errors.py maps a
code to its HTTP status, for the API and the pages alike)."""

from __future__ import annotations

from core.errors import DomainError


class SubmissionError(DomainError):
    """A submission refused before it was saved."""


class SubmissionTooLarge(SubmissionError):
    code = "too_large"


class AttemptsExhausted(SubmissionError):
    code = "no_attempts_left"


class NotAssigned(SubmissionError):
    code = "not_assigned"


class DeadlinePassed(SubmissionError):
    code = "deadline_passed"


class PracticeClosed(SubmissionError):
    """A practice run that would answer for the student's graded instance (submissions.rules)."""

    code = "practice_closed"


class SolutionOpened(SubmissionError):
    code = "solution_opened"


class CourseRequired(SubmissionError):
    """A student in several courses sent a graded submission without naming the course."""

    code = "course_required"


class RateLimited(SubmissionError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class TooManyInstances(RateLimited):
    """"Another one" asked too often: a new practice instance of a math exercise runs the engine
    in the web process, and its statement is cached for days (catalog.selectors)."""

    code = "too_many_instances"
