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
