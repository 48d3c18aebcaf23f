"""An assignment's rules in the words a student reads: deadlines, late policy, feedback."""

from __future__ import annotations

from datetime import datetime

from courses.models import Assignment


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


def late_policy_words(assignment: Assignment) -> str:
    Policy = Assignment.LatePolicy
    if assignment.due_at is None:
        return "no deadline"
    if assignment.late_policy == Policy.ACCEPT or (
        assignment.late_policy == Policy.PENALTY and assignment.penalty_per_day <= 0
    ):
        return "late submissions count in full"
    if assignment.late_policy == Policy.PENALTY:
        return f"late submissions lose {assignment.penalty_per_day:g}% of the score per day late"
    return "after the deadline: practice only, no graded submissions"


def hidden_feedback_words(assignment: Assignment, now: datetime | None = None) -> str:
    """What a student learns about the hidden cases, now."""
    if assignment.hidden_feedback:
        return "Feedback on hidden cases is shown in full."
    if assignment.shows_hidden_feedback(now):
        return "The deadline has passed: feedback on hidden cases is shown in full."
    return (
        "Feedback on hidden cases is held back until the deadline: "
        "you see only whether each hidden case passed."
    )
