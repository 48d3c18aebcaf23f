"""The pages students use most, in a real browser (Debian Chromium, Playwright) against the live
server, a private redis-server and a real Celery worker grading with the real engine.

- Multiple choice as radio buttons and check boxes, submitted and graded; after the in-page
  submission the rules box (attempts used, "Your score") follows without a reload and the focus
  is on the report's heading.
- The live preview of a typed symbolic answer: its typeset reading, then a parser's error with
  its column and a caret.
- A wrong code submission's report: the hint given once for every case that has it, "Details"
  as labelled fields, the visible case's table of inputs, expected output and yours.
- At 390 px wide nothing scrolls sideways: the course home, the exercise page with its report,
  the submission page, the history and the gradebook.
- No request for /favicon.ico fails; the sign-in page is titled with the site's name, and an
  instructor signs in to /teach/.

Screenshots go to $E2E_SCREENSHOTS_DIR when set (else the test's temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import user_create
from catalog.models import Exercise
from catalog.selectors import engine_exercise
from courses.models import Assignment, Course
from courses.services import enrolment_ensure
from submissions.models import Submission
from submissions.rules import graded_seed
from tests.e2e.browser import check_page, type_code
from tests.e2e.conftest import Processes, bank_of, student_in_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-pages-pass-42"
TEACHER_PASSWORD = "e2e-pages-teacher-42"
CHOICE, MULTI, SYMBOLIC, CODE = (
    "same-padding",
    "why-scale-by-sqrt-d",
    "sigmoid-chain-rule",
    "linear-backward",
)
FOLDERS = (
    "convolution/" + CHOICE,
    "attention/" + MULTI,
    "backprop/" + SYMBOLIC,
    "backprop/" + CODE,
)
DW_TRANSPOSED = [
    "def linear_backward(x, w, b, dout):",
    "return dout @ w.T, dout.T @ x, dout.sum(axis=0)",
]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    bank_of(settings, processes, *FOLDERS)
    user = student_in_course(username="e2e-pages", password=PASSWORD)
    # Three graded attempts on the single-choice question: the page says how many are left.
    Assignment.objects.filter(exercise__slug=CHOICE).update(max_attempts=3)
    return user


def right_letters(user: User, slug: str) -> list[str]:
    """The letters of the right options on the student's own instance, as the engine has it."""
    from graders.engine import get_grader

    exercise = Exercise.objects.select_related("current_version").get(slug=slug)
    instance = get_grader().instance(
        engine_exercise(exercise.current_version), graded_seed(user=user, exercise=exercise)
    )
    expected = [instance.expected] if isinstance(instance.expected, str) else instance.expected
    return sorted(instance.letters[option] for option in expected)


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def watch(page: Any, base: str) -> tuple[list[str], list[str]]:
    """Script errors, and requests that failed or went anywhere but the live server."""
    errors: list[str] = []
    bad: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: None if req.url.startswith(base) else bad.append(req.url))
    page.on("requestfailed", lambda req: bad.append(f"failed: {req.url}"))
    page.on(
        "response",
        lambda r: bad.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
    )
    return errors, bad


