"""The holes of a course's graded work, each tried over HTTP as a student or an instructor would,
and each now closed: the worked solution, practice as an oracle, who sees whose work, one
effective score everywhere, and "Try again" after a fix (submissions/rules.py, scores.py).

Hidden-case text (engine), exercise ownership and validation isolation have their own tests
(tests/graders, tests/platform/authoring, tests/e2e).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from catalog.models import ExerciseVersion
from courses.models import Assignment, Enrolment, Invitation
from courses.services import assignment_ensure, course_ensure, enrolment_ensure
from submissions.models import RegradeBatch, Submission
from submissions.rules import seed_for
from tests.platform.conftest import (
    CORRECT_CODE,
    WRONG_CODE,
    Bank,
    People,
    assignment,
    make_submission,
)

pytestmark = pytest.mark.django_db

COURSE_PAGE = "/courses/ml101/exercises/double-it/"
SELF_TEST_PAGE = "/exercises/double-it/"
SUBMISSIONS = "/api/v1/submissions"
SOLUTION_LINE = "return 2 * x  # correct"  # the bank's solutions/correct.py


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)[1]}"}


def api_post(auth: dict[str, str], body: dict[str, Any]) -> Any:
    return Client().post(SUBMISSIONS, json.dumps(body), content_type="application/json", **auth)


@pytest.fixture
def quiet_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)


def solution_section(page: str) -> str:
    start = page.index('id="worked-solution"')
    return page[start : page.index("</section>", start)]


# -- 1. the worked solution ---------------------------------------------------------------------
def test_an_accepted_visible_only_run_neither_solves_nor_opens_the_solution(
    exercises: Bank, people: People
) -> None:
    rules = assignment(exercises)
    rules.solution_policy = Assignment.SolutionPolicy.SOLVED
    rules.save()
    # "Run visible tests" with code right on the visible example only: accepted, as practice.
    make_submission(
        people.alice, exercises.code, mode="practice", visible_only=True, attempt=None,
        course=rules.course, status="done", verdict="accepted",
    )  # fmt: skip
    make_submission(
        people.alice, exercises.code, status="done", verdict="rejected", score=1.67,
        max_score=10.0, code=WRONG_CODE,
    )  # fmt: skip
    alice = as_user(people.alice)
    for url in (COURSE_PAGE, SELF_TEST_PAGE):
        page = alice.get(url).content.decode()
        assert SOLUTION_LINE not in page and "You solved it" not in page
        assert "Shown once you solve it." in solution_section(page)
    home = alice.get("/courses/ml101/").content.decode()
    assert 'data-status="solved"' not in home


def test_after_the_deadline_the_solution_costs_the_late_attempts(
    exercises: Bank, people: People, quiet_broker: None
) -> None:
    rules = assignment(exercises)
    rules.solution_policy = Assignment.SolutionPolicy.DUE
    rules.due_at = timezone.now() - timedelta(hours=1)
    rules.late_policy = Assignment.LatePolicy.PENALTY
    rules.penalty_per_day = 20
    rules.save()
    alice = as_user(people.alice)

    # Late work still counts (80%): the solution is offered, not shown.
    page = alice.get(COURSE_PAGE).content.decode()
    assert SOLUTION_LINE not in page
    assert "ends your graded attempts" in solution_section(page)
    assert alice.post(COURSE_PAGE, {"code": WRONG_CODE, "mode": "graded"}).status_code == 302

    assert alice.post("/courses/ml101/exercises/double-it/solution/").status_code == 302
    page = alice.get(COURSE_PAGE).content.decode()
    assert SOLUTION_LINE in solution_section(page)
    # From now on no graded submission of hers counts: page and API refuse it alike.
    refused = alice.post(COURSE_PAGE, {"code": CORRECT_CODE, "mode": "graded"})
    assert refused.status_code == 403 and "opened the worked solution" in refused.content.decode()
    api = api_post(bearer(people.alice), {"exercise": "double-it", "code": CORRECT_CODE})
    assert api.status_code == 403 and api.json()["code"] == "solution_opened"
    assert Submission.objects.filter(mode="graded").count() == 1
    # Recorded, and shown to the instructor.
    seen = as_user(people.carol).get(
        f"/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/"
    )
    assert 'id="solution-opened"' in seen.content.decode()


def test_the_solution_opens_freely_once_late_work_cannot_count(
    exercises: Bank, people: People
) -> None:
    rules = assignment(exercises)
    rules.solution_policy = Assignment.SolutionPolicy.DUE
    rules.due_at = timezone.now() - timedelta(hours=1)
    rules.late_policy = Assignment.LatePolicy.PRACTICE_ONLY
    rules.save()
    page = as_user(people.alice).get(COURSE_PAGE).content.decode()
    assert SOLUTION_LINE in solution_section(page) and "The deadline has passed" in page


# -- 2. practice never answers for the graded instance ------------------------------------------
def test_practice_of_every_case_is_refused_alike_by_the_page_and_the_api(
    exercises: Bank, people: People, quiet_broker: None
) -> None:
    rules = assignment(exercises)
    rules.max_attempts = 1
    rules.save()
    auth = bearer(people.alice)
    body = {"exercise": "double-it", "code": WRONG_CODE, "mode": "practice", "course": "ml101"}

    refused = api_post(auth, body)
    assert refused.status_code == 403 and refused.json()["code"] == "practice_closed"
    page = as_user(people.alice).post(COURSE_PAGE, {"code": WRONG_CODE, "mode": "practice-all"})
    assert page.status_code == 403 and "Run visible tests" in page.content.decode()
    assert not Submission.objects.exists()

    # The visible cases run, on a practice instance: never the graded seed.
    visible = api_post(auth, {**body, "visible_only": True})
    assert visible.status_code == 202
    run = Submission.objects.get(pk=visible.json()["id"])
    assert run.seed != seed_for(user=people.alice, exercise=exercises.code)

    # Once the one graded attempt is used, nothing is left to protect: every case runs.
    assert api_post(auth, {**body, "mode": "graded"}).status_code == 202
    assert api_post(auth, body).status_code == 202


def test_a_math_answer_that_is_the_same_on_every_instance_is_not_checked_in_practice(
    exercises: Bank, people: People, quiet_broker: None, statement_by_seed: None
) -> None:
    rules = assignment(exercises, "math")
    rules.max_attempts = 1
    rules.save()
    auth = bearer(people.alice)
    body = {"exercise": "count-params", "answer": "12", "mode": "practice"}
    refused = api_post(auth, body)
    assert refused.status_code == 403 and refused.json()["code"] == "practice_closed"
    page = as_user(people.alice).post("/exercises/count-params/", {**body, "mode": "practice"})
    assert page.status_code == 403 and "same answer on every instance" in page.content.decode()

    assert api_post(auth, {**body, "mode": "graded"}).status_code == 202
    assert api_post(auth, body).status_code == 202  # attempts over: practice opens


def test_a_choice_is_the_same_on_every_instance_so_practice_does_not_check_it(
    exercises: Bank, people: People, quiet_broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Numbers that vary from instance to instance do not change which options are right.
    monkeypatch.setattr("submissions.rules._numbers_vary", lambda version_id: True)
    version = exercises.math.current_version
    version.answer_type = "multi_choice"
    version.save()
    body = {"exercise": "count-params", "answer": "A", "mode": "practice"}
    refused = api_post(bearer(people.alice), body)
    assert refused.status_code == 403 and refused.json()["code"] == "practice_closed"
    version.answer_type = "numeric"
    version.save()
    assert api_post(bearer(people.alice), body).status_code == 202


@pytest.fixture
def statement_by_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    class Instance:
        def statement(self, exercise: object, seed: int) -> str:
            return f"Instance numbers: {seed}."

    monkeypatch.setattr("graders.engine.get_grader", lambda: Instance())


# -- 4. course-scoped access --------------------------------------------------------------------
def test_a_csv_upload_invites_an_existing_account_and_shows_nothing_of_its_work(
    exercises: Bank, people: People
) -> None:
    # bob studies in ml101; dave teaches another course and uploads a CSV naming him.
    theirs = make_submission(people.bob, exercises.code, status="done", verdict="accepted")
    dave = as_user(people.dave)
    course = Enrolment.objects.get(user=people.dave).course
    upload = dave.post(
        f"/teach/{course.slug}/students/upload/",
        {"csv_file": _csv("username\nbob\ncarol\n")},
    )
    assert upload.status_code == 200 and 'id="csv-invited"' in upload.content.decode()
    assert not Enrolment.objects.filter(course=course, user=people.bob).exists()
    assert Invitation.objects.filter(course=course, user=people.bob).exists()

    dave_api = bearer(people.dave)
    assert dave.get(f"/submissions/{theirs.pk}/").status_code == 404
    assert Client().get(f"{SUBMISSIONS}/{theirs.pk}", **dave_api).status_code == 404

    # bob accepts: dave now sees what bob makes in dave's course, never his ml101 work.
    bob = as_user(people.bob)
    invitation = Invitation.objects.get(course=course, user=people.bob)
    assert f'id="accept-{invitation.pk}"' in bob.get("/courses/").content.decode()
    assert bob.post(f"/invitations/{invitation.pk}/", {"answer": "accept"}).status_code == 302
    assert Enrolment.objects.filter(course=course, user=people.bob).exists()
    assert dave.get(f"/submissions/{theirs.pk}/").status_code == 404
    assert Client().get(f"{SUBMISSIONS}/{theirs.pk}", **dave_api).status_code == 404
    assignment_ensure(course=course, exercise=exercises.code, published=True)
    there = make_submission(people.bob, exercises.code, course=course, status="done")
    assert dave.get(f"/submissions/{there.pk}/").status_code == 200


def _csv(text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("students.csv", text.encode(), content_type="text/csv")


def test_a_student_in_two_courses_must_name_the_course(
    exercises: Bank, people: People, quiet_broker: None
) -> None:
    other = course_ensure(slug="dl301", title="DL 301")
    enrolment_ensure(course=other, user=people.bob)
    assignment_ensure(course=other, exercise=exercises.code, published=True)
    auth = bearer(people.bob)
    refused = api_post(auth, {"exercise": "double-it", "code": CORRECT_CODE})
    assert refused.status_code == 400 and refused.json()["code"] == "course_required"
    assert "dl301" in refused.json()["message"] and "ml101" in refused.json()["message"]
    named = api_post(auth, {"exercise": "double-it", "code": CORRECT_CODE, "course": "dl301"})
    assert named.status_code == 202 and named.json()["course"] == "dl301"


# -- 6. one effective score ---------------------------------------------------------------------
def test_the_late_penalised_score_is_the_same_on_every_page(
    exercises: Bank, people: People
) -> None:
    rules = assignment(exercises)
    rules.due_at = timezone.now() - timedelta(days=1, hours=1)  # 2 started days late
    rules.late_policy = Assignment.LatePolicy.PENALTY
    rules.penalty_per_day = 10
    rules.save()
    late = make_submission(people.alice, exercises.code, status="done", verdict="accepted")
    reason = "8/10: 10/10 less 20% for 2 days late"

    alice = as_user(people.alice)
    assert reason in alice.get("/courses/ml101/").content.decode()
    assert reason in alice.get(COURSE_PAGE).content.decode()
    assert reason in alice.get(f"/submissions/{late.pk}/").content.decode()
    assert reason in alice.get("/exercises/double-it/history/").content.decode()
    assert "Solved 10/10" not in alice.get("/courses/ml101/").content.decode()
    got = Client().get(f"{SUBMISSIONS}/{late.pk}", **bearer(people.alice)).json()
    assert (got["score"], got["raw_score"], got["score_note"]) == (8.0, 10.0, reason)
    book = as_user(people.carol).get("/teach/ml101/gradebook/export.csv").content.decode()
    alice_line = next(line for line in book.splitlines() if line.startswith("alice"))
    assert ",8," in alice_line


def test_an_applied_regrade_is_the_students_score_too(exercises: Bank, people: People) -> None:
    original = make_submission(people.alice, exercises.code, status="done", verdict="accepted")
    batch = RegradeBatch.objects.create(
        course=original.course, exercise=exercises.code, version=original.version,
        applied_at=timezone.now(),
    )  # fmt: skip
    make_submission(
        people.alice, exercises.code, course=original.course, regrade_of=original,
        regrade_batch=batch, status="done", verdict="rejected", score=0.0, max_score=10.0,
        attempt=None,
    )  # fmt: skip
    alice = as_user(people.alice)
    for url in ("/courses/ml101/", COURSE_PAGE, f"/submissions/{original.pk}/"):
        page = alice.get(url).content.decode()
        assert "regraded on" in page and "0/10" in page, url
    home = alice.get("/courses/ml101/").content.decode()
    assert 'data-status="solved"' not in home
    got = Client().get(f"{SUBMISSIONS}/{original.pk}", **bearer(people.alice)).json()
    assert got["score"] == 0.0 and got["raw_score"] == 10.0


# -- 7. "Try again" after a fix ------------------------------------------------------------------
def test_try_again_grades_against_the_current_version(
    exercises: Bank, people: People, quiet_broker: None
) -> None:
    broken = make_submission(people.alice, exercises.code, status="error")
    old = exercises.code.current_version
    fixed = ExerciseVersion.objects.create(
        exercise=exercises.code, version="f" * 16, files=old.files, statement=old.statement,
        starter=old.starter, entry_point=old.entry_point,
    )  # fmt: skip
    exercises.code.current_version = fixed
    exercises.code.save()

    alice = as_user(people.alice)
    assert alice.post(f"/submissions/{broken.pk}/retry/").status_code == 302
    broken.refresh_from_db()
    assert broken.status == "queued" and broken.version_id == fixed.pk
    page = alice.get(f"/submissions/{broken.pk}/").content.decode()
    assert 'graded against version <span id="submission-version">ffffffffffff' in page


# -- a broken reference ---------------------------------------------------------------------------
def test_a_crashing_reference_shows_the_student_no_line_of_it(
    exercises: Bank, people: People
) -> None:
    leak = 'File "reference.py", line 3, in double_it\n    return 2 * x  # the secret line\n'
    broken = make_submission(
        people.alice, exercises.code, status="error", verdict="internal_error",
        report={"fault": "exercise", "warnings": [leak], "checks": [], "verdict": "internal_error"},
        message="Could not be graded: the exercise's reference failed on this instance.",
    )  # fmt: skip
    got = Client().get(f"{SUBMISSIONS}/{broken.pk}", **bearer(people.alice)).json()
    assert "secret line" not in json.dumps(got) and got["report"]["warnings"] == []
    assert (
        "secret line"
        not in as_user(people.alice).get(f"/submissions/{broken.pk}/").content.decode()
    )
    # The course's instructor sees it, to fix the exercise.
    seen = Client().get(f"{SUBMISSIONS}/{broken.pk}", **bearer(people.carol)).json()
    assert "secret line" in json.dumps(seen)


def test_the_graded_seed_reaches_no_student_but_a_practice_seed_does(
    exercises: Bank, people: People
) -> None:
    graded = make_submission(
        people.alice, exercises.code, status="done", verdict="accepted",
        report={"seed": 1234, "checks": [], "verdict": "accepted"},
    )  # fmt: skip
    practice = make_submission(
        people.alice, exercises.code, mode="practice", attempt=None, status="done",
        verdict="accepted", seed=777, report={"seed": 777, "checks": [], "verdict": "accepted"},
    )  # fmt: skip
    auth = bearer(people.alice)
    got = Client().get(f"{SUBMISSIONS}/{graded.pk}", **auth).json()
    assert got["seed"] is None and "seed" not in got["report"]
    assert "1234" not in as_user(people.alice).get(f"/submissions/{graded.pk}/").content.decode()
    assert Client().get(f"{SUBMISSIONS}/{practice.pk}", **auth).json()["seed"] == 777
    # The course's instructor, reproducing a verdict, sees it.
    assert Client().get(f"{SUBMISSIONS}/{graded.pk}", **bearer(people.carol)).json()["seed"] == 1234
