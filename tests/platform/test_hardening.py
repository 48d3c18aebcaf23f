"""Inputs that used to be 500s (or bare 400s), each sent over HTTP: now a 4xx with a message,
and nothing the user typed is lost. Also the rate limit on "another one" and the response
headers (docs/security.md#response-headers)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from authoring.models import ExerciseDraft
from catalog.models import Exercise
from catalog.services import exercises_sync
from courses.models import Course
from courses.services import assignment_ensure
from graders.exercise import ExerciseError, load_exercise, toml_loads
from submissions.models import Submission
from tests.platform.authoring.conftest import new_draft, signed_in
from tests.platform.conftest import (
    CORRECT_CODE,
    Bank,
    People,
    make_submission,
    write_code_exercise,
    write_math_exercise,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/v1/submissions"
SELF_TEST_PAGE = "/exercises/double-it/"


@pytest.fixture
def alice_api(people: People) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=people.alice)[1]}"}


def api_error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    return str(body["message"])


# -- the JSON API ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "said"),
    [
        # A lone surrogate: valid JSON, not text (no UTF-8 for it; PostgreSQL refuses it).
        ('{"exercise": "double-it", "mode": "practice", "code": "x = \\ud800"}', "surrogate"),
        ('{"exercise": "double-it", "mode": "practice", "\\udfff": 1, "code": "x"}', "surrogate"),
        # NUL: PostgreSQL refuses it in text.
        ('{"exercise": "double-it", "mode": "practice", "code": "x = 1\\u0000"}', "NUL"),
    ],
)
def test_json_text_no_database_can_store_is_a_400(
    client: Client, exercises: Bank, alice_api: dict[str, str], raw: str, said: str
) -> None:
    response = client.post(SUBMISSIONS, data=raw, content_type="application/json", **alice_api)
    assert said in api_error(response, 400, "invalid")
    assert not Submission.objects.exists()


def test_json_nested_100000_deep_is_a_400(
    client: Client, exercises: Bank, alice_api: dict[str, str]
) -> None:
    deep = '{"exercise": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(SUBMISSIONS, data=deep, content_type="application/json", **alice_api)
    assert "nested too deeply" in api_error(response, 400, "malformed_json")


@pytest.mark.parametrize("who", ["alice", "carol"])  # a student's prepared query, the ORM's
def test_a_submission_id_beyond_any_integer_column_is_a_404(
    client: Client, exercises: Bank, people: People, who: str
) -> None:
    client.force_login(getattr(people, who))
    for huge in ("99999999999999999999999", str(2**63), str(-(2**63) - 1)):
        response = client.get(f"{SUBMISSIONS}/{huge}")
        api_error(response, 404, "not_found")
    assert client.get(f"/submissions/{'9' * 23}/").status_code == 404  # the page, too


# -- the exercise form -------------------------------------------------------------------------
def test_a_nul_in_the_code_says_so_and_keeps_the_code(
    client: Client, exercises: Bank, people: People
) -> None:
    client.force_login(people.alice)
    typed = "def double_it(x):\x00\n    return 2 * x  # mine\n"
    response = client.post(SELF_TEST_PAGE, {"code": typed, "mode": "practice"})
    assert response.status_code == 400
    html = response.content.decode()
    alert = re.search(r'<div class="error" role="alert">(.*?)</div>', html, re.S)
    assert alert is not None and "NUL character" in alert.group(1)
    assert "return 2 * x  # mine" in html  # kept in the code box
    assert not Submission.objects.exists()


def test_a_form_over_256_kib_is_a_413_page_that_keeps_the_code(
    client: Client, exercises: Bank, people: People
) -> None:
    client.force_login(people.alice)
    typed = "def double_it(x):\n    return 2 * x\n" + "# padding\n" * 30_000  # 330 KB
    response = client.post(SELF_TEST_PAGE, {"code": typed, "mode": "practice"})
    assert response.status_code == 413
    html = response.content.decode()
    assert "the limit is 65536 bytes" in html
    assert html.count("# padding") == 30_000


def test_a_body_over_max_request_bytes_is_the_413_page(
    client: Client, exercises: Bank, people: People, settings: Any
) -> None:
    client.force_login(people.alice)
    settings.MAX_REQUEST_BYTES = 100_000
    response = client.post(SELF_TEST_PAGE, {"code": "x" * 100_001, "mode": "practice"})
    assert response.status_code == 413
    assert b"<h1>Too large</h1>" in response.content and b"the limit is" in response.content


def test_a_nul_in_an_authoring_file_says_so_and_keeps_the_text(people: People) -> None:
    draft = new_draft(people.carol)
    form = {f"file:{rel}": body for rel, body in draft.files.items()}
    form["file:statement.md"] = "# ReLU backward\n\nA NUL\x00 here, kept.\n"
    response = signed_in(people.carol).post(reverse("authoring-edit", args=[draft.pk]), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "statement.md contains a NUL character" in html
    assert " here, kept." in html
    draft.refresh_from_db()
    assert "\x00" not in draft.files["statement.md"]


# -- statements that contain the renderer's placeholder ---------------------------------------
def test_a_statement_with_the_math_placeholder_renders_everywhere(
    client: Client, people: People, tmp_path: Path, settings: Any
) -> None:
    text = "Keep DGMATH0X and DGMATH7X as written, beside $x_i$."
    # The authoring preview and the draft's page.
    carol = signed_in(people.carol)
    preview = carol.post(reverse("authoring-preview"), {"statement": f"# T\n\n{text}"})
    assert preview.status_code == 200
    assert "DGMATH0X and DGMATH7X" in preview.json()["html"]
    draft = new_draft(people.carol)
    form = {f"file:{rel}": body for rel, body in draft.files.items()}
    form["file:statement.md"] = f"# ReLU backward\n\n{text}\n"
    assert carol.post(reverse("authoring-edit", args=[draft.pk]), form).status_code == 302
    page = carol.get(reverse("authoring-edit", args=[draft.pk]))
    assert page.status_code == 200 and "DGMATH0X and DGMATH7X" in page.content.decode()
    # Published: the students' page.
    root = tmp_path / "exercises"
    write_code_exercise(root, statement_extra=f"\n{text}\n")
    write_math_exercise(root)
    settings.EXERCISES_DIR, settings.EXERCISE_CACHE_DIR = root, tmp_path / "cache"
    exercises_sync(root=root)
    assignment_ensure(
        course=Course.objects.get(slug="ml101"),
        exercise=Exercise.objects.get(slug="double-it"),
        published=True,
    )
    client.force_login(people.alice)
    student = client.get(SELF_TEST_PAGE)
    assert student.status_code == 200
    html = student.content.decode()
    assert "DGMATH0X and DGMATH7X" in html and '<span class="math math-inline">$x_i$</span>' in html


# -- exercise.toml nested too deeply ---------------------------------------------------------
# Each under the 64 KiB a file may hold (authoring.folder.max_file_bytes).
DEEP_TOMLS = {
    "arrays": "x = " + "[" * 20_000 + "]" * 20_000 + "\n",
    "inline tables": "x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
    "dotted keys": "a" + ".a" * 20_000 + " = 1\n",
}


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The drafts whose validation is queued (as tests/platform/authoring/conftest.py's)."""
    queued: list[int] = []
    monkeypatch.setattr("authoring.services.enqueue_validation", queued.append)
    immediate = SimpleNamespace(atomic=transaction.atomic, on_commit=lambda fn, robust: fn())
    monkeypatch.setattr("authoring.services.transaction", immediate)
    return queued


