"""Writes that put a submission on its way: creating one (with every rule that may refuse it),
trying one again, regrading one, and moving a student to another practice instance."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise, PracticeInstance
from core.errors import NotFound
from core.ratelimit import rate_limit_hit
from courses.models import Assignment, Course
from courses.rules import StudentRules
from courses.selectors import assignment_for, courses_of_student, exercise_is_visible, rules_for
from courses.time import deadline_text
from submissions import queue
from submissions.errors import (
    AttemptsExhausted,
    CourseRequired,
    DeadlinePassed,
    NotAssigned,
    PracticeClosed,
    RateLimited,
    SolutionOpened,
    SubmissionError,
    SubmissionTooLarge,
    TooManyInstances,
)
from submissions.models import RegradeBatch, Submission
from submissions.rules import (
    counted_attempts,
    deadline_passed_words,
    practice_refusal,
    seed_for,
    solution_opened_at,
)


@transaction.atomic
def practice_instance_next(*, user: User, exercise: Exercise) -> int:
    """Move the student to a new practice instance ("another one"); returns its number.

    Rate-limited (INSTANCE_RATE, TooManyInstances): the page then shows the new instance, whose
    statement a math exercise makes in a sandbox run of the web process and keeps in the cache
    for days, so unthrottled clicks would be CPU and cache for the asking.
    """
    limit, window = settings.INSTANCE_RATE
    retry_after = rate_limit_hit(f"instance:{user.pk}", limit=limit, window=window)
    if retry_after is not None:
        raise TooManyInstances(
            f"too many new instances: at most {limit} per {window} s; "
            f"try again in {retry_after} s",
            retry_after,
        )
    row, _ = PracticeInstance.objects.select_for_update().get_or_create(
        user=user, exercise=exercise
    )
    PracticeInstance.objects.filter(pk=row.pk).update(number=F("number") + 1)
    row.refresh_from_db()
    return row.number


def _check_content(exercise: Exercise, code: str | None, answer: str | None) -> tuple[str, str]:
    if exercise.kind == Exercise.Kind.CODE:
        if answer is not None:
            raise SubmissionError(f"{exercise.slug} is a code exercise: send code, not answer")
        if code is None or not code.strip():
            raise SubmissionError("code is empty")
        size, limit = len(code.encode("utf-8")), settings.MAX_CODE_BYTES
        if size > limit:
            raise SubmissionTooLarge(f"code is {size} bytes; the limit is {limit} bytes")
        return code, ""
    if code is not None:
        raise SubmissionError(f"{exercise.slug} is a math exercise: send answer, not code")
    if answer is None or not answer.strip():
        raise SubmissionError("answer is empty")
    size, limit = len(answer.encode("utf-8")), settings.MAX_ANSWER_BYTES
    if size > limit:
        raise SubmissionTooLarge(f"answer is {size} bytes; the limit is {limit} bytes")
    return "", answer


def submission_create(
    *,
    user: User,
    exercise: Exercise,
    code: str | None = None,
    answer: str | None = None,
    mode: str = Submission.Mode.GRADED,
    course: Course | None = None,
    visible_only: bool = False,
) -> Submission:
    """Save a submission as queued and enqueue its grading once the transaction commits.

    A graded submission needs the exercise published in one of the student's courses (`course`
    picks which); it then follows that assignment's deadline, late policy and attempts. Practice
    is open on any exercise the student can see and never counts. `visible_only` (practice
    only) runs the visible cases and nothing else.

    Raises NotFound, or a SubmissionError (submissions/errors.py: the reason's code, which
    core/errors.py maps to an HTTP status). Nothing is graded here: the web process never runs
    the engine.
    """
    if mode not in Submission.Mode.values:
        raise SubmissionError(f"mode must be one of {', '.join(Submission.Mode.values)}")
    if mode == Submission.Mode.GRADED and course is None:
        _check_single_course(user)
    assignment = assignment_for(user=user, exercise=exercise, course=course)
    # An assignment proves the student may see the exercise; without one, ask. (The API's
    # endpoint relies on this check instead of a separate visibility query per submission.)
    if assignment is None and not exercise_is_visible(user=user, exercise=exercise):
        raise NotFound(f"no exercise {exercise.slug!r}")
    if not exercise.is_active or exercise.current_version_id is None:
        raise SubmissionError(f"{exercise.slug} is not open for submissions")
    if visible_only and mode != Submission.Mode.PRACTICE:
        raise SubmissionError("only practice runs can run the visible tests alone")
    code_text, answer_text = _check_content(exercise, code, answer)
    rules = None  # the student's own deadline and attempts (their extension included)
    if mode == Submission.Mode.GRADED:
        rules = _check_open_for_grading(user, exercise, assignment)
    elif refusal := practice_refusal(user=user, exercise=exercise, visible_only=visible_only):
        raise PracticeClosed(refusal)
    # Practice runs have their own, separate budget: a student iterating on the visible tests
    # must not lose the right to submit, and the grader must not become an oracle either.
    limit, window = (
        settings.PRACTICE_RATE if mode == Submission.Mode.PRACTICE else settings.SUBMISSION_RATE
    )
    retry_after = rate_limit_hit(f"{mode}:{user.pk}", limit=limit, window=window)
    if retry_after is not None:
        what = "practice runs" if mode == Submission.Mode.PRACTICE else "submissions"
        raise RateLimited(
            f"too many {what}: at most {limit} per {window} s; try again in {retry_after} s",
            retry_after,
        )
    return _submission_save(
        user=user,
        exercise=exercise,
        code=code_text,
        answer=answer_text,
        mode=mode,
        assignment=assignment,
        rules=rules,
        # Practice counts in the course it was made in (None: self-test), never another one.
        course=assignment.course if assignment and mode == Submission.Mode.GRADED else course,
        visible_only=visible_only,
    )


def _check_single_course(user: User) -> None:
    """A graded submission must say which course it counts in when the student has several:
    a silent pick could put it in a course they never meant."""
    slugs = list(courses_of_student(user).values_list("slug", flat=True)[:20])
    if len(slugs) > 1:
        raise CourseRequired(
            "you are a student in several courses: say which one this submission counts in "
            f'("course": one of {", ".join(slugs)})'
        )


def _check_open_for_grading(
    user: User, exercise: Exercise, assignment: Assignment | None
) -> StudentRules:
    """The student's rules of the assignment, once they allow a graded submission now."""
    if assignment is None:
        raise NotAssigned(
            f"{exercise.slug} is not assigned to you in any of your courses: "
            "practice (self-test) is open, graded submissions are not"
        )
    rules = rules_for(assignment, user)
    if rules.late_policy == Assignment.LatePolicy.PRACTICE_ONLY and rules.is_past_due():
        raise DeadlinePassed(
            f"the deadline ({deadline_passed_words(rules)}) has passed: practice mode is still "
            "open, graded submissions are closed"
        )
    if opened := solution_opened_at(user=user, exercise=exercise):
        day = deadline_text(opened, rules.zone)
        raise SolutionOpened(
            f"you opened the worked solution ({day}): graded attempts on this exercise are over "
            "(practice mode is still open)"
        )
    return rules


