"""The live preview of a typed math answer (`POST /api/v1/exercises/{slug}/preview`) and the
multiple-choice form, over HTTP.

The preview parses with the engine's parser in a reader process (api/preview.py): it answers
with the LaTeX of what it read, or the parser's message and the column where it stopped; it is
authenticated as the rest of the API, size- and rate-limited, refuses what has nothing to
preview, stores nothing, and survives an answer that would keep SymPy busy for minutes.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.services import api_token_create
from catalog.models import Exercise
from catalog.services import exercises_sync
from courses.models import Course
from courses.services import assignment_ensure
from submissions.models import Submission
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db

SYMBOLIC, CHOICE, MULTI = "derive-it", "pick-one", "pick-some"
ARRAY, SHAPE = "fill-it", "size-it"
URL = "/api/v1/exercises/{}/preview"


def write(root: Path, slug: str, toml: str, reference: str) -> None:
    folder = root / "backprop" / slug
    folder.mkdir(parents=True, exist_ok=True)
    head = f'slug = "{slug}"\ntitle = "{slug}"\ntopic = "backprop"\nkind = "math"\npoints = 3\n'
    (folder / "exercise.toml").write_text(head + textwrap.dedent(toml))
    (folder / "statement.md").write_text("Answer the question.\n\n{{choices}}\n")
    (folder / "reference.py").write_text(textwrap.dedent(reference))


@pytest.fixture
def math_bank(bank: Path, exercises: Bank) -> dict[str, Exercise]:
    """Besides the shared bank: a symbolic answer in x, a single and a multiple choice."""
    write(
        bank,
        SYMBOLIC,
        """
        order = 3
        [math]
        answer_type = "symbolic"
        variables = ["x"]
        """,
        'def answer():\n    return "2*x"\n',
    )
    for slug, kind, right in ((CHOICE, "choice", '"b"'), (MULTI, "multi_choice", '["a", "c"]')):
        write(
            bank,
            slug,
            f"""
            order = 4
            [math]
            answer_type = "{kind}"
            shuffle = false
            [math.choices]
            a = "$x^2$ is convex"
            b = "$\\\\sigma(0) = 1/2$"
            c = "the sum of two convex functions is convex"
            """,
            f"def answer():\n    return {right}\n",
        )
    for slug, kind, right in ((ARRAY, "array", "[[1, 2], [3, 4]]"), (SHAPE, "shape", "(2, 3)")):
        write(
            bank,
            slug,
            f"""
            order = 5
            [math]
            answer_type = "{kind}"
            """,
            f"def answer():\n    return {right}\n",
        )
    exercises_sync(root=bank)
    ml101 = Course.objects.get(slug="ml101")
    rows = {}
    for slug in (SYMBOLIC, CHOICE, MULTI, ARRAY, SHAPE):
        rows[slug] = Exercise.objects.select_related("current_version").get(slug=slug)
        assignment_ensure(course=ml101, exercise=rows[slug], published=True)
    return rows


@pytest.fixture
def alice(client: Client, people: People) -> Client:
    client.force_login(people.alice)
    return client


def preview(client: Client, slug: str, body: Any, **headers: Any) -> Any:
    return client.post(URL.format(slug), body, content_type="application/json", **headers)


# -- reading an answer ---------------------------------------------------------------------------


def test_a_readable_answer_comes_back_as_latex(alice: Client, math_bank: dict) -> None:
    response = preview(alice, SYMBOLIC, {"answer": "3 sigma(2x + 1)(1 - sigma(2x + 1))"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["answer_type"] == "symbolic" and data["ok"] is True
    assert "\\sigma{\\left(2 x + 1 \\right)}" in data["latex"]
    assert data["understood"] == "3*(1 - sigma(1 + 2*x))*sigma(1 + 2*x)"
    assert data["message"] is None and data["column"] is None
    # Only x is a variable here: "a" is not read as one.
    unknown = preview(alice, SYMBOLIC, {"answer": "a x"}).json()
    assert unknown["ok"] is False and 'Unknown name "a"' in unknown["message"]
    assert unknown["column"] == 1
    assert not Submission.objects.exists()  # a preview is never a submission


def test_a_numeric_answer_an_array_and_a_shape_are_typeset_too(
    alice: Client, exercises: Bank, math_bank: dict
) -> None:
    numeric = preview(alice, exercises.math.slug, {"answer": "sqrt(2)/2"}).json()
    assert (numeric["answer_type"], numeric["latex"]) == ("numeric", "\\frac{\\sqrt{2}}{2}")
    assert numeric["understood"] == "sqrt(2)/2"
    array = preview(alice, ARRAY, {"answer": "1 2; 3 1/4"}).json()
    assert array["latex"] == "\\begin{bmatrix} 1 & 2 \\\\ 3 & \\frac{1}{4} \\end{bmatrix}"
    assert array["understood"] == "[[1, 2], [3, 0.25]]"
    # An array's messages name the entry, not a column of the whole answer.
    entry = preview(alice, ARRAY, {"answer": "[[1, 2], [3, x]]"}).json()
    assert entry["ok"] is False and entry["column"] is None
    assert entry["message"].startswith("Row 2, entry 2")
    shape = preview(alice, SHAPE, {"answer": "2x16x15"}).json()
    assert (shape["latex"], shape["understood"]) == ("\\left(2,\\ 16,\\ 15\\right)", "(2, 16, 15)")


def test_an_unreadable_answer_gives_the_parsers_message_and_column(
    alice: Client, math_bank: dict
) -> None:
    cases = {
        "2x + )": 6,  # an operand is missing before ")"
        "f'(x) = 2x + )": 14,  # counted in the answer as typed, before the '=' too
        "2π x² + )": 9,  # look-alikes are read as pi and ^2, the column is the typed one
        "(2x + 1": 1,  # never closed: the column of the "(" that is not
        "2x +": 5,
    }
    for answer, column in cases.items():
        data = preview(alice, SYMBOLIC, {"answer": answer}).json()
        assert data["ok"] is False and data["latex"] is None, (answer, data)
        assert data["column"] == column, (answer, data)
        assert data["message"].endswith(".") and "Expected an expression" in data["message"]
    unexpected = preview(alice, SYMBOLIC, {"answer": "f'(x) = 2x + )"}).json()
    assert 'Unexpected ")" at position 14' in unexpected["message"]  # the message agrees


def test_an_answer_that_would_keep_sympy_busy_is_cut_short(alice: Client, math_bank: dict) -> None:
    started = time.monotonic()
    data = preview(alice, SYMBOLIC, {"answer": "((sqrt(3)^999)^999)^99"}).json()

    assert time.monotonic() - started < 10  # the reader is killed at PREVIEW_SECONDS (2 s)
    assert data["ok"] is False and "too long to read" in data["message"]
    # A new reader takes the next answer.
    assert preview(alice, SYMBOLIC, {"answer": "2x"}).json()["latex"] == "2 x"


# -- what is refused -----------------------------------------------------------------------------


def test_what_has_nothing_to_preview_is_refused_with_a_message(
    alice: Client, math_bank: dict, exercises: Bank
) -> None:
    code = preview(alice, exercises.code.slug, {"answer": "2x"})
    assert code.status_code == 400 and "code exercise" in code.json()["message"]
    choice = preview(alice, CHOICE, {"answer": "B"})
    assert choice.status_code == 400 and "choosing options" in choice.json()["message"]
    missing = preview(alice, "no-such-exercise", {"answer": "2x"})
    assert missing.status_code == 404


def test_malformed_requests_get_a_clear_4xx(alice: Client, math_bank: dict) -> None:
    url = URL.format(SYMBOLIC)
    assert alice.post(url, "answer=2x", content_type="text/plain").status_code == 415
    malformed = alice.post(url, "{", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["code"] == "malformed_json"
    for body in ({}, {"answer": 3}, {"answer": "2x", "mode": "graded"}, {"answer": "\ud800"}):
        response = preview(alice, SYMBOLIC, body)
        assert response.status_code == 400, body
        assert response.json()["message"], body


def test_an_answer_over_the_size_limit_is_413(
    alice: Client, math_bank: dict, settings: Any
) -> None:
    settings.MAX_ANSWER_BYTES = 100
    response = preview(alice, SYMBOLIC, {"answer": "x + " * 30})
    assert response.status_code == 413
    assert response.json() == {
        "message": "answer is 120 bytes; the limit is 100 bytes",
        "code": "too_large",
    }


def test_previews_are_rate_limited_per_user(
    alice: Client, math_bank: dict, monkeypatch: pytest.MonkeyPatch, people: People
) -> None:
    monkeypatch.setattr("api.preview.PREVIEW_RATE", (2, 60))
    for _ in range(2):
        assert preview(alice, SYMBOLIC, {"answer": "x"}).status_code == 200
    refused = preview(alice, SYMBOLIC, {"answer": "x"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "too many previews" in refused.json()["message"]
    bob = Client()
    bob.force_login(people.bob)
    assert preview(bob, SYMBOLIC, {"answer": "x"}).status_code == 200  # his own count


def test_the_preview_is_authenticated_as_the_rest_of_the_api(
    math_bank: dict, people: People
) -> None:
    anonymous = preview(Client(), SYMBOLIC, {"answer": "x"})
    assert anonymous.status_code == 401
    _, token = api_token_create(user=people.alice)
    with_token = preview(Client(), SYMBOLIC, {"answer": "x"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert with_token.status_code == 200 and with_token.json()["latex"] == "x"
    # A session needs the CSRF token on a write, as every other write of the API.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.alice)
    assert preview(strict, SYMBOLIC, {"answer": "x"}).status_code == 403
    strict.get("/exercises/")  # sets the csrftoken cookie
    csrf = strict.cookies["csrftoken"].value
    assert preview(strict, SYMBOLIC, {"answer": "x"}, HTTP_X_CSRFTOKEN=csrf).status_code == 200


# -- the exercise page: the preview's box, and the options to tick -------------------------------


def test_a_symbolic_answer_box_is_previewed_and_a_choice_is_ticked(
    alice: Client, math_bank: dict
) -> None:
    page = alice.get(f"/courses/ml101/exercises/{SYMBOLIC}/").content.decode()
    assert f'data-preview-url="/api/v1/exercises/{SYMBOLIC}/preview"' in page
    assert 'id="answer-preview"' in page and 'aria-live="polite"' in page

    single = alice.get(f"/courses/ml101/exercises/{CHOICE}/").content.decode()
    assert single.count('type="radio" name="choice"') == 3 and 'name="answer"' not in single
    assert '<label for="choice-B"><strong>B.</strong> <span class="math math-inline">' in single
    multiple = alice.get(f"/courses/ml101/exercises/{MULTI}/").content.decode()
    assert multiple.count('type="checkbox" name="choice"') == 3


def test_the_ticked_boxes_are_the_answer_without_javascript(
    alice: Client, math_bank: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)
    url = f"/courses/ml101/exercises/{MULTI}/"

    response = alice.post(url, {"choice": ["C", "A"], "mode": "graded"})

    assert response.status_code == 302
    assert Submission.objects.get().answer == "A, C"  # as the grader reads typed letters

    nothing = alice.post(url, {"mode": "graded"})
    assert nothing.status_code == 400 and "Tick an option" in nothing.content.decode()
    odd = alice.post(url, {"choice": ["A", "<b>"], "mode": "graded"})
    assert odd.status_code == 400 and "their letters only" in odd.content.decode()
    kept = alice.post(url, {"choice": ["A", "<b>"], "mode": "graded"}).content.decode()
    assert 'value="A" checked' in kept  # the ticks survive a refused form
    assert Submission.objects.count() == 1
