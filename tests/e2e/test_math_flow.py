"""A math exercise on the real stack: each student gets their own numbers, and each student's
correct answer, worked out from their own statement, is accepted (as a user tries it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.services import api_token_create
from tests.e2e.conftest import E2E_WAIT, HttpClient, Processes, bank_of, student_in_course
from tests.e2e.test_grading_flow import wait_for_result

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "conv-output-shape"
NUMBERS = re.compile(
    r"\(N, C, H, W\) = \((\d+), (\d+), (\d+), (\d+)\)\$, \$F = (\d+)\$ filters,\s*"
    r"\$K = (\d+)\$, \$S = (\d+)\$, \$P = (\d+)\$"
)


@pytest.fixture
def students(settings: Any, processes: Processes) -> list[User]:
    bank_of(settings, processes, "convolution/" + SLUG)
    return [
        student_in_course(username=name, password="math-e2e-pass-42") for name in ("ada", "grace")
    ]


def answer_from(statement: str) -> str:
    """What a student does: read the instance's numbers, apply the formula."""
    match = NUMBERS.search(statement)
    assert match, statement[:600]
    n, _c, h, w, f, k, s, p = map(int, match.groups())
    return f"({n}, {f}, {(h + 2 * p - k) // s + 1}, {(w + 2 * p - k) // s + 1})"


def test_two_students_get_their_own_numbers_and_their_answers_are_accepted(
    live_server: Any, processes: Processes, students: list[User]
) -> None:
    processes.worker("worker")
    client = HttpClient(live_server.url)
    tokens = [api_token_create(user=u)[1] for u in students]

    statements = []
    for token in tokens:
        status, exercise = client.api("GET", f"/exercises/{SLUG}", token)
        assert status == 200, exercise
        statements.append(exercise["statement"])
    assert statements[0] != statements[1]  # different numbers for different students
    answers = [answer_from(s) for s in statements]

    for token, answer in zip(tokens, answers, strict=True):
        # An unparseable answer is a message, not a wrong answer.
        status, created = client.api(
            "POST", "/submissions", token, {"exercise": SLUG, "answer": "7 x 9 x"}
        )
        assert status == 202, created
        unreadable = wait_for_result(client, token, created["id"], timeout=E2E_WAIT)
        assert unreadable["verdict"] == "invalid_answer", unreadable

        status, created = client.api(
            "POST", "/submissions", token, {"exercise": SLUG, "answer": answer}
        )
        assert status == 202, created
        result = wait_for_result(client, token, created["id"], timeout=E2E_WAIT)
        assert (result["status"], result["verdict"]) == ("done", "accepted"), result

    # The other student's answer is (almost surely) wrong for me: instances differ.
    if answers[0] != answers[1]:
        status, created = client.api(
            "POST", "/submissions", tokens[0], {"exercise": SLUG, "answer": answers[1]}
        )
        result = wait_for_result(client, tokens[0], created["id"], timeout=E2E_WAIT)
        assert result["verdict"] == "rejected", result
