#!/usr/bin/env python3
"""`make run`: the whole platform on this machine, in the foreground; Ctrl-C stops it all.

Starts, in order: a private redis-server on a free port (never the system's 6379), the
database migrations, the exercise sync, the demo users, the Celery workers (which start the
sandboxed grader: see `workers`), celery beat (the sweeper) and the web server (gunicorn).
Prints the URL and the demo sign-in once the site answers.

Settings come from the environment like in production (config/settings.py), with what a
local run needs filled in: a secret key generated once into var/, cookies allowed over plain
HTTP on localhost, DEBUG off. Any variable already set in the environment wins.
Uses only the standard library plus the packages of requirements.txt.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


class Supervisor:
    """Children in their own sessions, stopped in reverse order of start."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # A new session: Ctrl-C reaches only this supervisor, which then stops the children in
        # order (web first, redis last, so the worker can still give back its message).
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)
        self.children.append((name, proc))
        return proc

    def stop_all(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                log(f"stopping {name}")
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop in 15 s: killing it")
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def watch(self) -> int:
        while True:
            for name, proc in self.children:
                code = proc.poll()
                if code is not None:
                    log(f"{name} exited with status {code}: stopping everything")
                    return 1
            time.sleep(0.5)


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


def wait_for(what: str, check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"[run] {what} did not come up within {timeout:.0f} s")


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
    if not env.get("SECRET_KEY") and not env.get("SECRET_KEY_FILE"):
        # A file, not the value: the key stays out of every child's environment (ps e).
        env["SECRET_KEY_FILE"] = secret_key_file()

    sup = Supervisor()

    interrupted = False

    def on_signal(signum: int, _frame: object) -> None:
        # Ctrl-C reaches make and this script together, and make passes it on again: only the
        # first one starts the shutdown, the others must not interrupt it half-way.
        nonlocal interrupted
        if not interrupted:
            interrupted = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        log(f"redis-server on 127.0.0.1:{redis_port} (private to this run)")
        sup.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(VAR), "--loglevel", "warning"],
            env,
        )
        import redis

        wait_for("redis-server", lambda: redis.Redis(port=redis_port).ping(), 20)

        manage = [PY, str(ROOT / "manage.py")]
        for step in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"],
                     ["sync_exercises"]):
            log("manage.py " + " ".join(step))
            subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True)
        demo = subprocess.run([*manage, "create_demo_users", "--api-token"], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout

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
        wait_for("the web server", lambda: urllib.request.urlopen(url + "healthz", timeout=2).status == 200)
        print(
            "\n"
            f"  deepgrade is running at {url}\n"
            "  Sign in with:\n"
            f"{demo}"
            f"  API: curl -H 'Authorization: Bearer <token>' {url}api/v1/exercises\n"
            "  Other management commands, while this runs:\n"
            f"    SECRET_KEY_FILE={VAR / 'secret_key'} REDIS_URL={env['REDIS_URL']} "
            f"{PY} manage.py help\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        return sup.watch()
    except KeyboardInterrupt:
        print(flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        log(f"{' '.join(map(str, exc.cmd[1:3]))} failed with status {exc.returncode}")
        return 1
    finally:
        sup.stop_all()


if __name__ == "__main__":
    sys.exit(main())
