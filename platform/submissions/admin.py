from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from submissions.create import submission_regrade, submission_retry
from submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "exercise",
        "mode",
        "status",
        "verdict",
        "score",
        "created_at",
        "graded_count",
    )
    list_filter = ("status", "verdict", "mode", "exercise__topic")
    search_fields = ("user__username", "exercise__slug")
    raw_id_fields = ("user", "exercise", "version", "regrade_of")
    readonly_fields = tuple(f.name for f in Submission._meta.fields)
    actions = ("regrade", "retry")

    @admin.action(description="Regrade (new submissions on the regrade queue)")
    def regrade(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        for submission in queryset.select_related("exercise"):
            submission_regrade(submission=submission)
        messages.info(request, f"{queryset.count()} regrade(s) queued")

    @admin.action(description="Retry the ones that could not be graded")
    def retry(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        retried = sum(submission_retry(submission=s) for s in queryset)
        messages.info(request, f"{retried} submission(s) queued again")
