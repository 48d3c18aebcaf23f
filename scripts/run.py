#!/usr/bin/env python3
"""`make run`: the whole platform on this machine, in the foreground; Ctrl-C stops it all.

Starts, in order: a private redis-server on a free port (never the system's 6379), the
database migrations, the exercise sync, the demo users, the Celery workers (which start the
sandboxed grader: see `workers`), celery beat (the sweeper) and the web server (gunicorn).
Prints the URL and the demo sign-in once the site answers.

Settings come from the environment like in production (config/settings.py), with what a
local run needs filled in: a secret key generated once into var/, cookies allowed over plain
HTTP on localhost, DEBUG off. Any variable already set in the environment wins. What it set
is saved in var/make-run.json, where manage.py finds it: other management commands need no
exports (manage.py, `make_run_settings`).

Ctrl-C, `kill -INT PID` and `kill PID` (SIGTERM) stop every process it started, each whole
process group, in reverse order (`Supervisor`). Uses only the standard library plus the packages
of requirements.txt.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR = Path(os.environ.get("VAR_DIR", ROOT / "var"))
PY = sys.executable
BIN = Path(PY).parent
GUNICORN_CONF = ROOT / "platform" / "config" / "gunicorn_conf.py"  # the web's size


def log(message: str) -> None:
    print(f"[run] {message}", flush=True)


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    if preferred:
        with socket.socket() as sock:
            try:
                sock.bind((host, preferred))
                return preferred
            except OSError:
                log(f"port {preferred} is taken; using a free one")
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def secret_key_file() -> str:
    """var/secret_key, made once with a random key (mode 0600)."""
    path = VAR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return str(path)


class Stopping(Exception):
    """A stop was asked (SIGINT or SIGTERM): unwind to the orderly stop."""


def _die_with_parent() -> None:
    """In each child, before it execs: SIGTERM when this supervisor dies, even by SIGKILL, so
    that no child outlives a run that could not stop it (Linux's PR_SET_PDEATHSIG)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None


class Supervisor:
    """Every process of the run in its own session (process group), stopped in reverse order.

    SIGINT and SIGTERM only record the request (`on_signal`); the main thread notices it at its
    next `checkpoint`, within a fraction of a second. Raising from the handler instead could land
    between starting a child and recording it, and that child would outlive the run. A child gets
    its own process group so that a terminal's Ctrl-C (sent to the foreground group) reaches only
    this supervisor, which stops the children in order (web first, Redis last, so that a worker can
    still give back its message), each whole group, its own children (pool processes, gunicorn's
    workers) included.
    """

    GRACE = 15.0  # seconds a child gets to stop before it is killed

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[Any]]] = []
        self.signal: int | None = None
        self.stopping = False

    def on_signal(self, signum: int, _frame: object) -> None:
        if self.signal is None:
            self.signal = signum
        elif self.stopping:
            log("already stopping: every process gets its grace period, then is killed")

    def checkpoint(self) -> None:
        if self.signal is not None:
            raise Stopping

    def start(
        self, name: str, argv: list[str], env: dict[str, str], **popen: Any
    ) -> subprocess.Popen[Any]:
        self.checkpoint()
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent, **popen
        )
        self.children.append((name, proc))
        return proc

    def run_step(self, name: str, argv: list[str], env: dict[str, str], capture: bool = False) -> str:
        """A set-up step (migrate, sync...) as a child like the others, so that a stop asked
        meanwhile stops it too; its output if `capture`. CalledProcessError if it fails."""
        proc = self.start(name, argv, env, stdout=subprocess.PIPE if capture else None, text=True)
        while True:
            try:
                out, _ = proc.communicate(timeout=0.2)  # retried: no output is lost
                break
            except subprocess.TimeoutExpired:
                self.checkpoint()
        self.children.remove((name, proc))
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, argv)
        return out or ""

    def stop_all(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                log(f"stopping {name}")
                _signal_group(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=self.GRACE)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop in {self.GRACE:.0f} s: killing it")
                    _signal_group(proc.pid, signal.SIGKILL)
                    proc.wait()
            # What the group leader started and left behind goes with it.
            if not _group_gone(proc.pid, timeout=5):
                log(f"{name} left processes behind: killing them")
                _signal_group(proc.pid, signal.SIGKILL)

    def watch(self) -> int:
        while True:
            self.checkpoint()
            for name, proc in self.children:
                code = proc.poll()
                if code is not None:
                    log(f"{name} exited with status {code}: stopping everything")
                    return 1
            time.sleep(0.2)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(pgid, signum)


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(group) == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# Students' submissions, instructors' regrades (which step back while students wait:
# platform/submissions/tasks.py) and the sweepers.
GRADING_QUEUES = "grading,regrade,maintenance"
# Instructors' validations of exercise drafts (settings.VALIDATION_QUEUE) have a worker of their
# own, of ONE pool process, at the lowest CPU priority. A validation runs a draft's reference,
# starter and solutions for two seeds: minutes if the reference is slow. When validations shared
# the grading worker's processes, two of them on references sleeping 20 s per call took both, and
# a student's practice run was still not graded after 45 s. Apart, validations
# queue behind one another (one at a time per author: authoring.selectors) and never take a
# grading process: with two such validations under way, a practice run and a graded submission
# were graded in 0.2 s and 0.1 s (tests/e2e/test_validation_isolation.py, 2 cores). At nice 19
# against the worker's 10 (WORKER_NICE), a validation that computes gets ~13% of a core that a
# grading also wants (measured: 0.54 s of CPU against 3.57 s over 4 s on one core). The cost:
# one more worker process and its sandbox zygotes, ~310 MB (PSS), and a superseded validation
# is stopped by killing its pool process, so the next one waits for a fresh one (2-7 s).
VALIDATION_QUEUES = "validation"
VALIDATOR_CONCURRENCY = "1"
VALIDATOR_NICE = "19"


def workers(celery: list[str], env: dict[str, str]) -> list[tuple[str, list[str], dict[str, str]]]:
    """The Celery workers of `make run`: (name, argv, environment) for each.

    Also how the end-to-end check of validation isolation starts them
    (tests/e2e/test_validation_isolation.py), so it measures what `make run` runs.
    """
    concurrency = env.get("WORKER_CONCURRENCY", "2")
    return [
        (
            "worker",
            [*celery, "worker", "-Q", GRADING_QUEUES, "--concurrency", concurrency,
             "--loglevel", "INFO",
             # A stable node name: after a crash, the next `make run`'s worker re-queues at
             # start what this one was grading (submissions/tasks.py).
             "-n", "worker@%h"],
            env,
        ),
        (
            "validator",
            [*celery, "worker", "-Q", VALIDATION_QUEUES, "--concurrency", VALIDATOR_CONCURRENCY,
             "--loglevel", "INFO", "-n", "validator@%h"],
            # The worker lowers its own priority (and its session's) to WORKER_NICE at start
            # (submissions/tasks.py), and its sandbox runs inherit it.
            {**env, "WORKER_NICE": VALIDATOR_NICE},
        ),
    ]


def wait_for(
    what: str, check: object, timeout: float = 60.0, checkpoint: Any = lambda: None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checkpoint()  # a stop asked meanwhile is not kept waiting
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"[run] {what} did not come up within {timeout:.0f} s")


def mail_note(env: dict[str, str]) -> str:
    """Where this run's e-mails (password resets, sign-up confirmations) go, for the banner."""
    if env["EMAIL_BACKEND"].endswith(".console.EmailBackend"):
        return "  E-mails (password resets, sign-up links) are not sent: they appear in this log.\n"
    return f"  E-mails go out through {env.get('EMAIL_HOST', 'localhost')} (EMAIL_BACKEND).\n"


# Where `make run` leaves the settings it gave its processes, for manage.py (see its
# `make_run_settings`): other commands then need no exports while it runs, or after.
MAKE_RUN_SETTINGS = "make-run.json"


def save_settings(env: dict[str, str]) -> None:
    """The variables this run set itself (not those inherited), in VAR/make-run.json (0600)."""
    chosen = {
        name: value
        for name, value in env.items()
        if os.environ.get(name) != value and name not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")
    }
    path = VAR / MAKE_RUN_SETTINGS
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"written_by": "scripts/run.py", "env": chosen}, handle, indent=1)


