#!/usr/bin/env python3
"""End-to-end load test of the real stack on this machine (targets: docs/benchmarks.md#targets).

    python benchmarks/load.py                    # everything, ~3 minutes on 2 cores
    python benchmarks/load.py --skip-burst       # light load, throughput and breakdown only

Starts its own processes and stops them at the end (also on Ctrl-C or an error): a private
redis-server on a free port, a SQLite file database in a temporary folder (or $DATABASE_URL),
gunicorn (sized like `make run`, by config/gunicorn_conf.py), one Celery worker (concurrency 2)
and beat. Only 127.0.0.1 traffic. Then measures:

  (a) light load: sequential submissions through the JSON API, submit -> verdict seen by the
      client (p50/p95/p99);
  (b) sustained throughput: many simulated students (threads), each submitting and polling for
      its verdict in a loop for --duration seconds: code submissions completed end to end per s;
  (c) where the time goes: a breakdown per phase from the submissions' own timestamps
      (created -> queued -> started -> finished, and finished -> seen by the client);
  (d) a deadline burst: --burst submissions from --burst-students students within 10 s; all
      graded, none lost, none twice (graded_count == 1), the drain time, and the exercise page's
      latency (p50/p95) meanwhile.

Prints a Markdown table and writes the JSON to benchmarks/results/load-<time>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform as platform_module
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
EXERCISES = {
    "sigmoid-backward": ROOT / "exercises/backprop/sigmoid-backward",
    "linear-backward": ROOT / "exercises/backprop/linear-backward",
}
SOLUTIONS = {
    "sigmoid-backward": "correct_stable.py",
    "linear-backward": "correct_matmul.py",
}
FINAL = ("done", "error")
# Set on Ctrl-C, SIGTERM or the time limit: the client threads stop at their next step.
STOP = threading.Event()


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) in the values' unit; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values_s: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": _r(pct(ms, 50)),
        "p95_ms": _r(pct(ms, 95)),
        "p99_ms": _r(pct(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
        "mean_ms": _r(statistics.fmean(ms) if ms else None),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# -- the processes ---------------------------------------------------------------------------
class Stack:
    """The platform's processes, each in its own session, stopped in reverse order."""

    def __init__(
        self, workdir: Path, web_workers: int | None, web_threads: int | None, concurrency: int
    ) -> None:
        self.workdir = workdir
        self.concurrency = concurrency
        self.children: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        self.redis_port = free_port()
        self.web_port = free_port()
        bank = workdir / "exercises"
        for slug, folder in EXERCISES.items():
            shutil.copytree(folder, bank / folder.parent.name / slug)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": os.environ.get("DATABASE_URL")
            or f"sqlite:///{workdir / 'load.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": "load-" + uuid.uuid4().hex * 2,
            "DEBUG": "False",
            "SECURE_COOKIES": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EXERCISES_DIR": str(bank),
            # The benchmark's students submit far faster than the per-user limit allows.
            "SUBMISSION_RATE": "100000/60",
            "AXES_ENABLED": "False",
        }
        # Tuning knobs of the platform, passed through to try them (e.g. WORKER_NICE=19).
        for name in ("WORKER_NICE",):
            if name in os.environ:
                self.env[name] = os.environ[name]
        # The web's size is the site's own (config/gunicorn_conf.py) unless given.
        for name, value in (("WEB_WORKERS", web_workers), ("WEB_THREADS", web_threads)):
            if value is not None:
                self.env[name] = str(value)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        path = self.workdir / f"{name}.log"
        handle = open(path, "wb")  # noqa: SIM115 (lives as long as the process)
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children.append((name, proc, path))
        return proc

    def _wait(self, what: str, check: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if check():
                    return
            for name, proc, _ in self.children:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {proc.returncode}")
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")

    def start_redis(self) -> None:
        self._start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--loglevel",
                "warning",
            ],
        )
        import redis

        self._wait("redis-server", lambda: redis.Redis(port=self.redis_port).ping(), 20)

    def start_platform(self) -> None:
        celery = [str(BIN / "celery"), "--workdir", str(ROOT / "platform"), "-A", "config"]
        self._start(
            "worker",
            [
                *celery,
                "worker",
                "-Q",
                "grading,regrade,maintenance",
                "--concurrency",
                str(self.concurrency),
                "--loglevel",
                "INFO",
                "-n",
                f"load-{os.getpid()}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
        )
        self._start(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(self.workdir / "celerybeat"),
            ],
        )
        self._start(
            "web",
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "platform" / "config" / "gunicorn_conf.py"),
                "--chdir",
                str(ROOT / "platform"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--log-level",
                "warning",
                "--backlog",
                "2048",
            ],
        )
        worker_log = self.workdir / "worker.log"
        self._wait("the worker", lambda: worker_log.read_bytes().count(b" ready.") >= 1, 120)
        self._wait("the web server", lambda: http_get(self.base + "/healthz")[0] == 200, 60)

    def stop(self) -> None:
        for name, proc, _ in reversed(self.children):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop in 20 s: killing it")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system, reaped children included) of each process group so far.

        The sandbox's children are reaped by their zygote, so the worker's figure includes them.
        """
        tick = os.sysconf("SC_CLK_TCK")
        groups = {proc.pid: name for name, proc, _ in self.children if proc.poll() is None}
        totals = dict.fromkeys(groups.values(), 0.0)
        postgres = 0.0
        for process in _processes():
            # utime, stime, cutime, cstime: fields 14-17 (1-based; 12-15 after the name)
            if process.pgid in groups:
                totals[groups[process.pgid]] += sum(process.stat[11:15]) / tick
            elif process.command == "postgres":
                postgres += sum(process.stat[11:13]) / tick
        own = os.times()
        totals["load generator (this script)"] = own.user + own.system
        if "postgres" in self.env["DATABASE_URL"]:
            # A local server shares the 2 cores: count all of its processes (any database).
            totals["postgresql (server)"] = postgres
        return totals

    def worker_memory_mb(self) -> dict[str, float] | None:
        """Memory of the worker's process group (worker, pool, grader zygotes and children).

        `rss_sum` adds every process's resident set, so pages shared between them (the
        libraries of numpy and torch, a zygote's memory inherited by its children) count once
        per process; `pss_sum` divides each shared page among its sharers: the memory the
        group really holds.
        """
        worker = next((p for n, p, _ in self.children if n == "worker" and p.poll() is None), None)
        if worker is None:
            return None
        rss = pss = 0
        for process in _processes():
            if process.pgid != worker.pid:
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                rss += process.stat[21] * os.sysconf("SC_PAGE_SIZE")  # field 24: rss in pages
                for line in (process.path / "smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        return {"rss_sum": round(rss / 2**20), "pss_sum": round(pss / 2**20)}


@dataclass
class _Process:
    path: Path
    pgid: int
    command: str
    stat: list[int]  # /proc/PID/stat after the command name, as numbers (state as 0)


def _processes() -> Iterator[_Process]:
    """Every process alive now (those that vanish while being read are skipped)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            head, _, rest = (entry / "stat").read_text().rpartition(") ")
            fields = [0] + [int(f) for f in rest.split()[1:]]  # the state letter as 0
            yield _Process(entry, fields[2], head.split("(", 1)[1], fields)  # field 5: pgrp


