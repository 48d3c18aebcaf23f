"""The Content-Security-Policy in a real browser: KaTeX typesets, the CodeMirror editor works,
the authoring preview follows the typing, and the browser reports no violation; an image a
statement points at on another host is never requested (img-src)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.services import user_create
from catalog.services import exercises_sync
from courses.services import assign_all, course_ensure, enrolment_ensure
from tests.e2e.browser import type_code
from tests.platform.conftest import write_code_exercise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-csp-pass-42"
TRACKER = "http://tracker.invalid/pixel.png"
# Every violation the page reports, kept before any page script runs.
RECORD_VIOLATIONS_JS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/signin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def test_math_the_editor_and_the_preview_work_under_the_csp(
    live_server: Any, browser: Any, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    bank = tmp_path / "exercises"
    write_code_exercise(
        bank,
        statement_extra=f"\n$$\\sum_i x_i^2$$\n\n![a tracking pixel]({TRACKER})\n",
    )
    settings.EXERCISES_DIR = bank
    exercises_sync(root=bank)
    course = course_ensure(slug="csp", title="CSP course")
    assign_all(course=course)
    student = user_create(username="csp-student", password=PASSWORD)
    enrolment_ensure(course=course, user=student)
    user_create(username="csp-teacher", password=PASSWORD, role=User.Role.INSTRUCTOR)

    context = browser.new_context(viewport={"width": 1000, "height": 760})
    context.add_init_script(RECORD_VIOLATIONS_JS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed: dict[str, str] = {}
    page.on("requestfailed", lambda request: failed.setdefault(request.url, request.failure or ""))

    sign_in(page, live_server.url, "csp-student")
    page.goto(live_server.url + "/exercises/double-it/")
    page.wait_for_selector("#statement .katex")  # KaTeX ran
    assert page.locator("#statement .katex-display").count() >= 1
    # KaTeX's layout styles are in effect (a style set through the DOM, not blocked).
    height = page.locator("#statement .katex-display .strut").first.evaluate(
        "el => el.style.height"
    )
    assert height.endswith("em")
    page.wait_for_selector(".cm-editor .cm-content")  # CodeMirror ran, its styles too
    type_code(page, ["def double_it(x):", "return 2 * x"])
    assert "return 2 * x" in page.locator(".cm-content").inner_text()
    gutter = page.locator(".cm-gutters").first.evaluate("el => getComputedStyle(el).display")
    assert gutter == "flex"  # CodeMirror's own stylesheet applies
    page.wait_for_timeout(300)
    statement_violations = page.evaluate("window.__violations")
    # The statement's image on another host: refused by the policy before any request left.
    assert statement_violations == [f"img-src {TRACKER}"]
    assert failed[TRACKER] == "csp"  # Chromium: net::ERR_BLOCKED_BY_CSP

    page.goto(live_server.url + "/account/tokens/")
    page.fill("#id_name", "laptop")
    page.click("#create-token")
    page.wait_for_selector("#new-token")
    assert page.evaluate("window.__violations") == []

    teacher = browser.new_context(viewport={"width": 1000, "height": 760})
    teacher.add_init_script(RECORD_VIOLATIONS_JS)
    authoring = teacher.new_page()
    authoring.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(authoring, live_server.url, "csp-teacher")
    authoring.goto(live_server.url + "/teach/exercises/new/")
    authoring.fill("#id_slug", "csp-check")
    authoring.fill("#id_title", "CSP check")
    authoring.locator("button[type=submit]").last.click()
    authoring.wait_for_selector("textarea[name='file:statement.md']")
    authoring.fill("textarea[name='file:statement.md']", "# CSP check\n\nLive: $a_i b_j$\n")
    authoring.wait_for_selector("#statement-preview .katex", timeout=10_000)  # fetched, typeset
    assert authoring.evaluate("window.__violations") == []
    assert errors == []
    context.close()
    teacher.close()
