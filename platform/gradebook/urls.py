"""The gradebook of one course, under /teach/<course>/gradebook/ (every view gets `course`)."""

from __future__ import annotations

from django.urls import path

from gradebook import views

urlpatterns = [
    path("", views.gradebook, name="gradebook"),
    path("export.csv", views.gradebook_csv, name="gradebook-csv"),
    path("exercises/<slug:slug>/", views.gradebook_exercise, name="gradebook-exercise"),
    path(
        "exercises/<slug:slug>/regrade/",
        views.gradebook_regrade_create,
        name="gradebook-regrade-create",
    ),
    path(
        "exercises/<slug:slug>/families/rescore/",
        views.gradebook_family_rescore,
        name="gradebook-family-rescore",
    ),
    path(
        "exercises/<slug:slug>/similarity/",
        views.gradebook_similarity,
        name="gradebook-similarity",
    ),
    path(
        "exercises/<slug:slug>/similarity/<int:pk>/pairs.csv",
        views.gradebook_similarity_csv,
        name="gradebook-similarity-csv",
    ),
    path(
        "exercises/<slug:slug>/similarity/<int:pk>/<int:a>-<int:b>/",
        views.gradebook_similarity_pair,
        name="gradebook-similarity-pair",
    ),
    path(
        "students/<int:student>/exercises/<slug:slug>/",
        views.gradebook_student_exercise,
        name="gradebook-student-exercise",
    ),
    path("regrades/<int:pk>/", views.gradebook_regrade, name="gradebook-regrade"),
    path("regrades/<int:pk>/apply/", views.gradebook_regrade_apply, name="gradebook-regrade-apply"),
    path(
        "regrades/<int:pk>/discard/",
        views.gradebook_regrade_discard,
        name="gradebook-regrade-discard",
    ),
]
