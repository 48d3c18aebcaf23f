"""An instructor's review of a graded submission: line comments and the student's regrade
requests. Rubric points live in submissions.models (the score reads them: see there)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LineComment(models.Model):
    """An instructor's remark on one line of a submission's code, shown to its student."""

    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="line_comments"
    )
    line = models.PositiveIntegerField()  # 1-based, as the page numbers them
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("line", "created_at")

    def __str__(self) -> str:
        return f"line {self.line} of #{self.submission_id}"


class RegradeRequest(models.Model):
    """A student's request to review one graded submission, and the instructor's answer."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"

    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="regrade_requests"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at",)
        constraints = (
            # One open request per submission: the database enforces it against a double click.
            models.UniqueConstraint(
                fields=("submission",),
                condition=models.Q(status="open"),
                name="regrade_request_one_open",
            ),
        )

    def __str__(self) -> str:
        return f"request on #{self.submission_id} ({self.status})"
