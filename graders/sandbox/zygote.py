"""The zygote: a grader process that has imported numpy and torch once and forks a child per run.

Started by graders.sandbox.controller with `python -I` and an empty environment, so it holds
no secret. It must stay single-threaded: forking a process in which a multi-threaded torch op
has run can hang the child. It talks to its controller over fds (frames of graders.protocol),
and to each child over two pipes: results (fd 3 in the child) and stdout/stderr (fds 1, 2).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

# Before numpy/torch are imported: one thread everywhere, no thread pool alive to fork.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["PYTHONHASHSEED"] = "0"

import numpy as np  # noqa: E402

from graders import protocol  # noqa: E402
from graders.sandbox import child, harden, landlock  # noqa: E402

STDOUT_KEEP = 64 * 1024  # raw output kept to show (visible cases only; see engine)
STDOUT_KILL = 8 << 20  # a child writing more than this is stopped: an output flood
RESULTS_CAP = 256 << 20
# Modules a student may import: loaded here once, because after setuid the child may be unable
# to read the interpreter's files (e.g. under /root) and every import must then hit the cache.
PRELOAD = (
    "math", "cmath", "itertools", "functools", "collections", "collections.abc", "typing",
    "dataclasses", "operator", "copy", "heapq", "bisect", "random", "statistics", "string",
    "re", "fractions", "decimal", "numbers", "enum", "abc", "time", "warnings", "contextlib",
    "numpy", "numpy.linalg", "numpy.random", "numpy.lib.stride_tricks", "numpy.fft",
)  # fmt: skip


# Per flavour: "sympy" decides math answers (our own parser onto SymPy objects) in a child that
# the zygote can kill at a hard time limit, whatever the size of the expression.
EXTRA_PRELOAD = {"sympy": ("sympy", "mpmath", "graders.mathparse")}


def preload(flavor: str) -> dict[str, Any]:
    """Import what students may use. torch only in the "torch" flavour: its ~150 MB of private
    memory makes every fork ~10 ms slower, which NumPy exercises need not pay."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    info: dict[str, Any] = {"flavor": flavor, "numpy": np.__version__, "torch": None}
    for name in EXTRA_PRELOAD.get(flavor, ()):
        importlib.import_module(name)
    if flavor == "torch":
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        info["torch"] = torch.__version__
    return info


def detect(project_dirs: list[str], privileged: bool = True) -> harden.Policy:
    """Which protections this kernel and this user allow; the rest degrades (and is reported)."""
    import sysconfig

    is_root = os.geteuid() == 0 and privileged
    read_dirs = set()
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            path = sysconfig.get_path(key, vars={"base": prefix, "platbase": prefix})
            if path and os.path.isdir(path):
                read_dirs.add(os.path.realpath(path))
    for path in sys.path:
        if path and os.path.isdir(path) and "site-packages" in path:
            read_dirs.add(os.path.realpath(path))
    read_dirs.update(p for p in ("/usr/lib", "/lib", "/usr/lib64", "/lib64") if os.path.isdir(p))
    # Never grant a folder that contains the project (exercises, settings, reference solutions).
    secret = [os.path.realpath(p) for p in project_dirs]
    allowed = sorted(
        d for d in read_dirs if not any(s == d or s.startswith(d.rstrip("/") + "/") for s in secret)
    )
    try:
        import pyseccomp  # noqa: F401

        seccomp_ok = True
    except Exception:
        seccomp_ok = False
    return harden.Policy(
        read_only_dirs=allowed,
        use_namespaces=is_root,
        use_setuid=is_root,
        landlock_abi=landlock.abi_version(),
        use_seccomp=seccomp_ok,
        hidden_dirs=[p for p in secret if os.path.isdir(p)],
    )


def describe(policy: harden.Policy, versions: dict[str, Any]) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "root": policy.use_setuid,
        "namespaces": policy.use_namespaces,
        "setuid": policy.use_setuid,
        "landlock_abi": policy.landlock_abi,
        "seccomp": policy.use_seccomp,
        "rlimits": True,
        "no_new_privs": True,
        "threads": len(os.listdir("/proc/self/task")),
        "read_only_dirs": policy.read_only_dirs,
        "hidden_dirs": policy.hidden_dirs,
        **versions,
    }