def overcommit_note() -> None:
    """Redis warns at start when the host's vm.overcommit_memory is not 1. Say once why it does
    not matter here (docs/operations.md#the-log-at-start-up): it is a host setting this script
    does not change, and it matters when Redis forks to save, which this one never does."""
    try:
        value = Path("/proc/sys/vm/overcommit_memory").read_text().strip()
    except OSError:
        return
    if value != "1":
        log("Redis's 'Memory overcommit' warning does not matter here: this Redis never saves "
            "to disk (docs/operations.md)")


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    redis_port = free_port(int(os.environ.get("REDIS_PORT", "0")) or None)
    host = os.environ.get("HOST", "127.0.0.1")
    web_port = free_port(int(os.environ.get("PORT", "8000")), host)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(VAR),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    env.setdefault("DEBUG", "False")
    env.setdefault("SECURE_COOKIES", "False")  # plain HTTP on localhost
    env.setdefault("ALLOWED_HOSTS", f"localhost,127.0.0.1,{host}")
    # No mail server here: password resets and sign-up confirmations are printed by the web
    # server, in this log (the banner says so).
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    if not env.get("SECRET_KEY") and not env.get("SECRET_KEY_FILE"):
        # A file, not the value: the key stays out of every child's environment (ps e).
        env["SECRET_KEY_FILE"] = secret_key_file()

    save_settings(env)

    sup = Supervisor()
    # A terminal's Ctrl-C, `kill -INT` or `kill` (TERM) on this process: the same orderly stop.
    # (`make` passes a TERM on to this script, but waits for it on an INT it did not get from
    # a terminal: from another terminal, signal this script's pid, which the banner prints.)
    signal.signal(signal.SIGINT, sup.on_signal)
    signal.signal(signal.SIGTERM, sup.on_signal)
    try:
        log(f"redis-server on 127.0.0.1:{redis_port} (private to this run)")
        sup.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(VAR), "--loglevel", "warning"],
            env,
        )
        import redis

        wait_for("redis-server", lambda: redis.Redis(port=redis_port).ping(), 20, sup.checkpoint)
        overcommit_note()

        manage = [PY, str(ROOT / "manage.py")]
        for step in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"],
                     ["sync_exercises"]):
            log("manage.py " + " ".join(step))
            sup.run_step(step[0], [*manage, *step], env)
        demo = sup.run_step("create_demo_users", [*manage, "create_demo_users", "--api-token"], env,
                            capture=True)

        celery = [str(BIN / "celery"), "--workdir", str(ROOT / "platform"), "-A", "config"]
        for name, argv, worker_env in workers(celery, env):
            sup.start(name, argv, worker_env)
        sup.start("beat", [*celery, "beat", "--loglevel", "WARNING",
                           "-s", str(VAR / "celerybeat-schedule")], env)
        sup.start("web", [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF),
                          "--chdir", str(ROOT / "platform"), "config.wsgi",
                          "-b", f"{host}:{web_port}", "--access-logfile", "-",
                          "--log-level", "warning"],
                  env)
        url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{web_port}/"
        wait_for("the web server", lambda: urllib.request.urlopen(url + "healthz", timeout=2).status == 200,
                 checkpoint=sup.checkpoint)
        print(
            "\n"
            f"  deepgrade is running at {url}\n"
            "  Sign in with:\n"
            f"{demo}"
            f"  API: curl -H 'Authorization: Bearer <token>' {url}api/v1/exercises\n"
            f"{mail_note(env)}"
            "  Management commands use this run's settings by themselves, e.g.\n"
            f"    {PY} manage.py create_api_token student --name laptop --days 30\n"
            f"  Ctrl-C stops everything (from elsewhere: kill -INT {os.getpid()}, or kill {os.getpid()}).\n",
            flush=True,
        )
        return sup.watch()
    except Stopping:
        print(flush=True)
        log(f"{signal.Signals(sup.signal or signal.SIGINT).name}: stopping everything")
        return 0
    except subprocess.CalledProcessError as exc:
        log(f"{' '.join(map(str, exc.cmd[1:3]))} failed with status {exc.returncode}")
        return 1
    finally:
        sup.stop_all()


if __name__ == "__main__":
    sys.exit(main())
