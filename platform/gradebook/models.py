"""The gradebook's own rows: similarity checks (the scores themselves live in submissions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SimilarityCheck(models.Model):
    """One run of the similarity check of an exercise in a course (gradebook.similarity).

    `pairs` holds the ranking as the task left it: a list of {"a", "b", "shared", "share_a",
    "share_b"} with submission ids, most similar first; `submissions` maps each compared
    submission's id to its student's id (the students whose final graded code was compared).
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Failed"

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey("catalog.Exercise", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    compared = models.PositiveIntegerField(default=0)
    pairs = models.JSONField(default=list)
    submissions = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
