"""A student's Jupyter notebook against the real site: a bundle downloaded from the live server,
then `check(...)` offline and on the site (a practice run graded by a real worker), `submit(...)`
as a graded attempt, and the command line's `--remote`.

The student is enrolled in a course that assigns the exercise with no deadline: a graded attempt
can still count, so the site refuses practice on every case (`practice_closed`) and runs the
visible ones (platform/submissions/rules.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from accounts.models import User
from accounts.services import api_token_create
from submissions.models import Submission
from submissions.rules import PRACTICE_ALL_CLOSED
from tests.e2e.conftest import HttpClient, Processes, bank_of, student_in_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
SOLUTIONS = ROOT / "exercises" / "backprop" / SLUG / "solutions"
PASSWORD = "e2e-notebook-pass-42"

CORRECT = """\
def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
"""
WRONG = """\
def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)
"""


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    bank_of(settings, processes, "backprop/" + SLUG)
    return student_in_course(username="e2e-notebook", password=PASSWORD)


def _html(cell: Any) -> str:
    return "".join(
        out.get("data", {}).get("text/html", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("execute_result", "display_data")
    )


def _verdict(html: str) -> str | None:
    found = re.search(r'data-verdict="([a-z_]+)"', html)
    return found.group(1) if found else None


def _seed(html: str) -> str:
    found = re.search(rf"\({SLUG}, seed (\d+)\)", html)
    assert found, html[:500]
    return found.group(1)


def test_a_notebook_checks_offline_and_on_the_live_site(
    live_server: Any,
    processes: Processes,
    student: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    processes.worker("worker")
    site = live_server.url + "/"
    token = api_token_create(user=student)[1]

    # The bundle, downloaded as the student's browser would.
    client = HttpClient(live_server.url)
    client.sign_in("e2e-notebook", PASSWORD)
    with client.opener.open(f"{client.base}/exercises/{SLUG}/bundle.zip", timeout=60) as answer:
        assert answer.headers["Content-Type"] == "application/zip"
        archive = tmp_path / f"deepgrade-{SLUG}.zip"
        archive.write_bytes(answer.read())

    nb = nbformat.v4.new_notebook()
    cells = [
        "from graders.notebook import check, submit",
        CORRECT,
        f'check("{SLUG}", linear_backward, bundle={str(archive)!r})',
        f'check("{SLUG}", linear_backward, remote={site!r})',
        f'check("{SLUG}", linear_backward, remote={site!r}, visible_only=True)',
        WRONG,
        f'check("{SLUG}", linear_backward, remote={site!r}, visible_only=True)',
        f'check("{SLUG}", linear_backward, bundle={str(archive)!r})',
        CORRECT,
        f'submit("{SLUG}", linear_backward, remote={site!r})',
    ]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("DEEPGRADE_TOKEN", token)
    monkeypatch.delenv("DEEPGRADE_BUNDLE", raising=False)
    monkeypatch.delenv("DEEPGRADE_URL", raising=False)
    done = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    html = [_html(cell) for cell in done.cells]

    offline, refused, practice = html[2], html[3], html[4]
    assert _verdict(offline) == "accepted" and ">Accepted</strong>" in offline
    assert f"offline, bundle {archive}" in offline
    # Every case in practice would answer for the graded instance: the site says no, in words.
    assert "not graded" in refused and PRACTICE_ALL_CLOSED.split(":")[0] in refused
    assert "check(..., visible_only=True)" in refused
    assert _verdict(practice) == "accepted" and "practice run on the site" in practice
    assert _seed(practice) == _seed(offline)  # one practice instance, offline and online

    wrong_online, wrong_offline = html[6], html[7]
    assert _verdict(wrong_online) == _verdict(wrong_offline) == "rejected"
    hint = re.findall(r'<span class="hint">([^<]+)</span>', wrong_online)
    assert hint and hint == re.findall(r'<span class="hint">([^<]+)</span>', wrong_offline)

    graded = html[9]
    assert _verdict(graded) == "accepted" and "graded submission on the site" in graded
    assert "(hidden)" in graded  # a graded submission runs the hidden cases too
    modes = list(Submission.objects.values_list("mode", "visible_only", "verdict"))
    assert sorted(modes) == sorted(
        [
            ("practice", True, "accepted"),
            ("practice", True, "rejected"),
            ("graded", False, "accepted"),
        ]
    )

    # The command line, against the same site.
    mine = tmp_path / "my_solution.py"
    mine.write_text((SOLUTIONS / "correct_matmul.py").read_text())
    env = {**os.environ, "DEEPGRADE_TOKEN": token, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "graders", "check", SLUG, str(mine), "--remote", site]
    refused_cli = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert refused_cli.returncode == 2
    assert refused_cli.stderr.startswith(f"error: {PRACTICE_ALL_CLOSED}\n")
    assert "--visible-only runs the visible cases" in refused_cli.stderr
    practice_cli = subprocess.run(
        [*argv, "--visible-only"], env=env, capture_output=True, text=True, timeout=120
    )
    assert practice_cli.returncode == 0, practice_cli.stderr
    assert "Accepted" in practice_cli.stdout and "practice run on the site" in practice_cli.stdout
