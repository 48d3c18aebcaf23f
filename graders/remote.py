"""Grading on the site from a student's machine: the JSON API (docs/api.md), standard library only.

`check(...)` sends a file (or a typed math answer) as a *practice* run, or a graded submission
when asked, polls the submission until it is graded, and gives back the site's report as a
`graders.report.Report`, so that the command line and notebooks show it as they show an offline
one. What the student may run is the site's decision (platform/submissions/rules.py): a refusal
comes back as a `RemoteError` carrying the site's code and message (`practice_closed`,
`no_attempts_left`…), never as a verdict.

The token comes from the caller, else $DEEPGRADE_TOKEN, else ~/.config/deepgrade/token.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from graders.report import Check, Report, Verdict

TOKEN_ENV = "DEEPGRADE_TOKEN"
URL_ENV = "DEEPGRADE_URL"
TOKEN_FILE = Path("~/.config/deepgrade/token")
# The site's pages poll after 250 ms, then less and less often, up to every 2 s (docs/api.md).
FIRST_POLL, MAX_POLL = 0.25, 2.0
# Above the worker's hard time limit (180 s, docs/architecture.md#claiming) and a queue's wait.
DEFAULT_TIMEOUT = 300.0
REQUEST_TIMEOUT = 30.0
DONE_STATUSES = ("done", "error")


class RemoteError(Exception):
    """The site refused, or could not be reached; `code` is the API's error code."""

    def __init__(self, message: str, code: str = "error", status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def find_token(explicit: str | None = None) -> str:
    """The API token: `explicit`, else $DEEPGRADE_TOKEN, else the first line of
    ~/.config/deepgrade/token."""
    if explicit and explicit.strip():
        return explicit.strip()
    if os.environ.get(TOKEN_ENV, "").strip():
        return os.environ[TOKEN_ENV].strip()
    path = TOKEN_FILE.expanduser()
    if path.is_file():
        try:
            first = path.read_text(encoding="utf-8").strip().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise RemoteError(f"{path}: cannot be read ({exc})", "no_token") from None
        if first and first[0].strip():
            return first[0].strip()
    raise RemoteError(
        f"no API token: pass --token dg_…, set {TOKEN_ENV}, or write it in {TOKEN_FILE} "
        "(the site makes one for you: see its help page, /help/offline/)",
        "no_token",
    )


def site_url(url: str) -> str:
    """The site's root, from what a student may paste (with or without /api/v1/)."""
    url = url.strip()
    if not url:
        raise RemoteError(f"no site address: pass --remote URL or set {URL_ENV}", "no_url")
    if "://" not in url:
        url = "https://" + url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"{url!r} is not a site address such as https://deepgrade.example/")
    path = parts.path.rstrip("/")
    for suffix in ("/api/v1", "/api"):
        path = path.removesuffix(suffix)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


