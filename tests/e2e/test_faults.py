"""Faults with real processes: Redis stopped and restarted while students
keep submitting, the database unreachable for the worker, the grader's zygote killed mid-grade,
an exercise whose reference crashes, and two workers sharing one queue.

After each: every submission ends in a final state (done, or error with a message), and none is
counted twice in the gradebook (graded_count <= 1). These tests use their own redis-server (the
session's is shared with other tests and must not be stopped). The faults and what each must
leave behind: docs/operations.md#faults-and-what-happens; the guarantees they check:
docs/architecture.md#reliability.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from accounts.models import User
from accounts.services import api_token_create
from catalog.models import ExerciseAlert
from catalog.services import exercises_sync
from submissions.models import Submission
from tests.e2e.conftest import HttpClient, Processes, free_port, student_in_course, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SIGMOID = ROOT / "exercises" / "backprop" / "sigmoid-backward"
CORRECT = (SIGMOID / "solutions" / "correct_stable.py").read_text()
POISONED = "poisoned-sigmoid"

# Faster than conftest's E2E_SETTINGS: a submission whose message was lost is republished 2 s
# after it was queued, and the engine's "internal error" is retried once only.
FAULT_SETTINGS = {"SWEEP_QUEUED_AFTER": "2", "SWEEP_INTERVAL": "1", "GRADING_MAX_RETRIES": "1"}


class RedisServer:
    """A private redis-server that a test may stop and start again on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until("redis-server", lambda: redis.Redis(port=self.port).ping(), 20)

    def stop(self) -> None:
        """Stopped hard, as a crashed server: its queue (no persistence here) is lost."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (make test installs it: scripts/bootstrap.sh)")
    server = RedisServer(tmp_path_factory.mktemp("own-redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(own_redis: RedisServer) -> str:
    """Overrides conftest's session-wide redis for this module: `broker` and the workers use it."""
    return own_redis.url


@pytest.fixture
def student(settings: Any, processes: Processes) -> User:
    bank = processes.logdir / "exercises"
    shutil.copytree(SIGMOID, bank / "backprop" / "sigmoid-backward")
    # A copy whose reference crashes on every instance: the platform's fault, not the student's.
    poisoned = bank / "backprop" / POISONED
    shutil.copytree(SIGMOID, poisoned)
    toml = (poisoned / "exercise.toml").read_text()
    (poisoned / "exercise.toml").write_text(
        toml.replace('slug = "sigmoid-backward"', f'slug = "{POISONED}"', 1)
    )
    (poisoned / "reference.py").write_text(
        (poisoned / "reference.py").read_text() + "\n\ndef sigmoid_backward(*args, **kwargs):\n"
        "    raise RuntimeError('the reference is broken')\n"
    )
    settings.EXERCISES_DIR = bank
    settings.SUBMISSION_RATE = (1000, 60)  # the live server runs in this process
    processes.env.update(FAULT_SETTINGS, EXERCISES_DIR=str(bank))
    result = exercises_sync()
    assert POISONED in result.created and "sigmoid-backward" in result.created, result
    return student_in_course(username="fault-student", password=None)


def submit(
    client: HttpClient, token: str, code: str = CORRECT, slug: str = "sigmoid-backward"
) -> int:
    status, body = client.api("POST", "/submissions", token, {"exercise": slug, "code": code})
    assert status == 202, (status, body)
    return int(body["id"])


def wait_all_final(ids: list[int], timeout: float) -> list[Submission]:
    wait_until(
        f"{len(ids)} submissions to end",
        lambda: (
            not Submission.objects.filter(pk__in=ids).exclude(status__in=("done", "error")).exists()
        ),
        timeout,
    )
    return list(Submission.objects.filter(pk__in=ids))


def assert_final_once(rows: list[Submission]) -> None:
    for row in rows:
        assert row.status in ("done", "error"), (row.pk, row.status)
        assert row.message or (row.status == "done" and row.verdict), (row.pk, row.status)
        assert row.graded_count <= 1, (row.pk, row.graded_count)
        if row.status == "done":
            assert row.graded_count == 1, (row.pk, row.graded_count)


