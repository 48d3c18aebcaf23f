"""Server-rendered pages: thin views over the services and selectors."""

from __future__ import annotations

import json
from typing import Any

from catalog.selectors import exercise_get, exercise_list_by_topic, statement_html, topic_title
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from submissions.models import Submission
from submissions.selectors import (
    best_scores_for_student,
    report_for_viewer,
    submission_get_for_user,
    submission_list_for_student,
)
from submissions.services import (
    RateLimited,
    SubmissionError,
    seed_for,
    submission_create,
    submission_retry,
)

from pages.forms import SubmissionForm


def home(request: HttpRequest) -> HttpResponse:
    return redirect("exercise-list" if request.user.is_authenticated else "login")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def exercise_list(request: HttpRequest) -> HttpResponse:
    best = best_scores_for_student(user=request.user)
    topics = [
        (title, [(exercise, best.get(exercise.pk)) for exercise in exercises])
        for title, exercises in exercise_list_by_topic(request.user)
    ]
    return render(request, "pages/exercise_list.html", {"topics": topics})


@login_required
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = exercise_get(slug, request.user)
    version = exercise.current_version
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        form = SubmissionForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            is_code = exercise.kind == exercise.Kind.CODE
            try:
                submission = submission_create(
                    user=request.user,
                    exercise=exercise,
                    code=form.cleaned_data["code"] if is_code else None,
                    answer=None if is_code else form.cleaned_data["answer"],
                    mode=form.cleaned_data["mode"],
                )
            except SubmissionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
                if isinstance(exc, RateLimited):
                    headers["Retry-After"] = str(exc.retry_after)
            else:
                return redirect("submission-detail", pk=submission.pk)
    else:
        recent = submission_list_for_student(user=request.user, exercise=exercise).first()
        initial_code = recent.code if recent and recent.code else version.starter
        form = SubmissionForm(initial={"code": initial_code, "mode": Submission.Mode.GRADED})
    context = {
        "exercise": exercise,
        "topic_title": topic_title(exercise.topic),
        "statement": statement_html(version, seed_for(user=request.user, exercise=exercise)),
        "form": form,
        "recent": submission_list_for_student(user=request.user, exercise=exercise)[:5],
    }
    response = render(request, "pages/exercise_detail.html", context, status=status)
    for name, value in headers.items():
        response.headers[name] = value
    return response


@never_cache
@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for_user(user=request.user, submission_id=pk)
    report = report_for_viewer(submission, request.user) or {}
    context = {
        "submission": submission,
        "report": report,
        "checks": [check_view(check) for check in report.get("checks", [])],
        "is_owner": submission.user_id == request.user.pk,
    }
    return render(request, "pages/submission_detail.html", context)


def _shape(value: Any) -> str:
    return "(" + ", ".join(str(d) for d in value) + ("," if len(value) == 1 else "") + ")"


def _mask_rows(mask: Any) -> list[list[bool]] | None:
    """The engine's `wrong_mask` (a 1-D or 2-D list of 0/1) as rows of booleans, or None."""
    if not isinstance(mask, list) or not mask:
        return None
    rows = mask if all(isinstance(row, list) for row in mask) else [mask]
    if not all(row and all(isinstance(v, int | bool | float) for v in row) for row in rows):
        return None
    return [[bool(v) for v in row] for row in rows]


def check_view(check: dict[str, Any]) -> dict[str, Any]:
    """One check of a report, plus what the page shows of it: the shapes, the error figures
    and, for visible cases, a heatmap of the wrong positions (`mask_rows`)."""
    details = check.get("details") or {}
    if not isinstance(details, dict):
        return {**check, "details_json": json.dumps(details, indent=1)}
    figures: list[tuple[str, str]] = []
    if "expected_shape" in details and "got_shape" in details:
        figures.append(("expected shape", _shape(details["expected_shape"])))
        figures.append(("your shape", _shape(details["got_shape"])))
    if "wrong_count" in details and "share_wrong" in details:
        figures.append(
            ("wrong values", f"{details['wrong_count']} ({100 * details['share_wrong']:.0f}%)")
        )
    for key, label in (
        ("max_abs_error", "max abs error"),
        ("max_rel_error", "max rel error"),
        ("abs_error", "abs error"),
        ("rel_error", "rel error"),
    ):
        if isinstance(details.get(key), int | float):
            figures.append((label, f"{details[key]:.3g}"))
    mask = _mask_rows(details.get("wrong_mask")) if check.get("visible") else None
    return {
        **check,
        "figures": figures,
        "mask_rows": mask,
        "mask_wrong": sum(map(sum, mask)) if mask else 0,
        "mask_size": sum(map(len, mask)) if mask else 0,
        "details_json": json.dumps(details, indent=1) if details else "",
    }


@require_POST
@login_required
def submission_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for_user(user=request.user, submission_id=pk)
    allowed = submission.user_id == request.user.pk or request.user.is_platform_staff
    if allowed and submission_retry(submission=submission):
        messages.info(request, "Queued again.")
    return redirect("submission-detail", pk=pk)


@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(submission_list_for_student(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "pages/my_submissions.html", {"page": page})
