"""What an exercise page offers one user: which buttons are open, on which instance, and why not.

The same exercise has two pages. In a course (/courses/<course>/exercises/<slug>/) it shows
the student's own instance, the one graded submissions are made on, with the assignment's
rules. The self-test page (/exercises/<slug>/) shows the student's current *practice* instance
("Another one" moves it on); "Submit" there is graded only when a course assigns the exercise.

A math statement's numbers depend on the instance, so a page never offers a button that would
check an answer against numbers it does not show: the self-test page (a practice instance) offers
no graded Submit of a math answer, and the course page (the graded instance) no practice check.
The service cannot know which statement the student was reading, so this rule lives here. What
a student may run at all (practice that would answer for the graded instance, graded attempts
that are over) is submissions.rules', which the service applies to the API as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from courses.models import Assignment, Course
from courses.rules import StudentRules
from courses.selectors import assignment_for, rules_for
from pages.forms import RUN_GRADED, RUN_PRACTICE, RUN_PRACTICE_ALL
from pages.wording import due_in_words, hidden_feedback_words, late_now_words, late_policy_words
from submissions.rules import (
    GradedStanding,
    graded_seed,
    graded_standing,
    practice_number,
    practice_refusal,
    practice_seed,
)
from submissions.scores import Cell, seen_by_student, student_result


@dataclass(frozen=True)
class ExercisePage:
    exercise: Exercise
    course: Course | None  # the course page's course; None on the self-test page
    rules: Assignment | None  # the assignment whose rules the page shows
    graded_in: Assignment | None  # where a graded submission by this user counts
    attempts_used: int
    practice_number: int
    seed: int  # the instance the statement shows (and the offline command checks)
    graded_note: str  # why graded submissions are closed on this page; "" when open
    blocked: dict[str, str] = field(default_factory=dict)  # run -> why this page refuses it
    result: Cell | None = None  # the student's effective result where graded_in counts
    # `rules` as they apply to this user (their extension included): what the page shows.
    student_rules: StudentRules | None = None

    @property
    def is_code(self) -> bool:
        return self.exercise.kind == Exercise.Kind.CODE

    @property
    def is_self_test(self) -> bool:
        return self.course is None

    @property
    def graded_open(self) -> bool:
        return not self.graded_note

    @property
    def practice_open(self) -> bool:
        return RUN_PRACTICE not in self.blocked

    @property
    def practice_all_open(self) -> bool:
        return RUN_PRACTICE_ALL not in self.blocked

    @property
    def submit_course(self) -> Course | None:
        """The course a submission from this page is made in."""
        if self.course is not None:
            return self.course
        return self.graded_in.course if self.graded_in else None

    @property
    def max_attempts(self) -> int | None:
        """The user's graded attempts where graded_in counts (their extra ones included)."""
        if self.graded_in is None or self.student_rules is None:
            return None
        return self.student_rules.max_attempts

    @property
    def attempts_left(self) -> int | None:
        if self.max_attempts is None:
            return None
        return max(0, self.max_attempts - self.attempts_used)

    @property
    def due_words(self) -> str:
        rules = self.student_rules
        return due_in_words(rules.due_at, timezone.now()) if rules else ""

    @property
    def late_words(self) -> str:
        return late_policy_words(self.student_rules) if self.student_rules else ""

    @property
    def late_now_words(self) -> str:
        """Past the deadline: what late work earns now ("" before it, or when nothing)."""
        return late_now_words(self.student_rules, timezone.now()) if self.student_rules else ""

    @property
    def feedback_words(self) -> str:
        return hidden_feedback_words(self.student_rules) if self.student_rules else ""


def exercise_page_for(
    *, user: User, exercise: Exercise, course: Course | None = None, rules: Assignment | None = None
) -> ExercisePage:
    """The page of `exercise` for `user`: in `course` (whose assignment is `rules`), or, when
    `course` is None, the self-test page."""
    graded_in = assignment_for(user=user, exercise=exercise, course=course)
    standing = graded_standing(user=user, assignment=graded_in) if graded_in else None
    number = practice_number(user=user, exercise=exercise)
    is_math = exercise.kind == Exercise.Kind.MATH
    blocked: dict[str, str] = {}
    if course is None:
        seed = practice_seed(user=user, exercise=exercise, number=number)
        rules = graded_in
        if is_math and graded_in is not None:
            blocked[RUN_GRADED] = (
                f"This page shows your practice instance #{number}: graded answers are made on "
                "your own instance, on the course page."
            )
    else:
        seed = graded_seed(user=user, exercise=exercise)
        if is_math:
            blocked[RUN_PRACTICE] = (
                "Practice checks run on a practice instance, whose numbers differ from this "
                "statement: practise on the self-test page."
            )
    if not is_math:
        # What practice may run at all is the service's rule (the API gets the same answer).
        if refusal := practice_refusal(user=user, exercise=exercise, visible_only=False):
            blocked[RUN_PRACTICE_ALL] = refusal
    else:
        blocked[RUN_PRACTICE_ALL] = "A math answer is checked as a whole: use “Check”."
        if RUN_PRACTICE not in blocked and (
            refusal := practice_refusal(user=user, exercise=exercise, visible_only=False)
        ):
            blocked[RUN_PRACTICE] = refusal
    graded_note = blocked.get(RUN_GRADED) or _graded_closed(
        graded_in, standing, on_course_page=course is not None
    )
    return ExercisePage(
        exercise=exercise,
        course=course,
        rules=rules,
        graded_in=graded_in,
        attempts_used=standing.attempts_used if standing else 0,
        practice_number=number,
        seed=seed,
        graded_note=graded_note,
        blocked=blocked,
        result=seen_by_student(student_result(assignment=graded_in, student=user))
        if graded_in
        else None,
        student_rules=_shown_rules(rules, graded_in, standing, user),
    )


def _shown_rules(
    rules: Assignment | None,
    graded_in: Assignment | None,
    standing: GradedStanding | None,
    user: User,
) -> StudentRules | None:
    """The rules the page shows: the user's own where they count (the standing has them), the
    assignment's for an instructor's preview (no extension of theirs applies)."""
    if rules is None:
        return None
    if standing is not None and graded_in is not None and graded_in.pk == rules.pk:
        return standing.rules
    return rules_for(rules, None)


def _graded_closed(
    assignment: Assignment | None, standing: GradedStanding | None, *, on_course_page: bool
) -> str:
    if assignment is None or standing is None:
        if on_course_page:
            return (
                "You teach this course: graded submissions are for its students. "
                "Practice runs are open to you."
            )
        return (
            "Self-test: this exercise is not assigned to you in any of your courses, so nothing "
            "here is graded. Practice runs are open and never count."
        )
    return standing.refusal()
