"""The exercise page's enhancements (editor, math, two buttons) and the report's figures and
heatmap, server-side: what the browser test relies on, checked without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from pages.views import check_view
from submissions.models import Submission
from tests.platform.conftest import Bank, People, make_submission

pytestmark = pytest.mark.django_db

VENDOR = Path(settings.PLATFORM_DIR) / "pages" / "static" / "pages" / "vendor"


@pytest.fixture
def alice(client: Client, people: People) -> Client:
    client.force_login(people.alice)
    return client


def test_the_exercise_page_loads_the_vendored_assets_and_has_two_buttons(
    alice: Client, exercises: Bank
) -> None:
    page = alice.get("/exercises/double-it/").content.decode()

    for asset in (
        "pages/vendor/katex/katex.min.css",
        "pages/vendor/katex/katex.min.js",
        "pages/vendor/katex/auto-render.min.js",
        "pages/vendor/codemirror.min.js",
        "pages/exercise.js",
        "pages/poll.js",
    ):
        assert f"/static/{asset}" in page, asset
    assert re.search(r'<button type="submit" name="mode" value="graded"[^>]*>Submit</button>', page)
    assert re.search(
        r'<button type="submit" name="mode" value="practice"[^>]*>Run visible tests</button>', page
    )
    # The textarea is the field the form posts, labelled, with or without the editor.
    assert '<label for="id_code" id="code-label">' in page and 'name="code" id="id_code"' in page
    assert 'id="statement"' in page and 'id="live"' in page


def test_the_vendored_files_exist_and_the_css_names_only_woff2_fonts() -> None:
    for name in ("codemirror.min.js", "katex/katex.min.js", "katex/auto-render.min.js"):
        assert (VENDOR / name).stat().st_size > 1000, name
    css = (VENDOR / "katex" / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts and all(font.endswith(".woff2") for font in fonts)
    assert all((VENDOR / "katex" / font).is_file() for font in fonts)  # manifest storage needs them


def test_the_practice_button_makes_a_practice_submission(
    alice: Client, exercises: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)
    response = alice.post(
        "/exercises/double-it/", {"code": "def f(x):\n    return 2 * x\n", "mode": "practice"}
    )
    assert response.status_code == 302
    assert Submission.objects.get().mode == Submission.Mode.PRACTICE


def test_check_view_figures_and_heatmap() -> None:
    check = {
        "name": "case 1",
        "passed": False,
        "visible": True,
        "details": {
            "expected_shape": [2, 3],
            "got_shape": [2, 3],
            "wrong_count": 2,
            "share_wrong": 1 / 3,
            "max_abs_error": 0.31640625,
            "max_rel_error": 1.0,
            "wrong_mask": [[1, 0, 0], [1, 0, 0]],
        },
    }
    shown = check_view(check)
    assert ("expected shape", "(2, 3)") in shown["figures"]
    assert ("wrong values", "2 (33%)") in shown["figures"]
    assert ("max abs error", "0.316") in shown["figures"]
    assert shown["mask_rows"] == [[True, False, False], [True, False, False]]
    assert (shown["mask_wrong"], shown["mask_size"]) == (2, 6)

    assert check_view({**check, "visible": False})["mask_rows"] is None  # hidden: no picture
    one_d = check_view(
        {**check, "details": {"wrong_mask": [0, 1], "expected_shape": [2], "got_shape": [2]}}
    )
    assert one_d["mask_rows"] == [[False, True]] and ("your shape", "(2,)") in one_d["figures"]
    assert check_view({**check, "details": {"wrong_mask": 1}})["mask_rows"] is None
    assert check_view({"name": "x", "passed": True})["figures"] == []


def test_the_report_shows_the_heatmap_for_visible_cases(
    alice: Client, exercises: Bank, people: People
) -> None:
    details = {"expected_shape": [2, 2], "got_shape": [2, 2], "wrong_mask": [[0, 1], [0, 0]]}
    report = {
        "checks": [
            {
                "name": "case 1: small",
                "passed": False,
                "visible": True,
                "message": "dx: 1 of 4 wrong",
                "hint": "check the sign",
                "details": details,
            },
            {
                "name": "case 2: random",
                "passed": False,
                "visible": False,
                "message": "dx: wrong",
                "details": details,
            },
        ]
    }
    submission = make_submission(
        people.alice,
        exercises.code,
        status="done",
        verdict="rejected",
        score=0.0,
        max_score=10.0,
        report=report,
    )
    page = alice.get(f"/submissions/{submission.pk}/").content.decode()

    assert page.count('<figure class="heatmap">') == 1  # the visible case only
    assert page.count('class="bad"') == 1 and "1 of 4 values wrong" in page
    assert "Hint:</strong> check the sign" in page
    assert 'data-status="done"' in page and "data-poll-url" not in page
