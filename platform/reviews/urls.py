"""Review forms on a submission, and the instructors' queue of regrade requests."""

from __future__ import annotations

from django.urls import path

from reviews import views

urlpatterns = [
    path("submissions/<int:pk>/review/comments/", views.line_comment_add, name="review-comment"),
    path("submissions/<int:pk>/review/rubric/", views.rubric_marks_save, name="review-rubric"),
    path(
        "submissions/<int:pk>/review/rubric/items/",
        views.rubric_item_add,
        name="review-rubric-item",
    ),
    path("submissions/<int:pk>/review/request/", views.regrade_request_add, name="review-request"),
    path("teach/<slug:course>/requests/", views.request_queue, name="review-queue"),
    path(
        "teach/<slug:course>/requests/<int:pk>/", views.request_detail, name="review-request-detail"
    ),
]
