"""Real processes for the end-to-end tests: a private redis-server, Celery workers and beat.

The live server (pytest-django's `live_server`) runs in this process on the test database; the
worker processes reach the same database through DATABASE_URL, built from the test database's
settings. That is why SQLite tests use a file (config/settings.py), never ":memory:".
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.e2e.browser import browser  # noqa: F401  (the fixture, for every browser test)

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")

# Short deadlines so that a killed worker is noticed in seconds (production: 150/180/300 s).
# The order GRADING_SOFT_TIME_LIMIT < GRADING_TIME_LIMIT < SWEEP_RUNNING_AFTER still holds.
E2E_SETTINGS = {
    "GRADING_SOFT_TIME_LIMIT": "6",
    "GRADING_TIME_LIMIT": "7",
    "SWEEP_RUNNING_AFTER": "8",
    "SWEEP_QUEUED_AFTER": "30",
    "SWEEP_INTERVAL": "1",
}


# Generous waits: a worker starts three sandboxes (NumPy, torch, SymPy) before it grades, which
# takes tens of seconds on a loaded 2-core machine. These tests are about what happens, not how
# fast (benchmarks/ measures that).
E2E_WAIT = 120


def student_in_course(username: str, password: str | None, course: str = "e2e") -> Any:
    """A student enrolled in `course`, which publishes every active exercise (no deadline):
    graded submissions need an assignment."""
    from accounts.models import User
    from accounts.services import user_create
    from courses.services import assign_all, course_ensure, enrolment_ensure

    row = course_ensure(slug=course, title=f"Course {course}")
    assign_all(course=row)
    user = user_create(username=username, password=password, role=User.Role.STUDENT)
    enrolment_ensure(course=row, user=user)
    return user


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (make test installs it: scripts/bootstrap.sh)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    import redis

    wait_until("redis-server", lambda: redis.Redis(port=port).ping(), 20)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def database_url() -> str:
    """The URL of the test database this process (and its live server) is using now."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def broker(redis_url: str) -> Iterator[str]:
    """Point this process's Celery app (used by the live server to enqueue) at the redis."""
    from config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = redis_url
    app._after_fork()  # drop connection pools made for the previous broker
    try:
        yield redis_url
    finally:
        app.conf.broker_url = previous
        app._after_fork()


@dataclass
class Processes:
    env: dict[str, str]
    logdir: Path
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = self.logdir / f"{name}.log"
        handle = open(log, "wb")  # noqa: SIM115 (closed with the process)
        # Its own session: a SIGKILL to the group takes the worker, its pool and the grader's
        # zygote at once, as when a machine or container dies.
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, proc, log))
        return proc

    def worker(self, name: str, hostname: str | None = None) -> tuple[str, subprocess.Popen[bytes]]:
        """A worker; `hostname` (its Celery node name) to start one again under its name."""
        hostname = hostname or f"{name}-{uuid.uuid4().hex[:6]}@e2e"
        proc = self._start(
            name,
            [
                CELERY,
                "--workdir",
                str(ROOT / "platform"),
                "-A",
                "config",
                "worker",
                "-Q",
                # Every queue: make run gives validations a worker of their own (scripts/run.py;
                # tests/e2e/test_validation_isolation.py starts both as it does).
                "grading,regrade,maintenance,validation",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "-n",
                hostname,
                "--without-mingle",
                "--without-gossip",
            ],
        )
        log = self.started[-1][2]
        wait_until(f"worker {name} ready", lambda: b" ready." in log.read_bytes(), 60)
        return hostname, proc

    def beat(self) -> subprocess.Popen[bytes]:
        return self._start(
            "beat",
            [
                CELERY,
                "--workdir",
                str(ROOT / "platform"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(self.logdir / "celerybeat-schedule"),
            ],
        )

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            f"----- {name} -----\n{log.read_text(errors='replace')[-4000:]}"
            for name, _proc, log in self.started
        )

    def stop_all(self) -> None:
        for _name, proc, _log in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc, _log in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def processes(
    live_server: Any, broker: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Processes]:
    """Starts Celery processes on demand; stops them before the test database is flushed."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "SECRET_KEY": "e2e-" + uuid.uuid4().hex * 2,
        "DEBUG": "False",
        "VAR_DIR": str(tmp_path / "var"),
        **E2E_SETTINGS,
    }
    procs = Processes(env=env, logdir=tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()
        failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else False
        if failed:
            print(procs.logs())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Lets the `processes` fixture print the workers' logs when a test failed.
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


class HttpClient:
    """A real HTTP client with cookies, like a browser without JavaScript."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        """Returns (status, final URL, body)."""
        data = None
        all_headers = {"Referer": self.base + path, **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers=all_headers
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode()

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/signin/")
        status, url, _ = self.request(
            "POST",
            "/signin/",
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.csrf_token(),
            },
        )
        assert status == 200 and "/signin/" not in url, (status, url)  # signed in: moved on

    def api(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        status, _, text = self.request(
            method, "/api/v1" + path, json_body=body, headers={"Authorization": f"Bearer {token}"}
        )
        return status, json.loads(text)


def bank_of(settings: Any, processes: Processes, *folders: str) -> Path:
    """A bank holding copies of `folders` (e.g. "backprop/linear-backward"), synced, and given to
    the site and the workers: an exercise being written elsewhere in exercises/ cannot break a
    test of another one (the copies have the same files, so the same versions)."""
    from catalog.services import exercises_sync

    root = Path(__file__).resolve().parents[2] / "exercises"
    bank = processes.logdir / "exercises"
    for folder in folders:
        shutil.copytree(root / folder, bank / folder)
    settings.EXERCISES_DIR = bank
    processes.env["EXERCISES_DIR"] = str(bank)
    exercises_sync(strict=True)
    return bank
