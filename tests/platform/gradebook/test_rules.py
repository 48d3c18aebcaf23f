"""The gradebook's rules (gradebook.selectors): best effective score, late penalty, regrades."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Assignment, Course
from gradebook.selectors import Cell, gradebook_for, student_result
from submissions.models import Submission
from tests.platform.conftest import Bank, People, assignment, make_submission
from tests.platform.gradebook.conftest import batch_for, graded, regraded

pytestmark = pytest.mark.django_db


def cell_of(people: People, username: str, slug: str = "double-it") -> Cell:
    book = gradebook_for(Course.objects.get(slug="ml101"))
    row = next(row for row in book.rows if row.student.username == username)
    return next(cell for cell in row.cells if cell.slug == slug)


def with_deadline(bank: Bank, **fields: object) -> Assignment:
    row = assignment(bank)
    row.due_at = timezone.now() - timedelta(days=10)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def test_the_result_is_the_best_score_and_attempts_count_every_counted_one(
    people: People, exercises: Bank
) -> None:
    for score in (3.0, 7.0, 5.0):
        graded(people.alice, exercises.code, score)

    cell = cell_of(people, "alice")

    assert (cell.score, cell.out_of, cell.attempts, cell.solved) == (7.0, 10.0, 3, False)
    assert cell_of(people, "bob") == Cell(cell.assignment)  # nothing sent: no score, not 0


def test_a_late_submission_loses_the_penalty_per_started_day(
    people: People, exercises: Bank
) -> None:
    row = with_deadline(exercises, penalty_per_day=10.0)
    due = row.due_at
    graded(people.alice, exercises.code, 6.0, at=due - timedelta(hours=1))
    # 2 days and 1 minute late = 3 started days: 10 x (1 - 0.3) = 7 beats the on-time 6.
    best = graded(people.alice, exercises.code, 10.0, at=due + timedelta(days=2, minutes=1))
    graded(people.bob, exercises.code, 7.0, at=due - timedelta(days=1))
    graded(people.bob, exercises.code, 10.0, at=due + timedelta(days=4))  # 6 < 7 on time

    alice, bob = cell_of(people, "alice"), cell_of(people, "bob")

    assert alice.score == pytest.approx(7.0)
    assert (alice.raw_score, alice.days_late, alice.best_submission_id) == (10.0, 3, best.pk)
    assert alice.solved  # the raw score reached the max: solved, late or not
    assert (bob.score, bob.days_late) == (7.0, 0)
    assert bob.solved


def test_a_tie_keeps_the_earlier_less_late_submission(people: People, exercises: Bank) -> None:
    row = with_deadline(exercises, penalty_per_day=20.0)
    graded(people.alice, exercises.code, 8.0, at=row.due_at - timedelta(hours=1))
    graded(people.alice, exercises.code, 10.0, at=row.due_at + timedelta(hours=1))  # 10 x 0.8

    cell = cell_of(people, "alice")

    assert (cell.score, cell.days_late) == (8.0, 0)


def test_the_penalty_never_makes_a_score_negative(people: People, exercises: Bank) -> None:
    row = with_deadline(exercises, penalty_per_day=50.0)
    graded(people.alice, exercises.code, 10.0, at=row.due_at + timedelta(days=5))

    cell = cell_of(people, "alice")

    assert (cell.score, cell.days_late) == (0.0, 5)


@pytest.mark.parametrize(
    "policy", [Assignment.LatePolicy.ACCEPT, Assignment.LatePolicy.PRACTICE_ONLY]
)
def test_accept_and_practice_only_policies_take_nothing_off(
    people: People, exercises: Bank, policy: str
) -> None:
    row = with_deadline(exercises, late_policy=policy)
    graded(people.alice, exercises.code, 10.0, at=row.due_at + timedelta(days=3))

    cell = cell_of(people, "alice")

    assert (cell.score, cell.days_late) == (10.0, 3)  # lateness shown, not charged


def test_practice_and_uncounted_submissions_are_not_results(
    people: People, exercises: Bank
) -> None:
    graded(people.alice, exercises.code, 4.0)
    graded(people.alice, exercises.code, 10.0, mode=Submission.Mode.PRACTICE, attempt=None)
    graded(people.alice, exercises.code, 10.0, verdict="invalid_answer")
    graded(people.alice, exercises.code, None, status=Submission.Status.ERROR, verdict="")
    graded(people.alice, exercises.code, 10.0, course=None)  # self-test outside the course

    cell = cell_of(people, "alice")

    assert (cell.score, cell.attempts) == (4.0, 1)


def test_pending_submissions_show_as_pending_not_zero(people: People, exercises: Bank) -> None:
    make_submission(people.alice, exercises.code, status=Submission.Status.QUEUED)
    make_submission(people.alice, exercises.code, status=Submission.Status.RUNNING)
    graded(people.bob, exercises.code, 5.0)
    make_submission(people.bob, exercises.code, status=Submission.Status.QUEUED)

    alice, bob = cell_of(people, "alice"), cell_of(people, "bob")

    assert (alice.score, alice.pending, alice.attempts, alice.is_graded) == (None, 2, 2, False)
    assert (bob.score, bob.pending, bob.attempts) == (5.0, 1, 2)


def test_a_regrade_counts_only_once_its_batch_is_applied(people: People, exercises: Bank) -> None:
    original = graded(people.alice, exercises.code, 4.0)
    pending_batch = batch_for(original)
    regraded(original, pending_batch, 10.0)

    assert cell_of(people, "alice").score == 4.0

    pending_batch.applied_at = timezone.now()
    pending_batch.save()
    cell = cell_of(people, "alice")
    assert (cell.score, cell.solved, cell.attempts) == (10.0, True, 1)  # a regrade is no attempt

    discarded = batch_for(original, discarded_at=timezone.now())
    regraded(original, discarded, 0.0)
    assert cell_of(people, "alice").score == 10.0


def test_a_regrade_that_could_not_be_graded_never_replaces_a_score(
    people: People, exercises: Bank
) -> None:
    original = graded(people.alice, exercises.code, 4.0)
    batch = batch_for(original, applied=True)
    regraded(original, batch, None, status=Submission.Status.ERROR, verdict="internal_error")
    unfinished = graded(people.bob, exercises.code, 6.0)
    regraded(unfinished, batch, None, status=Submission.Status.QUEUED, verdict="")

    assert cell_of(people, "alice").score == 4.0
    assert cell_of(people, "bob").score == 6.0


def test_a_newer_applied_batch_wins_over_an_older_one(people: People, exercises: Bank) -> None:
    original = graded(people.alice, exercises.code, 4.0)
    older = batch_for(original)
    newer = batch_for(original, applied=True)
    regraded(original, newer, 8.0)
    regraded(original, older, 2.0)
    older.applied_at = timezone.now()  # applied last, but it is the older regrade
    older.save()

    assert cell_of(people, "alice").score == 8.0


def test_the_late_factor_applies_to_a_regraded_score_by_the_original_date(
    people: People, exercises: Bank
) -> None:
    row = with_deadline(exercises, penalty_per_day=10.0)
    original = graded(people.alice, exercises.code, 5.0, at=row.due_at + timedelta(hours=2))
    regraded(original, batch_for(original, applied=True), 10.0)

    cell = cell_of(people, "alice")

    assert (cell.score, cell.raw_score, cell.days_late) == (9.0, 10.0, 1)


def test_only_published_assignments_are_columns_and_totals_add_up(
    people: People, exercises: Bank
) -> None:
    graded(people.alice, exercises.code, 10.0)
    graded(people.alice, exercises.math, 1.0)
    Assignment.objects.filter(exercise=exercises.math).update(published=False)

    book = gradebook_for(Course.objects.get(slug="ml101"))

    assert [row.exercise.slug for row in book.assignments] == ["double-it"]
    assert [row.student.username for row in book.rows] == ["alice", "bob"]
    assert (book.rows[0].total, book.rows[1].total, book.max_total) == (10.0, 0, 10.0)


def test_one_students_result_matches_the_gradebook(people: People, exercises: Bank) -> None:
    graded(people.alice, exercises.code, 3.0)
    graded(people.alice, exercises.code, 9.0)
    graded(people.bob, exercises.code, 10.0)

    cell = student_result(assignment=assignment(exercises), student=people.alice)

    assert cell == cell_of(people, "alice")
    assert (cell.score, cell.attempts) == (9.0, 2)
