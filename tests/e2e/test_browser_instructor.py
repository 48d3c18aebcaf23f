"""An instructor and a student in a real browser (Debian Chromium, Playwright), against the live
server, a private redis-server and a real Celery worker.

The instructor creates a course, authors an exercise on the web from the engine's skeleton
(live statement preview), validates it in the worker, publishes it and assigns it; a student
joins with the invite link, solves it in the editor and is accepted; the instructor finds the
result in the gradebook and in its CSV export. Every page: an h1, every control labelled.
Screenshots go to $E2E_SCREENSHOTS_DIR when set (the README's).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.services import user_create
from catalog.models import Exercise
from submissions.models import Submission
from tests.e2e.browser import check_page, type_code
from tests.e2e.conftest import Processes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEACHER_PASSWORD = "e2e-teacher-pass-42"
STUDENT_PASSWORD = "e2e-learner-pass-42"
SLUG = "leaky-relu-backward"


@pytest.fixture
def people(settings: Any, processes: Processes, tmp_path: Path) -> tuple[User, User]:
    # An empty bank: the only exercise is the one the instructor writes on the web.
    bank = tmp_path / "bank"
    bank.mkdir()
    settings.EXERCISES_DIR = bank
    processes.env["EXERCISES_DIR"] = str(bank)
    teacher = user_create(
        username="e2e-teacher", password=TEACHER_PASSWORD, role=User.Role.INSTRUCTOR
    )
    learner = user_create(username="e2e-learner", password=STUDENT_PASSWORD, role=User.Role.STUDENT)
    return teacher, learner


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def test_an_instructor_authors_publishes_and_grades(
    live_server: Any,
    processes: Processes,
    people: tuple[User, User],
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    processes.worker("worker")
    base = live_server.url
    teacher_ctx = browser.new_context(
        viewport={"width": 1100, "height": 800}, accept_downloads=True
    )
    page = teacher_ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(base) else outside.append(req.url))

    # 1. A course.
    sign_in(page, base, "e2e-teacher", TEACHER_PASSWORD)
    page.goto(base + "/teach/")
    check_page(page)
    page.locator("#course-create #id_title").fill("Deep learning, autumn")
    page.locator("#course-create #id_slug").fill("dl-autumn")
    page.locator("#course-create button[type=submit]").click()
    page.wait_for_url("**/teach/dl-autumn/")
    check_page(page)
    invite = page.locator("#invite-link").inner_text().strip()
    assert "/join/" in invite

    # 2. An exercise, written on the web.
    author_exercise(page, base, shots)

    # 3. Assigned and published in the course.
    page.goto(f"{base}/teach/dl-autumn/assignments/{SLUG}/")
    check_page(page)
    page.locator("#id_published").check()
    page.locator("#id_max_attempts").fill("3")
    page.locator("#save-assignment").click()
    page.wait_for_url("**/teach/dl-autumn/**")
    page.goto(f"{base}/teach/dl-autumn/")
    page.screenshot(path=str(shots / "teach-course.png"), full_page=False)

    # 4. A student joins with the invite link and solves it.
    student_ctx = browser.new_context(viewport={"width": 1000, "height": 760})
    student = student_ctx.new_page()
    student.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(student, base, "e2e-learner", STUDENT_PASSWORD)
    student.goto(invite)
    check_page(student)
    student.locator("#join-course").click()
    student.wait_for_url("**/courses/dl-autumn/")
    check_page(student)
    student.get_by_role("link", name="Leaky ReLU backward").first.click()
    student.wait_for_selector(".cm-editor .cm-content")
    check_page(student)
    exercise = Exercise.objects.get(slug=SLUG)
    correct = exercise.current_version.files["solutions/correct_where.py"]
    # Typed without indentation: the editor indents by itself after a colon.
    type_code(student, [line.strip() for line in correct.strip().splitlines() if line.strip()])
    student.locator("#submit-graded").click()
    student.wait_for_selector("#live #result[data-status=done]", timeout=60_000)
    assert "Accepted" in student.locator("#live").inner_text()
    submission = Submission.objects.get(user__username="e2e-learner", mode="graded")
    assert (submission.verdict, submission.course.slug) == ("accepted", "dl-autumn")
    student.goto(base + "/courses/dl-autumn/")
    assert "1 of 1" in student.locator("#course-progress").inner_text()
    student.screenshot(path=str(shots / "course-home.png"), full_page=False)

    # 5. The instructor sees it in the gradebook and in the CSV.
    page.goto(f"{base}/teach/dl-autumn/gradebook/")
    check_page(page)
    cell = page.locator(f'#gradebook tr[data-student="e2e-learner"] td[data-exercise="{SLUG}"]')
    assert "10" in cell.inner_text()
    page.screenshot(path=str(shots / "gradebook.png"), full_page=False)
    with page.expect_download() as download:
        page.locator("#gradebook-csv").click()
    csv_text = Path(download.value.path()).read_text()
    header, row = csv_text.splitlines()[:2]
    assert f"{SLUG} score" in header and row.startswith("e2e-learner,")
    assert "10" in row.split(",")[header.split(",").index(f"{SLUG} score")]

    assert not errors, errors
    assert not outside, outside


def author_exercise(page: Any, base: str, shots: Path) -> None:
    """From the skeleton: a statement with math (previewed live), validated, published."""
    page.goto(base + "/teach/exercises/")
    check_page(page)
    page.goto(base + "/teach/exercises/new/")
    check_page(page)
    page.locator("#id_kind").select_option("code-numpy")
    page.locator("#id_slug").fill(SLUG)
    page.locator("#id_title").fill("Leaky ReLU backward")
    page.locator("#id_topic").select_option("backprop")
    page.locator("#create-draft").click()
    page.wait_for_selector("#file-statement\\.md")
    check_page(page)

    statement = page.locator("#file-statement\\.md")
    statement.fill(
        "# Leaky ReLU backward\n\nGiven $x \\in \\mathbb{R}^{N \\times D}$ and the upstream "
        "gradient, return $\\partial L / \\partial x$.\n\n<script>alert(1)</script>\n"
    )
    # The live preview: rendered on the server (sanitised), typeset by KaTeX in the page.
    page.wait_for_selector("#statement-preview .katex")
    assert page.locator("#statement-preview script").count() == 0
    assert "upstream" in page.locator("#statement-preview").inner_text()

    page.locator("#validate").click()
    page.wait_for_selector("#validation-report[data-state=ok]", timeout=90_000)
    check_page(page)
    page.screenshot(path=str(shots / "authoring.png"), full_page=False)
    page.locator("#publish").click()
    page.wait_for_load_state()
    exercise = Exercise.objects.get(slug=SLUG)
    assert exercise.source == "web" and exercise.current_version is not None
    assert "mathbb" in exercise.current_version.statement
