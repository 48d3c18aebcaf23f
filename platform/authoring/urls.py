"""Exercise authoring on the web, under /teach/exercises/ (instructors and staff only)."""

from __future__ import annotations

from django.urls import path

from authoring import views

urlpatterns = [
    path("", views.draft_list, name="authoring-list"),
    path("new/", views.draft_new, name="authoring-new"),
    path("preview/", views.preview, name="authoring-preview"),
    path("drafts/<int:pk>/", views.draft_edit, name="authoring-edit"),
    path("drafts/<int:pk>/validate/", views.validate, name="authoring-validate"),
    path("drafts/<int:pk>/status/", views.status, name="authoring-status"),
    path("drafts/<int:pk>/publish/", views.publish, name="authoring-publish"),
    path("drafts/<int:pk>/export/", views.export_draft, name="authoring-export"),
    path("drafts/<int:pk>/delete/", views.draft_delete_view, name="authoring-delete"),
    path("exercise/<slug:slug>/", views.history, name="authoring-history"),
    path("exercise/<slug:slug>/edit/", views.edit_exercise, name="authoring-edit-exercise"),
    path("exercise/<slug:slug>/copy/", views.copy_exercise, name="authoring-copy-exercise"),
    path("exercise/<slug:slug>/owners/add/", views.owner_add, name="authoring-owner-add"),
    path(
        "exercise/<slug:slug>/owners/<int:user_id>/remove/",
        views.owner_remove,
        name="authoring-owner-remove",
    ),
    path(
        "exercise/<slug:slug>/versions/<str:version>/export/",
        views.export_version,
        name="authoring-export-version",
    ),
]
