"""The JSON API: happy paths, and every error answered as JSON with the right status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.services import api_token_create
from courses.models import Assignment
from submissions.models import Submission
from tests.platform.conftest import (
    CORRECT_CODE,
    Bank,
    FakeGrader,
    People,
    assignment,
    make_submission,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/v1/submissions"


@pytest.fixture
def alice_token(people: People) -> str:
    return api_token_create(user=people.alice)[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    return body


# -- happy paths ---------------------------------------------------------------------------
def test_list_and_get_exercises(client: Client, exercises: Bank, alice_token: str) -> None:
    listed = client.get("/api/v1/exercises", **bearer(alice_token)).json()
    assert [e["slug"] for e in listed] == ["double-it", "count-params"]
    assert listed[0]["version"] == exercises.code.current_version.version

    one = client.get("/api/v1/exercises/double-it", **bearer(alice_token)).json()
    assert one["entry_point"] == "double_it"
    assert "$2x$" in one["statement"]
    assert "NotImplementedError" in one["starter"]
    assert "reference" not in json.dumps(one)  # the reference never leaves the server
    assert one["attempts_used"] == 0


def test_create_then_poll_a_submission(
    client: Client,
    exercises: Bank,
    alice_token: str,
    fake_grader: FakeGrader,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Grade in-process when the service enqueues, as a worker would.
    from submissions.tasks import grade_submission

    monkeypatch.setattr(
        "submissions.queue.enqueue_grading",
        lambda pk, **_: grade_submission.apply(args=(pk,)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client,
            SUBMISSIONS,
            {"exercise": "double-it", "code": CORRECT_CODE},
            **bearer(alice_token),
        )
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["status"] == "queued"
    assert created["verdict"] is None and created["score"] is None

    got = client.get(created["url"], **bearer(alice_token)).json()
    assert got["status"] == "done"
    assert (got["verdict"], got["verdict_label"], got["score"], got["max_score"]) == (
        "accepted",
        "Accepted",
        10.0,
        10.0,
    )
    assert got["report"]["checks"][0]["passed"] is True
    assert got["finished_at"] is not None

    mine = client.get(SUBMISSIONS, **bearer(alice_token)).json()
    assert [s["id"] for s in mine] == [created["id"]]


def test_a_math_answer(client: Client, exercises: Bank, alice_token: str) -> None:
    response = post_json(
        client, SUBMISSIONS, {"exercise": "count-params", "answer": "12"}, **bearer(alice_token)
    )
    assert response.status_code == 202
    assert response.json()["mode"] == "graded"


def test_session_auth_with_csrf(exercises: Bank, people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    body = {"exercise": "double-it", "code": CORRECT_CODE}

    assert_error(post_json(client, SUBMISSIONS, body), 403)

    client.get("/signin/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = post_json(client, SUBMISSIONS, body, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 202
    # Reads need no CSRF token.
    assert client.get(response.json()["url"]).status_code == 200


# -- 401 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/v1/exercises"), ("get", SUBMISSIONS + "/1"), ("post", SUBMISSIONS)],
)
def test_anonymous_is_401(client: Client, exercises: Bank, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer dg_not-a-real-token", "Bearer ", "Basic YWxpY2U6cHc=", "dg_raw"]
)
def test_a_bad_token_is_401(client: Client, exercises: Bank, header: str) -> None:
    assert_error(client.get("/api/v1/exercises", HTTP_AUTHORIZATION=header), 401)


def test_a_revoked_token_or_deactivated_user_is_401(
    client: Client, exercises: Bank, people: People
) -> None:
    from django.utils import timezone

    row, token = api_token_create(user=people.alice)
    row.revoked_at = timezone.now()
    row.save()
    assert_error(client.get("/api/v1/exercises", **bearer(token)), 401)

    _, token2 = api_token_create(user=people.bob)
    people.bob.is_active = False
    people.bob.save()
    assert_error(client.get("/api/v1/exercises", **bearer(token2)), 401)


# -- 400, 415 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"code": "x"}, "exercise"),
        ({"exercise": "double-it", "code": "x", "mode": "exam"}, "mode"),
        ({"exercise": "double-it", "code": "x", "admin": True}, "admin"),
        ({"exercise": "double-it", "code": 42}, "code"),
        ({"exercise": "double-it"}, None),
        ({"exercise": "double-it", "answer": "12"}, None),
        ({"exercise": "count-params", "code": "x = 1"}, None),
        ([1, 2, 3], None),
    ],
)
def test_bad_input_is_400(
    client: Client, exercises: Bank, alice_token: str, body: Any, fragment: str | None
) -> None:
    payload = assert_error(post_json(client, SUBMISSIONS, body, **bearer(alice_token)), 400)
    if fragment:
        assert fragment in json.dumps(payload)
    assert Submission.objects.count() == 0


def test_malformed_json_is_400(client: Client, exercises: Bank, alice_token: str) -> None:
    response = client.post(
        SUBMISSIONS,
        data='{"exercise": "double-it", ',
        content_type="application/json",
        **bearer(alice_token),
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(
    client: Client, exercises: Bank, alice_token: str, content_type: str
) -> None:
    response = client.post(
        SUBMISSIONS,
        data='{"exercise": "double-it", "code": "x"}',
        content_type=content_type,
        **bearer(alice_token),
    )
    assert_error(response, 415, "unsupported_media_type")


def test_a_bad_path_parameter_is_400(client: Client, exercises: Bank, alice_token: str) -> None:
    assert_error(client.get(SUBMISSIONS + "/abc", **bearer(alice_token)), 400)


# -- 403, 404 -----------------------------------------------------------------------------
def test_no_attempts_left_is_403(client: Client, exercises: Bank, alice_token: str) -> None:
    limited = assignment(exercises)
    limited.max_attempts = 1
    limited.save()
    body = {"exercise": "double-it", "code": "x = 1"}
    assert post_json(client, SUBMISSIONS, body, **bearer(alice_token)).status_code == 202
    assert_error(
        post_json(client, SUBMISSIONS, body, **bearer(alice_token)), 403, "no_attempts_left"
    )


def test_unknown_exercise_is_404(client: Client, exercises: Bank, alice_token: str) -> None:
    assert_error(client.get("/api/v1/exercises/nope", **bearer(alice_token)), 404)
    body = {"exercise": "nope", "code": "x"}
    assert_error(post_json(client, SUBMISSIONS, body, **bearer(alice_token)), 404, "not_found")


def test_an_exercise_the_student_may_not_see_is_404_like_an_unknown_one(
    client: Client, exercises: Bank, people: People, alice_token: str
) -> None:
    # The submission endpoint leaves visibility to submission_create (one query fewer): not
    # public and not published in any of alice's courses must still look like no exercise.
    from courses.models import Assignment

    exercises.code.is_public = False
    exercises.code.save()
    Assignment.objects.filter(exercise=exercises.code).update(published=False)
    unknown = post_json(
        client, SUBMISSIONS, {"exercise": "nope", "code": "x"}, **bearer(alice_token)
    )
    for mode in ("graded", "practice"):
        # Even a body that would be refused (empty code) must not reveal that it exists.
        for code in ("x = 1", ""):
            body = {"exercise": "double-it", "code": code, "mode": mode}
            hidden = post_json(client, SUBMISSIONS, body, **bearer(alice_token))
            assert_error(hidden, 404, "not_found")
            assert (
                hidden.json()["message"].replace("double-it", "nope") == unknown.json()["message"]
            )
    assert not Submission.objects.exists()

    # Public but not assigned: practice is open, graded submissions are refused with a reason.
    exercises.code.is_public = True
    exercises.code.save()
    practice = {"exercise": "double-it", "code": "x = 1", "mode": "practice"}
    assert post_json(client, SUBMISSIONS, practice, **bearer(alice_token)).status_code == 202
    graded = {"exercise": "double-it", "code": "x = 1"}
    assert_error(post_json(client, SUBMISSIONS, graded, **bearer(alice_token)), 403, "not_assigned")
    # An instructor sees every exercise (to assign it) and may practise on it.
    carol = api_token_create(user=people.carol)[1]
    exercises.code.is_public = False
    exercises.code.save()
    assert post_json(client, SUBMISSIONS, practice, **bearer(carol)).status_code == 202


def test_someone_elses_submission_is_404_not_403(
    client: Client, exercises: Bank, people: People, alice_token: str
) -> None:
    bobs = make_submission(people.bob, exercises.code)
    missing = assert_error(
        client.get(f"{SUBMISSIONS}/{bobs.pk + 1000}", **bearer(alice_token)), 404
    )
    others = assert_error(client.get(f"{SUBMISSIONS}/{bobs.pk}", **bearer(alice_token)), 404)
    assert missing == others  # indistinguishable from a missing id
    assert client.get(SUBMISSIONS, **bearer(alice_token)).json() == []


# -- 413, 429 -------------------------------------------------------------------------------
def test_too_large_code_or_answer_is_413(client: Client, exercises: Bank, alice_token: str) -> None:
    big_code = {"exercise": "double-it", "code": "#" * (64 * 1024 + 1)}
    assert_error(post_json(client, SUBMISSIONS, big_code, **bearer(alice_token)), 413, "too_large")
    big_answer = {"exercise": "count-params", "answer": "1" * (4 * 1024 + 1)}
    assert_error(post_json(client, SUBMISSIONS, big_answer, **bearer(alice_token)), 413)


def test_a_huge_body_is_413_before_it_is_read(
    client: Client, exercises: Bank, alice_token: str
) -> None:
    huge = {"exercise": "double-it", "code": "#" * (2 * 1024 * 1024)}
    assert_error(post_json(client, SUBMISSIONS, huge, **bearer(alice_token)), 413)


def test_too_many_submissions_is_429_with_retry_after(
    client: Client, exercises: Bank, alice_token: str, settings: Any
) -> None:
    settings.SUBMISSION_RATE = (2, 60)
    body = {"exercise": "double-it", "code": "x = 1"}
    for _ in range(2):
        assert post_json(client, SUBMISSIONS, body, **bearer(alice_token)).status_code == 202

    response = post_json(client, SUBMISSIONS, body, **bearer(alice_token))
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_openapi_schema_is_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/submissions" in schema["paths"]


def test_a_math_exercise_gives_the_students_own_instance(
    client: Client, exercises: Bank, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Instance:
        def statement(self, exercise: object, seed: int) -> str:
            return f"instance {seed}"

    monkeypatch.setattr("graders.engine.get_grader", lambda: Instance())
    alice = api_token_create(user=people.alice)[1]
    bob = api_token_create(user=people.bob)[1]

    mine = client.get("/api/v1/exercises/count-params", **bearer(alice)).json()
    his = client.get("/api/v1/exercises/count-params", **bearer(bob)).json()

    assert mine["statement"].startswith("instance ") and mine["statement"] != his["statement"]
    assert mine["answer_type"] == "numeric" and mine["entry_point"] is None


def test_another_instance_changes_practice_only(
    client: Client, exercises: Bank, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Instance:
        def statement(self, exercise: object, seed: int) -> str:
            return f"instance {seed}"

    monkeypatch.setattr("graders.engine.get_grader", lambda: Instance())
    alice = api_token_create(user=people.alice)[1]
    url = "/api/v1/exercises/count-params"

    graded = client.get(url, **bearer(alice)).json()["statement"]
    # Practice is never on the graded instance (submissions.rules).
    assert client.get(url + "?mode=practice", **bearer(alice)).json()["statement"] != graded

    first = client.post(url + "/another", **bearer(alice))
    assert first.status_code == 200
    second = client.post(url + "/another", **bearer(alice)).json()["statement"]
    assert len({graded, first.json()["statement"], second}) == 3  # a new instance each time
    assert client.get(url + "?mode=practice", **bearer(alice)).json()["statement"] == second
    assert client.get(url, **bearer(alice)).json()["statement"] == graded  # graded unchanged

    # Unassigned (a math answer that is the same on every instance is not checked in practice
    # while graded attempts can count: submissions.rules), it runs on the practice instance.
    Assignment.objects.filter(exercise__slug="count-params").delete()
    body = {"exercise": "count-params", "answer": "12", "mode": "practice"}
    created = post_json(client, SUBMISSIONS, body, **bearer(alice)).json()
    assert f"instance {created['seed']}" == second  # graded against the practice instance
    assert client.post(url + "/another").status_code == 401


def test_could_not_be_graded_shows_no_score(
    client: Client, exercises: Bank, alice_token: str, people: People
) -> None:
    # The engine's internal error is stored with score 0.0; it is not a grade and must not
    # be shown as one (the student would read "0 / 10").
    failed = make_submission(
        people.alice,
        exercises.code,
        status=Submission.Status.ERROR,
        verdict="internal_error",
        score=0.0,
        max_score=10.0,
        message="Could not be graded: the grading service failed, not your submission.",
    )
    got = client.get(f"{SUBMISSIONS}/{failed.pk}", **bearer(alice_token)).json()
    assert got["status"] == "error"
    assert (got["score"], got["max_score"]) == (None, None)
    assert got["message"].startswith("Could not be graded")


def test_the_broker_being_down_still_accepts_and_stores_the_submission(
    client: Client,
    exercises: Bank,
    alice_token: str,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Redis away: publishing fails after the commit. The student gets 202 and the row stays
    # queued with no message published (enqueue_count 0), for the sweeper to publish later.
    from kombu.exceptions import OperationalError

    from submissions.tasks import grade_submission

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(grade_submission, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client,
            SUBMISSIONS,
            {"exercise": "double-it", "code": CORRECT_CODE},
            **bearer(alice_token),
        )
    assert response.status_code == 202, response.content
    row = Submission.objects.get(pk=response.json()["id"])
    assert (row.status, row.enqueue_count, row.graded_count) == ("queued", 0, 0)
