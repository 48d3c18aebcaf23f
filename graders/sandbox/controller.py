"""The trusted side's handle on a zygote: start it, run jobs in its children, restart it.

A controller lives in the process that decides verdicts (the CLI, or a Celery worker process,
which holds secrets and so never runs student code itself). The zygote it starts has an empty
environment and dies with it (PDEATHSIG). The zygote only forks: it hands over each spare
child's pipes, and the controller writes the job to the child and reads its results and prints
directly, enforcing the wall clock and the output caps itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import socket
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
SECRET_DIRS = [
    PROJECT_ROOT / name for name in ("exercises", "platform", "tests", "var", "scripts", "docs")
]
STDOUT_KEEP = 64 * 1024  # raw fd-1 output kept for diagnosis (never shown: it may hold hidden data)
STDOUT_KILL = 8 << 20  # a child writing more than this to its fds is stopped: an output flood
RESULTS_CAP = 256 << 20
READY_TIMEOUT = 60.0  # a spare hardens in milliseconds; this only bounds a wedged machine
BOOT = "import sys; sys.path.insert(0, {root!r}); from graders.sandbox.zygote import main; main()"
FLAVORS = (
    "numpy",
    "torch",
    "sympy",
)  # what the zygote preloads; a job goes to its framework's zygote
_degraded_logged = False


class SandboxUnavailable(Exception):
    """The zygote could not be (re)started or died twice on one job: an internal fault."""


@dataclass
class RunOutcome:
    """What the trusted side knows about one run: its own facts, and the child's frames."""

    facts: dict[str, Any]
    frames: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)
    protocol_error: str | None = None


@dataclass
class Spare:
    """A child that has hardened itself and waits for its job; its pipes are ours."""

    pid: int
    job_w: int
    results_r: int
    stdout_r: int

    def close(self) -> None:
        for fd in (self.job_w, self.results_r, self.stdout_r):
            with contextlib.suppress(OSError):
                os.close(fd)


class SpareFailed(Exception):
    """The spare ended before it was ready: the job never reached it (an internal fault)."""


