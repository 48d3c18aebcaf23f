"""Instructors' course pages, under /teach/ (filled in by the course-management work)."""

from __future__ import annotations

from django.urls import path

from courses import views

urlpatterns = [
    path("", views.teach_home, name="teach-home"),
]