JOB_FD = 4


@dataclass
class Spare:
    """A child forked and hardened ahead of time, blocked reading its job from a pipe: the
    ~10 ms that forking a process with torch loaded costs is paid between jobs, not during one."""

    pid: int
    pidfd: int
    job_w: int
    results_r: int
    stdout_r: int


class Zygote:
    def __init__(self, policy: harden.Policy, devnull: int) -> None:
        self.policy = policy
        self.devnull = devnull
        self.spare: Spare | None = None
        self.dead: list[int] = []  # killed children not yet reaped
        self.parity = 0

    def next_uid(self) -> int:
        # Two uids per zygote, alternating, so a spare never shares its uid with the child of
        # the previous job (which may still be dying). Zygote pids are unique while they live.
        self.parity ^= 1
        return harden.UID_BASE + (os.getpid() * 2 + self.parity) % (2**31 - harden.UID_BASE)

    def fork_spare(self) -> Spare:
        job_r, job_w = os.pipe()
        results_r, results_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        zygote_pid = os.getpid()
        uid = self.next_uid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.dup2(self.devnull, 0)
                os.dup2(stdout_w, 1)
                os.dup2(stdout_w, 2)
                os.dup2(results_w, 3)
                os.dup2(job_r, JOB_FD)
                vm_size = harden.harden(self.policy, [0, 1, 2, 3, JOB_FD], zygote_pid, uid)
                header, buffers = protocol.read_frame(JOB_FD)
                os.close(JOB_FD)
                job = header["job"]
                limits = job.get("limits", {})
                # Room for the job's own inputs (raw and decoded) on top of the allowance.
                job_bytes = 2 * sum(len(b) for b in buffers) + (64 << 20)
                memory = int(limits.get("memory_mb", 512)) << 20
                harden.apply_limits(
                    float(limits.get("cpu_seconds", 5.0)), vm_size + job_bytes + memory
                )
                cases = _decode_cases(job, buffers)
            except BaseException as exc:
                with contextlib.suppress(BaseException):
                    os.write(
                        3,
                        protocol.encode_frame({"event": "setup_failed", "error": repr(exc)[:300]}),
                    )
                os._exit(71)
            child.run(job, cases)
            os._exit(0)
        for fd in (job_r, results_w, stdout_w):
            os.close(fd)
        return Spare(pid, os.pidfd_open(pid), job_w, results_r, stdout_r)

    def reap(self) -> None:
        for pid in list(self.dead):
            with contextlib.suppress(ChildProcessError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    continue
            self.dead.remove(pid)

    def run_job(self, job: dict[str, Any], buffers: list[bytes]) -> tuple[dict[str, Any], bytes]:
        self.reap()
        spare, self.spare = self.spare or self.fork_spare(), None
        started = time.monotonic()
        # A BrokenPipeError means the spare died while hardening: supervise() says how it ended.
        with contextlib.suppress(BrokenPipeError):
            protocol.write_all(spare.job_w, protocol.encode_frame({"job": job}, buffers))
        os.close(spare.job_w)
        wall = float(job.get("limits", {}).get("wall_seconds", 10.0))
        facts = self.supervise(spare, wall, started)
        return facts, facts.pop("_results")

    def supervise(self, spare: Spare, wall_seconds: float, started: float) -> dict[str, Any]:
        """Collect a child's output until it ends or a limit is hit; the facts are ours, not its."""
        pid = spare.pid
        sel = selectors.DefaultSelector()
        sel.register(spare.results_r, selectors.EVENT_READ, "results")
        sel.register(spare.stdout_r, selectors.EVENT_READ, "stdout")
        sel.register(spare.pidfd, selectors.EVENT_READ, "exit")
        results = bytearray()
        stdout = bytearray()
        stdout_total = 0
        killed_by = None
        exited = False
        open_pipes = 2
        deadline = started + wall_seconds
        while open_pipes or not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and killed_by is None:
                killed_by = "wall"
                _kill(pid)
            if not open_pipes and killed_by is None and _finished(results):
                # It said "done" and closed its pipes: no need to wait while the kernel tears
                # down its address space (several ms with torch mapped). Kill, reap later.
                killed_by = "finished"
                _kill(pid)
                break
            events = sel.select(timeout=max(remaining, 0) if killed_by is None else 1.0)
            for key, _ in events:
                if key.data == "exit":
                    exited = True
                    sel.unregister(spare.pidfd)
                    continue
                chunk = os.read(key.fd, 1 << 20)
                if not chunk:
                    sel.unregister(key.fd)
                    open_pipes -= 1
                    continue
                if key.data == "results":
                    if len(results) + len(chunk) > RESULTS_CAP:
                        killed_by = killed_by or "results_size"
                        _kill(pid)
                    else:
                        results += chunk
                else:
                    stdout_total += len(chunk)
                    if len(stdout) < STDOUT_KEEP:
                        stdout += chunk[: STDOUT_KEEP - len(stdout)]
                    if stdout_total > STDOUT_KILL and killed_by is None:
                        killed_by = "output"
                        _kill(pid)
        sel.close()
        facts: dict[str, Any] = {
            "exit_code": None,
            "signal": None,
            "cpu_seconds": None,
            "max_rss_kb": None,
        }
        if killed_by == "finished":
            self.dead.append(pid)
        else:
            _, status, usage = os.wait4(pid, 0)
            facts.update(
                exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                cpu_seconds=usage.ru_utime + usage.ru_stime,
                max_rss_kb=usage.ru_maxrss,
            )
        for fd in (spare.pidfd, spare.results_r, spare.stdout_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        facts.update(
            wall_seconds=time.monotonic() - started,
            killed_by=None if killed_by == "finished" else killed_by,
            stdout=stdout.decode("utf-8", "replace"),
            stdout_bytes=stdout_total,
            _results=bytes(results),
        )
        return facts


def _finished(results: bytearray) -> bool:
    """Whether the child's last frame is "done". A lie only gets the child killed sooner."""
    try:
        frames = protocol.split_frames(bytes(results), max_total=RESULTS_CAP)
    except protocol.ProtocolError:
        return False
    return bool(frames) and frames[-1][0].get("event") == "done"


def _decode_cases(job: dict[str, Any], buffers: list[bytes]) -> list[list[Any]]:
    cases = []
    for meta in job.get("cases", []):
        if "args" in meta:
            cases.append(child.plain(protocol.decode_value(meta["args"], buffers)))
        else:
            cases.append([])
    return cases


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the controller
    # Control channel on fresh fds; 0 and 1 go elsewhere so a stray print cannot corrupt it.
    ctrl_in, ctrl_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    flavor, _, mode = (sys.argv[1] if len(sys.argv) > 1 else "torch").partition(":")
    project_dirs = [p for p in sys.argv[2:] if p]
    versions = preload(flavor)
    policy = detect(project_dirs, privileged=mode != "unprivileged")
    zygote = Zygote(policy, devnull)
    hello = {"op": "hello", "info": describe(policy, versions)}
    protocol.write_all(ctrl_out, protocol.encode_frame(hello))
    zygote.spare = zygote.fork_spare()
    while True:
        try:
            header, buffers = protocol.read_frame(ctrl_in)
        except EOFError:
            return
        op = header.get("op")
        if op == "run":
            facts, results = zygote.run_job(header["job"], buffers)
            reply = protocol.encode_frame({"op": "result", "facts": facts}, [results])
        elif op == "info":
            reply = protocol.encode_frame({"op": "info", "info": describe(policy, versions)})
        elif op == "exit":
            return
        else:
            reply = protocol.encode_frame({"op": "error", "error": f"unknown op {op!r}"})
        protocol.write_all(ctrl_out, reply)
        if zygote.spare is None:
            zygote.spare = zygote.fork_spare()  # while the controller reads the reply


if __name__ == "__main__":
    main()
