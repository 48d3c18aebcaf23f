"""What a student may do and learn on an exercise: decided here, once, for the pages and the API.

- **Graded submissions** are refused when the deadline closed them (practice-only policy), the
  attempts are used up, or the student opened the worked solution (`GradedStanding.refusal`).
  A further graded submission *can still count* when it is not refused and the late factor now
  is above 0 (`GradedStanding.can_still_count`).
- **Practice never answers for the graded instance.** Practice runs on a practice instance, whose
  seed always differs from the graded one (`practice_seed`). While a graded submission of the
  student can still count, practice on an assigned exercise is limited to what cannot serve as
  an oracle for it: the visible cases of a code exercise, or a math answer whose numbers differ
  from instance to instance. Running every hidden case, or checking a math answer that is the
  same on every instance, opens once graded attempts are over (`practice_refusal`).
- **The worked solution** opens once the student solved the assignment, or no further graded
  submission of theirs can count; otherwise, when the instructor's policy offers it (after N
  attempts, after the deadline), opening it ends the student's graded attempts on that exercise,
  recorded as a SolutionOpening (`worked_solution_for`).
- **Solved** and the score come from submissions/scores.py (one effective score everywhere).
- **Exam mode**: while an assignment withholds its results (`score_withheld`), a student sees
  none of their graded results in it by any path: submissions.selectors blanks them
  (`submissions_for_viewer`, `report_for_viewer`), submissions.scores hides the cell
  (`seen_by_student`), and the worked solution does not open "because solved".

Deadlines and attempt limits are the *student's* (courses.selectors.rules_for: the assignment's
rules with the student's extension), and deadlines are written on the course's clock.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise, ExerciseVersion, PracticeInstance
from catalog.selectors import engine_exercise
from core.prepared import PreparedQuery
from courses.models import Assignment, Course, Enrolment, SolutionOpening
from courses.rules import StudentRules, results_withheld
from courses.selectors import rules_for
from courses.time import deadline_text
from graders.instances import derive_seed
from graders.math.params import parametrised
from submissions.models import COUNTS_AS_TRY, ORIGINAL_GRADED, Submission
from submissions.scores import SOLVED_SELF_TEST, seen_by_student, student_result

# -- instances ---------------------------------------------------------------------------------


def graded_seed(*, user: User, exercise: Exercise) -> int:
    """The student's own instance: every graded submission of theirs is made on it."""
    return derive_seed(f"user:{user.pk}", exercise.slug, settings.INSTANCE_SALT)


def practice_number(*, user: User, exercise: Exercise) -> int:
    """Which practice instance the student is on ("Another one" moves it on)."""
    number = (
        PracticeInstance.objects.filter(user=user, exercise=exercise)
        .values_list("number", flat=True)
        .first()
    )
    return number or 0


def practice_seed(*, user: User, exercise: Exercise, number: int | None = None) -> int:
    """Practice instance `number` (default: the one the student is on). Never the graded
    instance: its salt always differs, so practice cannot check answers against it."""
    if number is None:
        number = practice_number(user=user, exercise=exercise)
    salt = f"{settings.INSTANCE_SALT}:practice:{number}"
    return derive_seed(f"user:{user.pk}", exercise.slug, salt)


def seed_for(*, user: User, exercise: Exercise, mode: str = Submission.Mode.GRADED) -> int:
    if mode == Submission.Mode.PRACTICE:
        return practice_seed(user=user, exercise=exercise)
    return graded_seed(user=user, exercise=exercise)


# -- graded submissions ----------------------------------------------------------------------------
def counted_attempts(*, user: User, exercise: Exercise, course: Course | None = None) -> int:
    """Graded attempts that count (models.COUNTS_AS_TRY), in `course` or in all courses."""
    if course is not None:  # every graded submission asks: prepared
        return len(
            _COUNTED_IN_COURSE.rows(user_id=user.pk, exercise_id=exercise.pk, course_id=course.pk)
        )
    return _counted(user.pk, exercise.pk).count()


def _counted(user_id: int, exercise_id: int) -> QuerySet[Submission]:
    return Submission.objects.filter(
        ORIGINAL_GRADED & COUNTS_AS_TRY, user_id=user_id, exercise_id=exercise_id
    )


# A student's attempts are tens at most: fetching their ids costs less than compiling a COUNT.
_COUNTED_IN_COURSE = PreparedQuery(
    lambda user_id, exercise_id, course_id: (
        _counted(user_id, exercise_id).filter(course_id=course_id).values_list("pk")
    ),
    user_id=int,
    exercise_id=int,
    course_id=int,
)