# -- HTTP (one persistent connection per thread) ------------------------------------------------
_local = threading.local()


def _conn(base: str) -> http.client.HTTPConnection:
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "base", None) != base:
        netloc = urllib.parse.urlsplit(base).netloc
        conn = http.client.HTTPConnection(netloc, timeout=60)
        _local.conn, _local.base = conn, base
    return conn


def http_request(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse | None]:
    for attempt in (0, 1):
        conn = _conn(base)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                _local.conn = None
            return response.status, data, response
        except (http.client.HTTPException, OSError):
            conn.close()
            _local.conn = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def http_get(url: str) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    status, data, _ = http_request(f"{parts.scheme}://{parts.netloc}", "GET", parts.path)
    return status, data


class Api:
    def __init__(self, base: str) -> None:
        self.base = base

    def submit(self, token: str, slug: str, code: str) -> tuple[int, dict[str, Any]]:
        body = json.dumps({"exercise": slug, "code": code}).encode()
        status, data, _ = http_request(
            self.base,
            "POST",
            "/api/v1/submissions",
            body,
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
        )
        return status, json.loads(data or b"{}")

    def get(self, token: str, submission_id: int) -> tuple[int, dict[str, Any]]:
        status, data, _ = http_request(
            self.base,
            "GET",
            f"/api/v1/submissions/{submission_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        return status, json.loads(data or b"{}")

    def submit_and_wait(
        self, token: str, slug: str, code: str, poll: float, timeout: float = 60
    ) -> dict[str, Any]:
        started = time.perf_counter()
        status, created = self.submit(token, slug, code)
        posted = time.perf_counter()
        if status != 202:
            return {"ok": False, "status": status, "body": created}
        deadline = started + timeout
        while time.perf_counter() < deadline and not STOP.is_set():
            status, body = self.get(token, created["id"])
            if status == 200 and body["status"] in FINAL:
                seen = time.perf_counter()
                return {
                    "ok": True,
                    "id": created["id"],
                    "status": body["status"],
                    "verdict": body["verdict"],
                    "post_s": posted - started,
                    "total_s": seen - started,
                    "seen_wall": time.time(),
                }
            time.sleep(poll)
        return {"ok": False, "status": "timeout", "id": created["id"]}


# -- the database, read directly by this process ------------------------------------------------
def setup_django(env: dict[str, str]) -> None:
    os.environ.update({k: v for k, v in env.items() if k not in ("PATH", "HOME", "LANG")})
    for path in (str(ROOT / "platform"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def prepare_database(students: int) -> tuple[list[str], str]:
    """Migrations, the exercises, `students` students with an API token; and one with a
    password for the HTML pages. Returns (tokens, that student's username)."""
    from django.core.management import call_command

    from accounts.models import ApiToken, User
    from accounts.services import TOKEN_PREFIX, token_digest, user_create
    from catalog.services import exercises_sync
    from courses.models import Enrolment
    from courses.services import assign_all, course_ensure

    call_command("migrate", "--noinput", verbosity=0)
    if User.objects.filter(username__startswith="load-").exists():
        # Measuring on top of an earlier run's rows would not be the same measurement.
        raise RuntimeError(
            "this database already holds an earlier load run's students: give the script an "
            "empty one (dropdb, then createdb)"
        )
    call_command("collectstatic", "--noinput", verbosity=0)  # the pages' manifest storage
    result = exercises_sync(strict=True)
    log(f"synced exercises: {result}")
    users = User.objects.bulk_create(
        [
            # bulk_create skips User.save, which sets the unique username key: set it here
            # (an ASCII lower-case name is its own key: accounts/usernames.py).
            User(
                username=f"load-{i:04d}",
                username_key=f"load-{i:04d}",
                role=User.Role.STUDENT,
                password="!",
            )
            for i in range(students)
        ]
    )
    if users[0].pk is None:  # backends that do not return ids from bulk_create
        users = list(User.objects.filter(username__startswith="load-").order_by("username"))
    tokens, rows = [], []
    for user in users:
        token = TOKEN_PREFIX + uuid.uuid4().hex + uuid.uuid4().hex
        tokens.append(token)
        rows.append(ApiToken(user=user, name="load", prefix=token[:10], digest=token_digest(token)))
    ApiToken.objects.bulk_create(rows)
    browser = user_create(
        username="load-browser", password="load-browser-pass-42", role=User.Role.STUDENT
    )
    # Graded submissions need an assignment: one course publishes the whole bank to everyone.
    course = course_ensure(slug="load", title="Load test course")
    assign_all(course=course)
    Enrolment.objects.bulk_create(
        [Enrolment(course=course, user=user, role=Enrolment.Role.STUDENT) for user in users]
        + [Enrolment(course=course, user=browser, role=Enrolment.Role.STUDENT)]
    )
    return tokens, "load-browser"


def phases_for(ids: list[int]) -> dict[str, Any]:
    from submissions.models import Submission

    rows = Submission.objects.filter(pk__in=ids).values_list(
        "created_at", "queued_at", "started_at", "finished_at", "report"
    )
    waited, graded, total, engine, child = [], [], [], [], []
    # queued_at is stamped just before the INSERT (created_at during it): the publication after
    # the commit, the broker and the worker's pick-up all fall in queued -> started.
    for created, queued_at, started, finished, report in rows:
        if not (queued_at and started and finished):
            continue
        timings = (report or {}).get("timings") or {}
        if "total" in timings:
            engine.append(float(timings["total"]))
        if "run" in timings:
            child.append(float(timings["run"]))
        waited.append((started - queued_at).total_seconds())
        graded.append((finished - started).total_seconds())
        total.append((finished - created).total_seconds())
    return {
        "queued->started (publish + broker + worker pick-up)": summary_ms(waited),
        "started->finished (claim + grade + store)": summary_ms(graded),
        "created->finished (server side)": summary_ms(total),
        # Inside started->finished: the engine's own time, and the sandbox run within it.
        "engine grade() (report timings.total)": summary_ms(engine),
        "sandbox run of the student's code (timings.run)": summary_ms(child),
    }


def finished_times(ids: list[int]) -> dict[int, float]:
    from submissions.models import Submission

    return {
        pk: finished.timestamp()
        for pk, finished in Submission.objects.filter(pk__in=ids).values_list("pk", "finished_at")
        if finished
    }


# -- the scenarios ---------------------------------------------------------------------------
def light_load(api: Api, token: str, count: int, poll: float) -> dict[str, Any]:
    results, ids = [], []
    codes = {
        slug: (EXERCISES[slug] / "solutions" / SOLUTIONS[slug]).read_text() for slug in EXERCISES
    }
    # Warm-up: the first submission of each exercise builds its reference outputs (cold cache).
    for slug in EXERCISES:
        api.submit_and_wait(token, slug, codes[slug], poll)
    for i in range(count):
        slug = list(EXERCISES)[i % len(EXERCISES)]
        result = api.submit_and_wait(token, slug, codes[slug], poll)
        results.append(result)
        if result.get("id"):
            ids.append(result["id"])
        time.sleep(0.05)  # light load: one at a time, with a pause
    ok = [r for r in results if r["ok"] and r["verdict"] == "accepted"]
    seen_lag = []
    finished = finished_times(ids)
    for r in ok:
        if r["id"] in finished:
            seen_lag.append(max(0.0, r["seen_wall"] - finished[r["id"]]))
    return {
        "count": count,
        "accepted": len(ok),
        "poll_interval_ms": poll * 1000,
        "submit_to_verdict_seen": summary_ms([r["total_s"] for r in ok]),
        "post_request": summary_ms([r["post_s"] for r in ok]),
        "finished->seen by client (polling)": summary_ms(seen_lag),
        "phases": phases_for(ids),
    }


def throughput(
    api: Api, tokens: list[str], threads: int, duration: float, poll: float
) -> dict[str, Any]:
    code = (EXERCISES["sigmoid-backward"] / "solutions" / SOLUTIONS["sigmoid-backward"]).read_text()
    stop_at = time.perf_counter() + duration
    lock = threading.Lock()
    done: list[dict[str, Any]] = []
    failures: list[Any] = []

    def student(index: int) -> None:
        token = tokens[index % len(tokens)]
        while time.perf_counter() < stop_at and not STOP.is_set():
            result = api.submit_and_wait(token, "sigmoid-backward", code, poll)
            with lock:
                (done if result["ok"] else failures).append(result)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(student, range(threads)))
    elapsed = time.perf_counter() - started
    in_window = [r for r in done if r["status"] == "done"]
    ids = [r["id"] for r in in_window]
    return {
        "students": threads,
        "duration_s": round(elapsed, 1),
        "completed": len(in_window),
        "accepted": sum(r["verdict"] == "accepted" for r in in_window),
        "failed_or_refused": len(failures),
        "failures_sample": failures[:3],
        "completed_per_s": round(len(in_window) / elapsed, 1),
        "submit_to_verdict_seen": summary_ms([r["total_s"] for r in in_window]),
        "phases": phases_for(ids),
    }


def burst(
    stack: Stack,
    api: Api,
    tokens: list[str],
    total: int,
    students: int,
    seconds: float,
    page_user: str,
    drain_timeout: float,
) -> dict[str, Any]:
    from submissions.models import Submission

    code = (EXERCISES["sigmoid-backward"] / "solutions" / SOLUTIONS["sigmoid-backward"]).read_text()
    before = set(Submission.objects.values_list("pk", flat=True))
    # A signed-in browser reading the exercise page during the burst.
    cookie = sign_in(stack.base, page_user, "load-browser-pass-42")
    page_times: list[float] = []
    page_errors: list[int] = []
    api_page_times: list[float] = []
    stop_pages = threading.Event()

    def reader() -> None:
        while not stop_pages.is_set() and not STOP.is_set():
            t0 = time.perf_counter()
            status, _, _ = http_request(
                stack.base, "GET", "/exercises/sigmoid-backward/", headers={"Cookie": cookie}
            )
            (page_times if status == 200 else page_errors).append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            status, _, _ = http_request(
                stack.base,
                "GET",
                "/api/v1/exercises/sigmoid-backward",
                headers={"Authorization": f"Bearer {tokens[-1]}"},
            )
            if status == 200:
                api_page_times.append(time.perf_counter() - t0)
            time.sleep(0.1)

    page_thread = threading.Thread(target=reader, daemon=True)
    page_thread.start()

    accepted_ids: list[int] = []
    # From the moment submission i was due (its student pressed Submit) to its 202: what a
    # student waits for the page to say "queued", waiting for a free client thread included.
    waits: list[float] = []
    refused: list[Any] = []
    lock = threading.Lock()
    t_start = time.perf_counter()
    interval = seconds / total

    def send(i: int) -> None:
        # Paced: submission i leaves at i * interval, spread evenly over `seconds`.
        due = t_start + i * interval
        delay = due - time.perf_counter()
        if delay > 0 and STOP.wait(delay):
            return
        if STOP.is_set():
            return
        try:
            status, body = api.submit(tokens[i % students], "sigmoid-backward", code)
        except Exception as exc:
            status, body = 0, {"error": repr(exc)}
        with lock:
            if status == 202:
                accepted_ids.append(body["id"])
                waits.append(time.perf_counter() - due)
            else:
                refused.append((status, body))

    cpu_start = stack.cpu_seconds()
    with ThreadPoolExecutor(48) as pool:
        list(pool.map(send, range(total)))
    sent_s = time.perf_counter() - t_start
    cpu_sent = stack.cpu_seconds()
    log(f"burst: {len(accepted_ids)} accepted in {sent_s:.1f} s; draining")
    deadline = time.perf_counter() + drain_timeout
    pending = None
    while time.perf_counter() < deadline:
        pending = Submission.objects.filter(pk__in=accepted_ids).exclude(status__in=FINAL).count()
        if pending == 0:
            break
        time.sleep(0.25)
    drained_s = time.perf_counter() - t_start
    cpu_drained = stack.cpu_seconds()
    stop_pages.set()
    page_thread.join(timeout=30)

    rows = Submission.objects.exclude(pk__in=before)
    stats = list(
        rows.values_list(
            "pk",
            "status",
            "verdict",
            "graded_count",
            "claim_count",
            "message",
            "created_at",
            "finished_at",
        )
    )
    by_status: dict[str, int] = {}
    for _, status, *_rest in stats:
        by_status[status] = by_status.get(status, 0) + 1
    first_created = min(s[6] for s in stats) if stats else None
    last_finished = max((s[7] for s in stats if s[7]), default=None)
    return {
        "submissions": total,
        "students": students,
        "sent_in_s": round(sent_s, 1),
        "accepted_202": len(accepted_ids),
        "submit_pressed_to_202": summary_ms(waits),
        "refused": len(refused),
        "refused_sample": refused[:3],
        "rows_in_database": len(stats),
        "lost (202 but no row)": len(set(accepted_ids) - {s[0] for s in stats}),
        "by_status": by_status,
        "accepted_verdicts": sum(s[2] == "accepted" for s in stats),
        "graded_count_not_1": sum(s[3] != 1 for s in stats),
        "claimed_more_than_once": sum(s[4] > 1 for s in stats),
        "still_pending": pending,
        "drained_s (first sent -> all final, client clock)": round(drained_s, 1),
        "drained_s (server: first created -> last finished)": round(
            (last_finished - first_created).total_seconds(), 1
        )
        if first_created and last_finished
        else None,
        "graded_per_s": round(len(stats) / drained_s, 1) if drained_s else None,
        # Where the 2 cores went while the POSTs were being accepted, and until the drain.
        "cpu_s_while_sending": _cpu_delta(cpu_start, cpu_sent),
        "cpu_s_until_drained": _cpu_delta(cpu_start, cpu_drained),
        "web_cpu_ms_per_accepted_post": round(
            (cpu_sent.get("web", 0) - cpu_start.get("web", 0)) * 1000 / max(1, len(accepted_ids)),
            1,
        ),
        "exercise_page_html": summary_ms(page_times),
        "exercise_page_html_errors": len(page_errors),
        "exercise_api_get": summary_ms(api_page_times),
        "phases": phases_for([s[0] for s in stats]),
    }


def _cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 1) for name in after}


