"""Exercises written on the web: drafts, and who published which version.

A draft holds every file of an exercise folder as {relative path: text}, like
catalog.ExerciseVersion.files. It is validated by the worker (never the web process), and only
the exact files that passed validation can be published: `ok_hash` is the hash of the files last
validated OK, and publishing compares it with the hash of the files as they are now.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExerciseDraft(models.Model):
    class State(models.TextChoices):
        NEW = "new", "Not validated"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        OK = "ok", "Passed"
        FAILED = "failed", "Failed"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_drafts"
    )
    # None for an exercise that was never published; set by the first publication.
    exercise = models.ForeignKey(
        "catalog.Exercise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
    )
    # The version the files started from (or were last published as): publishing refuses to
    # overwrite a newer version someone else published meanwhile.
    base_version = models.ForeignKey(
        "catalog.ExerciseVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    slug = models.SlugField(max_length=100)
    # The folder the files go in (<topic>/<slug>/): follows exercise.toml's topic when valid.
    topic = models.CharField(max_length=50)
    files = models.JSONField(default=dict)

    validation_state = models.CharField(max_length=8, choices=State.choices, default=State.NEW)
    validation_report = models.JSONField(default=dict, blank=True)
    # Which run may store its result (a newer request replaces it), and when it started.
    validation_token = models.UUIDField(null=True, blank=True)
    # The Celery task running it: a newer request stops exactly that run (services.stop_validation).
    validation_task_id = models.CharField(max_length=64, blank=True, default="")
    # When the validation was (last) published: a message lost on the way is published again
    # by the sweeper (authoring.services.drafts_sweep).
    validation_queued_at = models.DateTimeField(null=True, blank=True)
    validation_started_at = models.DateTimeField(null=True, blank=True)
    validated_hash = models.CharField(max_length=64, blank=True)  # the files the report is about
    ok_hash = models.CharField(max_length=64, blank=True)  # the files last validated OK

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at",)

    def __str__(self) -> str:
        return f"draft {self.slug} by {self.author_id}"


class Publication(models.Model):
    """One "Publish" from the web: which version became current, when, and who did it.

    Versions synced from the exercise folders have no publication row.
    """

    version = models.ForeignKey(
        "catalog.ExerciseVersion", on_delete=models.CASCADE, related_name="publications"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-published_at",)

    def __str__(self) -> str:
        return f"{self.version} by {self.published_by_id}"
