"""A submission: what a student sent, where it is on its way (status), and what it got (verdict).

Status and verdict are separate on purpose (DMOJ does the same): `status` says where the
submission is on its way (queued -> running -> done, or error when it could not be graded);
`verdict` and `score` say what the engine decided, and are only set once status is done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from graders.report import VERDICT_LABELS, Verdict

# Verdicts that do not use up one of a student's attempts: an answer the parser did not
# understand is a message, not a wrong answer; an internal error is never the student's fault.
NOT_COUNTED_VERDICTS = (Verdict.INVALID_ANSWER.value, Verdict.INTERNAL_ERROR.value)


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Could not be graded"

    class Mode(models.TextChoices):
        GRADED = "graded", "Graded"
        PRACTICE = "practice", "Practice"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise = models.ForeignKey(
        "catalog.Exercise", on_delete=models.PROTECT, related_name="submissions"
    )
    # The exact files it is graded against, whatever happens to the folder later.
    version = models.ForeignKey(
        "catalog.ExerciseVersion", on_delete=models.PROTECT, related_name="submissions"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.GRADED)
    # The course it counts in (graded: the assignment's course; practice: the course the
    # student practised in, if any). None for self-test outside any course.
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    # Practice that ran the visible cases only ("Run visible tests").
    visible_only = models.BooleanField(default=False)
    code = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    # The instance's seed: with the version, it reproduces the verdict exactly.
    seed = models.BigIntegerField()
    # 1-based number among the student's graded submissions of this exercise; None in practice.
    attempt = models.PositiveIntegerField(null=True, blank=True)
    # An instructor's regrade is a new submission pointing at the one it regrades, made by a
    # RegradeBatch; its score replaces the original's in the gradebook once the batch is applied.
    regrade_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="regrades"
    )
    regrade_batch = models.ForeignKey(
        "RegradeBatch", on_delete=models.CASCADE, null=True, blank=True, related_name="regrades"
    )

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    verdict = models.CharField(max_length=32, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # last put on the queue
    started_at = models.DateTimeField(null=True, blank=True)  # last claimed by a worker
    finished_at = models.DateTimeField(null=True, blank=True)

    # Bookkeeping that proves each submission is graded exactly once:
    # claim_token identifies the task run that holds the row; only that run may store a result.
    claim_token = models.UUIDField(null=True, blank=True)
    claim_count = models.PositiveIntegerField(default=0)  # times a worker claimed it
    graded_count = models.PositiveIntegerField(default=0)  # times a result was stored (1!)
    enqueue_count = models.PositiveIntegerField(default=0)  # messages published for it
    requeue_count = models.PositiveIntegerField(default=0)  # running -> queued by the sweeper
    worker = models.CharField(max_length=200, blank=True)  # who claimed it last (Celery node)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)  # ...and which process

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=["user", "exercise", "-created_at"], name="sub_user_exercise"),
            models.Index(fields=["status", "queued_at"], name="sub_status_queued"),
            models.Index(fields=["status", "started_at"], name="sub_status_started"),
        )

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_id} by {self.user_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def verdict_label(self) -> str:
        try:
            return VERDICT_LABELS[Verdict(self.verdict)]
        except ValueError:
            return self.verdict

    @property
    def counts_as_attempt(self) -> bool:
        # The same rule as ORIGINAL_GRADED & COUNTS_AS_TRY (below), for one row in hand.
        return (
            self.mode == self.Mode.GRADED
            and self.regrade_of_id is None
            and self.status != self.Status.ERROR
            and self.verdict not in NOT_COUNTED_VERDICTS
        )

    @property
    def queue_seconds(self) -> float | None:
        if self.started_at and self.queued_at:
            return (self.started_at - self.queued_at).total_seconds()
        return None

    @property
    def total_seconds(self) -> float | None:
        if self.finished_at:
            return (self.finished_at - self.created_at).total_seconds()
        return None


# The rules above for querysets, written once. A student's own graded submission, not an
# instructor's regrade of it:
ORIGINAL_GRADED = models.Q(mode=Submission.Mode.GRADED, regrade_of__isnull=True)
# One that uses up a try (see NOT_COUNTED_VERDICTS; "could not be graded" never does):
COUNTS_AS_TRY = ~models.Q(status=Submission.Status.ERROR) & ~models.Q(
    verdict__in=NOT_COUNTED_VERDICTS
)


class RegradeBatch(models.Model):
    """An instructor's regrade of one exercise's graded submissions in a course.

    Regrading makes new rows (`regrade_of`) on the low-priority queue and changes nothing
    until the instructor has seen the preview (old score -> new score) and applies it.
    """

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey("catalog.Exercise", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "catalog.ExerciseVersion", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    # Chosen when applying: a regrade of this batch replaces a score only when it is not lower
    # (submissions/scores.py), so no student's result goes down.
    never_lower = models.BooleanField(default=False)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"regrade of {self.exercise_id} in {self.course_id} ({self.created_at:%Y-%m-%d})"


class RubricItem(models.Model):
    """A named number of manual points ("clear variable names", +1) an instructor gives on top
    of the automatic score, reusable across the submissions of one exercise in one course.

    Here and not in the reviews app, which writes them: submissions/scores.py adds the points
    into the effective score and must not import a higher layer (pyproject's layers contract).
    Points may be negative (a deduction); the effective score stays within 0..max.
    """

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey("catalog.Exercise", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    points = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(
                fields=("course", "exercise", "name"), name="rubric_item_unique_name"
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+g})"


class RubricMark(models.Model):
    """One rubric item given to one submission (at most once)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="rubric_marks"
    )
    item = models.ForeignKey(RubricItem, on_delete=models.CASCADE, related_name="marks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item__name",)
        constraints = (
            models.UniqueConstraint(fields=("submission", "item"), name="rubric_mark_unique"),
        )

    def __str__(self) -> str:
        return f"{self.item} on #{self.submission_id}"
