"""Server-rendered pages: thin views over the services and selectors."""

from __future__ import annotations

import json

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
        for title, exercises in exercise_list_by_topic()
    ]
    return render(request, "pages/exercise_list.html", {"topics": topics})


@login_required
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = exercise_get(slug)
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
    report = submission.report or {}
    context = {
        "submission": submission,
        "report": report,
        "checks": [
            {**check, "details_json": json.dumps(check["details"], indent=1)}
            if check.get("details")
            else check
            for check in report.get("checks", [])
        ],
        "is_owner": submission.user_id == request.user.pk,
    }
    return render(request, "pages/submission_detail.html", context)


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
