"""The server-rendered pages, and who may see what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from submissions.models import Submission
from tests.platform.conftest import CORRECT_CODE, Bank, FakeGrader, People, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client: Client, people: People) -> Client:
    client.force_login(people.alice)
    return client


def test_pages_need_a_sign_in(client: Client, exercises: Bank) -> None:
    for url in ("/exercises/", "/exercises/double-it/", "/submissions/", "/submissions/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/?next=")


def test_sign_in_and_out_with_the_form(client: Client, people: People) -> None:
    page = client.get("/signin/")
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content

    bad = client.post("/signin/", {"username": "alice", "password": "nope"})
    assert bad.status_code == 200 and b"match" in bad.content
    planted = client.session  # a session an attacker could have planted before sign-in
    planted["seen"] = True
    planted.save()
    client.cookies["sessionid"] = before = planted.session_key
    good = client.post("/signin/", {"username": "alice", "password": "alice-pass-123"})
    assert good.status_code == 302 and good["Location"] == "/"  # then her course
    # No session fixation: signing in gives a new session key.
    assert client.cookies["sessionid"].value != before
    assert client.get("/").status_code == 302

    out = client.post("/signout/")
    assert out.status_code == 302
    assert client.get("/exercises/").status_code == 302


def test_exercise_list_groups_by_topic_with_best_scores(
    alice: Client, exercises: Bank, people: People
) -> None:
    make_submission(people.alice, exercises.code, status="done", score=5.0, max_score=10.0)
    make_submission(people.alice, exercises.code, status="done", score=7.5, max_score=10.0)
    make_submission(people.bob, exercises.code, status="done", score=10.0, max_score=10.0)

    page = alice.get("/exercises/").content.decode()

    assert "Backpropagation" in page
    assert page.index("Double it") < page.index("Count the parameters")
    assert "7.50 / 10" in page
    assert "10 / 10" not in page  # Bob's score is Bob's


def test_exercise_page_renders_the_statement_safely(alice: Client, exercises: Bank) -> None:
    page = alice.get("/exercises/double-it/").content.decode()

    assert '<span class="math math-inline">$2x$</span>' in page
    assert "raise NotImplementedError" in page  # the starter is in the code box
    assert 'name="csrfmiddlewaretoken"' in page
    assert "ANSWER" not in page and "solutions/" not in page


def test_a_math_exercise_has_an_answer_box(
    alice: Client, exercises: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Instance:
        def statement(self, exercise: object, seed: int) -> str:
            return f"Instance {seed}: how many parameters?"

    monkeypatch.setattr("graders.engine.get_grader", lambda: Instance())
    page = alice.get("/exercises/count-params/").content.decode()

    assert 'name="answer"' in page and 'name="code"' not in page
    assert "Instance " in page


def test_unknown_exercise_is_404(alice: Client, exercises: Bank) -> None:
    assert alice.get("/exercises/nope/").status_code == 404


def test_submitting_the_form_queues_and_redirects(
    alice: Client,
    exercises: Bank,
    fake_grader: FakeGrader,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from submissions.tasks import grade_submission

    monkeypatch.setattr(
        "submissions.queue.enqueue_grading",
        lambda pk, **_: grade_submission.apply(args=(pk,)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            "/exercises/double-it/",
            {"code": CORRECT_CODE.replace("correct", "wrong"), "mode": "graded"},
        )
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"

    page = alice.get(response["Location"]).content.decode()
    assert "Wrong answer" in page
    assert "off by a factor 2" in page  # the check's hint
    assert "small example" in page
    assert "data-poll-url" not in page  # finished: no more polling


def test_a_pending_submission_page_polls(alice: Client, exercises: Bank, people: People) -> None:
    submission = make_submission(people.alice, exercises.code)

    page = alice.get(f"/submissions/{submission.pk}/").content.decode()

    assert f'data-poll-url="/api/v1/submissions/{submission.pk}"' in page
    assert "poll.js" in page and "Queued" in page


def test_form_errors_keep_the_code_and_say_why(
    alice: Client, exercises: Bank, settings: Any
) -> None:
    settings.SUBMISSION_RATE = (1, 60)
    alice.post("/exercises/double-it/", {"code": "x = 1", "mode": "graded"})

    response = alice.post("/exercises/double-it/", {"code": "x = 2  # kept", "mode": "graded"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "too many submissions" in page and "x = 2  # kept" in page

    empty = alice.post("/exercises/double-it/", {"code": "", "mode": "graded"})
    assert empty.status_code in (400, 429)


def test_students_see_only_their_own_submissions(
    client: Client, exercises: Bank, people: People
) -> None:
    bobs = make_submission(people.bob, exercises.code, code="# bob's secret solution")
    alices = make_submission(people.alice, exercises.code)
    client.force_login(people.alice)

    assert client.get(f"/submissions/{bobs.pk}/").status_code == 404
    assert client.get(f"/submissions/{bobs.pk + 999}/").status_code == 404
    assert client.post(f"/submissions/{bobs.pk}/retry/").status_code == 404
    mine = client.get("/submissions/").content.decode()
    assert f"#{alices.pk}" in mine and f"#{bobs.pk}<" not in mine


def test_instructors_see_their_students_only_and_staff_see_all(
    client: Client, exercises: Bank, people: People
) -> None:
    bobs = make_submission(people.bob, exercises.code)

    client.force_login(people.carol)  # teaches Bob's course
    assert client.get(f"/submissions/{bobs.pk}/").status_code == 200
    client.force_login(people.dave)  # teaches another course
    assert client.get(f"/submissions/{bobs.pk}/").status_code == 404
    client.force_login(people.erin)  # staff
    assert client.get(f"/submissions/{bobs.pk}/").status_code == 200


def test_retry_button_requeues_an_errored_submission(
    alice: Client,
    exercises: Bank,
    people: People,
    enqueued: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    failed = make_submission(
        people.alice, exercises.code, status="error", message="Could not be graded"
    )
    page = alice.get(f"/submissions/{failed.pk}/").content.decode()
    assert "Try again" in page

    with django_capture_on_commit_callbacks(execute=True):
        alice.post(f"/submissions/{failed.pk}/retry/")

    failed.refresh_from_db()
    assert failed.status == "queued"
    assert enqueued == [(failed.pk, "grading")]


def test_forms_are_csrf_protected(exercises: Bank, people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    response = client.post("/exercises/double-it/", {"code": "x", "mode": "graded"})
    assert response.status_code == 403
    assert Submission.objects.count() == 0


def test_healthz(client: Client, db: None) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_static_files_are_served_without_a_cdn(
    client: Client, exercises: Bank, people: People
) -> None:
    client.force_login(people.alice)
    page = client.get("/exercises/double-it/").content.decode()
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
