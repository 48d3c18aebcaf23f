"""An assignment's rules as they apply to one student: the assignment's own, changed by the
student's extensions (courses.models.Extension), if any.

Every path that decides with a deadline or an attempt limit asks a StudentRules, made by
`courses.selectors.rules_for(assignment, student)` (or, for many students at once,
`courses.selectors.course_exceptions(...).rules(...)`): the graded-attempt refusals and the
worked solution (submissions/rules.py), the late factor and days late (submissions/scores.py),
the students' pages, the API and the gradebook. Its methods are the ones an Assignment had
(is_past_due, days_late, late_factor, shows_hidden_feedback), with the student's deadline.

How extensions combine:

- **Deadline**: the later of the assignment's and each extension's `due_at`. An extension never
  brings a deadline forward, so moving the assignment's deadline later later still helps the
  student. An assignment without a deadline keeps none. A course-wide extension (assignment
  None) therefore reads "nothing of yours is due before this date".
- **Attempts**: the extra attempts of the student's extensions on this assignment and on all
  of the course's add up, on top of the assignment's limit (no limit stays no limit).
- **Exam mode** (`Assignment.scores_released_at`) is the assignment's alone: the same release
  moment for every student, whatever their extension (`results_withheld`).
- **Days late** are counted on the course's clock (courses/time.py): one started day late until
  the deadline's time of day the next calendar day, across a change of summer time too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.utils import timezone

from courses.models import Assignment, Extension
from courses.time import deadline_text, local_days_after, zone_of


@dataclass(frozen=True)
class StudentRules:
    assignment: Assignment
    due_at: datetime | None  # the student's deadline (None: no deadline)
    max_attempts: int | None  # the student's graded attempts (None: unlimited)
    extra_attempts: int = 0  # of them, granted by extensions
    extended: bool = False  # an extension moved the deadline later

    @property
    def course_due_at(self) -> datetime | None:
        """The assignment's own deadline, for everyone."""
        return self.assignment.due_at

    @property
    def has_exception(self) -> bool:
        return self.extended or self.extra_attempts > 0

    @property
    def late_policy(self) -> str:
        return self.assignment.late_policy

    @property
    def penalty_per_day(self) -> float:
        return self.assignment.penalty_per_day

    @property
    def feedback_release(self) -> str:
        return self.assignment.feedback_release

    @property
    def zone(self) -> tzinfo:
        """The course's time zone (read only when a day or a date is needed)."""
        return zone_of(self.assignment.course)

    @property
    def due_text(self) -> str:
        """The student's deadline as shown: "Mon 7 Dec, 18:50 CET" ("" for none)."""
        return deadline_text(self.due_at, self.zone)

    def is_past_due(self, when: datetime | None = None) -> bool:
        return self.due_at is not None and (when or timezone.now()) > self.due_at

    def days_late(self, when: datetime) -> int:
        """Started days after the deadline (0 when on time), on the course's clock: 1 minute
        late is 1 day late, and so is 23 h 59 min late on the day summer time ends."""
        if self.due_at is None or when <= self.due_at:
            return 0
        local_due = self.due_at.astimezone(self.zone).replace(tzinfo=None)
        local_when = when.astimezone(self.zone).replace(tzinfo=None)
        days = max(1, math.ceil((local_when - local_due).total_seconds() / 86400))
        # The wall-clock estimate is off by one only around a change of summer time: settle it
        # against the day boundaries themselves (when is in (boundary(days - 1), boundary(days)]).
        while when > self.late_day_ends(days):
            days += 1
        while days > 1 and when <= self.late_day_ends(days - 1):
            days -= 1
        return days

    def late_day_ends(self, days: int) -> datetime:
        """When the `days`-th day late ends (the deadline's time, `days` calendar days on)."""
        assert self.due_at is not None
        return local_days_after(self.due_at, self.zone, days)

    def late_factor(self, when: datetime) -> float:
        """What a score made at `when` is multiplied by under the late policy (0..1)."""
        days = self.days_late(when)
        if days == 0 or self.late_policy != Assignment.LatePolicy.PENALTY:
            return 1.0
        return max(0.0, 1.0 - days * self.penalty_per_day / 100.0)

    def accepts_late_work(self, when: datetime | None = None) -> bool:
        """Past the deadline, whether a graded submission made at `when` still earns something:
        accepted in full, or under a penalty that has not reached 100% yet."""
        when = when or timezone.now()
        if self.late_policy == Assignment.LatePolicy.ACCEPT:
            return True
        return self.late_policy == Assignment.LatePolicy.PENALTY and self.late_factor(when) > 0

    def withholds_results(self, when: datetime | None = None) -> bool:
        return results_withheld(self.assignment, when)

    @property
    def results_release_text(self) -> str:
        """When exam-mode results open: "Mon 7 Dec, 18:50 CET" ("" when never withheld)."""
        return deadline_text(self.assignment.scores_released_at, self.zone)

    def shows_hidden_feedback(self, when: datetime | None = None) -> bool:
        release = self.feedback_release
        if release == Assignment.FeedbackRelease.NEVER:
            return False
        # Without a deadline, "after the deadline" never comes (as before the three tiers).
        return release == Assignment.FeedbackRelease.IMMEDIATELY or self.is_past_due(when)


def results_withheld(assignment: Assignment, when: datetime | None = None) -> bool:
    """Exam mode: whether the assignment's students may not yet see the score, verdict or
    checks of their graded submissions (until `scores_released_at`). Every path that shows a
    student a result of theirs asks this (submissions.selectors, submissions.scores)."""
    released = assignment.scores_released_at
    return released is not None and (when or timezone.now()) < released


def student_rules(assignment: Assignment, extensions: Iterable[Extension] = ()) -> StudentRules:
    """The rules of `assignment` for a student with these extensions (theirs, in its course:
    the ones on this assignment and the course-wide ones; others are ignored)."""
    due_at, extra, extended = assignment.due_at, 0, False
    for extension in extensions:
        if extension.assignment_id not in (None, assignment.pk):
            continue
        extra += extension.extra_attempts
        if due_at is not None and extension.due_at is not None and extension.due_at > due_at:
            due_at, extended = extension.due_at, True
    limit = assignment.max_attempts
    return StudentRules(
        assignment=assignment,
        due_at=due_at,
        max_attempts=None if limit is None else limit + extra,
        extra_attempts=extra if limit is not None else 0,
        extended=extended,
    )
