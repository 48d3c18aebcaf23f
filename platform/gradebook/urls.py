"""The gradebook of one course, under /teach/<course>/gradebook/ (filled in by the gradebook work)."""

from __future__ import annotations

from django.urls import path

from gradebook import views

urlpatterns = [
    path("", views.gradebook, name="gradebook"),
]