@pytest.mark.parametrize("shape", sorted(DEEP_TOMLS))
def test_a_deep_exercise_toml_is_saved_and_the_author_told(
    people: People, validations: list[int], shape: str
) -> None:
    draft = new_draft(people.carol)
    deep = DEEP_TOMLS[shape]
    form = {f"file:{rel}": body for rel, body in draft.files.items()}
    form["file:exercise.toml"] = deep
    client = signed_in(people.carol)
    response = client.post(reverse("authoring-edit", args=[draft.pk]), form, follow=True)
    assert response.status_code == 200
    assert "exercise.toml does not parse: nested too deeply" in response.content.decode()
    draft.refresh_from_db()
    assert draft.files["exercise.toml"] == deep  # the edit is kept
    # Validating it saves it again and queues the run (which reports it: next test).
    queued = client.post(reverse("authoring-validate", args=[draft.pk]), form)
    assert queued.status_code == 302 and validations == [draft.pk]
    assert ExerciseDraft.objects.get(pk=draft.pk).files["exercise.toml"] == deep


@pytest.mark.parametrize("shape", sorted(DEEP_TOMLS))
def test_the_engine_reports_a_deep_exercise_toml(tmp_path: Path, shape: str) -> None:
    folder = write_code_exercise(tmp_path / "exercises")
    (folder / "exercise.toml").write_text(DEEP_TOMLS[shape])
    with pytest.raises(ExerciseError, match="not valid TOML: nested too deeply"):
        load_exercise(folder)
    with pytest.raises(tomllib.TOMLDecodeError):
        toml_loads(DEEP_TOMLS[shape])
    # The bank's shapes are far from the limit.
    assert toml_loads("a.b.c = [[1, 2], [3]]\n[t]\nx = {y = {z = 1}}\n")["t"]["x"]["y"]["z"] == 1