def solution_opened_at(*, user: User, exercise: Exercise) -> datetime | None:
    """When the student opened the worked solution at the cost of their graded attempts (on
    any assignment of the exercise: the solution is the same in every course)."""
    return (
        SolutionOpening.objects.filter(user=user, assignment__exercise=exercise)
        .order_by("opened_at")
        .values_list("opened_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class GradedStanding:
    """Where a student stands on one assignment, for the rules above."""

    rules: StudentRules  # the assignment's rules for this student (their extension included)
    attempts_used: int
    solution_opened_at: datetime | None

    @property
    def assignment(self) -> Assignment:
        return self.rules.assignment

    @property
    def attempts_left(self) -> int | None:
        limit = self.rules.max_attempts
        return None if limit is None else max(0, limit - self.attempts_used)

    def refusal(self, now: datetime | None = None) -> str:
        """Why a graded submission is refused now, in words for the student; "" if open."""
        rules = self.rules
        if self.solution_opened_at is not None:
            day = deadline_text(self.solution_opened_at, rules.zone)
            return (
                f"You opened the worked solution ({day}): graded attempts on this exercise are "
                "over. Practice is still open."
            )
        if rules.late_policy == Assignment.LatePolicy.PRACTICE_ONLY and rules.is_past_due(now):
            return (
                f"The deadline ({deadline_passed_words(rules)}) has passed: practice mode is "
                "still open, graded submissions are closed."
            )
        if self.attempts_left == 0:
            return (
                f"No graded attempts left ({self.attempts_used} of {rules.max_attempts} "
                "used): practice is still open."
            )
        return ""

    def can_still_count(self, now: datetime | None = None) -> bool:
        """Whether a further graded submission could still change the student's score."""
        now = now or timezone.now()
        return not self.refusal(now) and self.rules.late_factor(now) > 0


def deadline_passed_words(rules: StudentRules) -> str:
    """The student's deadline for a refusal: "Mon 7 Dec, 18:50 CET", followed by ", your
    extended deadline" when an extension moved it."""
    extended = ", your extended deadline" if rules.extended else ""
    return f"{rules.due_text}{extended}"


def graded_standing(*, user: User, assignment: Assignment) -> GradedStanding:
    return GradedStanding(
        rules=rules_for(assignment, user),
        attempts_used=counted_attempts(
            user=user, exercise=assignment.exercise, course=assignment.course
        ),
        solution_opened_at=solution_opened_at(user=user, exercise=assignment.exercise),
    )


def assignments_open_to(*, user: User, exercise: Exercise) -> QuerySet[Assignment]:
    """Every published assignment of `exercise` in a course where `user` is a student."""
    return Assignment.objects.filter(
        exercise=exercise,
        published=True,
        course__enrolments__user=user,
        course__enrolments__role=Enrolment.Role.STUDENT,
    ).select_related("course", "exercise")


def graded_can_count_somewhere(
    *, user: User, exercise: Exercise, now: datetime | None = None
) -> bool:
    """Whether some graded submission of the student's on `exercise` could still count, in
    any course: their graded instance is the same in every course, so it protects all."""
    return any(
        graded_standing(user=user, assignment=assignment).can_still_count(now)
        for assignment in assignments_open_to(user=user, exercise=exercise)
    )


# -- practice ----------------------------------------------------------------------------------
PRACTICE_ALL_CLOSED = (
    "Running every test in practice opens once your graded attempts on this exercise are over: "
    "use “Run visible tests”, or “Submit”."
)
PRACTICE_SAME_ANSWER_CLOSED = (
    "This question has the same answer on every instance, so a practice check would answer your "
    "graded one: practice checks open once your graded attempts on it are over. Use “Submit”."
)


@functools.lru_cache(maxsize=512)
def _numbers_vary(version_id: int) -> bool:
    # A version's files never change: cached per process. Read with ast, nothing executed.
    version = ExerciseVersion.objects.select_related("exercise").get(pk=version_id)
    return parametrised(engine_exercise(version))


# A choice answer is a set of option ids: the same on every instance, whatever numbers the
# options' texts show (their order and numbers change, their meaning does not).
CHOICE_ANSWERS = ("choice", "multi_choice")


def answer_varies(exercise: Exercise) -> bool:
    """Whether a math exercise's expected answer differs between instances: declared params,
    and an answer that is not a choice among options."""
    version = exercise.current_version
    if exercise.kind != Exercise.Kind.MATH or version is None:
        return True
    if version.answer_type in CHOICE_ANSWERS:
        return False
    return _numbers_vary(version.pk)


def practice_refusal(
    *, user: User, exercise: Exercise, visible_only: bool, now: datetime | None = None
) -> str:
    """Why this practice run would answer for the student's graded instance; "" if it may run."""
    if exercise.kind == Exercise.Kind.CODE and visible_only:
        return ""  # the visible cases are shown in full to everyone anyway
    if exercise.kind == Exercise.Kind.MATH and answer_varies(exercise):
        return ""  # it runs on the practice instance, whose numbers differ
    if not graded_can_count_somewhere(user=user, exercise=exercise, now=now):
        return ""
    return (
        PRACTICE_ALL_CLOSED if exercise.kind == Exercise.Kind.CODE else PRACTICE_SAME_ANSWER_CLOSED
    )


def score_withheld(assignment: Assignment, now: datetime | None = None) -> bool:
    """Exam mode: whether the assignment's scores must not reach its students yet, by any path
    (pages, API, a grade sent to an LMS). The rule is courses.rules.results_withheld."""
    return results_withheld(assignment, now)


# -- the worked solution ---------------------------------------------------------------------------
SELF_TEST_SOLUTION_AFTER = 5


@dataclass(frozen=True)
class WorkedSolution:
    available: bool  # shown now
    reason: str  # why it is (not yet) shown, in words for the student
    markdown: str = ""  # worked_solution.md, if the exercise has one
    code: str = ""  # else: the first correct solution of a code exercise
    # The instructor's policy offers it, but graded attempts could still count: opening it
    # (a POST, after a warning) ends them. Until then the result holds no text.
    costs_attempts: bool = False
    assignment: Assignment | None = None


def _solution_text(version: ExerciseVersion) -> tuple[str, str]:
    files = version.files or {}
    if files.get("worked_solution.md"):
        return files["worked_solution.md"], ""
    if version.exercise.kind == Exercise.Kind.CODE:
        for name in sorted(files):
            if name.startswith("solutions/correct") and name.endswith(".py"):
                return "", files[name]
    return "", ""


def worked_solution_for(
    *, user: User, exercise: Exercise, assignment: Assignment | None, now: datetime | None = None
) -> WorkedSolution:
    """Whether `user` may see the worked solution now, in `assignment` (None: self-test).

    Self-test outside a course: once solved (an accepted run on every case), or after 5 tries.
    In a course the assignment's policy says when it is offered; it opens freely once solved or
    once no graded submission can count, and otherwise only at the cost of graded attempts.
    The text (markdown, code) is in the result only when it is available.
    """
    now = now or timezone.now()
    version = exercise.current_version
    if version is None:
        return WorkedSolution(False, "This exercise has no version yet.")
    markdown, code = _solution_text(version)
    if not (markdown or code):
        return WorkedSolution(False, "This exercise has no worked solution.")
    if user.is_platform_staff or user.is_instructor:
        return WorkedSolution(True, "You teach: you always see it.", markdown, code)
    mine = Submission.objects.filter(user=user, exercise=exercise, regrade_of__isnull=True)
    if assignment is None:
        solved = mine.filter(SOLVED_SELF_TEST, course__isnull=True).exists()
        tried = mine.filter(COUNTS_AS_TRY, status=Submission.Status.DONE).count()
        if solved:
            return WorkedSolution(True, "You solved it.", markdown, code)
        if graded_can_count_somewhere(user=user, exercise=exercise, now=now):
            # A course assigns it elsewhere and the student can still earn credit there.
            return WorkedSolution(False, "Shown on your course's page of this exercise.")
        after = SELF_TEST_SOLUTION_AFTER
        if tried >= after:
            return WorkedSolution(True, f"Shown after {after} attempts.", markdown, code)
        return WorkedSolution(
            False, f"Shown once you solve it, or after {after} attempts ({tried} so far)."
        )

    Policy = Assignment.SolutionPolicy
    policy, after = assignment.solution_policy, assignment.solution_after_attempts
    if policy == Policy.NEVER:
        return WorkedSolution(False, "Your instructor does not show the worked solution.")
    standing = graded_standing(user=user, assignment=assignment)
    # As the student sees it: in exam mode, opening "because solved" would tell them they did.
    solved = seen_by_student(student_result(assignment=assignment, student=user), now).solved
    if solved:
        return WorkedSolution(True, "You solved it.", markdown, code, assignment=assignment)
    tried = mine.filter(COUNTS_AS_TRY, status=Submission.Status.DONE).count()
    if policy == Policy.ATTEMPTS and tried >= after:
        offered = f"Shown after {after} attempts."
    elif policy == Policy.DUE and standing.rules.is_past_due(now):
        offered = "The deadline has passed."
    elif policy == Policy.ATTEMPTS:
        return WorkedSolution(
            False, f"Shown once you solve it, or after {after} attempts ({tried} so far)."
        )
    elif policy == Policy.DUE:
        return WorkedSolution(False, "Shown once you solve it, or after the deadline.")
    else:
        return WorkedSolution(False, "Shown once you solve it.")
    if standing.solution_opened_at is not None or not standing.can_still_count(now):
        return WorkedSolution(True, offered, markdown, code, assignment=assignment)
    left = standing.attempts_left
    left_words = "" if left is None else f" (you have {left} left)"
    # Offered, but not shown: the text reaches the page only once opened (solution_open).
    return WorkedSolution(
        False,
        f"{offered} Opening it ends your graded attempts on this exercise{left_words}: "
        "a graded submission made after seeing it would not be your own work.",
        costs_attempts=True,
        assignment=assignment,
    )


@transaction.atomic
def solution_open(*, user: User, assignment: Assignment) -> bool:
    """Record that `user` opened the worked solution of `assignment`, ending their graded
    attempts on its exercise. False if it was opened already (a second click)."""
    try:
        with transaction.atomic():
            SolutionOpening.objects.create(assignment=assignment, user=user)
    except IntegrityError:
        return False
    return True
