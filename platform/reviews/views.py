"""Review pages and forms. The submission page shows the review (reviews/templatetags); these
views take its forms, and hold the instructors' queue of regrade requests under
/teach/<course>/requests/. A refused input is a 400 page with the error beside what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from courses.selectors import course_get_for_instructor
from reviews.models import RegradeRequest
from reviews.selectors import (
    request_for_instructor,
    requests_for_instructor,
    submission_for_author,
    submission_for_reviewer,
)
from reviews.services import (
    ReviewInvalid,
    line_comment_create,
    regrade_request_answer,
    regrade_request_create,
    rubric_item_create,
    rubric_marks_set,
)


def _refused(
    request: HttpRequest,
    exc: ReviewInvalid,
    *,
    title: str,
    action: str,
    back: str,
    fields: list[dict[str, Any]],
) -> HttpResponse:
    """The form again, as typed, with the error on its field (400)."""
    for field in fields:
        field["error"] = str(exc) if field["name"] == exc.field else ""
    context = {"title": title, "action": action, "back": back, "fields": fields, "error": str(exc)}
    return render(request, "reviews/refused.html", context, status=400)


def _back(pk: int, anchor: str = "review") -> str:
    return reverse("submission-detail", args=[pk]) + f"#{anchor}"


@require_POST
@login_required
def line_comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_reviewer(user=request.user, submission_id=pk)
    line, body = request.POST.get("line", ""), request.POST.get("body", "")
    try:
        comment = line_comment_create(
            submission=submission, line=line, body=body, author=request.user
        )
    except ReviewInvalid as exc:
        return _refused(
            request,
            exc,
            title="Comment a line",
            back=_back(pk),
            action=reverse("review-comment", args=[pk]),
            fields=[
                {"name": "line", "label": "Line", "value": line, "kind": "number"},
                {"name": "body", "label": "Comment", "value": body, "kind": "textarea"},
            ],
        )
    return redirect(_back(pk, f"line-{comment.line}"))


@require_POST
@login_required
def rubric_marks_save(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_reviewer(user=request.user, submission_id=pk)
    try:
        rubric_marks_set(
            submission=submission, item_ids=request.POST.getlist("items"), created_by=request.user
        )
    except ReviewInvalid as exc:
        return _refused(request, exc, title="Rubric", back=_back(pk), action="", fields=[])
    messages.success(request, "Rubric saved: the score includes its points.")
    return redirect(_back(pk, "rubric"))


@require_POST
@login_required
def rubric_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new item of the exercise's rubric, given to this submission at once."""
    submission = submission_for_reviewer(user=request.user, submission_id=pk)
    name, points = request.POST.get("name", ""), request.POST.get("points", "")
    try:
        item = rubric_item_create(submission=submission, name=name, points=points)
    except ReviewInvalid as exc:
        return _refused(
            request,
            exc,
            title="New rubric item",
            back=_back(pk),
            action=reverse("review-rubric-item", args=[pk]),
            fields=[
                {"name": "name", "label": "Item", "value": name, "kind": "text"},
                {"name": "points", "label": "Points", "value": points, "kind": "text"},
            ],
        )
    marked = [str(m) for m in submission.rubric_marks.values_list("item_id", flat=True)]
    rubric_marks_set(
        submission=submission, item_ids=[*marked, str(item.pk)], created_by=request.user
    )
    messages.success(request, f"“{item.name}” added to the rubric and given to this submission.")
    return redirect(_back(pk, "rubric"))


@require_POST
@login_required
def regrade_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_for_author(user=request.user, submission_id=pk)
    reason = request.POST.get("reason", "")
    try:
        regrade_request_create(submission=submission, student=request.user, reason=reason)
    except ReviewInvalid as exc:
        return _refused(
            request,
            exc,
            title="Ask for a review",
            back=_back(pk),
            action=reverse("review-request", args=[pk]),
            fields=[{"name": "reason", "label": "Reason", "value": reason, "kind": "textarea"}],
        )
    messages.success(request, "Your request was sent to the course's instructors.")
    return redirect(_back(pk, "regrade-requests"))


@login_required
def request_queue(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    found = list(requests_for_instructor(row))
    context = {
        "course": row,
        "open": [r for r in found if r.status == RegradeRequest.Status.OPEN],
        "answered": [r for r in found if r.status != RegradeRequest.Status.OPEN],
    }
    return render(request, "reviews/queue.html", context)


@login_required
def request_detail(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    found = request_for_instructor(row, pk)
    context: dict[str, Any] = {"course": row, "req": found, "typed": {}, "errors": {}}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in ("status", "answer", "score")}
        try:
            regrade_request_answer(
                request=found,
                status=typed["status"],
                answer=typed["answer"],
                answered_by=request.user,
                score=typed["score"],
            )
        except ReviewInvalid as exc:
            context.update(typed=typed, errors={exc.field: str(exc)})
            return render(request, "reviews/request.html", context, status=400)
        done = " and the score is set (in the audit log)" if typed["score"].strip() else ""
        messages.success(request, f"Answered{done}: the student sees it on their course home.")
        return redirect("review-queue", course=row.slug)
    return render(request, "reviews/request.html", context)
