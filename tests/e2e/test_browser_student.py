"""A student in a real browser: headless Debian Chromium driven by Playwright, against the live
server, a private redis-server and a real Celery worker grading with the real engine.

Signs in and submits with the keyboard only, types solutions in the CodeMirror editor, watches
the status change without a reload and reads the report (accepted; a wrong one with a hint; a
practice run with the heatmap of wrong values). On every page: one h1 at least and every form
control labelled. Screenshots go to $E2E_SCREENSHOTS_DIR when set (the README's come from
`E2E_SCREENSHOTS_DIR=docs/screenshots pytest tests/e2e/test_browser_student.py`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from catalog.services import exercises_sync
from submissions.models import Submission
from tests.e2e.browser import check_page, type_code
from tests.e2e.conftest import Processes, student_in_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
PASSWORD = "e2e-browser-pass-42"

# Typed line by line: the editor indents after `def ...:` by itself, so the lines carry none.
CORRECT = [
    "import numpy as np",
    "def linear_backward(x, w, b, dout):",
    "return dout @ w.T, x.T @ dout, np.sum(dout, axis=0)",
]
DW_TRANSPOSED = [
    "def linear_backward(x, w, b, dout):",
    "return dout @ w.T, dout.T @ x, dout.sum(axis=0)",
]
DX_FIRST_COLUMN_ZERO = [
    "def linear_backward(x, w, b, dout):",
    "dx = dout @ w.T",
    "dx[:, 0] = 0",
    "return dx, x.T @ dout, dout.sum(axis=0)",
]

# Records each value of #live #result[data-status] as it changes.
WATCH_STATUS_JS = """() => {
  window.__seen = [];
  const live = document.getElementById("live");
  const note = () => {
    const r = live.querySelector("#result");
    const s = r && r.getAttribute("data-status");
    if (s && window.__seen[window.__seen.length - 1] !== s) window.__seen.push(s);
  };
  new MutationObserver(note).observe(live, { subtree: true, childList: true, attributes: true });
}"""


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    # Only the exercise under test (a copy), as in test_grading_flow.py; the whole bank when
    # taking the README's screenshots (a half-written exercise is then skipped, not fatal).
    if os.environ.get("E2E_SCREENSHOTS_DIR"):
        bank = ROOT / "exercises"
    else:
        bank = processes.logdir / "exercises"
        shutil.copytree(ROOT / "exercises" / "backprop" / SLUG, bank / "backprop" / SLUG)
    settings.EXERCISES_DIR = bank
    processes.env["EXERCISES_DIR"] = str(bank)
    exercises_sync(strict=bank != ROOT / "exercises")
    return student_in_course(username="e2e-browser", password=PASSWORD)


def screenshot_report(page: Any, path: Path) -> None:
    """The live result down to its second check."""
    scroll = page.evaluate("window.scrollY")
    top = page.locator("#live").bounding_box()
    checks = page.locator("#live li.check")
    end = checks.nth(min(1, checks.count() - 1)).bounding_box()
    clip = {
        "x": top["x"] - 8,
        "y": top["y"] + scroll,
        "width": top["width"] + 16,
        "height": end["y"] + end["height"] - top["y"] + 8,
    }
    page.screenshot(path=str(path), full_page=True, clip=clip)


def wait_for_verdict(page: Any) -> list[str]:
    page.wait_for_selector("#live #result[data-status=done]", timeout=60_000)
    return list(page.evaluate("window.__seen"))


def test_a_student_in_the_browser(
    live_server: Any,
    processes: Processes,
    student: User,
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain
    # synchronous ones, made between browser calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    processes.worker("worker")
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on(
        "request",
        lambda req: None if req.url.startswith(live_server.url) else outside.append(req.url),
    )

    # Sign in with the keyboard only (the username box has the focus).
    page.goto(live_server.url + "/signin/")
    check_page(page)
    page.keyboard.type("e2e-browser")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/e2e/")  # the student's only course: its home
    check_page(page)
    assert page.locator("#course-progress").count() == 1

    # The exercise: math rendered by KaTeX, the editor with the starter.
    page.get_by_role("link", name="Backward pass of a linear layer").click()
    page.wait_for_selector(".cm-editor .cm-content")
    page.wait_for_selector("#statement .katex")
    assert page.locator("#statement .katex-display").count() >= 3
    assert "NotImplementedError" in page.locator(".cm-content").inner_text()
    assert page.locator("#id_code").is_hidden()  # the editor replaced it, the form still posts it
    check_page(page)

    # A correct solution, typed in the editor; then keyboard-only: Esc, Tab to "Submit", Enter.
    type_code(page, CORRECT)
    assert page.locator("#id_code").input_value().splitlines() == [
        "import numpy as np",
        "def linear_backward(x, w, b, dout):",
        "    return dout @ w.T, x.T @ dout, np.sum(dout, axis=0)",
    ]
    page.screenshot(path=str(shots / "exercise.png"), full_page=True)
    page.evaluate(WATCH_STATUS_JS)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "submit-graded"
    url_before = page.url
    page.keyboard.press("Enter")
    seen = wait_for_verdict(page)
    assert page.url == url_before  # no navigation: the status changed in place
    assert seen[0] in ("queued", "running") and seen[-1] == "done", seen
    live = page.locator("#live")
    assert "Accepted" in live.inner_text() and "10 / 10" in live.inner_text()
    assert live.locator("li.check.pass").count() >= 1 and live.locator("li.check.fail").count() == 0
    accepted = Submission.objects.get(verdict="accepted")
    assert (accepted.mode, accepted.code.splitlines()[0]) == ("graded", "import numpy as np")

    # The submission's own page: the same report, rendered by the server.
    live.locator("h2 a").click()
    page.wait_for_url(f"**/submissions/{accepted.pk}/")
    assert "Accepted" in page.locator("#result").inner_text()
    check_page(page)
    page.screenshot(path=str(shots / "submission.png"))

    # A wrong one (dw transposed): rejected, with the hint naming the bug.
    page.goto(f"{live_server.url}/exercises/{SLUG}/")
    page.wait_for_selector(".cm-editor .cm-content")
    assert "np.sum(dout, axis=0)" in page.locator(".cm-content").inner_text()  # last submission
    type_code(page, DW_TRANSPOSED)
    page.evaluate(WATCH_STATUS_JS)
    page.get_by_role("button", name="Submit").click()
    seen = wait_for_verdict(page)
    assert seen[-1] == "done", seen
    assert live.locator("li.check.fail").count() >= 1
    hint = live.locator(".hint").first.inner_text()
    assert "transpose" in hint.lower(), hint
    assert "expected shape" in live.inner_text()
    screenshot_report(page, shots / "report-hint.png")

    # "Run visible tests": practice, never graded; a visible array case shows where it differs.
    type_code(page, DX_FIRST_COLUMN_ZERO)
    page.evaluate(WATCH_STATUS_JS)
    page.get_by_role("button", name="Run visible tests").click()
    wait_for_verdict(page)
    assert "practice" in live.inner_text()
    heatmap = live.locator("figure.heatmap").first
    assert heatmap.is_visible()
    rows = heatmap.locator("tr")
    assert rows.count() >= 2
    first_row = rows.first.locator("td")
    assert first_row.first.get_attribute("class") == "bad"  # column 0 zeroed: wrong
    assert "bad" not in (first_row.nth(1).get_attribute("class") or "")
    practice = Submission.objects.latest("pk")
    assert practice.mode == "practice" and practice.attempt in (None, 0)
    screenshot_report(page, shots / "report-heatmap.png")

    # The list, with the best score.
    page.get_by_role("link", name="Exercises").first.click()
    page.wait_for_url("**/exercises/")
    assert "10 / 10" in page.locator("main").inner_text()
    check_page(page)
    page.screenshot(path=str(shots / "exercise-list.png"))

    assert not errors, errors
    assert not outside, outside  # nothing from a CDN or anywhere else
    context.close()

    # Without JavaScript: the plain labelled textarea, the form posts, the submission page shows.
    plain = browser.new_context(java_script_enabled=False)
    page = plain.new_page()
    page.goto(live_server.url + "/signin/")
    page.get_by_label("Username").fill("e2e-browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/exercises/{SLUG}/")
    code = page.get_by_label("Your code")
    assert code.is_visible() and page.locator(".cm-editor").count() == 0
    code.fill("\n".join(CORRECT[:2]) + "\n    " + CORRECT[2] + "\n")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/submissions/*/")
    assert page.locator("h1").inner_text().startswith("Submission #")
    plain.close()
