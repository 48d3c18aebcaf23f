"""The two pages of an exercise: in a course (graded, with the assignment's rules) and self-test
(practice, "Another one", graded only where a course assigns it); the worked solution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses.models import Assignment, Course
from courses.services import assignment_ensure
from submissions.models import Submission
from submissions.rules import seed_for
from tests.platform.conftest import WRONG_CODE, Bank, People, assignment, make_submission

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
COURSE_PAGE = "/courses/ml101/exercises/double-it/"
SELF_TEST_PAGE = "/exercises/double-it/"
SOLUTION_LINE = "return 2 * x  # correct"  # the bank's solutions/correct.py


def unassign(bank: Bank) -> None:
    Assignment.objects.filter(exercise__in=[bank.code, bank.math]).update(published=False)


# -- the course page --------------------------------------------------------------------------
def test_the_course_page_shows_the_rules_and_submits_in_the_course(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None
) -> None:
    code = assignment(exercises)
    code.due_at = timezone.now() + timedelta(days=3, hours=1)
    code.max_attempts = 4
    code.feedback_release = "due"
    code.save()
    make_submission(
        people.alice, exercises.code, status="done", verdict="rejected", code=WRONG_CODE
    )
    alice = signed_in(people.alice)

    page = alice.get(COURSE_PAGE).content.decode()
    assert "due in 3 days" in page and "lose 10% of the score per day late" in page
    assert "1 used, 3 left of 4" in page
    assert "held back until the deadline" in page
    assert 'id="submit-graded"' in page and 'id="submit-practice"' in page
    assert 'id="another-instance"' not in page  # the course page shows the graded instance

    response = alice.post(COURSE_PAGE, {"code": WRONG_CODE, "mode": "graded"})
    submission = Submission.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/submissions/{submission.pk}/"
    assert (submission.mode, submission.course.slug, submission.attempt) == ("graded", "ml101", 2)

    alice.post(COURSE_PAGE, {"code": WRONG_CODE, "mode": "practice"})
    practice = Submission.objects.latest("pk")
    assert (practice.mode, practice.course.slug, practice.visible_only) == (
        "practice",
        "ml101",
        True,
    )


@pytest.mark.parametrize(
    ("rules", "status", "message"),
    [
        ({"max_attempts": 1}, 403, "no attempts left"),
        (
            {
                "due_at": timezone.now() - timedelta(days=1),
                "late_policy": Assignment.LatePolicy.PRACTICE_ONLY,
            },
            403,
            "the deadline",
        ),
    ],
)
def test_a_closed_assignment_says_why_and_keeps_the_code(
    signed_in: SignIn,
    exercises: Bank,
    people: People,
    no_broker: None,
    rules: dict[str, Any],
    status: int,
    message: str,
) -> None:
    assignment_ensure(course=Course.objects.get(slug="ml101"), exercise=exercises.code, **rules)
    make_submission(
        people.alice, exercises.code, status="done", verdict="rejected", code=WRONG_CODE
    )
    alice = signed_in(people.alice)

    page = alice.get(COURSE_PAGE).content.decode()
    assert 'id="submit-graded"' not in page and 'id="submit-practice"' in page

    typed = "def double_it(x):\n    return x * 3  # <kept & escaped>\n"
    response = alice.post(COURSE_PAGE, {"code": typed, "mode": "graded"})
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert "return x * 3  # &lt;kept &amp; escaped&gt;" in html
    assert Submission.objects.count() == 1


def test_too_large_is_413_and_keeps_the_code(
    signed_in: SignIn, exercises: Bank, people: People, settings: Any
) -> None:
    settings.MAX_CODE_BYTES = 40
    typed = "def double_it(x):\n    return 2 * x  # a long comment that is too long\n"
    response = signed_in(people.alice).post(COURSE_PAGE, {"code": typed, "mode": "graded"})
    assert response.status_code == 413
    html = response.content.decode()
    assert "the limit is 40 bytes" in html and "a long comment that is too long" in html


# -- the self-test page ---------------------------------------------------------------------
def test_self_test_without_an_assignment_offers_practice_only(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None
) -> None:
    unassign(exercises)
    alice = signed_in(people.alice)

    page = alice.get(SELF_TEST_PAGE).content.decode()
    assert "Self-test: this exercise is not assigned to you" in page
    assert 'id="submit-graded"' not in page
    assert 'id="submit-practice"' in page and 'id="submit-practice-all"' in page

    typed = "def double_it(x):\n    return x + x  # mine\n"
    refused = alice.post(SELF_TEST_PAGE, {"code": typed, "mode": "graded"})
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "not assigned to you in any of your courses" in html and "return x + x  # mine" in html
    assert not Submission.objects.exists()

    alice.post(SELF_TEST_PAGE, {"code": typed, "mode": "practice-all"})
    everything = Submission.objects.get()
    assert (everything.mode, everything.visible_only, everything.course) == (
        "practice",
        False,
        None,
    )


def test_self_test_with_an_assignment_says_where_it_counts(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None
) -> None:
    alice = signed_in(people.alice)
    page = alice.get(SELF_TEST_PAGE).content.decode()
    assert "“Submit” is graded and counts in <strong>ML 101</strong>" in page
    assert 'href="/courses/ml101/exercises/double-it/"' in page
    assert 'id="submit-graded"' in page and 'id="submit-practice-all"' not in page

    alice.post(SELF_TEST_PAGE, {"code": WRONG_CODE, "mode": "graded"})
    assert Submission.objects.get().course.slug == "ml101"
    # Every hidden case in practice is for exercises nobody grades.
    refused = alice.post(SELF_TEST_PAGE, {"code": WRONG_CODE, "mode": "practice-all"})
    assert refused.status_code == 403 and "Run visible tests" in refused.content.decode()
    assert Submission.objects.count() == 1


def test_run_visible_tests_sets_visible_only_and_check_does_not(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None, statement_by_seed: None
) -> None:
    alice = signed_in(people.alice)
    page = alice.get(SELF_TEST_PAGE).content.decode()
    assert (
        '<button type="submit" name="mode" value="practice" id="submit-practice" class="secondary">Run visible tests</button>'
        in page
    )

    alice.post(SELF_TEST_PAGE, {"code": WRONG_CODE, "mode": "practice"})
    run = Submission.objects.latest("pk")
    assert (run.mode, run.visible_only) == ("practice", True)

    # Unassigned: a math check answers no graded question (submissions.rules).
    Assignment.objects.filter(exercise=exercises.math).delete()
    math_page = alice.get("/exercises/count-params/").content.decode()
    assert "Check (practice)</button>" in math_page
    alice.post("/exercises/count-params/", {"answer": "12", "mode": "practice"})
    check = Submission.objects.latest("pk")
    assert (check.mode, check.visible_only, check.answer) == ("practice", False, "12")


def test_the_submission_page_says_visible_tests_only(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    run = make_submission(
        people.alice,
        exercises.code,
        mode="practice",
        attempt=None,
        visible_only=True,
        status="done",
        verdict="accepted",
        score=10.0,
        max_score=10.0,
    )
    graded = make_submission(people.alice, exercises.code, status="done", verdict="accepted")
    alice = signed_in(people.alice)
    page = alice.get(f"/submissions/{run.pk}/").content.decode()
    assert "Visible tests only" in page
    assert 'href="/exercises/double-it/history/"' in page
    assert "Visible tests only" not in alice.get(f"/submissions/{graded.pk}/").content.decode()


# -- another one ------------------------------------------------------------------------------
def test_another_one_changes_the_math_statement_and_the_practice_seed(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None, statement_by_seed: None
) -> None:
    alice = signed_in(people.alice)
    own = seed_for(user=people.alice, exercise=exercises.math)
    first = seed_for(user=people.alice, exercise=exercises.math, mode="practice")
    page = alice.get("/exercises/count-params/").content.decode()
    # Practice instance #0 is not the graded instance: practice never answers for it.
    assert first != own
    assert f"Instance numbers: {first}." in page and "Practice instance #0" in page
    assert f"Instance numbers: {own}." not in page

    moved = alice.post("/exercises/count-params/another/")
    assert moved.status_code == 302 and moved["Location"] == "/exercises/count-params/"
    page = alice.get(moved["Location"]).content.decode()
    practice = seed_for(user=people.alice, exercise=exercises.math, mode="practice")
    assert practice not in (own, first)
    assert f"Instance numbers: {practice}." in page and f"Instance numbers: {own}." not in page
    assert "Practice instance #1" in page
    # Graded answers are for the student's own numbers: not offered here, refused if sent.
    assert 'id="submit-graded"' not in page and "practice instance #1" in page
    refused = alice.post("/exercises/count-params/", {"answer": "41", "mode": "graded"})
    assert refused.status_code == 403 and 'value="41"' in refused.content.decode()

    # The course page still shows the student's own instance, and checks nothing against it
    # in practice (a practice check would use the other numbers).
    course_page = alice.get("/courses/ml101/exercises/count-params/").content.decode()
    assert f"Instance numbers: {own}." in course_page
    assert 'id="submit-graded"' in course_page and 'id="submit-practice"' not in course_page
    assert (
        alice.post(
            "/courses/ml101/exercises/count-params/", {"answer": "41", "mode": "practice"}
        ).status_code
        == 403
    )

    # Unassigned, the check runs on the practice instance the page shows.
    Assignment.objects.filter(exercise=exercises.math).delete()
    alice.post("/exercises/count-params/", {"answer": "41", "mode": "practice"})
    assert Submission.objects.get().seed == practice

    alice.post("/exercises/count-params/another/")
    assert "Practice instance #2" in alice.get("/exercises/count-params/").content.decode()


def test_another_one_for_code_moves_the_practice_runs_only(
    signed_in: SignIn, exercises: Bank, people: People, no_broker: None
) -> None:
    alice = signed_in(people.alice)
    assert alice.get("/exercises/double-it/another/").status_code == 405  # a POST only
    alice.post("/exercises/double-it/another/")
    page = alice.get(SELF_TEST_PAGE).content.decode()
    assert "Practice instance #1" in page and "always graded on your own instance" in page
    assert 'id="submit-graded"' in page  # code: the statement is the same for every instance

    alice.post(SELF_TEST_PAGE, {"code": WRONG_CODE, "mode": "practice"})
    alice.post(SELF_TEST_PAGE, {"code": WRONG_CODE, "mode": "graded"})
    practice, graded = Submission.objects.order_by("pk")
    assert practice.seed == seed_for(user=people.alice, exercise=exercises.code, mode="practice")
    assert graded.seed == seed_for(user=people.alice, exercise=exercises.code)
    assert practice.seed != graded.seed


def test_another_one_needs_an_exercise_the_user_may_see(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    exercises.code.is_public = False
    exercises.code.save()
    unassign(exercises)
    assert signed_in(people.alice).post("/exercises/double-it/another/").status_code == 404


# -- the worked solution ----------------------------------------------------------------------
def solution_section(page: str) -> str:
    start = page.index('id="worked-solution"')
    return page[start : page.index("</section>", start)]


def test_the_worked_solution_is_absent_until_the_policy_allows_it(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    code = assignment(exercises)
    code.solution_after_attempts = 2
    code.save()
    alice = signed_in(people.alice)

    page = alice.get(COURSE_PAGE).content.decode()
    assert "Shown once you solve it, or after 2 attempts (0 so far)." in solution_section(page)
    assert SOLUTION_LINE not in page and "<details>" not in solution_section(page)

    for _ in range(2):
        make_submission(
            people.alice, exercises.code, status="done", verdict="rejected", code=WRONG_CODE
        )
    # Offered, but graded attempts could still count: opening it ends them (and until then the
    # text is not on the page).
    page = alice.get(COURSE_PAGE).content.decode()
    offered = solution_section(page)
    assert "Shown after 2 attempts" in offered and "ends your graded attempts" in offered
    assert SOLUTION_LINE not in page and 'id="open-solution"' in offered

    opened = alice.post("/courses/ml101/exercises/double-it/solution/")
    assert opened.status_code == 302
    page = alice.get(COURSE_PAGE).content.decode()
    shown = solution_section(page)
    assert "<details>" in shown and SOLUTION_LINE in shown and "Shown after 2 attempts" in shown
    assert "You opened the worked solution" in page


def test_a_solved_exercise_shows_it_and_never_policy_hides_it(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    make_submission(
        people.alice,
        exercises.code,
        status="done",
        verdict="accepted",
        code="def double_it(x):\n    return x + x\n",
    )
    alice = signed_in(people.alice)
    assert SOLUTION_LINE in solution_section(alice.get(SELF_TEST_PAGE).content.decode())

    code = assignment(exercises)
    code.solution_policy = Assignment.SolutionPolicy.NEVER
    code.save()
    page = alice.get(SELF_TEST_PAGE).content.decode()
    assert SOLUTION_LINE not in page and "does not show the worked solution" in page
    # Instructors always see it.
    assert SOLUTION_LINE in signed_in(people.carol).get(SELF_TEST_PAGE).content.decode()


def test_a_markdown_worked_solution_is_rendered_for_katex(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    version = exercises.code.current_version
    version.files = {
        **version.files,
        "worked_solution.md": "The gradient is $2$ <script>x()</script>.",
    }
    version.save()
    make_submission(
        people.alice, exercises.code, status="done", verdict="accepted", code="pass  # ok"
    )

    shown = solution_section(signed_in(people.alice).get(SELF_TEST_PAGE).content.decode())
    assert '<span class="math math-inline">$2$</span>' in shown
    assert "<script>" not in shown


def test_the_self_test_catalog_says_where_an_exercise_is_assigned(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    Assignment.objects.filter(exercise=exercises.math).update(published=False)
    page = signed_in(people.alice).get("/exercises/").content.decode()
    assert page.count("<h1>") == 1 and "Self-test" in page
    assert '<a href="/courses/ml101/exercises/double-it/">ML 101</a>' in page
    assert "/courses/ml101/exercises/count-params/" not in page
    assert 'href="/exercises/count-params/"' in page  # still open for practice
