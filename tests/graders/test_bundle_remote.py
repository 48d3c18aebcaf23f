"""`python -m graders check SLUG FILE --remote URL`: the site grades it, over the JSON API.

Against a small stand-in for the API (docs/api.md) on 127.0.0.1, so that every answer the
client must handle can be given; tests/e2e/test_notebook.py runs it against the real site.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from graders import remote
from graders.report import Check, Report, Verdict

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "dg_test-token"
CLOSED = (
    "Running every test in practice opens once your graded attempts on this exercise are over: "
    "use “Run visible tests”, or “Submit”."
)


def _report(verdict: Verdict) -> dict[str, Any]:
    passed = verdict is Verdict.ACCEPTED
    check = Check(
        "case 1: small example",
        passed,
        "dw matches" if passed else "dw: expected shape (3, 4), got (4, 3)",
        hint=None if passed else "your result is the transpose of the expected one",
    )
    report = Report("linear-backward", "v1", 42, verdict, 10.0 if passed else 0.0, 10.0)
    report.message = "Accepted: all 6 cases pass." if passed else "Wrong answer: 0 of 6 pass."
    report.checks = [check]
    return report.to_dict()


@dataclass
class Site:
    """What the stand-in answers, and what it was asked."""

    url: str = ""
    refuse: tuple[int, dict[str, Any]] | None = None
    verdict: Verdict = Verdict.ACCEPTED
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    polls: int = 0

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path.startswith("/api/v1/exercises/linear-backward"):
            return 200, {
                "slug": "linear-backward",
                "title": "Backward pass of a linear layer",
                "kind": "code",
                "entry_point": "linear_backward",
                "course": "ml101",
                "max_attempts": 3,
                "attempts_used": 1,
            }
        if path.startswith("/api/v1/exercises/"):
            return 404, {"message": "no exercise 'nope'", "code": "not_found"}
        if method == "POST" and path == "/api/v1/submissions":
            if self.refuse:
                return self.refuse
            return 202, {"id": 7, "status": "queued", "exercise": "linear-backward"}
        if path == "/api/v1/submissions/7":
            self.polls += 1
            if self.polls < 2:
                return 200, {"id": 7, "status": "running"}
            return 200, {
                "id": 7,
                "status": "done",
                "exercise": "linear-backward",
                "version": "v1",
                "seed": 42,
                "message": "from the submission",
                "score_note": "",
                "report": _report(self.verdict),
            }
        return 404, {"message": "not found", "code": "not_found"}


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.requests.append((self.command, self.path, dict(self.headers), body))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, data = 401, {"message": "not authenticated", "code": "not_authenticated"}
            else:
                status, data = state.answer(self.command, self.path.split("?")[0], body)
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def solution(tmp_path: Path) -> str:
    path = tmp_path / "mine.py"
    path.write_text("def linear_backward(x, w, b, dout):\n    return x, w, b\n")
    return str(path)


def _env(tmp_path: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPGRADE_")}
    env["HOME"] = str(tmp_path / "home")
    if token:
        env["DEEPGRADE_TOKEN"] = token
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graders", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def _posts(site: Site) -> list[Any]:
    return [body for method, _, _, body in site.requests if method == "POST"]


def test_a_practice_run_on_the_site_prints_the_report(
    site: Site, solution: str, tmp_path: Path
) -> None:
    result = run(_env(tmp_path), "linear-backward", solution, "--remote", site.url)
    assert result.returncode == 0, result.stderr
    assert "Backward pass of a linear layer (linear-backward, seed 42)" in result.stdout
    assert "Accepted  score 10/10" in result.stdout
    assert f"practice run on the site: {site.url}submissions/7/" in result.stdout
    assert _posts(site) == [
        {"exercise": "linear-backward", "mode": "practice", "code": Path(solution).read_text()}
    ]
    assert site.polls == 2  # polled until done

    site.polls, site.verdict = 0, Verdict.REJECTED
    result = run(_env(tmp_path), "linear-backward", solution, "--remote", site.url, "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "rejected"
    assert data["checks"][0]["hint"] == "your result is the transpose of the expected one"


def test_the_sites_refusal_is_shown_with_its_message(
    site: Site, solution: str, tmp_path: Path
) -> None:
    site.refuse = (403, {"message": CLOSED, "code": "practice_closed"})
    result = run(_env(tmp_path), "linear-backward", solution, "--remote", site.url)
    assert result.returncode == 2
    said = result.stderr.strip().splitlines()
    assert said == [
        f"error: {CLOSED}",
        "From here: --visible-only runs the visible cases; --submit makes a graded attempt.",
    ]
    site.refuse = None
    result = run(
        _env(tmp_path), "linear-backward", solution, "--remote", site.url, "--visible-only"
    )
    assert result.returncode == 0, result.stderr
    assert _posts(site)[-1]["visible_only"] is True

    site.refuse = (429, {"message": "too many practice runs", "code": "rate_limited"})
    result = run(_env(tmp_path), "linear-backward", solution, "--remote", site.url)
    assert result.returncode == 2 and "too many practice runs" in result.stderr


def test_the_token_comes_from_the_option_the_environment_or_the_config_file(
    site: Site, solution: str, tmp_path: Path
) -> None:
    no_token = _env(tmp_path, token=None)
    result = run(no_token, "linear-backward", solution, "--remote", site.url)
    assert result.returncode == 2 and "no API token" in result.stderr
    assert "Traceback" not in result.stderr

    config = tmp_path / "home" / ".config" / "deepgrade" / "token"
    config.parent.mkdir(parents=True)
    config.write_text(TOKEN + "\n")
    assert run(no_token, "linear-backward", solution, "--remote", site.url).returncode == 0

    config.write_text("dg_revoked\n")
    result = run(no_token, "linear-backward", solution, "--remote", site.url)
    assert result.returncode == 2 and "did not accept the token" in result.stderr
    result = run(no_token, "linear-backward", solution, "--remote", site.url, "--token", TOKEN)
    assert result.returncode == 0, result.stderr
    assert remote.find_token(" dg_x ") == "dg_x"


def test_submit_asks_on_a_terminal_and_refuses_without_one(
    site: Site, solution: str, tmp_path: Path
) -> None:
    args = ("linear-backward", solution, "--remote", site.url, "--submit")
    result = run(_env(tmp_path), *args)
    assert result.returncode == 2 and "asks first, on a terminal" in result.stderr
    assert _posts(site) == []

    for answer, expected in ((b"n\n", 2), (b"y\n", 0)):
        output, code = _on_a_terminal(_env(tmp_path), answer, *args)
        assert "as a graded attempt of linear-backward in ml101 (1 of 3 attempts used)? [y/N]" in (
            output
        )
        assert code == expected, output
    assert _posts(site) == [
        {"exercise": "linear-backward", "mode": "graded", "code": Path(solution).read_text()}
    ]

    result = run(_env(tmp_path), *args, "--yes", "--course", "ml101")
    assert result.returncode == 0, result.stderr
    assert "graded submission on the site" in result.stdout
    assert _posts(site)[-1]["course"] == "ml101" and _posts(site)[-1]["mode"] == "graded"


def _on_a_terminal(env: dict[str, str], answer: bytes, *args: str) -> tuple[str, int]:
    """Run the command with a terminal for stdin and stderr; answer its question."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graders", "check", *args],
        cwd=ROOT,
        env=env,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(master, answer)
            answered = True
        if proc.poll() is not None and not ready:
            break
    stdout = proc.communicate(timeout=30)[0]
    os.close(master)
    return (seen + stdout).decode(errors="replace"), proc.returncode


def test_an_unreachable_site_is_a_message(solution: str, tmp_path: Path) -> None:
    result = run(_env(tmp_path), "linear-backward", solution, "--remote", "http://127.0.0.1:9/")
    assert result.returncode == 2
    assert "cannot reach http://127.0.0.1:9/" in result.stderr
    assert "Traceback" not in result.stderr
    assert remote.site_url("example.org/api/v1/") == "https://example.org/"