def zygote_pids(worker: subprocess.Popen[bytes], framework: str = "numpy") -> list[int]:
    """The worker's grader zygotes (in the worker's process group; their children are not)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if os.getpgid(int(entry.name)) != worker.pid:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if not (
                any(b"graders.sandbox.zygote" in a for a in argv) and framework.encode() in argv
            ):
                continue
            # The zygote's parent is the pool process; a child it just forked has a zygote parent.
            ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            if b"graders.sandbox.zygote" not in Path(f"/proc/{ppid}/cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def test_redis_down_and_back_loses_nothing(
    live_server: Any, processes: Processes, student: User, own_redis: RedisServer, settings: Any
) -> None:
    # As in production, the live server's cache (the rate limit's counters) is that Redis too.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
        }
    }
    processes.worker("worker")
    processes.beat()
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    before = [submit(client, token) for _ in range(3)]
    assert all(r.verdict == "accepted" for r in wait_all_final(before, 30))

    own_redis.stop()
    during, slowest = [], 0.0
    outage_started = time.monotonic()
    while time.monotonic() - outage_started < 20:  # students keep submitting for 20 s
        t0 = time.perf_counter()
        during.append(submit(client, token))  # accepted (202) and stored, never a 500
        slowest = max(slowest, time.perf_counter() - t0)
        time.sleep(0.5)
    print(f"slowest submission accepted while Redis was down: {slowest * 1000:.0f} ms")
    assert len(during) >= 14
    assert slowest < 5, f"a submission took {slowest:.1f} s to be accepted while Redis was down"
    stored = Submission.objects.filter(pk__in=during)
    assert stored.count() == len(during)
    assert set(stored.values_list("status", flat=True)) == {"queued"}

    own_redis.start()  # empty: the messages published before the crash are gone too
    after = [submit(client, token) for _ in range(3)]
    rows = wait_all_final(before + during + after, 60)
    assert_final_once(rows)
    assert all((r.status, r.verdict) == ("done", "accepted") for r in rows)
    assert all(r.claim_count == 1 for r in rows)


def test_grader_killed_mid_grade_is_restarted_and_runs_again(
    live_server: Any, processes: Processes, student: User
) -> None:
    _name, worker = processes.worker("worker")
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    slow = "import time\ntime.sleep(2.5)\n\n" + CORRECT
    pk = submit(client, token, slow)
    wait_until("grading to start", lambda: Submission.objects.get(pk=pk).status == "running", 30)
    time.sleep(0.8)  # inside the sandbox now
    zygotes = zygote_pids(worker)
    assert len(zygotes) == 1, zygotes
    os.kill(zygotes[0], signal.SIGKILL)

    (row,) = wait_all_final([pk], 40)
    assert (row.status, row.verdict, row.graded_count, row.claim_count) == (
        "done",
        "accepted",
        1,
        1,
    )
    # The engine saw its grader die, restarted it and ran the submission again (once).
    assert "restarting it" in (processes.logdir / "worker.log").read_text()
    wait_until("a new zygote", lambda: zygote_pids(worker) and zygote_pids(worker) != zygotes, 20)
    # The same pool process goes on grading with its new zygote.
    (next_row,) = wait_all_final([submit(client, token)], 30)
    assert (next_row.verdict, next_row.graded_count) == ("accepted", 1)


def test_poisoned_exercise_is_could_not_be_graded_and_harms_nothing_else(
    live_server: Any, processes: Processes, student: User
) -> None:
    processes.worker("worker")
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    poisoned = [submit(client, token, slug=POISONED) for _ in range(2)]
    healthy = [submit(client, token) for _ in range(4)]
    rows = {r.pk: r for r in wait_all_final(poisoned + healthy, 60)}
    assert_final_once(list(rows.values()))
    for pk in poisoned:
        row = rows[pk]
        assert (row.status, row.verdict, row.graded_count) == ("error", "internal_error", 0)
        assert (row.score, row.max_score) == (None, None)
        assert "could not be graded" in row.message.lower(), row.message
        assert not row.counts_as_attempt
    for pk in healthy:
        assert (rows[pk].status, rows[pk].verdict) == ("done", "accepted")
    status, body = client.api("GET", f"/submissions/{poisoned[0]}", token)
    assert status == 200 and body["status"] == "error" and body["score"] is None
    assert "could not be graded" in body["message"].lower()
    # The instructors are alerted once, with the count of submissions it failed.
    (alert,) = ExerciseAlert.objects.filter(exercise__slug=POISONED)
    assert alert.count == len(poisoned) and alert.resolved_at is None
    assert "the reference is broken" in alert.message
    assert not ExerciseAlert.objects.exclude(exercise__slug=POISONED).exists()


def test_two_workers_share_the_queue_without_grading_twice(
    live_server: Any, processes: Processes, student: User
) -> None:
    first, _ = processes.worker("first")
    second, _ = processes.worker("second")
    client = HttpClient(live_server.url)
    token = api_token_create(user=student)[1]
    # Each grading takes > 0.1 s, longer than a POST: both workers are busy at once.
    slowish = "import time\ntime.sleep(0.1)\n\n" + CORRECT
    ids = [submit(client, token, slowish) for _ in range(50)]
    rows = wait_all_final(ids, 60)
    assert_final_once(rows)
    assert all(
        (r.status, r.verdict, r.graded_count, r.claim_count) == ("done", "accepted", 1, 1)
        for r in rows
    )
    assert {r.worker for r in rows} == {first, second}, "both workers took a share"


class TcpProxy:
    """A TCP relay between the worker and PostgreSQL that the test can cut and restore.

    Cut: every open connection is closed and new ones are refused, as when the database host
    becomes unreachable or restarts; restore: connections go through again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.open = threading.Event()
        self.open.set()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open.clear()
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.cut()
        self._server.close()


def test_database_unreachable_for_the_worker_loses_nothing(
    live_server: Any, processes: Processes, student: User
) -> None:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs PostgreSQL (CI sets DATABASE_URL): a SQLite file cannot be cut off")
    proxy = TcpProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    try:
        url = urllib.parse.urlsplit(processes.env["DATABASE_URL"])
        netloc = url.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"
        processes.env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(netloc=netloc))
        processes.worker("worker")
        processes.beat()
        client = HttpClient(live_server.url)
        token = api_token_create(user=student)[1]
        (warm,) = wait_all_final([submit(client, token)], 60)
        assert warm.verdict == "accepted"

        proxy.cut()  # the worker loses its connection mid-way and cannot reconnect for 10 s
        during = [submit(client, token) for _ in range(5)]
        time.sleep(10)
        assert Submission.objects.filter(pk__in=during, status="done").count() == 0
        proxy.restore()

        rows = wait_all_final(during, 90)
        assert_final_once(rows)
        assert all((r.status, r.verdict, r.graded_count) == ("done", "accepted", 1) for r in rows)
        (after,) = wait_all_final([submit(client, token)], 30)
        assert (after.verdict, after.graded_count) == ("accepted", 1)
    finally:
        proxy.close()
