"""`make run` (scripts/run.py) stops every process it started on SIGTERM and on SIGINT sent to
its pid, not only on a terminal's Ctrl-C: redis-server, the workers and their pool processes,
beat, gunicorn and its workers. Killed outright (SIGKILL), it cannot stop them itself: the
kernel then sends each child a SIGTERM (PR_SET_PDEATHSIG), so that none outlives it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.platform.conftest import write_code_exercise

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every live (not zombie) process below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if state != "Z":
            parents[int(stat.parent.name)] = int(ppid)
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            living.add(pid)
    return living


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"]
)
def test_a_signal_to_run_py_stops_every_process_it_started(
    tmp_path: Path, signum: signal.Signals
) -> None:
    bank = tmp_path / "exercises"
    write_code_exercise(bank)  # one small exercise: a quick sync
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        "EXERCISES_DIR": str(bank),
        "PORT": str(port),
        "REDIS_PORT": str(free_port()),
        "WORKER_CONCURRENCY": "1",
        "WEB_WORKERS": "1",
        "DEMO_PASSWORD": "demo-password-for-the-test",
    }
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # like a terminal's job: nothing here signals it but the test
    )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while not answers(f"http://127.0.0.1:{port}/healthz"):
            assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the site did not answer in 180 s"
            time.sleep(0.5)
        # Both workers up, their pool processes with their sandbox zygotes started: the whole
        # tree that a stop must take down.
        while (tmp_path / "run.log").read_text(errors="replace").count(" ready.") < 2:
            assert time.monotonic() < deadline, "the workers were not ready in 180 s"
            time.sleep(0.5)
        started = descendants(run.pid)
        # redis, worker (+ its pool process), validator (+ 1), beat, gunicorn (+ 1 worker).
        assert len(started) >= 8, started

        run.send_signal(signum)
        # An orderly stop waits for each process in turn; after a SIGKILL they stop together.
        assert run.wait(timeout=60) == (-signal.SIGKILL if signum == signal.SIGKILL else 0)
        deadline = time.monotonic() + (30 if signum == signal.SIGKILL else 5)
        while alive(started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(started) == set(), (tmp_path / "run.log").read_text()[-3000:]
        assert not answers(f"http://127.0.0.1:{port}/healthz")
        if signum != signal.SIGKILL:
            assert f"{signum.name}: stopping everything" in (tmp_path / "run.log").read_text()
    finally:  # only does something if the test failed half-way
        leftovers = alive(started | descendants(run.pid))
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()
