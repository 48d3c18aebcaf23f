"""An assignment's rules in the words a student reads: deadlines, late policy, feedback.

Each takes the student's own rules (courses.rules.StudentRules: their extension included);
dates are written on the course's clock ("Tue 9 Dec, 18:50 CET").
"""

from __future__ import annotations

from datetime import datetime

from courses.models import Assignment
from courses.rules import StudentRules
from courses.time import deadline_text


def _span(seconds: float) -> str:
    """A duration in its largest whole unit: "2 days", "5 hours", "1 minute"."""
    minutes = int(seconds // 60)
    hours, days = minutes // 60, minutes // 1440
    number, unit = (
        (days, "day") if days else (hours, "hour") if hours else (max(minutes, 1), "minute")
    )
    return f"{number} {unit}{'' if number == 1 else 's'}"


def due_in_words(due_at: datetime | None, now: datetime, *, solved: bool = False) -> str:
    """ "due in 2 days", "overdue by 3 hours", "deadline passed" (once solved), "no deadline"."""
    if due_at is None:
        return "no deadline"
    seconds = (due_at - now).total_seconds()
    if seconds >= 0:
        return f"due in {_span(seconds)}"
    return "deadline passed" if solved else f"overdue by {_span(-seconds)}"


def late_policy_words(rules: StudentRules) -> str:
    Policy = Assignment.LatePolicy
    if rules.due_at is None:
        return "no deadline"
    if rules.late_policy == Policy.ACCEPT or (
        rules.late_policy == Policy.PENALTY and rules.penalty_per_day <= 0
    ):
        return "late submissions count in full"
    if rules.late_policy == Policy.PENALTY:
        return f"late submissions lose {rules.penalty_per_day:g}% of the score per day late"
    return "after the deadline: practice only, no graded submissions"


def late_now_words(rules: StudentRules, now: datetime) -> str:
    """Past the deadline, what late work earns now: "late work loses 10% per day, 80% now
    (until Tue 9 Dec, 18:50 CET)", "late work counts in full"; "" when not overdue or when
    late work earns nothing (practice only, or the penalty reached 100%)."""
    if not rules.is_past_due(now) or not rules.accepts_late_work(now):
        return ""
    factor = rules.late_factor(now)
    if rules.late_policy != Assignment.LatePolicy.PENALTY or factor >= 1:
        return "late work counts in full"
    until = deadline_text(rules.late_day_ends(rules.days_late(now)), rules.zone, now=now)
    return (
        f"late work loses {rules.penalty_per_day:g}% per day, "
        f"{100 * factor:.0f}% now (until {until})"
    )


def hidden_feedback_words(rules: StudentRules, now: datetime | None = None) -> str:
    """What a student learns about the hidden cases, now."""
    if rules.feedback_release == Assignment.FeedbackRelease.IMMEDIATELY:
        return "Feedback on hidden cases is shown in full."
    if rules.feedback_release == Assignment.FeedbackRelease.NEVER:
        return (
            "Feedback on hidden cases is never shown: you see only whether each hidden case passed."
        )
    if rules.shows_hidden_feedback(now):
        return "The deadline has passed: feedback on hidden cases is shown in full."
    return (
        f"Feedback on hidden cases is held back until the deadline{_until(rules)}: "
        "you see only whether each hidden case passed."
    )


def _until(rules: StudentRules) -> str:
    """ " (Mon 14 Dec, 09:00 CET)": when the held-back feedback opens, "" without a deadline."""
    return f" ({rules.due_text})" if rules.due_text else ""
