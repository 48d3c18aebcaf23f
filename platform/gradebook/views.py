"""The gradebook pages."""

from __future__ import annotations

from courses.selectors import course_get_for_instructor
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def gradebook(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    return render(request, "gradebook/gradebook.html", {"course": row})
