"""Exercises as the site knows them, synced from the `exercises/` folders.

Each distinct content of an exercise folder is an ExerciseVersion holding all its files. A
submission points at the version it was made against, so editing an exercise never changes
what an old submission was graded with, and the verdict can be reproduced (with its seed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Exercise(models.Model):
    class Kind(models.TextChoices):
        CODE = "code", "Code"
        MATH = "math", "Math"

    class Source(models.TextChoices):
        FOLDER = "folder", "Folder in exercises/"
        WEB = "web", "Authored on the web"

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
    # Where its files come from: a folder under exercises/ (synced by `sync_exercises`), or
    # the web authoring pages (the sync leaves those alone; export them to commit them).
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FOLDER)
    # Open for self-test to every signed-in user. Exercises authored on the web start closed:
    # students then see them only where a course publishes them.
    is_public = models.BooleanField(default=True)
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


class ExerciseAlert(models.Model):
    """Something wrong with an exercise itself (its reference crashed, its cases do not load).

    One open row per (exercise, version, kind): repeats only count up, so a broken reference hit
    by 500 students is one alert that says 500, not 500 e-mails. Instructors see open alerts on
    their course pages until they resolve them for their course (AlertResolution), usually after
    publishing a fixed version. `resolved_at` closes the alert everywhere: set once every course
    that assigns the exercise resolved it, so the next failure opens a new alert (and e-mails).
    """

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="alerts")
    version = models.ForeignKey(ExerciseVersion, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, default="reference_failed")
    message = models.TextField()
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-last_seen",)
        constraints = (
            models.UniqueConstraint(
                fields=["exercise", "version", "kind"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_alert",
            ),
        )

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.kind} x{self.count}"


class ExerciseOwner(models.Model):
    """Someone who may change an exercise authored on the web: edit, validate and publish new
    versions, download its files, add and remove its other owners.

    The author who first published it from a draft, and the co-authors its owners added. Platform
    staff may do all of that with every exercise without a row here, and folder exercises (synced
    from exercises/) belong to staff only: the rule is written once, in
    authoring.selectors.exercises_changeable_by.
    """

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_exercises"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = (models.UniqueConstraint(fields=["exercise", "user"], name="one_owner_row"),)

    def __str__(self) -> str:
        return f"{self.user_id} owns {self.exercise_id}"


class AlertResolution(models.Model):
    """A course's instructor resolved an alert for their course: other courses that assign the
    exercise still see it until their own instructors resolve it.

    The alert counts as resolved in the course while `resolved_at` is not before the alert's
    `last_seen`: a failure after the resolution shows it in the course again (the rule:
    courses.selectors.alert_open_in).
    """

    alert = models.ForeignKey(ExerciseAlert, on_delete=models.CASCADE, related_name="resolutions")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["alert", "course"], name="one_resolution_per_course"),
        )

    def __str__(self) -> str:
        return f"alert {self.alert_id} resolved in {self.course_id}"
