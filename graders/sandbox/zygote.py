"""The zygote: a grader process that has imported numpy (and torch) once and forks children.

Started by graders.sandbox.controller with `python -I` and an empty environment, so it holds
no secret. It must stay single-threaded: forking a process in which a multi-threaded torch op
has run can hang the child.

It never sees a job. It forks a *spare* child, which hardens itself and waits, and hands the
spare's pipe ends to the controller over a Unix socket (SCM_RIGHTS): jobs, inputs, results and
prints go straight between the controller and the child. Were they relayed here, every later
child would inherit them by fork (locals, freed heap), i.e. other students' code and the
reference's expected outputs. The zygote only forks, kills on request, and reports exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import selectors
import signal
import socket
import sys
from typing import Any

# Before numpy/torch are imported: one thread everywhere, no thread pool alive to fork.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["PYTHONHASHSEED"] = "0"

import numpy as np  # noqa: E402

from graders import protocol  # noqa: E402
from graders.sandbox import child, harden, landlock  # noqa: E402

JOB_FD = 4
MESSAGE_MAX = 1 << 16
# Modules a student may import: loaded here once, because after setuid the child may be unable
# to read the interpreter's files (e.g. under /root) and every import must then hit the cache.
PRELOAD = (
    "math", "cmath", "itertools", "functools", "collections", "collections.abc", "typing",
    "dataclasses", "operator", "copy", "heapq", "bisect", "random", "statistics", "string",
    "re", "fractions", "decimal", "numbers", "enum", "abc", "time", "warnings", "contextlib",
    "numpy", "numpy.linalg", "numpy.random", "numpy.lib.stride_tricks", "numpy.fft",
    "numpy.testing", "unittest",
)  # fmt: skip


# Per flavour: "sympy" decides math answers (our own parser onto SymPy objects) in a child that
# the zygote can kill at a hard time limit, whatever the size of the expression; its warm-up
# fills SymPy's caches once, here, before any fork (graders/math/check.py, `warm_up`).
EXTRA_PRELOAD = {
    "sympy": ("sympy", "mpmath", "graders.math.parse", "graders.math.check", "graders.math.draw")
}
WARM_UP = {"sympy": ("graders.math.check", "warm_up")}


def preload(flavor: str) -> dict[str, Any]:
    """Import what students may use. torch only in the "torch" flavour: its ~150 MB of private
    memory makes every fork ~10 ms slower, which NumPy exercises need not pay."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    info: dict[str, Any] = {"flavor": flavor, "numpy": np.__version__, "torch": None}
    for name in EXTRA_PRELOAD.get(flavor, ()):
        importlib.import_module(name)
    if flavor in WARM_UP:
        module, function = WARM_UP[flavor]
        getattr(importlib.import_module(module), function)()
    if flavor == "torch":
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        info["torch"] = torch.__version__
    return info


def detect(project_dirs: list[str], privileged: bool = True) -> harden.Policy:
    """Which protections this kernel and this user allow; the rest degrades (and is reported)."""
    import sysconfig

    # Root is not enough: a container may deny unshare or setuid. Probe them once, here.
    is_root = os.geteuid() == 0 and privileged
    use_namespaces = is_root and harden.can_unshare()
    use_setuid = is_root and harden.can_setuid()
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
        use_namespaces=use_namespaces,
        use_setuid=use_setuid,
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


class Zygote:
    def __init__(self, policy: harden.Policy, devnull: int, ctrl: socket.socket) -> None:
        self.policy = policy
        self.devnull = devnull
        self.ctrl = ctrl
        self.children: dict[int, int] = {}  # pid -> pidfd, until reaped
        self.parity = 0

    def next_uid(self) -> int:
        # Two uids per zygote, alternating, so a spare never shares its uid with the child of
        # the previous job (which may still be dying). Zygote pids are unique while they live.
        self.parity ^= 1
        return harden.UID_BASE + (os.getpid() * 2 + self.parity) % (2**31 - harden.UID_BASE)

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        data = json.dumps(message).encode()
        if fds:
            socket.send_fds(self.ctrl, [data], fds)
        else:
            self.ctrl.send(data)

    def fork_spare(self) -> None:
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
                # Hardened, before any job exists: from here on an early end is the job's doing.
                protocol.write_all(3, protocol.encode_frame({"event": "ready"}))
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
                del header, buffers
            except BaseException:
                os._exit(71)
            child.run(job, cases)
            os._exit(0)
        for fd in (job_r, results_w, stdout_w):
            os.close(fd)
        self.children[pid] = os.pidfd_open(pid)
        self.send({"op": "spare", "pid": pid}, [job_w, results_r, stdout_r])
        for fd in (job_w, results_r, stdout_r):
            os.close(fd)

    def reap(self, pid: int) -> None:
        pidfd = self.children.pop(pid)
        os.close(pidfd)
        _, status, usage = os.wait4(pid, 0)
        self.send(
            {
                "op": "exited",
                "pid": pid,
                "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "max_rss_kb": usage.ru_maxrss,
            }
        )

    def kill(self, pid: int) -> None:
        # Only an unreaped child of ours: its pid cannot have been reused by anybody else.
        if pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.children[pid], signal.SIGKILL)

    def serve(self, info: dict[str, Any]) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.ctrl, selectors.EVENT_READ, None)
        while True:
            for pid, pidfd in self.children.items():
                if pidfd not in sel.get_map():
                    sel.register(pidfd, selectors.EVENT_READ, pid)
            for key, _ in sel.select():
                if key.data is not None:  # a child ended
                    sel.unregister(key.fd)
                    self.reap(key.data)
                    continue
                try:
                    raw = self.ctrl.recv(MESSAGE_MAX)
                except OSError:
                    raw = b""
                if not raw:
                    return  # the controller is gone (we die with it anyway)
                message = json.loads(raw)
                op = message.get("op")
                if op == "spare":
                    self.fork_spare()
                elif op == "kill":
                    self.kill(int(message["pid"]))
                elif op == "info":
                    self.send({"op": "info", "info": info})
                elif op == "exit":
                    return


def _decode_cases(job: dict[str, Any], buffers: list[bytes]) -> list[list[Any]]:
    cases = []
    for meta in job.get("cases", []):
        if "args" in meta:
            cases.append(child.plain(protocol.decode_value(meta["args"], buffers)))
        else:
            cases.append([])
    return cases


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the controller
    devnull = os.open(os.devnull, os.O_RDWR)
    # 0 and 1 go nowhere useful: a stray print must not reach anything.
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    flavor, _, mode = sys.argv[1].partition(":")
    ctrl = socket.socket(fileno=int(sys.argv[2]))
    project_dirs = [p for p in sys.argv[3:] if p]
    versions = preload(flavor)
    policy = detect(project_dirs, privileged=mode != "unprivileged")
    # Compiled once here, inherited by every child (harden.seccomp_program).
    precompiled = policy.use_seccomp and harden.seccomp_program() is not None
    zygote = Zygote(policy, devnull, ctrl)
    info = {**describe(policy, versions), "seccomp_precompiled": precompiled}
    zygote.send({"op": "hello", "info": info})
    zygote.serve(info)


if __name__ == "__main__":
    main()
