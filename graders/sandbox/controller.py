"""The trusted side's handle on a zygote: start it, send it jobs, restart it when it dies.

A controller lives in the process that decides verdicts (the CLI, or a Celery worker process,
which holds secrets and so never runs student code itself). The zygote it starts has an empty
environment and dies with it (PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders import protocol

log = logging.getLogger("graders.sandbox")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Folders a child must never read; hidden from it and never granted by Landlock.
SECRET_DIRS = [PROJECT_ROOT / "exercises", PROJECT_ROOT / "platform", PROJECT_ROOT / "tests"]
BOOT = "import sys; sys.path.insert(0, {root!r}); from graders.sandbox.zygote import main; main()"
FLAVORS = ("numpy", "torch", "sympy")  # what the zygote preloads; a job goes to its framework's zygote
_degraded_logged = False


class SandboxUnavailable(Exception):
    """The zygote could not be (re)started or died twice on one job: an internal fault."""


@dataclass
class RunOutcome:
    """What the trusted side knows about one run: its own facts, and the child's frames."""

    facts: dict[str, Any]
    frames: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)
    protocol_error: str | None = None


class Sandbox:
    """One zygote, one job at a time (a lock makes it safe to share between threads)."""

    def __init__(
        self,
        flavor: str = "numpy",
        extra_secret_dirs: list[Path] | None = None,
        *,
        unprivileged: bool = False,
    ) -> None:
        """`unprivileged` runs as if not root (no namespaces, no setuid), to test that mode."""
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}")
        self.flavor = flavor
        self.unprivileged = unprivileged
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.secret_dirs = [*SECRET_DIRS, *(extra_secret_dirs or [])]
        self.restarts = 0

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-c",
                BOOT.format(root=str(PROJECT_ROOT)),
                self.flavor + (":unprivileged" if self.unprivileged else ""),
                *map(str, self.secret_dirs),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # No secrets: an empty environment, but for one malloc tunable. With transparent huge
            # pages for the heap, torch's ~150 MB of private memory takes 512x fewer page-table
            # entries, and forking the torch zygote gets about twice as fast.
            env={"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"} if self.flavor == "torch" else {},
            close_fds=True,
            cwd="/",
        )
        try:
            header, _ = protocol.read_frame(self._proc.stdout.fileno())  # type: ignore[union-attr]
        except (EOFError, OSError, ValueError) as exc:
            self._kill()
            raise SandboxUnavailable(f"the grader process did not start: {exc}") from exc
        self.info = header.get("info", {})
        self.info["startup_seconds"] = time.monotonic() - started
        self._log_protections()

    def _log_protections(self) -> None:
        global _degraded_logged
        if _degraded_logged:
            return
        _degraded_logged = True
        missing = []
        if not self.info.get("namespaces"):
            missing.append("namespaces and a per-run uid (not root)")
        if not self.info.get("landlock_abi"):
            missing.append("Landlock (kernel lacks it)")
        if not self.info.get("seccomp"):
            missing.append("seccomp (libseccomp missing)")
        if missing:
            log.warning(
                "sandbox runs degraded, without %s; see README 'Security' for what the host must "
                "then provide (no network, pids and memory limits, read-only root filesystem)",
                ", ".join(missing),
            )

    def _kill(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            for stream in (self._proc.stdin, self._proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]
        self._proc = None

    def close(self) -> None:
        with self._lock:
            self._kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- jobs ----------------------------------------------------------------------------
    def run(self, job: dict[str, Any], buffers: list[bytes] | None = None) -> RunOutcome:
        """Run one job; if the zygote dies, start a new one and try once more."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._ensure_started()
                    return self._run_once(job, buffers or [])
                except (EOFError, BrokenPipeError, OSError, protocol.ProtocolError) as exc:
                    log.warning(
                        "grader process failed (attempt %d): %s; restarting it", attempt, exc
                    )
                    self._kill()
                    self.restarts += 1
            raise SandboxUnavailable("the grader process failed twice on this job")

    def _run_once(self, job: dict[str, Any], buffers: list[bytes]) -> RunOutcome:
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        frame = protocol.encode_frame({"op": "run", "job": job}, buffers)
        protocol.write_all(self._proc.stdin.fileno(), frame)
        header, (raw,) = protocol.read_frame(self._proc.stdout.fileno())
        if header.get("op") != "result":
            raise protocol.ProtocolError(f"unexpected reply {header.get('op')!r}")
        outcome = RunOutcome(facts=header["facts"])
        try:
            outcome.frames = protocol.split_frames(raw, max_total=len(raw))
        except protocol.ProtocolError as exc:
            # Garbage on the results pipe comes from the child, i.e. from the student's code.
            outcome.protocol_error = str(exc)
        return outcome

    def describe(self) -> dict[str, Any]:
        with self._lock:
            self._ensure_started()
            assert self._proc is not None and self._proc.stdin and self._proc.stdout
            protocol.write_all(self._proc.stdin.fileno(), protocol.encode_frame({"op": "info"}))
            header, _ = protocol.read_frame(self._proc.stdout.fileno())
            return dict(header.get("info", {}), startup_seconds=self.info.get("startup_seconds"))


def zygote_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
