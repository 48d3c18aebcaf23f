"""The JSON API, /api/v1/ (OpenAPI schema at /api/v1/openapi.json).

Every error is JSON, `{"message": ..., "code": ...}`, with the status that fits: 400 bad input
(malformed JSON, JSON nested too deeply and text no database can store included), 401 not
authenticated (or an expired token), 403 not allowed (CSRF, no attempts left), 404 not found
(also for someone else's submission), 413 too large, 415 not JSON, 429 too many submissions or
new instances (with Retry-After).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pydantic
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.auth import BearerTokenAuth, SessionCsrfAuth
from api.preview import answer_preview
from api.schemas import (
    ErrorOut,
    ExerciseDetailOut,
    ExerciseOut,
    PreviewIn,
    PreviewOut,
    SubmissionIn,
    SubmissionOut,
)
from catalog.models import Exercise
from catalog.selectors import exercise_get_unchecked, statement_source
from core.errors import DB_RETRY_AFTER_SECONDS as RETRY_AFTER_SECONDS
from core.errors import DB_UNAVAILABLE_MESSAGE as DB_MESSAGE
from core.errors import DomainError, http_status
from courses.selectors import (
    assignment_for,
    course_get_for_member,
    exercise_get_for,
    exercises_visible_to,
    rules_for,
)
from courses.time import in_course_zone
from submissions.create import practice_instance_next, submission_create
from submissions.errors import RateLimited
from submissions.models import Submission
from submissions.rules import counted_attempts, seed_for
from submissions.selectors import (
    report_for_viewer,
    seed_for_viewer,
    submission_for_status,
    submission_list_for_student,
    submissions_for_viewer,
)

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="deepgrade API",
    version="1.0.0",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    docs_url=None,  # the Swagger UI loads from a CDN; the schema itself is served
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


def _error(
    request: HttpRequest, status: int, message: str, code: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"message": message, "code": code, **extra}, status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.code, **exc.extra)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # The status comes from the error's code (core/errors.py), as on the pages.
    response = _error(request, http_status(exc), exc.message, exc.code)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    if response.status_code == 401:  # an expired token (RFC 6750's answer to a bad token)
        response["WWW-Authenticate"] = 'Bearer realm="deepgrade", error="invalid_token"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "not authenticated: send Authorization: Bearer <token> (create one on "
        "/account/tokens/, or python manage.py create_api_token USER) or sign in",
        "not_authenticated",
    )
    response["WWW-Authenticate"] = 'Bearer realm="deepgrade"'
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 400, "invalid input", "invalid", errors=exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return _error(request, exc.status_code, str(exc), code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "not found", "not_found")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Nothing was saved: say so, and when to try again (config/middleware.py for the pages).
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    response = _error(request, 503, DB_MESSAGE, "database_unavailable")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Exception)
def _internal(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "internal error; it has been logged", "internal")


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ApiError(
            415,
            "send the body as JSON with Content-Type: application/json",
            "unsupported_media_type",
        )
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}", "malformed_json") from None
    except RecursionError:
        # The decoder recurses once per level: thousands of nested arrays exhaust the stack.
        raise ApiError(400, "malformed JSON: nested too deeply", "malformed_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object", "invalid")
    if problem := _unstorable_text(data):
        raise ApiError(400, problem, "invalid")
    return data


def _unstorable_text(data: Any) -> str | None:
    """Why the decoded body holds text that no database column can take, or None.

    JSON can escape what UTF-8 cannot encode (a lone surrogate, "\\ud800") and what PostgreSQL
    refuses in text (NUL, "\\u0000"); either would fail as a 500 when a service stores it. Every
    key and string is checked, without recursion (the decoder allowed any depth it could).
    """
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "the JSON holds a NUL character (\\u0000), which cannot be stored: remove it"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return (
                    "the JSON holds an unpaired surrogate (such as \\ud800), which is not text: "
                    "send valid Unicode"
                )
    return None


def _exercise_out(exercise: Exercise, user: Any) -> dict[str, Any]:
    assignment = assignment_for(user=user, exercise=exercise)
    # The caller's own deadline and attempts (their extension), on the course's clock.
    rules = rules_for(assignment, user) if assignment else None
    return {
        "slug": exercise.slug,
        "title": exercise.title,
        "topic": exercise.topic,
        "kind": exercise.kind,
        "points": exercise.points,
        "difficulty": exercise.difficulty,
        "minutes": exercise.minutes,
        "order": exercise.order,
        "requires": exercise.requires,
        "version": exercise.current_version.version,
        "course": assignment.course.slug if assignment else None,
        "due_at": in_course_zone(assignment.course, rules.due_at)
        if rules and rules.due_at
        else None,
        "max_attempts": rules.max_attempts if rules else None,
    }


def _submission_out(submission: Submission, viewer: Any) -> dict[str, Any]:
    # A score only once graded: "could not be graded" (status error) is not a grade of 0. The
    # score is the effective one (late penalty, applied regrades), as on every page.
    # Exam mode blanks the verdict, score and report of a withheld result (one rule, the pages').
    submissions_for_viewer([submission], viewer)
    done = submission.status == Submission.Status.DONE
    counted = submission.effective  # type: ignore[attr-defined]
    score = submission.score if done else None
    if counted is not None:
        score = counted.score
    return {
        "id": submission.pk,
        "url": reverse("api:submission_get", args=[submission.pk]),
        "exercise": submission.exercise.slug,
        "version": submission.version.version,
        "mode": submission.mode,
        "status": submission.status,
        "verdict": submission.verdict or None,
        "verdict_label": submission.verdict_label if submission.verdict else None,
        "score": score,
        "max_score": submission.max_score if done else None,
        "raw_score": submission.score if done else None,
        "score_note": counted.reason if counted is not None else "",
        "results_withheld_until": submission.withheld_until or None,  # type: ignore[attr-defined]
        "message": submission.message,
        "attempt": submission.attempt,
        "seed": seed_for_viewer(submission, viewer),
        "created_at": submission.created_at,
        "queued_at": submission.queued_at,
        "started_at": submission.started_at,
        "finished_at": submission.finished_at,
        "course": submission.course.slug if submission.course_id else None,
        "visible_only": submission.visible_only,
        "report": report_for_viewer(submission, viewer),
    }


@api.get("/exercises", response=list[ExerciseOut], url_name="exercise_list")
def list_exercises(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _exercise_out(e, request.auth)
        for e in exercises_visible_to(request.auth)
        .select_related("current_version")
        .defer("current_version__files")
    ]


@api.get("/exercises/{slug}", response={200: ExerciseDetailOut, **ERRORS}, url_name="exercise_get")
def get_exercise(request: HttpRequest, slug: str, mode: str = "graded") -> dict[str, Any]:
    """`?mode=practice` gives the statement of the student's current practice instance."""
    exercise = exercise_get_for(request.auth, slug)
    return _exercise_detail(request, exercise, mode)


