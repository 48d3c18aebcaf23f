"""What a student may learn, tried in a real browser (Debian Chromium, Playwright) against the
live server, a private redis-server and a real Celery worker with the real engine.

Code that is right on the visible example only passes "Run visible tests", and the worked
solution stays closed; a late graded submission shows its late-penalised score on the page and
on the course home, the same as the gradebook's.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from courses.models import Assignment
from tests.e2e.browser import check_page, type_code
from tests.e2e.conftest import Processes, bank_of, student_in_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
PASSWORD = "e2e-integrity-pass-42"
# Right for the visible example's shapes only (N=2, D=3): wrong on every hidden case.
VISIBLE_ONLY = [
    "def linear_backward(x, w, b, dout):",
    "return (dout @ w.T, x.T @ dout, dout.sum(axis=0)) if x.shape == (2, 3) else (dout, w, b)",
]
CORRECT = [
    "def linear_backward(x, w, b, dout):",
    "return dout @ w.T, x.T @ dout, dout.sum(axis=0)",
]
SOLUTION_MARK = "dout"  # any correct solution's text mentions it


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    bank_of(settings, processes, "backprop/" + SLUG)
    user = student_in_course(username="e2e-integrity", password=PASSWORD)
    # Due an hour ago, 20% off per started day late; the solution once solved.
    Assignment.objects.filter(course__slug="e2e", exercise__slug=SLUG).update(
        due_at=timezone.now() - timedelta(hours=1),
        late_policy=Assignment.LatePolicy.PENALTY,
        penalty_per_day=20,
        solution_policy=Assignment.SolutionPolicy.SOLVED,
    )
    return user


def run(page: Any, button: str) -> str:
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("#live #result[data-status=done]", timeout=60_000)
    return page.locator("#live").inner_text()


def test_visible_tests_open_nothing_and_the_late_score_is_the_same_everywhere(
    live_server: Any,
    processes: Processes,
    student: User,
    browser: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    processes.worker("worker")
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    page = context.new_page()
    page.goto(live_server.url + "/signin/")
    page.get_by_label("Username").fill("e2e-integrity")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/courses/e2e/")

    exercise_url = f"{live_server.url}/courses/e2e/exercises/{SLUG}/"
    page.goto(exercise_url)
    page.wait_for_selector(".cm-editor .cm-content")
    type_code(page, VISIBLE_ONLY)
    live = run(page, "Run visible tests")
    assert "Accepted" in live and "practice" in live

    # The accepted visible-only run solved nothing: the solution stays closed, on both pages.
    for url in (exercise_url, f"{live_server.url}/exercises/{SLUG}/"):
        page.goto(url)
        section = page.locator("#worked-solution").inner_text()
        assert "Shown once you solve it." in section and "You solved it" not in section
        assert page.locator("#worked-solution pre, #worked-solution details").count() == 0
    check_page(page)

    # A correct graded submission, late: 8 of 10, said so in place and on the course home.
    page.goto(exercise_url)
    page.wait_for_selector(".cm-editor .cm-content")
    type_code(page, CORRECT)
    live = run(page, "Submit")
    assert "8 / 10" in live and "less 20% for 1 day late" in live, live
    page.goto(f"{live_server.url}/courses/e2e/")
    row = page.locator(f'tr[data-exercise="{SLUG}"]').inner_text()
    assert "8 / 10" in row and "10/10 less 20% for 1 day late" in row, row
    assert "10 / 10" not in row
    check_page(page)

    # Solved now: the worked solution opens (nothing more can be earned).
    page.goto(exercise_url)
    section = page.locator("#worked-solution")
    assert "You solved it" in section.inner_text()
    section.locator("summary").click()
    assert SOLUTION_MARK in section.inner_text()
    context.close()
