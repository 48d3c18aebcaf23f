"""`graders doctor`: which protections this machine gives the sandbox, proven by probes.

The zygote reports what it detected at start-up (root, namespaces, Landlock ABI, seccomp);
then a probe runs inside a real sandboxed child and tries what an attacker would. Each probe
must be blocked.
"""

from __future__ import annotations

from typing import Any

from graders import jobs, protocol
from graders.sandbox.controller import PROJECT_ROOT, Sandbox

# Each probe returns True when the attempt was blocked.
PROBE_SOURCE = """
import os

def _blocked(fn):
    try:
        fn()
    except BaseException:
        return True
    return False

def probe(secret_file):
    import socket as _s  # the static checks are bypassed: this probes the sandbox itself
    return (
        _blocked(lambda: open(secret_file).read()),
        _blocked(lambda: open("/proc/1/environ").read()),
        _blocked(lambda: _s.create_connection(("127.0.0.1", 22), timeout=1)),
        _blocked(lambda: os.fork() or os._exit(0)),
        _blocked(lambda: open("/tmp/deepgrade-doctor-probe", "w").write("x")),
        _blocked(lambda: os.kill(os.getppid(), 0)),
        _blocked(lambda: os.setuid(0)),
        _blocked(lambda: __import__("threading").Thread(target=lambda: None).start()),
    )
"""
PROBES = [
    "read an exercise's reference solution",
    "read another process's environment",
    "open a TCP connection to 127.0.0.1",
    "fork a process",
    "write a file in /tmp",
    "signal the parent process",
    "become root again (setuid 0)",
    "start a thread",
]


def diagnose(flavor: str = "numpy") -> dict[str, Any]:
    sandbox = Sandbox(flavor)
    try:
        info = sandbox.describe()
        secret = str(PROJECT_ROOT / "exercises" / "backprop" / "linear-backward" / "reference.py")
        job, buffers = jobs.student_job(
            source=PROBE_SOURCE,
            filename="probe.py",
            entry_point="probe",
            framework="numpy",
            banned=[],
            limits={"wall_seconds": 10, "cpu_seconds": 5, "memory_mb": 256},
            cases=[(0, [secret])],
        )
        outcome = sandbox.run(job, buffers)
    finally:
        sandbox.close()
    results: list[bool] = []
    for header, bufs in outcome.frames:
        if header.get("event") == "case" and "value" in header:
            value = protocol.decode_value(header["value"], bufs)
            results = [bool(v.value) for v in value if isinstance(v, protocol.Scalar)]
    probes = {name: (results[i] if i < len(results) else False) for i, name in enumerate(PROBES)}
    return {
        "protections": {
            "running as root (namespaces, per-run uid)": bool(info.get("root")),
            "network/mount/IPC/UTS namespaces": bool(info.get("namespaces")),
            "per-run unprivileged uid": bool(info.get("setuid")),
            "Landlock": f"ABI {info.get('landlock_abi')}" if info.get("landlock_abi") else False,
            "seccomp filter (libseccomp)": bool(info.get("seccomp")),
            "rlimits (CPU, address space, files, processes)": True,
            "no_new_privs": True,
        },
        "zygote": {
            "threads": info.get("threads"),
            "numpy": info.get("numpy"),
            "torch": info.get("torch"),
            "startup_seconds": info.get("startup_seconds"),
            "readable_dirs": info.get("read_only_dirs"),
            "hidden_dirs": info.get("hidden_dirs"),
        },
        "probes_blocked": probes,
        "all_blocked": bool(results) and all(probes.values()),
    }


def format_diagnosis(d: dict[str, Any], style: Any) -> str:
    lines = [style.bold("Sandbox protections on this machine")]
    for name, value in d["protections"].items():
        mark = style.green("yes") if value else style.yellow("no ")
        extra = f" ({value})" if isinstance(value, str) else ""
        lines.append(f"  {mark} {name}{extra}")
    z = d["zygote"]
    lines.append(
        f"  zygote: {z['threads']} thread(s), numpy {z['numpy']}, started in "
        f"{z['startup_seconds'] or 0:.2f} s"
    )
    lines.append(style.bold("Probes run inside a sandboxed child (each must be blocked)"))
    for name, blocked in d["probes_blocked"].items():
        mark = style.green("blocked") if blocked else style.red("ALLOWED")
        lines.append(f"  {mark} {name}")
    if not d["protections"]["running as root (namespaces, per-run uid)"]:
        lines.append(
            style.yellow(
                "Not root: run the grader's container with no network, a pids and memory limit and a "
                "read-only root filesystem (README, 'Security')."
            )
        )
    return "\n".join(lines)
