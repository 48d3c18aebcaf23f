"""The review on the submission page and the answered requests on the course home, as template
tags: the pages app shows them without importing this app (they are independent apps of one
layer in pyproject's importlinter contract; a template is not an import)."""

from __future__ import annotations

from typing import Any

from django import template

from courses.selectors import is_instructor_of
from reviews.selectors import (
    answered_notices,
    line_comments_of,
    requests_of_submission,
    rubric_marks_of,
    rubric_of,
)
from reviews.services import is_reviewable

register = template.Library()


@register.inclusion_tag("reviews/_code.html", takes_context=True)
def review_code(context: dict[str, Any], submission: Any) -> dict[str, Any]:
    """The code, numbered, each line's comments beside it."""
    by_line: dict[int, list[Any]] = {}
    # Exam mode: the student reads the review with the results (submissions_for_viewer set this).
    comments = [] if getattr(submission, "withheld_until", "") else line_comments_of(submission)
    for comment in comments:
        by_line.setdefault(comment.line, []).append(comment)
    lines = [
        {"number": n, "text": text, "comments": by_line.get(n, [])}
        for n, text in enumerate(submission.code.splitlines() or [""], start=1)
    ]
    return {"lines": lines}


@register.inclusion_tag("reviews/_review.html", takes_context=True)
def review_panel(context: dict[str, Any], submission: Any) -> dict[str, Any]:
    user = context["request"].user
    # Exam mode hides the review (rubric points change the score) until the results open.
    reviewable = is_reviewable(submission) and not getattr(submission, "withheld_until", "")
    reviewer = reviewable and is_instructor_of(user, submission.course)
    marks = rubric_marks_of(submission) if reviewable else []
    requests = requests_of_submission(submission) if reviewable else []
    return {
        "submission": submission,
        "reviewable": reviewable,
        "reviewer": reviewer,
        "is_owner": submission.user_id == user.pk,
        "rubric": rubric_of(submission) if reviewer else [],
        "marked": {mark.item_id for mark in marks},
        "marks": marks,
        "requests": requests,
        "has_open": any(r.status == "open" for r in requests),
        "can_request": submission.status == "done",
        "lines": max(1, len(submission.code.splitlines())),
    }


@register.inclusion_tag("reviews/_notices.html", takes_context=True)
def review_notices(context: dict[str, Any], course: Any) -> dict[str, Any]:
    return {"notices": answered_notices(user=context["request"].user, course=course)}
