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
    path("<slug:course>/time-zone/", views.time_zone_set, name="teach-time-zone"),
    path("<slug:course>/signup-domain/", views.signup_domain_set, name="teach-signup-domain"),
    path("<slug:course>/extensions/", views.extension_create, name="teach-extension-create"),
    path(
        "<slug:course>/extensions/upload/",
        views.extension_upload,
        name="teach-extension-upload",
    ),
    path(
        "<slug:course>/extensions/<int:pk>/remove/",
        views.extension_delete,
        name="teach-extension-remove",
    ),
    path(
        "<slug:course>/alerts/<int:pk>/resolve/",
        views.alert_mark_resolved,
        name="teach-alert-resolve",
    ),
]
