"""deepgrade in an LMS, end to end: the test LTI platform (tests/lti_platform, real HTTP, its own
keys) shows deepgrade in an iframe of its course page, as Moodle or Canvas do; a real Chromium,
the live server, a private redis-server and a real Celery worker.

An instructor deep-links two exercises from the LMS; a student opens one from the LMS, in a
window of deepgrade's own (the frame's one-time link), submits a correct solution in the
editor; the worker grades it and sends the score to the LMS's AGS line item. Then the LMS goes
down while a score changes (an override), and the score arrives once it is back.

The launches run in the LMS's iframe. Over plain HTTP the LMS is given the live server's host
name (another port), so the browser treats the frame as same-site: the third-party case needs
HTTPS (the state cookie is SameSite=None; Secure there), and is not exercised here. With the
LMS on another host name over HTTP, Chromium drops the state cookie and the launch is refused
("state"), as a browser blocking third-party cookies would
(docs/lti.md#cookies-and-csrf-in-the-lms-frame).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from accounts.models import User
from lti.models import Identity, ResourceLink, ScoreSend
from lti.services import platform_register
from submissions.overrides import score_override_create
from tests.e2e.browser import type_code
from tests.e2e.conftest import E2E_WAIT, Processes, bank_of, wait_until
from tests.lti_platform.server import LmsPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXERCISES = ("backprop/linear-backward", "backprop/sigmoid-backward")
CORRECT = [
    "import numpy as np",
    "def linear_backward(x, w, b, dout):",
    "return dout @ w.T, x.T @ dout, np.sum(dout, axis=0)",
]


@pytest.fixture
def lms(live_server: Any) -> Any:
    tool = live_server.url
    platform = LmsPlatform(
        tool_login_url=f"{tool}/lti/login/",
        tool_launch_url=f"{tool}/lti/launch/",
        tool_jwks_url=f"{tool}/lti/jwks.json",
        host=urlsplit(tool).hostname or "127.0.0.1",
    ).start()
    platform_register(
        name="Test LMS", deployment_ids=[platform.deployment_id], **platform.registration()
    )
    yield platform
    platform.stop()


def test_an_lms_course_with_deepgrade(
    live_server: Any,
    processes: Processes,
    settings: Any,
    lms: LmsPlatform,
    browser: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or processes.logdir)
    bank_of(settings, processes, *EXERCISES)
    # Quick retries, so that "the LMS is back" shows within seconds.
    processes.env.update(LTI_SEND_BACKOFF="0.5", LTI_SEND_MAX_RETRIES="40")
    processes.worker("worker")
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()

    # The instructor adds two exercises from the LMS (deep linking, in the LMS's frame).
    page.goto(f"{lms.url}/launch?user=teacher&deep_link=1")
    frame = page.frame_locator("#tool")
    frame.locator("h1", has_text="Add deepgrade exercises").wait_for()
    frame.locator("#ex-linear-backward").check()
    frame.locator("#ex-sigmoid-backward").check()
    page.screenshot(path=str(shots / "lti-deep-linking.png"))
    frame.get_by_role("button", name="Add to the LMS course").click()
    frame.locator("h1", has_text="2 activities added").wait_for()
    assert not lms.refusals, lms.refusals
    assert sorted(item["scoreMaximum"] for item in lms.lineitems.values()) == [10.0, 10.0]
    linear = next(
        a for a in lms.activities.values() if a.custom["deepgrade_exercise"] == "linear-backward"
    )

    # A student opens it from the LMS: the frame offers deepgrade in a window of its own.
    page.goto(f"{lms.url}/launch?user=student&link={linear.id}")
    frame = page.frame_locator("#tool")
    frame.locator("#lti-open").wait_for()
    page.screenshot(path=str(shots / "lti-launch-frame.png"))
    with context.expect_page() as opened:
        frame.locator("#lti-open").click()
    exercise = opened.value
    exercise.wait_for_selector(".cm-editor .cm-content")
    assert "/exercises/linear-backward/" in exercise.url
    student = Identity.objects.get(sub=lms.people["student"].sub).user
    assert student.username in exercise.locator("header .who").inner_text()

    type_code(exercise, CORRECT)
    exercise.locator("#submit-graded").click()
    exercise.wait_for_selector("#live #result[data-status=done]", timeout=E2E_WAIT * 1000)
    assert "Accepted" in exercise.locator("#live").inner_text()

    # The worker sends the score to the LMS's line item.
    def scores() -> list[float]:
        return [s["scoreGiven"] for s in lms.scores_for("student")]

    wait_until("the score at the LMS", lambda: scores() == [10.0], E2E_WAIT)
    assert lms.scores_for("student")[0]["lineitem"] == linear.lineitem

    # The LMS goes down; the instructor changes the score meanwhile.
    lms.stop()
    teacher = Identity.objects.get(sub=lms.people["teacher"].sub).user
    assignment = ResourceLink.objects.get(resource_link_id=linear.id).assignment
    score_override_create(
        assignment=assignment, student=student, score=6.0, reason="oral", created_by=teacher
    )
    send = ScoreSend.objects.get(student=student)
    wait_until("a failed try", lambda: ScoreSend.objects.get(pk=send.pk).attempts >= 2, E2E_WAIT)
    waiting = ScoreSend.objects.get(pk=send.pk)
    assert waiting.status in (ScoreSend.Status.PENDING, ScoreSend.Status.SENDING)
    assert "ConnectionError" in waiting.last_error
    lms.start()
    wait_until("the new score at the LMS", lambda: scores() == [10.0, 6.0], E2E_WAIT)
    wait_until(
        "the send marked sent",
        lambda: ScoreSend.objects.get(pk=send.pk).status == ScoreSend.Status.SENT,
        E2E_WAIT,
    )
    assert User.objects.filter(lti_identities__isnull=False).count() == 2

    # The instructor, from the same activity: the course's LMS page, every score sent.
    page.goto(f"{lms.url}/launch?user=teacher&link={linear.id}")
    with context.expect_page() as opened:
        page.frame_locator("#tool").locator("#lti-connection").click()
    connection = opened.value
    connection.wait_for_selector("#send-counts")
    assert connection.locator("#send-counts").inner_text() == "1 sent"
    connection.screenshot(path=str(shots / "lti-connection.png"), full_page=True)
    context.close()