@transaction.atomic
def _submission_save(
    *,
    user: User,
    exercise: Exercise,
    code: str,
    answer: str,
    mode: str,
    assignment: Assignment | None,
    rules: StudentRules | None,
    course: Course | None,
    visible_only: bool,
) -> Submission:
    attempt = None
    if mode == Submission.Mode.GRADED:
        assert assignment is not None and rules is not None  # checked by the caller
        # Lock the student's row: two simultaneous submissions must not both see "one attempt
        # left". SQLite has no row locks (Django would send a plain SELECT): its IMMEDIATE
        # transactions already serialise writers, so the query is skipped there.
        if connection.features.has_select_for_update:
            list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        used = counted_attempts(user=user, exercise=exercise, course=assignment.course)
        if rules.max_attempts is not None and used >= rules.max_attempts:
            raise AttemptsExhausted(
                f"no attempts left: {rules.max_attempts} graded attempts allowed "
                "(practice mode is still open)"
            )
        attempt = used + 1
    now = timezone.now()
    submission = Submission.objects.create(
        user=user,
        exercise=exercise,
        version=exercise.current_version,  # already loaded: the response needs its hash
        mode=mode,
        course=course,
        visible_only=visible_only,
        code=code,
        answer=answer,
        seed=seed_for(user=user, exercise=exercise, mode=mode),
        attempt=attempt,
        status=Submission.Status.QUEUED,
        queued_at=now,
        # Counts the publication about to happen after the commit (one UPDATE fewer per
        # submission); enqueue_grading takes it back if the broker refuses it.
        enqueue_count=1,
    )
    queue.enqueue_on_commit(submission.pk, queue.GRADING_QUEUE, counted=True)
    return submission


@transaction.atomic
def submission_retry(*, submission: Submission) -> bool:
    """Queue again a submission that could not be graded (status error). False if not in error.

    A student's own submission is graded against the exercise's *current* version: the usual
    cause of "could not be graded" is a broken exercise, and its fix is a new version (the
    report names the version it was graded on). A regrade keeps its batch's version.
    """
    version_id = submission.version_id
    if submission.regrade_batch_id is None and submission.exercise.current_version_id:
        version_id = submission.exercise.current_version_id
    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.ERROR).update(
        version_id=version_id,
        status=Submission.Status.QUEUED,
        queued_at=timezone.now(),
        verdict="",
        message="",
        requeue_count=0,
        claim_token=None,
    )
    if updated:
        name = queue.REGRADE_QUEUE if submission.regrade_of_id else queue.GRADING_QUEUE
        queue.enqueue_on_commit(submission.pk, name)
    return updated == 1


@transaction.atomic
def submission_regrade(
    *,
    submission: Submission,
    to_current_version: bool = False,
    batch: RegradeBatch | None = None,
) -> Submission:
    """A new submission with the same content, graded on the low-priority regrade queue.

    The original stays as it was (it was graded once); the regrade is its own row, linked by
    `regrade_of`, and does not use up an attempt. With `batch`, it belongs to an instructor's
    regrade, whose scores count in the gradebook only once the batch is applied.
    """
    version_id = submission.version_id
    if to_current_version and submission.exercise.current_version_id:
        version_id = submission.exercise.current_version_id
    regrade = Submission.objects.create(
        user_id=submission.user_id,
        exercise_id=submission.exercise_id,
        version_id=version_id,
        mode=submission.mode,
        code=submission.code,
        answer=submission.answer,
        seed=submission.seed,
        course_id=submission.course_id,
        visible_only=submission.visible_only,
        regrade_of=submission,
        regrade_batch=batch,
        status=Submission.Status.QUEUED,
        queued_at=timezone.now(),
    )
    queue.enqueue_on_commit(regrade.pk, queue.REGRADE_QUEUE)
    return regrade
