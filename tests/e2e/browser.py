"""Driving Debian's Chromium with Playwright: the browser fixture and the checks every page passes.

Never `playwright install`: the browser is the `chromium` Debian package (scripts/bootstrap.sh
--dev installs it), started headless with the flags that keep it off the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every visible form control has an accessible name; returns the ones that do not, and the
# number of h1 headings.
A11Y_JS = """() => {
  const text = (id) => (document.getElementById(id) || {}).textContent || "";
  const bad = [];
  const controls = document.querySelectorAll(
    "input, select, textarea, button, [role=textbox], [contenteditable=true]");
  for (const el of controls) {
    if (el.type === "hidden" || el.closest("[hidden]")) continue;
    const name = [
      el.getAttribute("aria-label") || "",
      (el.getAttribute("aria-labelledby") || "").split(/\\s+/).map(text).join(" "),
      el.labels ? Array.from(el.labels).map((l) => l.textContent).join(" ") : "",
      el.tagName === "BUTTON" ? el.textContent : "",
    ].join(" ").trim();
    if (!name) bad.push(el.outerHTML.slice(0, 160));
  }
  return { unlabelled: bad, h1: document.querySelectorAll("h1").length };
}"""


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian package `chromium`): no browser to drive")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            # Inside this block the test runs in Playwright's context, where Django's
            # (context-local) `connections` hand out a second connection of their own; nobody
            # else closes it, and pytest-django could not drop the PostgreSQL test database
            # ("being accessed by other users").
            connections.close_all()
            chromium.close()


def check_page(page: Any) -> None:
    found = page.evaluate(A11Y_JS)
    assert found["h1"] >= 1, f"no h1 on {page.url}"
    assert not found["unlabelled"], (page.url, found["unlabelled"])


def type_code(page: Any, lines: list[str]) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    for i, line in enumerate(lines):
        if i:
            page.keyboard.press("Enter")
        page.keyboard.type(line)
