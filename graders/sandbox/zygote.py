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


def preload() -> dict[str, Any]:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    info: dict[str, Any] = {"numpy": np.__version__, "torch": None}
    try:
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        info["torch"] = torch.__version__
    except ImportError:
        pass
    return info


def detect(project_dirs: list[str]) -> harden.Policy:
    """Which protections this kernel and this user allow; the rest degrades (and is reported)."""
    import sysconfig

    is_root = os.geteuid() == 0
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
        "root": os.geteuid() == 0,
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


def _decode_cases(job: dict[str, Any], buffers: list[bytes]) -> list[list[Any]]:
    cases = []
    for meta in job.get("cases", []):
        if "args" in meta:
            cases.append(child.plain(protocol.decode_value(meta["args"], buffers)))
        else:
            cases.append([])
    return cases


def run_job(
    job: dict[str, Any], buffers: list[bytes], base: harden.Policy, devnull: int
) -> tuple[dict[str, Any], bytes]:
    limits = job.get("limits", {})
    policy = harden.Policy(**{**base.__dict__})
    policy.wall_seconds = float(limits.get("wall_seconds", 10.0))
    policy.cpu_seconds = float(limits.get("cpu_seconds", 5.0))
    policy.memory_bytes = int(limits.get("memory_mb", 512)) << 20
    cases = _decode_cases(job, buffers)

    r_res, w_res = os.pipe()
    r_out, w_out = os.pipe()
    zygote_pid = os.getpid()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.dup2(devnull, 0)
            os.dup2(w_out, 1)
            os.dup2(w_out, 2)
            os.dup2(w_res, 3)
            harden.harden(policy, keep_fds=[0, 1, 2, 3], zygote_pid=zygote_pid)
        except BaseException as exc:
            try:
                os.write(
                    3, protocol.encode_frame({"event": "setup_failed", "error": repr(exc)[:300]})
                )
            finally:
                os._exit(71)
        child.run(job, cases)
        os._exit(0)

    os.close(w_res)
    os.close(w_out)
    facts = supervise(pid, r_res, r_out, policy, started)
    return facts, facts.pop("_results")


def supervise(
    pid: int, r_res: int, r_out: int, policy: harden.Policy, started: float
) -> dict[str, Any]:
    """Collect a child's output until it exits or a limit is hit; the facts are ours, not its."""
    pidfd = os.pidfd_open(pid)
    sel = selectors.DefaultSelector()
    sel.register(r_res, selectors.EVENT_READ, "results")
    sel.register(r_out, selectors.EVENT_READ, "stdout")
    sel.register(pidfd, selectors.EVENT_READ, "exit")
    results: list[bytes] = []
    results_size = 0
    stdout = bytearray()
    stdout_total = 0
    killed_by = None
    exited = False
    open_pipes = 2
    deadline = started + policy.wall_seconds
    while open_pipes or not exited:
        remaining = deadline - time.monotonic()
        if remaining <= 0 and killed_by is None:
            killed_by = "wall"
            _kill(pid)
        events = sel.select(timeout=max(remaining, 0) if killed_by is None else 1.0)
        for key, _ in events:
            if key.data == "exit":
                exited = True
                sel.unregister(pidfd)
                continue
            chunk = os.read(key.fd, 1 << 20)
            if not chunk:
                sel.unregister(key.fd)
                os.close(key.fd)
                open_pipes -= 1
                continue
            if key.data == "results":
                results_size += len(chunk)
                if results_size > RESULTS_CAP:
                    killed_by = killed_by or "results_size"
                    _kill(pid)
                else:
                    results.append(chunk)
            else:
                stdout_total += len(chunk)
                if len(stdout) < STDOUT_KEEP:
                    stdout += chunk[: STDOUT_KEEP - len(stdout)]
                if stdout_total > STDOUT_KILL and killed_by is None:
                    killed_by = "output"
                    _kill(pid)
        if exited and killed_by is not None and not events:
            break  # a killed child's pipes are closed by the kernel; nothing more will come
    _, status, usage = os.wait4(pid, 0)
    os.close(pidfd)
    for fd in (r_res, r_out):
        with contextlib.suppress(OSError):
            os.close(fd)
    return {
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_kb": usage.ru_maxrss,
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "killed_by": killed_by,
        "stdout": stdout.decode("utf-8", "replace"),
        "stdout_bytes": stdout_total,
        "_results": b"".join(results),
    }


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
    project_dirs = [p for p in sys.argv[1:] if p]
    versions = preload()
    policy = detect(project_dirs)
    protocol.write_all(
        ctrl_out, protocol.encode_frame({"op": "hello", "info": describe(policy, versions)})
    )
    while True:
        try:
            header, buffers = protocol.read_frame(ctrl_in)
        except EOFError:
            return
        op = header.get("op")
        if op == "run":
            facts, results = run_job(header["job"], buffers, policy, devnull)
            reply = protocol.encode_frame({"op": "result", "facts": facts}, [results])
        elif op == "info":
            reply = protocol.encode_frame({"op": "info", "info": describe(policy, versions)})
        elif op == "exit":
            return
        else:
            reply = protocol.encode_frame({"op": "error", "error": f"unknown op {op!r}"})
        protocol.write_all(ctrl_out, reply)


if __name__ == "__main__":
    main()
