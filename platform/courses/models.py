"""Courses, who is in them (students) or teaches them (instructors), and what they assign.

An Assignment is one exercise in one course, with the instructor's rules for it: published or
not, due date, late policy, attempts, whether hidden-case feedback shows before the deadline,
and when the worked solution becomes visible. The exercise itself (its files, its versions)
lives in the catalog and may be shared by many courses.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Anyone signed in who has the link /join/<code>/ becomes a student of the course.
    # An instructor can change the code to close the old link.
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    invite_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        INSTRUCTOR = "instructor", "Instructor"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["course", "user"], name="one_enrolment_per_course"),
        )

    def __str__(self) -> str:
        return f"{self.user} in {self.course} ({self.role})"


class Assignment(models.Model):
    class LatePolicy(models.TextChoices):
        ACCEPT = "accept", "Accept late submissions without penalty"
        PENALTY = "penalty", "Penalty per day late"
        PRACTICE_ONLY = "practice_only", "Practice only after the deadline"

    class SolutionPolicy(models.TextChoices):
        NEVER = "never", "Never"
        SOLVED = "solved", "Once the student has solved it"
        ATTEMPTS = "attempts", "Once solved, or after N attempts"
        DUE = "due", "Once solved, or after the deadline"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    exercise = models.ForeignKey(
        "catalog.Exercise", on_delete=models.CASCADE, related_name="assignments"
    )
    published = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    late_policy = models.CharField(
        max_length=16, choices=LatePolicy.choices, default=LatePolicy.PENALTY
    )
    # Percent of the score lost per started day late (PENALTY only); the score never goes < 0.
    penalty_per_day = models.FloatField(default=10.0)
    # Graded attempts allowed per student; None = unlimited. Practice never counts.
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    # False: before the deadline a student sees only pass/fail of hidden cases, not their
    # messages (so hidden cases cannot be reverse-engineered from feedback).
    hidden_feedback = models.BooleanField(default=True)
    solution_policy = models.CharField(
        max_length=16, choices=SolutionPolicy.choices, default=SolutionPolicy.ATTEMPTS
    )
    solution_after_attempts = models.PositiveIntegerField(default=5)
    order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("order", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["course", "exercise"], name="one_assignment_per_exercise"
            ),
        )

    def __str__(self) -> str:
        return f"{self.exercise_id} in {self.course}"

    def is_past_due(self, when: datetime | None = None) -> bool:
        return self.due_at is not None and (when or timezone.now()) > self.due_at

    def days_late(self, when: datetime) -> int:
        """Started days after the deadline (0 when on time): 1 minute late is 1 day late."""
        if self.due_at is None or when <= self.due_at:
            return 0
        seconds = (when - self.due_at).total_seconds()
        return int(-(-seconds // 86400))

    def late_factor(self, when: datetime) -> float:
        """What a score made at `when` is multiplied by under the late policy (0..1)."""
        days = self.days_late(when)
        if days == 0 or self.late_policy != self.LatePolicy.PENALTY:
            return 1.0
        return max(0.0, 1.0 - days * self.penalty_per_day / 100.0)

    def shows_hidden_feedback(self, when: datetime | None = None) -> bool:
        return self.hidden_feedback or self.is_past_due(when)


class SolutionOpening(models.Model):
    """A student opened an assignment's worked solution while graded attempts could still
    count: from that moment their graded attempts on it are over (courses.rules)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="solution_openings"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["assignment", "user"], name="one_solution_opening"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} opened the solution of {self.assignment_id}"


class Invitation(models.Model):
    """An existing account asked to join a course (a CSV upload naming it): it joins only when
    its owner accepts, so an instructor cannot enrol someone, and then read their work, alone.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.UniqueConstraint(fields=["course", "user"], name="one_invitation_per_course"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} invited to {self.course_id}"