# -- "another one" is rate-limited ---------------------------------------------------------------
def test_another_instance_is_rate_limited_in_the_api(
    client: Client, exercises: Bank, alice_api: dict[str, str], settings: Any
) -> None:
    settings.INSTANCE_RATE = (2, 60)
    url = "/api/v1/exercises/double-it/another"
    for _ in range(2):
        assert client.post(url, **alice_api).status_code == 200
    response = client.post(url, **alice_api)
    assert "at most 2 per 60 s" in api_error(response, 429, "too_many_instances")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_another_instance_is_rate_limited_on_the_page(
    client: Client, exercises: Bank, people: People, settings: Any
) -> None:
    settings.INSTANCE_RATE = (2, 60)
    client.force_login(people.alice)
    url = "/exercises/double-it/another/"
    for _ in range(2):
        assert client.post(url).status_code == 302
    response = client.post(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "too many new instances: at most 2 per 60 s" in html
    assert 'href="/exercises/double-it/"' in html  # the way back
    # The API's budget is the same one: the student cannot double it by switching.
    assert client.post("/api/v1/exercises/double-it/another").status_code == 429


# -- headers -------------------------------------------------------------------------------------
def test_every_page_has_the_csp_and_permissions_policy(client: Client, people: People) -> None:
    for response in (client.get("/signin/"), client.get("/no-such-page/")):
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["img-src"] == "'self' data:"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "camera=()" in response["Permissions-Policy"]


def test_pages_and_exports_with_code_or_grades_are_not_stored(
    client: Client, exercises: Bank, people: People, alice_api: dict[str, str]
) -> None:
    submission = make_submission(people.alice, exercises.code, code=CORRECT_CODE)
    client.force_login(people.alice)
    student_pages = [
        SELF_TEST_PAGE,
        "/courses/ml101/exercises/double-it/",
        "/exercises/double-it/history/",
        f"/submissions/{submission.pk}/",
        "/submissions/",
        f"{SUBMISSIONS}/{submission.pk}",
    ]
    for url in student_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    api = Client()  # a token and no session cookie
    for url in (SUBMISSIONS, f"{SUBMISSIONS}/{submission.pk}"):
        response = api.get(url, **alice_api)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url
    created = api.post(
        SUBMISSIONS,
        data=json.dumps({"exercise": "double-it", "code": CORRECT_CODE}),
        content_type="application/json",
        **alice_api,
    )
    assert created.status_code == 202 and "no-store" in created["Cache-Control"]

    client.force_login(people.carol)
    draft = new_draft(people.carol)
    for url in (
        "/teach/ml101/gradebook/",
        "/teach/ml101/gradebook/export.csv",
        reverse("authoring-export", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_static_files_keep_their_own_caching(client: Client, people: People) -> None:
    client.force_login(people.alice)
    response = client.get("/static/pages/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_hsts_is_sent_over_https_when_configured(settings: Any) -> None:
    assert "Strict-Transport-Security" not in Client().get("/signin/", secure=True)
    settings.SECURE_HSTS_SECONDS = 600  # read when the middleware starts: a new client
    client = Client()
    assert client.get("/signin/", secure=True)["Strict-Transport-Security"] == "max-age=600"
    assert "Strict-Transport-Security" not in client.get("/signin/")  # plain HTTP: never