class Sandbox:
    """One zygote and its children, one job at a time (a lock makes it safe to share)."""

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
        self._sock: socket.socket | None = None
        self._spare: Spare | None = None
        self._spare_requested = False
        self._exits: dict[int, dict[str, Any]] = {}
        self._forget: set[int] = set()  # children killed after they finished: exit not needed
        self.info: dict[str, Any] = {}
        self.secret_dirs = [*SECRET_DIRS, *(extra_secret_dirs or [])]
        self.restarts = 0

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            return
        self._kill()
        started = time.monotonic()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-c",
                    BOOT.format(root=str(PROJECT_ROOT)),
                    self.flavor + (":unprivileged" if self.unprivileged else ""),
                    str(theirs.fileno()),
                    *map(str, self.secret_dirs),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                # No secrets: an empty environment, but for one malloc tunable. With transparent
                # huge pages for the heap, torch's ~150 MB of private memory takes 512x fewer
                # page-table entries, and forking the torch zygote gets about twice as fast.
                env={"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"} if self.flavor == "torch" else {},
                close_fds=True,
                cwd="/",
            )
        finally:
            theirs.close()
        self._sock = ours
        try:
            hello = self._wait_for("hello", timeout=READY_TIMEOUT)
        except (EOFError, OSError, ValueError, TimeoutError) as exc:
            self._kill()
            raise SandboxUnavailable(f"the grader process did not start: {exc}") from exc
        self.info = hello.get("info", {})
        self.info["startup_seconds"] = time.monotonic() - started
        self._log_protections()
        self._request_spare()

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
        if self._spare is not None:
            self._spare.close()
            self._spare = None
        self._spare_requested = False
        self._exits.clear()
        self._forget.clear()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._proc = None

    def close(self) -> None:
        with self._lock:
            self._kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- messages from the zygote ---------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        assert self._sock is not None
        self._sock.send(json.dumps(message).encode())

    def _receive(self, timeout: float | None) -> dict[str, Any]:
        """One message; spares and exits are filed as they come, whatever we wait for."""
        assert self._sock is not None
        self._sock.settimeout(timeout)
        try:
            data, fds, _, _ = socket.recv_fds(self._sock, 1 << 16, 4)
        except TimeoutError:
            raise
        except OSError as exc:
            raise EOFError(f"the grader process is gone: {exc}") from exc
        finally:
            if self._sock is not None:
                self._sock.settimeout(None)
        if not data:
            for fd in fds:
                os.close(fd)
            raise EOFError("the grader process is gone")
        message = json.loads(data)
        op = message.get("op")
        if op == "spare" and len(fds) == 3:
            self._spare = Spare(int(message["pid"]), *fds)
            self._spare_requested = False
        else:
            for fd in fds:
                os.close(fd)
        if op == "exited":
            pid = int(message["pid"])
            if pid in self._forget:
                self._forget.discard(pid)
            else:
                self._exits[pid] = message
        return message

    def _wait_for(self, op: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {op!r} from the grader process")
            message = self._receive(remaining)
            if message.get("op") == op:
                return message

    def _request_spare(self) -> None:
        if self._spare is None and not self._spare_requested:
            self._send({"op": "spare"})
            self._spare_requested = True

    def _take_spare(self) -> Spare:
        self._request_spare()
        while self._spare is None:
            self._wait_for("spare", READY_TIMEOUT)
        spare, self._spare = self._spare, None
        # The next child forks and hardens while this one runs.
        self._request_spare()
        return spare

    # -- jobs ----------------------------------------------------------------------------
    def run(self, job: dict[str, Any], buffers: list[bytes] | None = None) -> RunOutcome:
        """Run one job in a fresh child; if the zygote or the spare fails, try once more."""
        frame = protocol.encode_frame({"job": job}, buffers or [])
        wall = float(job.get("limits", {}).get("wall_seconds", 10.0))
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._ensure_started()
                    return self._run_once(frame, wall)
                except (EOFError, OSError, TimeoutError, SpareFailed) as exc:
                    log.warning(
                        "grader process failed (attempt %d): %s; restarting it", attempt, exc
                    )
                    self._kill()
                    self.restarts += 1
            raise SandboxUnavailable("the grader process failed twice on this job")

    def _run_once(self, frame: bytes, wall: float) -> RunOutcome:
        spare = self._take_spare()
        try:
            self._wait_ready(spare)
            started = time.monotonic()
            # A BrokenPipeError: it died reading its job; supervise() reports how it ended.
            with contextlib.suppress(BrokenPipeError):
                protocol.write_all(spare.job_w, frame)
            os.close(spare.job_w)
            spare.job_w = -1
            facts, frames = self._supervise(spare, wall, started)
        finally:
            spare.close()
        outcome = RunOutcome(facts=facts)
        if isinstance(frames, protocol.ProtocolError):
            # Garbage on the results pipe comes from the child, i.e. from the student's code.
            outcome.protocol_error = str(frames)
        else:
            outcome.frames = frames
        return outcome

    def _wait_ready(self, spare: Spare) -> None:
        """The spare's first frame says it hardened itself; anything else is our failure."""
        sel = selectors.DefaultSelector()
        sel.register(spare.results_r, selectors.EVENT_READ)
        ready = sel.select(READY_TIMEOUT)
        sel.close()
        if not ready:
            self._send({"op": "kill", "pid": spare.pid})
            raise SpareFailed("a sandbox child did not get ready in time")
        try:
            header, _ = protocol.read_frame(spare.results_r, max_bytes=0)
        except (EOFError, protocol.ProtocolError, ValueError) as exc:
            raise SpareFailed(f"a sandbox child failed to harden itself: {exc}") from exc
        if header.get("event") != "ready":
            raise SpareFailed("a sandbox child sent something before it was ready")

    def _supervise(
        self, spare: Spare, wall: float, started: float
    ) -> tuple[dict[str, Any], Frames | protocol.ProtocolError]:
        """Collect a child's output until it ends or a limit is hit; the facts are ours."""
        assert self._sock is not None
        pid = spare.pid
        sel = selectors.DefaultSelector()
        sel.register(spare.results_r, selectors.EVENT_READ, "results")
        sel.register(spare.stdout_r, selectors.EVENT_READ, "stdout")
        sel.register(self._sock, selectors.EVENT_READ, "zygote")
        results = bytearray()
        stdout = bytearray()
        stdout_total = 0
        killed_by: str | None = None
        open_pipes = 2
        deadline = started + wall

        def kill(reason: str) -> None:
            nonlocal killed_by
            if killed_by is None:
                killed_by = reason
                self._send({"op": "kill", "pid": pid})

        parsed: Frames | protocol.ProtocolError | None = None
        try:
            while open_pipes or pid not in self._exits:
                if not open_pipes and parsed is None:
                    parsed = _parse(results)  # once: parsing is the costly part of a flood
                if not open_pipes and killed_by is None and _finished(parsed):
                    # It said "done" and closed its pipes: no need to wait while the kernel tears
                    # down its address space (several ms with torch mapped). Kill, forget it.
                    kill("finished")
                    self._forget.add(pid)
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    kill("wall")
                events = sel.select(timeout=max(remaining, 0.0) if killed_by is None else 5.0)
                if not events and killed_by is not None and remaining < -30:
                    raise TimeoutError("a killed sandbox child was never reported as ended")
                for key, _ in events:
                    if key.data == "zygote":
                        self._receive(timeout=5.0)
                        continue
                    chunk = os.read(key.fd, 1 << 20)
                    if not chunk:
                        sel.unregister(key.fd)
                        open_pipes -= 1
                    elif key.data == "results":
                        if len(results) + len(chunk) > RESULTS_CAP:
                            kill("results_size")
                        else:
                            results += chunk
                    else:
                        stdout_total += len(chunk)
                        if len(stdout) < STDOUT_KEEP:
                            stdout += chunk[: STDOUT_KEEP - len(stdout)]
                        if stdout_total > STDOUT_KILL:
                            kill("output")
        finally:
            sel.close()
        exit_facts = self._exits.pop(pid, {})
        facts = {
            "exit_code": exit_facts.get("exit_code"),
            "signal": exit_facts.get("signal"),
            "cpu_seconds": exit_facts.get("cpu_seconds"),
            "max_rss_kb": exit_facts.get("max_rss_kb"),
            "wall_seconds": time.monotonic() - started,
            "killed_by": None if killed_by == "finished" else killed_by,
            "stdout_bytes": stdout_total,
        }
        return facts, parsed if parsed is not None else _parse(results)

    def describe(self) -> dict[str, Any]:
        with self._lock:
            self._ensure_started()
            self._send({"op": "info"})
            info = self._wait_for("info", READY_TIMEOUT).get("info", {})
            return dict(info, startup_seconds=self.info.get("startup_seconds"))


MAX_FRAMES = 10_000  # a frame per case plus a few: anything near this is a flood


Frames = list[tuple[dict[str, Any], list[bytes]]]


def _parse(results: bytearray) -> Frames | protocol.ProtocolError:
    try:
        return protocol.split_frames(bytes(results), RESULTS_CAP, max_frames=MAX_FRAMES)
    except protocol.ProtocolError as exc:
        return exc


def _finished(parsed: Frames | protocol.ProtocolError) -> bool:
    """Whether the child's last frame is "done". A lie only gets the child killed sooner."""
    return isinstance(parsed, list) and bool(parsed) and parsed[-1][0].get("event") == "done"


def zygote_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