class Client:
    """The few endpoints a self-test needs, with the student's token."""

    def __init__(self, url: str, token: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        self.base = site_url(url)
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        url = urllib.parse.urljoin(self.base, "api/v1/" + path.lstrip("/"))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach {self.base}: {reason}", "unreachable") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise RemoteError(
                f"{url} did not answer with JSON: is {self.base} a deepgrade site?", "not_json"
            ) from None

    def _refusal(self, exc: urllib.error.HTTPError) -> RemoteError:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = str(body.get("code") or f"http_{exc.code}")
        message = str(body.get("message") or f"the site answered {exc.code} {exc.reason}")
        for error in body.get("errors") or []:
            if isinstance(error, dict) and error.get("message"):
                message += f"; {error.get('field', '')}: {error['message']}"
        if code == "not_authenticated":
            message = (
                "the site did not accept the token (revoked, expired or mistyped): make a new "
                f"one on the site and pass it with --token or {TOKEN_ENV}"
            )
        retry = exc.headers.get("Retry-After") if exc.headers else None
        if retry:
            message += f" (try again in {retry} s)"
        return RemoteError(message, code, exc.code)

    def exercise(self, slug: str, *, practice: bool = True) -> dict[str, Any]:
        query = "?mode=practice" if practice else ""
        return self._request("GET", f"exercises/{urllib.parse.quote(slug)}{query}")

    def submit(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "submissions", payload)

    def submission(self, submission_id: int) -> dict[str, Any]:
        return self._request("GET", f"submissions/{int(submission_id)}")

    def wait(
        self,
        submission: dict[str, Any],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Poll until the submission is graded (done) or could not be graded (error)."""
        deadline = time.monotonic() + timeout
        delay = FIRST_POLL
        while submission.get("status") not in DONE_STATUSES:
            if time.monotonic() > deadline:
                raise RemoteError(
                    f"submission {submission.get('id')} is still {submission.get('status')} after "
                    f"{timeout:.0f} s; its page: {self.base}submissions/{submission.get('id')}/",
                    "timeout",
                )
            sleep(delay)
            delay = min(MAX_POLL, delay * 1.5)
            submission = self.submission(int(submission["id"]))
        return submission


@dataclass
class Remote:
    """What the site answered: its submission (status, score, message…), its report, the
    exercise's title."""

    submission: dict[str, Any]
    report: Report
    title: str

    @property
    def page(self) -> str:
        return str(self.submission.get("page", ""))


def check(
    url: str,
    token: str,
    slug: str,
    content: str,
    *,
    graded: bool = False,
    visible_only: bool = False,
    course: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    client: Client | None = None,
    exercise: dict[str, Any] | None = None,
) -> Remote:
    """Send `content` (a file's code, or a math answer) for `slug`, wait for the verdict.

    Practice unless `graded`; `visible_only` runs the visible cases alone (practice). The site
    decides what may run: a refusal raises RemoteError with its code and message.
    """
    client = client or Client(url, token)
    exercise = exercise or client.exercise(slug, practice=not graded)
    payload: dict[str, Any] = {"exercise": slug, "mode": "graded" if graded else "practice"}
    payload["code" if exercise.get("kind") == "code" else "answer"] = content
    if visible_only and not graded:
        payload["visible_only"] = True
    if course:
        payload["course"] = course
    submission = client.wait(client.submit(payload), timeout=timeout)
    submission["page"] = f"{client.base}submissions/{submission.get('id')}/"
    return Remote(submission, report_of(submission), str(exercise.get("title") or slug))


def report_of(submission: dict[str, Any]) -> Report:
    """The submission's report as a Report (what the site stored, as the student may see it);
    one saying why, when it could not be graded."""
    data = submission.get("report")
    if isinstance(data, dict) and data.get("verdict") in {v.value for v in Verdict}:
        known = {f.name for f in fields(Report)}
        check_fields = {f.name for f in fields(Check)}
        values = {k: v for k, v in data.items() if k in known}
        values["verdict"] = Verdict(values["verdict"])
        values["checks"] = [
            Check(**{k: v for k, v in c.items() if k in check_fields})
            for c in data.get("checks", [])
            if isinstance(c, dict) and "name" in c and "passed" in c and "message" in c
        ]
        values.setdefault("exercise", submission.get("exercise", ""))
        values.setdefault("version", submission.get("version", ""))
        values.setdefault("seed", submission.get("seed") or 0)
        values.setdefault("score", submission.get("raw_score") or 0.0)
        values.setdefault("max_score", submission.get("max_score") or 0.0)
        return Report(**values)
    return Report(
        exercise=str(submission.get("exercise", "")),
        version=str(submission.get("version", "")),
        seed=int(submission.get("seed") or 0),
        verdict=Verdict.INTERNAL_ERROR,
        score=0.0,
        max_score=float(submission.get("max_score") or 0.0),
        message=str(submission.get("message") or "Could not be graded."),
    )
