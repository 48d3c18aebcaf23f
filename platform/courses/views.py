"""Instructors' course management pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courses.selectors import courses_taught_by


@login_required
def teach_home(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/teach_home.html", {"courses": courses_taught_by(request.user)})
