"""Instructors' course pages, under /teach/ (the gradebook has its own, under /teach/<course>/gradebook/)."""

from __future__ import annotations

from django.urls import path

from courses import views

urlpatterns = [
    path("", views.teach_home, name="teach-home"),
    path("<slug:course>/", views.teach_course, name="teach-course"),
    path("<slug:course>/invite/open/", views.invite_open, name="teach-invite-open"),
    path("<slug:course>/invite/reset/", views.invite_reset, name="teach-invite-reset"),
    path("<slug:course>/students/upload/", views.enrol_csv, name="teach-enrol-csv"),
    path(
        "<slug:course>/students/<int:user_id>/remove/",
        views.student_remove,
        name="teach-student-remove",
    ),
    path("<slug:course>/assignments/<slug:slug>/", views.assignment_edit, name="teach-assignment"),
    path(
        "<slug:course>/assignments/<slug:slug>/publish/",
        views.assignment_publish,
        name="teach-assignment-publish",
    ),
    path(
        "<slug:course>/alerts/<int:pk>/resolve/",
        views.alert_mark_resolved,
        name="teach-alert-resolve",
    ),
]
