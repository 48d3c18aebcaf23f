"""Courses, who is in them (students) or teaches them (instructors), and what they assign.

An Assignment is one exercise in one course, with the instructor's rules for it: published or
not, due date, late policy, attempts, whether hidden-case feedback shows before the deadline,
and when the worked solution becomes visible. The exercise itself (its files, its versions)
lives in the catalog and may be shared by many courses.

An Extension changes those rules for one student (another deadline, more attempts), and a
ScoreOverride sets one student's score by hand; how both apply is courses/rules.py (the rules a
student works under) and submissions/scores.py (the score).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


def default_time_zone() -> str:
    """A new course's time zone: the site's (settings.TIME_ZONE)."""
    return settings.TIME_ZONE


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Anyone signed in who has the link /join/<code>/ becomes a student of the course.
    # An instructor can change the code to close the old link.
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    invite_open = models.BooleanField(default=True)
    # The IANA name its deadlines are entered and shown in (courses/time.py). Deadlines are
    # stored as instants: changing the zone moves none of them, it only shows them anew.
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    # Someone without an account may create one through the invite link; when this is set (e.g.
    # "uni.example"), only with an e-mail address at exactly this domain, and they join once
    # they open the link mailed to it (courses.services.signup_join). Empty: any address.
    signup_domain = models.CharField(max_length=253, blank=True)
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

    class FeedbackRelease(models.TextChoices):
        IMMEDIATELY = "now", "Immediately"
        DUE = "due", "After the deadline"
        NEVER = "never", "Never (pass/fail only)"

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
    # When a student sees the messages of hidden cases (before that, only pass/fail, so hidden
    # cases cannot be reverse-engineered from feedback); "due" uses the student's own deadline.
    feedback_release = models.CharField(
        max_length=8, choices=FeedbackRelease.choices, default=FeedbackRelease.IMMEDIATELY
    )
    # Exam mode: until this moment its students see no score, verdict or check of their graded
    # submissions, only that each was received (courses.rules.results_withheld). None: shown
    # as soon as graded.
    scores_released_at = models.DateTimeField(null=True, blank=True)
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

    # Deadline, lateness and attempts as they apply to one student (their extension included)
    # are courses.rules.StudentRules, from courses.selectors.rules_for: never read due_at or
    # max_attempts here to decide what a student may do.


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


class Extension(models.Model):
    """Another deadline and/or more graded attempts for one student, on one assignment or
    (assignment None) on every assignment of the course: an extension or an accommodation.

    How they combine is courses/rules.py: a deadline is never brought forward (the later of the
    assignment's and the extension's), and extra attempts add up. One row per (student,
    assignment or all): granting again replaces it.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_extensions"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    due_at = models.DateTimeField(null=True, blank=True)  # None: the deadline stays
    extra_attempts = models.PositiveIntegerField(default=0)
    # For the instructors: the student sees their own rules, never why.
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("student_id", "assignment_id", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["course", "student", "assignment"], name="one_extension_per_assignment"
            ),
            # NULL is never equal to NULL in a unique index: the course-wide one needs its own.
            models.UniqueConstraint(
                fields=["course", "student"],
                condition=models.Q(assignment__isnull=True),
                name="one_course_wide_extension",
            ),
        )

    def __str__(self) -> str:
        on = self.assignment_id or "all"
        return f"extension of {self.student_id} on {on} in {self.course_id}"


class ScoreOverride(models.Model):
    """An instructor set one student's score on one assignment by hand: an audit log.

    Rows are never edited: a newer row supersedes the older ones, and clearing the override is
    a new row whose `score` is None. `previous` is the student's effective score just before
    (None: nothing graded). The newest row's score, when not None, is the student's result
    (submissions/scores.py).
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="score_overrides"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_overrides"
    )
    score = models.FloatField(null=True, blank=True)  # None: cleared, the grading counts again
    previous = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=["assignment", "student"], name="override_cell"),)

    def __str__(self) -> str:
        return f"score of {self.student_id} on {self.assignment_id}: {self.score}"