def submit_in_page(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_selector("#live #result[data-status=done]", timeout=60_000)


def test_multiple_choice_and_the_symbolic_preview(
    live_server: Any,
    processes: Processes,
    student: User,
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    processes.worker("worker")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors, bad = watch(page, base)
    sign_in(page, base, "e2e-pages", PASSWORD)

    # A single choice: radio buttons, one per option of this student's instance.
    page.goto(f"{base}/courses/e2e/exercises/{CHOICE}/")
    check_page(page)
    radios = page.locator("#choices input[type=radio][name=choice]")
    assert radios.count() == 5
    assert page.locator("#id_answer").count() == 0  # the boxes replace the typed answer here
    page.wait_for_selector("#choices .katex")  # the options' math is typeset
    rules = page.locator("#rules")
    assert "nothing graded yet" in page.locator("#your-score").inner_text()
    assert "0 used, 3 left of 3" in page.locator("#attempts-used").inner_text()
    (letter,) = right_letters(student, CHOICE)
    page.locator(f"#choice-{letter}").check()
    submit_in_page(page, "Submit")
    live = page.locator("#live")
    assert "Accepted" in live.inner_text()
    # The rules box followed, without a reload: one attempt used, the score counted.
    expect(page.locator("#your-score")).to_contain_text("3 / 3", timeout=10_000)
    assert "1 used, 2 left of 3" in page.locator("#attempts-used").inner_text()
    assert "solved" in rules.inner_text()
    assert page.evaluate("document.activeElement.id") == "report-title"
    assert Submission.objects.get(exercise__slug=CHOICE).answer == letter
    page.screenshot(path=str(shots / "choice-graded.png"), full_page=True)

    # Several right options: check boxes; a wrong pick first, then the right ones.
    page.goto(f"{base}/courses/e2e/exercises/{MULTI}/")
    boxes = page.locator("#choices input[type=checkbox][name=choice]")
    assert boxes.count() == 6
    letters = right_letters(student, MULTI)
    wrong = next(c for c in "ABCDEF" if c not in letters)
    page.locator(f"#choice-{wrong}").check()
    submit_in_page(page, "Submit")
    assert "Wrong answer" in live.inner_text()
    assert page.evaluate("document.activeElement.id") == "report-title"
    page.locator(f"#choice-{wrong}").uncheck()
    for right in letters:
        page.locator(f"#choice-{right}").check()
    submit_in_page(page, "Submit")
    assert "Accepted" in live.inner_text()
    answers = list(
        Submission.objects.filter(exercise__slug=MULTI)
        .order_by("pk")
        .values_list("answer", flat=True)
    )
    assert answers == [wrong, ", ".join(letters)]
    expect(page.locator("#attempts-used")).to_contain_text("2 used", timeout=10_000)

    # A typed symbolic answer, previewed as it is typed: typeset, then an error with its column.
    page.goto(f"{base}/courses/e2e/exercises/{SYMBOLIC}/")
    check_page(page)
    answer = page.get_by_label("Your answer")
    answer.press_sequentially("3 sigma(2x + 1)(1 - sigma(2x + 1))", delay=10)
    preview = page.locator("#answer-preview")
    preview.locator(".katex").wait_for(timeout=15_000)
    latex = preview.locator("annotation").text_content() or ""
    assert "\\sigma" in latex and "2 x + 1" in latex, latex
    page.screenshot(path=str(shots / "preview-typeset.png"))
    answer.fill("")
    answer.press_sequentially("2x + )", delay=10)
    preview.locator(".preview-error").wait_for(timeout=15_000)
    said = preview.locator(".preview-error").inner_text()
    assert said.startswith("Column 6:") and "position 6" in said, said
    assert preview.locator("pre.preview-caret").inner_text() == "2x + )\n     ^"
    page.screenshot(path=str(shots / "preview-error.png"))
    assert not Submission.objects.filter(exercise__slug=SYMBOLIC).exists()  # nothing was sent

    assert not errors, errors
    assert not bad, bad
    context.close()

    # Without JavaScript the ticked boxes are the answer, too.
    plain = browser.new_context(java_script_enabled=False)
    page = plain.new_page()
    sign_in(page, base, "e2e-pages", PASSWORD)
    page.goto(f"{base}/courses/e2e/exercises/{CHOICE}/")
    page.locator(f"#choice-{letter}").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/submissions/*/")
    assert Submission.objects.filter(exercise__slug=CHOICE).latest("pk").answer == letter
    plain.close()


def test_the_report_and_the_pages_on_a_narrow_screen(
    live_server: Any,
    processes: Processes,
    student: User,
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    processes.worker("worker")
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    errors, bad = watch(page, base)

    page.goto(base + "/signin/")
    assert page.title() == "Sign in · deepgrade"
    sign_in(page, base, "e2e-pages", PASSWORD)
    page.wait_for_url("**/courses/e2e/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "course home"
    page.screenshot(path=str(shots / "narrow-course-home.png"), full_page=True)

    # A wrong answer (dw transposed): the report, on the exercise page, at 390 px.
    page.goto(f"{base}/courses/e2e/exercises/{CODE}/")
    page.wait_for_selector(".cm-editor .cm-content")
    type_code(page, DW_TRANSPOSED)
    submit_in_page(page, "Submit")
    live = page.locator("#live")
    checks = live.locator("li.check")
    assert checks.count() == 6
    # The same hint, once, for every case that has it.
    hints = live.locator("p.hint")
    assert hints.count() == 1, live.inner_text()
    assert hints.inner_text().startswith("Hint (cases 1, 2, 3, 4, 5, 6):"), hints.inner_text()
    assert "transpose" in hints.inner_text()
    assert live.locator(".hint-same").count() == 5
    # The visible case: its inputs, the expected outputs and yours, small arrays in full.
    table = live.locator("table.case-values")
    assert table.count() == 1  # the visible case's only
    headings = table.locator("th[scope=row]").all_inner_texts()
    assert [h.split("\n")[0] for h in headings] == [
        "x", "w", "b", "dout", "dx, expected", "dx, yours", "dw, expected", "dw, yours",
        "db, expected", "db, yours",
    ]  # fmt: skip
    assert table.locator("tr.role-yours table.matrix").count() == 3
    # "Details": labelled fields, not JSON.
    details = live.locator("details.check-details").first
    details.locator("summary").click()
    labels = details.locator("dt").all_inner_texts()
    assert "dimensions" in labels and "{" not in details.inner_text()
    # One submission too many (none allowed now, whatever minute this is): the refusal says
    # when to try again, once.
    settings.SUBMISSION_RATE = (0, 60)
    page.get_by_role("button", name="Submit", exact=True).click()
    refusal = page.locator("#submit-error")
    refusal.wait_for()
    assert refusal.inner_text().lower().count("try again in") == 1, refusal.inner_text()
    bad.remove(next(b for b in bad if b.startswith("429: ")))  # that refusal, as it should be
    check_page(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "exercise page with its report"
    page.screenshot(path=str(shots / "narrow-exercise-report.png"), full_page=True)

    # The submission's page, the history.
    submission = Submission.objects.get(exercise__slug=CODE)
    page.goto(f"{base}/submissions/{submission.pk}/")
    check_page(page)
    assert page.locator("table.case-values").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "submission page"
    page.screenshot(path=str(shots / "narrow-submission.png"), full_page=True)
    page.goto(f"{base}/exercises/{CODE}/history/")
    check_page(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "history"

    # The icon: linked by every page, and /favicon.ico answers.
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(base + icon).status == 200
    answer = page.request.get(base + "/favicon.ico")
    assert answer.status == 200 and "icon" in answer.headers["content-type"]
    assert not errors, errors
    assert not bad, bad
    phone.close()

    # An instructor signs in to /teach/; the gradebook at 390 px.
    teacher = user_create(
        username="e2e-pages-teacher", password=TEACHER_PASSWORD, role=User.Role.INSTRUCTOR
    )
    enrolment_ensure(course=Course.objects.get(slug="e2e"), user=teacher, role=User.Role.INSTRUCTOR)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    errors, bad = watch(page, base)
    sign_in(page, base, "e2e-pages-teacher", TEACHER_PASSWORD)
    assert page.url == base + "/teach/"
    page.goto(base + "/teach/e2e/gradebook/")
    check_page(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "gradebook"
    page.screenshot(path=str(shots / "narrow-gradebook.png"), full_page=True)
    assert not errors, errors
    assert not bad, bad
    phone.close()
