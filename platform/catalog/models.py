"""Exercises as the site knows them, synced from the `exercises/` folders.

Each distinct content of an exercise folder is an ExerciseVersion holding all its files. A
submission points at the version it was made against, so editing an exercise never changes
what an old submission was graded with, and the verdict can be reproduced (with its seed).
"""

from __future__ import annotations

from django.db import models


class Exercise(models.Model):
    class Kind(models.TextChoices):
        CODE = "code", "Code"
        MATH = "math", "Math"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=50)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    points = models.FloatField()
    difficulty = models.PositiveSmallIntegerField(default=1)
    minutes = models.PositiveIntegerField(default=10)
    order = models.IntegerField(default=0)
    requires = models.JSONField(default=list, blank=True)
    # Sort key of the topic (the engine's topic order), so lists sort in the database.
    topic_rank = models.PositiveSmallIntegerField(default=99)
    current_version = models.ForeignKey(
        "ExerciseVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # False once the folder is gone from exercises/: hidden, but its submissions stay.
    is_active = models.BooleanField(default=True)
    # Graded attempts allowed per student; None = unlimited. Set by an instructor in the admin.
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("topic_rank", "topic", "order", "slug")

    def __str__(self) -> str:
        return self.slug


class ExerciseVersion(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=64)  # the engine's hash of the folder's files
    # Every file of the folder (relative path -> text), including reference.py and solutions/:
    # server-side only, never sent to a student.
    files = models.JSONField()
    statement = models.TextField(blank=True)
    starter = models.TextField(blank=True)
    entry_point = models.CharField(max_length=100, blank=True)
    answer_type = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["exercise", "version"], name="one_row_per_version"),
        )
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.exercise.slug}@{self.version}"


class PracticeInstance(models.Model):
    """Which practice instance a student is on for an exercise ("another one" moves it on).

    Number 0 is the student's own graded instance; each "another one" draws a new seed for
    practice only, so the graded instance (and the gradebook) never change.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "exercise"], name="one_practice_instance"),
        )