@api.post(
    "/exercises/{slug}/another",
    response={200: ExerciseDetailOut, **ERRORS, 429: ErrorOut},
    url_name="exercise_another",
)
def another_instance(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Self-test: a new practice instance of the exercise (the graded one never changes)."""
    exercise = exercise_get_for(request.auth, slug)
    practice_instance_next(user=request.auth, exercise=exercise)
    return _exercise_detail(request, exercise, "practice")


@api.post(
    "/exercises/{slug}/preview",
    response={200: PreviewOut, **ERRORS, 413: ErrorOut, 415: ErrorOut, 429: ErrorOut},
    url_name="exercise_preview",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PreviewIn.model_json_schema()}},
        }
    },
)
def preview_answer(request: HttpRequest, slug: str) -> dict[str, Any]:
    """How a typed math answer is read, as LaTeX, before it is sent: parsed only (api/preview.py),
    never graded, stored or counted."""
    try:
        payload = PreviewIn.model_validate(_json_body(request))
    except pydantic.ValidationError as exc:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        raise ApiError(400, "invalid input", "invalid", errors=errors) from None
    exercise = exercise_get_for(request.auth, slug)
    return answer_preview(user=request.auth, exercise=exercise, answer=payload.answer)


def _exercise_detail(request: HttpRequest, exercise: Any, mode: str) -> dict[str, Any]:
    version = exercise.current_version
    statement = statement_source(version, seed_for(user=request.auth, exercise=exercise, mode=mode))
    return {
        **_exercise_out(exercise, request.auth),
        "statement": statement,
        "starter": version.starter,
        "entry_point": version.entry_point or None,
        "answer_type": version.answer_type or None,
        "attempts_used": counted_attempts(user=request.auth, exercise=exercise),
    }


@api.post(
    "/submissions",
    response={202: SubmissionOut, **ERRORS, 413: ErrorOut, 415: ErrorOut, 429: ErrorOut},
    url_name="submission_create",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SubmissionIn.model_json_schema()}},
        }
    },
)
def create_submission(request: HttpRequest) -> Status[dict[str, Any]]:
    # The body is parsed here rather than by ninja so that a wrong content type is a 415 and
    # malformed JSON a clear 400, before any validation.
    try:
        payload = SubmissionIn.model_validate(_json_body(request))
    except pydantic.ValidationError as exc:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        raise ApiError(400, "invalid input", "invalid", errors=errors) from None
    # Visibility is decided by submission_create, with the assignment it looks up anyway.
    exercise = exercise_get_unchecked(payload.exercise)
    course = (
        course_get_for_member(user=request.auth, slug=payload.course) if payload.course else None
    )
    submission = submission_create(
        user=request.auth,
        exercise=exercise,
        code=payload.code,
        answer=payload.answer,
        mode=payload.mode,
        course=course,
        visible_only=payload.visible_only,
    )
    return Status(202, _submission_out(submission, request.auth))


@api.get("/submissions", response=list[SubmissionOut], url_name="submission_list")
def list_submissions(
    request: HttpRequest, exercise: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The caller's own submissions, newest first."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    chosen = exercise_get_for(request.auth, exercise) if exercise else None
    qs = (
        submission_list_for_student(user=request.auth, exercise=chosen)
        .select_related("version")
        .defer("version__files")
    )
    return [_submission_out(s, request.auth) for s in qs[offset : offset + limit]]


@api.get(
    "/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    url_name="submission_get",
)
def get_submission(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    submission = submission_for_status(user=request.auth, submission_id=submission_id)
    return _submission_out(submission, request.auth)
