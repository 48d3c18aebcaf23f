"""Exercise authoring on the web, under /teach/exercises/ (filled in by the authoring work)."""

from __future__ import annotations

from django.urls import path

from authoring import views

urlpatterns = [
    path("", views.draft_list, name="authoring-list"),
]