def sign_in(base: str, username: str, password: str) -> str:
    """A session cookie for the HTML pages (through the real sign-in form)."""
    status, body, response = http_request(base, "GET", "/signin/")
    cookies = _cookies(response)
    csrf = cookies["csrftoken"]
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    status, body, response = http_request(
        base,
        "POST",
        "/signin/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": base + "/signin/",
        },
    )
    cookies.update(_cookies(response))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"sign-in failed: {status} {body[:200]!r}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response: http.client.HTTPResponse | None) -> dict[str, str]:
    out = {}
    for header in response.headers.get_all("Set-Cookie") or [] if response else []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


# -- the report --------------------------------------------------------------------------------
def table(results: dict[str, Any]) -> str:
    rows = ["| what | measured | target |", "|---|---|---|"]
    light = results.get("light")
    if light:
        s = light["submit_to_verdict_seen"]
        rows.append(
            f"| (a) submit -> verdict seen, light load, {s['n']} sequential API submissions "
            f"(poll {light['poll_interval_ms']:.0f} ms) | p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
            f"p99 {s['p99_ms']} ms | p50 <= 150 ms, p99 <= 1 s |"
        )
        srv = light["phases"]["created->finished (server side)"]
        rows.append(
            f"| (a) the same, server side (created -> finished) | p50 {srv['p50_ms']} ms, "
            f"p95 {srv['p95_ms']} ms | |"
        )
    tp = results.get("throughput")
    if tp:
        s = tp["submit_to_verdict_seen"]
        rows.append(
            f"| (b) sustained, {tp['students']} students in a closed loop for {tp['duration_s']} s "
            f"| **{tp['completed_per_s']} code submissions/s** completed end to end "
            f"(p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms; {tp['failed_or_refused']} failed) "
            f"| >= 40/s |"
        )
    if tp and tp.get("cpu_ms_per_submission"):
        cells = [f"{k} {v}" for k, v in tp["cpu_ms_per_submission"].items()]
        rows.append(f"| (c) CPU ms per completed submission, sustained | {'; '.join(cells)} | |")
    for name, key in (("light", "light"), ("sustained", "throughput"), ("burst", "burst")):
        part = results.get(key)
        if not part:
            continue
        cells = []
        for phase, s in part["phases"].items():
            cells.append(f"{phase.split(' (')[0]} p50 {s['p50_ms']} / p95 {s['p95_ms']}")
        rows.append(f"| (c) phases, {name} (ms) | {'; '.join(cells)} | |")
    b = results.get("burst")
    if b:
        page = b["exercise_page_html"]
        rows.append(
            f"| (d) burst: {b['submissions']} submissions from {b['students']} students, "
            f"sent in {b['sent_in_s']} s | {b['accepted_202']} accepted, {b['refused']} refused, "
            f"{b['lost (202 but no row)']} lost, statuses {b['by_status']}, "
            f"graded_count != 1: {b['graded_count_not_1']}; "
            f"drained in {b['drained_s (first sent -> all final, client clock)']} s "
            f"({b['graded_per_s']}/s) | all graded once, drained <= 60 s |"
        )
        w = b["submit_pressed_to_202"]
        rows.append(
            f"| (d) a student's wait from pressing Submit to the 202, during the burst "
            f"| p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms, max {w['max_ms']} ms | |"
        )
        sending = "; ".join(f"{k} {v}" for k, v in b["cpu_s_while_sending"].items())
        rows.append(
            f"| (d) CPU seconds while the burst was being sent ({b['sent_in_s']} s) | {sending} "
            f"(web {b['web_cpu_ms_per_accepted_post']} ms per accepted POST) | |"
        )
        rows.append(
            f"| (d) exercise page during the burst (HTML, signed in; {page['n']} requests) "
            f"| p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms, max {page['max_ms']} ms "
            f"(API GET p95 {b['exercise_api_get']['p95_ms']} ms) | server p50 <= 25 ms |"
        )
    memory = results.get("worker_memory_mb")
    if memory:
        rows.append(
            f"| worker + pool + grader zygotes, resident (after the sustained run) | "
            f"PSS {memory['pss_sum']} MB (RSS summed over processes {memory['rss_sum']} MB) "
            f"| <= 1 GiB |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--light", type=int, default=40, help="sequential submissions (a)")
    parser.add_argument("--students", type=int, default=16, help="concurrent students (b)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of (b)")
    parser.add_argument("--burst", type=int, default=2000, help="submissions in the burst (d)")
    parser.add_argument("--burst-students", type=int, default=500)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument("--poll", type=float, default=0.01, help="client poll interval, light (s)")
    parser.add_argument(
        "--students-poll", type=float, default=0.25, help="client poll interval, (b) (s)"
    )
    parser.add_argument(
        "--web-workers", type=int, help="gunicorn processes (default: config/gunicorn_conf.py's)"
    )
    parser.add_argument("--web-threads", type=int, help="threads per gunicorn process (idem)")
    parser.add_argument("--concurrency", type=int, default=2, help="the Celery worker's processes")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--time-limit", type=float, default=900, help="abort after this many s")
    args = parser.parse_args()

    if not shutil.which("redis-server"):
        log("redis-server is not installed (scripts/bootstrap.sh installs it)")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="deepgrade-load-"))
    stack = Stack(workdir, args.web_workers, args.web_threads, args.concurrency)

    def on_signal(signum: int, _frame: object) -> None:
        STOP.set()
        raise KeyboardInterrupt(f"signal {signum}")

    def on_alarm(_signum: int, _frame: object) -> None:
        STOP.set()
        raise TimeoutError(f"the benchmark ran past --time-limit {args.time_limit:.0f} s")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.time_limit))
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform_module.python_version(),
            "kernel": platform_module.release(),
            "load_avg_at_start": os.getloadavg(),
        },
        "setup": {k: v for k, v in vars(args).items()},
        "database": "postgresql" if "postgres" in stack.env["DATABASE_URL"] else "sqlite",
    }
    status = 1
    try:
        stack.start_redis()
        setup_django(stack.env)
        tokens, page_user = prepare_database(max(args.burst_students, args.students, 1))
        log(f"{len(tokens)} students; starting worker, beat, gunicorn (logs in {workdir})")
        stack.start_platform()
        api = Api(stack.base)
        log("(a) light load")
        results["light"] = light_load(api, tokens[0], args.light, args.poll)
        log("(b) sustained throughput")
        cpu_before = stack.cpu_seconds()
        results["throughput"] = throughput(
            api, tokens[1:], args.students, args.duration, args.students_poll
        )
        cpu_after = stack.cpu_seconds()
        completed = max(1, results["throughput"]["completed"])
        results["throughput"]["cpu_ms_per_submission"] = {
            name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / completed, 1)
            for name in cpu_after
        }
        results["worker_memory_mb"] = stack.worker_memory_mb()
        if not args.skip_burst:
            log("(d) deadline burst")
            results["burst"] = burst(
                stack,
                api,
                tokens,
                args.burst,
                args.burst_students,
                args.burst_seconds,
                page_user,
                args.drain_timeout,
            )
        status = 0
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    except Exception as exc:
        log(f"failed: {exc!r} (logs in {workdir})")
        results["error"] = repr(exc)
    finally:
        signal.alarm(0)
        STOP.set()
        results["load_avg_at_end"] = os.getloadavg()
        stack.stop()
        from django import db

        with contextlib.suppress(Exception):
            db.connections.close_all()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    log(f"wrote {out}")
    if status == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
