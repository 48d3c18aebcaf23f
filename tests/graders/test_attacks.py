"""The sandbox attack suite: every attack fails, the grader stays healthy.

Each attack is a student file submitted to a real exercise, `sigmoid-backward`, through the real
`Grader`. An attack returns the *correct* answer only when it succeeded (it read the reference,
reached the network, escaped a limit...) and a wrong one otherwise, so "not accepted" means the
attack failed; where success is visible elsewhere (a TCP server that sees a connection, a file on
disk, a dead zygote) the test checks that too.

The static checks (graders/codecheck.py) would stop many attacks before they reach the sandbox,
so each attack is graded twice: once as a student would submit it (the static check may stop it:
that is recorded as the first barrier), and once with `codecheck.check_source` bypassed, which
proves the sandbox itself. When the static check does not catch an attack, the first run already
reached the sandbox and is not repeated.

Everything runs twice, in both modes the sandbox has: with root (namespaces and a uid per child
on top of Landlock, seccomp and rlimits) and `unprivileged` (Landlock, seccomp and rlimits only;
on a root host the child then keeps uid 0, the harshest case of that mode).

After every attack the grader must be healthy: the same zygote is alive (never restarted), the next
honest submission is accepted, no process of the sandbox's uids lives outside the zygote's direct
children (at most the pre-forked spare), no grandchild of the zygote exists, and nothing was
written to disk.

Known holes are marked `xfail(strict=True, reason="HOLE: ...")`: the day the sandbox is fixed they
pass, the xfail fails, and the marker must go.

What the suite covers: docs/security.md#the-attack-suite; the sandbox it attacks:
docs/architecture.md#the-sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graders import codecheck
from graders.engine import Grader
from graders.exercise import Exercise, load_exercise
from graders.report import Report, Verdict
from graders.sandbox.controller import Sandbox

pytestmark = pytest.mark.attack

REPO = Path(__file__).resolve().parents[2]
SLUG = "sigmoid-backward"
SEED = 0
SANDBOX_UID_MIN = 200_000
MARK = "deepgrade_attack"  # every file an attack tries to create has this in its name
# Where an attack may try to leave files (besides "/", the child's cwd).
WATCHED_DIRS = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), REPO]
SKIP_WALK = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}

HONEST = """\
import numpy as np


def sigmoid_backward(x, dout):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return dout * s * (1.0 - s)
"""

# Shared by every attack: the honest answer (returned only when the attack succeeded) and a wrong one.
PRELUDE = """\
import numpy as np


def _honest(x, dout):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return dout * s * (1.0 - s)


def _wrong(x, dout):
    return np.zeros_like(x) + 0.123


_STATE = {"done": False, "success": False}


def sigmoid_backward(x, dout):
    if not _STATE["done"]:
        _STATE["done"] = True
        _STATE["success"] = bool(_attack(x, dout))
        print("ATTACK SUCCEEDED" if _STATE["success"] else "attack failed")
    return _honest(x, dout) if _STATE["success"] else _wrong(x, dout)

"""


def attack_source(body: str) -> str:
    """A student file: PRELUDE plus `body`, which defines `_attack(x, dout) -> bool`."""
    return PRELUDE + textwrap.dedent(body)


NOT_ACCEPTED = {
    Verdict.REJECTED,
    Verdict.RUNTIME_ERROR,
    Verdict.TIMEOUT,
    Verdict.MEMORY_LIMIT,
    Verdict.BANNED_CALL,
    Verdict.SYNTAX_ERROR,
}


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return load_exercise(SLUG)


@pytest.fixture(scope="module", params=["root", "unprivileged"])
def grader(request: pytest.FixtureRequest, exercise: Exercise) -> Iterator[Grader]:
    """A grader of our own (a fresh zygote), in both modes the sandbox supports: with root
    (namespaces + per-run uid + Landlock + seccomp + rlimits) and without (no namespaces, no
    setuid: Landlock + seccomp + rlimits; on a root host the child then keeps uid 0)."""
    if request.param == "unprivileged":
        g = Grader(sandbox=Sandbox("numpy", unprivileged=True))
    elif os.geteuid() == 0:
        g = Grader()
    else:
        pytest.skip("the privileged mode needs root")
    report = g.grade(exercise, HONEST, seed=SEED)  # starts the zygote, caches the reference
    assert report.verdict is Verdict.ACCEPTED, report.message
    zygote = g.sandbox.pid
    assert zygote is not None
    yield g
    uids = _sandbox_uids(zygote)
    children = [p["pid"] for p in _proc_table() if p["ppid"] == zygote]
    g.close()
    assert not _alive(zygote), "the zygote survived Grader.close()"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (
        _procs_with_uids(uids) or any(_alive(pid) for pid in children)
    ):
        time.sleep(0.05)
    assert not _procs_with_uids(uids), "sandbox processes outlived the grader"
    assert not [pid for pid in children if _alive(pid)], "zygote children outlived the grader"


def privileged(grader: Grader) -> bool:
    return bool(grader.sandbox.info.get("setuid"))


def run_once_elsewhere(grader: Grader) -> bool:
    """For tests that do not depend on the mode: run them with root only, when there is root."""
    return grader.sandbox.unprivileged and os.geteuid() == 0


@dataclass
class Health:
    zygote: int
    restarts: int
    uids: set[int]


@pytest.fixture(autouse=True)
def healthy(grader: Grader, exercise: Exercise) -> Iterator[Health]:
    """Before: note the zygote. After: the grader must be exactly as healthy as before."""
    zygote = grader.sandbox.pid
    assert zygote is not None and _alive(zygote)
    state = Health(zygote, grader.sandbox.restarts, _sandbox_uids(zygote))
    yield state
    problems = []
    if not _alive(zygote):
        problems.append(f"the zygote (pid {zygote}) died")
    if grader.sandbox.restarts != state.restarts:
        problems.append(f"the zygote was restarted ({grader.sandbox.restarts - state.restarts}x)")
    report = grader.grade(exercise, HONEST, seed=SEED)
    if report.verdict is not Verdict.ACCEPTED:
        problems.append(f"the next honest submission got {report.verdict}: {report.message}")
    if grader.sandbox.pid != zygote:
        problems.append(f"the zygote changed: {zygote} -> {grader.sandbox.pid}")
    state.uids |= _sandbox_uids(zygote)
    strays = _strays(zygote, state.uids)
    if strays:
        problems.append(f"sandbox processes outside the zygote's children: {strays}")
    written = _attack_files(state.uids)
    if written:
        problems.append(f"files left behind: {written}")
    assert not problems, "; ".join(problems)


# -- process and file inspection ---------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def _proc_table() -> list[dict[str, Any]]:
    """pid, ppid, state, real uid and command line of every process (race-tolerant)."""
    table = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            status = Path(f"/proc/{entry.name}/status").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        uid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Uid:"))
        table.append(
            {"pid": int(entry.name), "ppid": int(fields[1]), "state": fields[0], "uid": uid}
        )
    return table


def _sandbox_uids(zygote: int) -> set[int]:
    """The uids the zygote's children run under (the spare, or a dying child)."""
    return {p["uid"] for p in _proc_table() if p["ppid"] == zygote and p["uid"] >= SANDBOX_UID_MIN}


def _procs_with_uids(uids: set[int]) -> list[dict[str, Any]]:
    return [p for p in _proc_table() if p["uid"] in uids and p["state"] != "Z"]


def _strays(zygote: int, uids: set[int], wait: float = 1.5) -> list[dict[str, Any]]:
    """Processes that escaped: of a sandbox uid but not a direct child of the zygote, or a
    grandchild of the zygote (whatever its uid), or more than one live child (a spare is allowed).
    Waits a little for a killed child to be reaped."""
    deadline = time.monotonic() + wait
    while True:
        table = _proc_table()
        children = {p["pid"] for p in table if p["ppid"] == zygote}
        outside = [
            p for p in table if (p["uid"] in uids and p["ppid"] != zygote) or p["ppid"] in children
        ]
        live_children = [p for p in table if p["ppid"] == zygote and p["state"] != "Z"]
        bad = outside + (live_children if len(live_children) > 1 else [])
        if not bad or time.monotonic() > deadline:
            return bad
        time.sleep(0.02)


def _attack_files(uids: set[int]) -> list[str]:
    """Files named like an attack's, or owned by a sandbox uid, where an attack could write."""
    found = []

    def look(path: Path) -> None:
        if MARK in path.name:
            found.append(str(path))
            return
        with contextlib.suppress(OSError):
            if path.lstat().st_uid in uids:
                found.append(str(path))

    for entry in os.scandir("/"):  # the child's cwd
        look(Path(entry.path))
    for top in WATCHED_DIRS:
        for root, dirs, files in os.walk(top, onerror=lambda _e: None):
            here = Path(root)
            dirs[:] = [
                d for d in dirs if d not in SKIP_WALK and len(here.relative_to(top).parts) < 3
            ]
            for name in [*files, *dirs]:
                look(here / name)
    return found


# -- running an attack -------------------------------------------------------------------------


@dataclass
class AttackRun:
    report: Report  # the run that reached the sandbox
    static_caught: bool  # whether the static check stopped the file as submitted
    static_report: Report | None
    seconds: float  # wall time of the sandboxed grading

    def stdout(self) -> str:
        return "\n".join(c.stdout or "" for c in self.report.checks)

    def describe(self) -> str:
        checks = "; ".join(f"{c.name}: {c.message[:300]}" for c in self.report.checks[:2])
        return (
            f"verdict={self.report.verdict} message={self.report.message!r} checks=[{checks}] "
            f"stdout={self.stdout()[:1500]!r}"
        )


@contextlib.contextmanager
def static_check_bypassed() -> Iterator[None]:
    original = codecheck.check_source
    codecheck.check_source = lambda *_a, **_k: None  # type: ignore[assignment]
    try:
        yield
    finally:
        codecheck.check_source = original  # type: ignore[assignment]


def run_attack(grader: Grader, exercise: Exercise, source: str, *, seed: int = SEED) -> AttackRun:
    banned = grader.banned_for(exercise)
    caught = codecheck.check_source(source, "solution.py", banned) is not None
    static_report = None
    if caught:
        static_report = grader.grade(exercise, source, seed=seed)
        assert static_report.verdict in (Verdict.BANNED_CALL, Verdict.SYNTAX_ERROR), (
            static_report.message
        )
        with static_check_bypassed():
            started = time.monotonic()
            report = grader.grade(exercise, source, seed=seed)
    else:
        started = time.monotonic()
        report = grader.grade(exercise, source, seed=seed)
    return AttackRun(report, caught, static_report, time.monotonic() - started)


def assert_failed(run: AttackRun, *verdicts: Verdict) -> None:
    """The attack did not get the submission accepted, and the verdict is the student's fault
    (never 'could not be graded'); optionally one of `verdicts`."""
    assert run.report.verdict is not Verdict.ACCEPTED, "attack succeeded: " + run.describe()
    assert "ATTACK SUCCEEDED" not in run.stdout(), run.describe()
    assert run.report.verdict is not Verdict.INTERNAL_ERROR, (
        "a student's attack is reported as an internal error: " + run.describe()
    )
    assert run.report.verdict in NOT_ACCEPTED, run.describe()
    if verdicts:
        assert run.report.verdict in verdicts, run.describe()


@contextlib.contextmanager
def outcomes_of(grader: Grader) -> Iterator[list[Any]]:
    """The sandbox's raw RunOutcomes (frames as the trusted side parsed them) while inside."""
    outcomes: list[Any] = []
    run_job = grader.sandbox.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        outcome = run_job(*args, **kwargs)
        outcomes.append(outcome)
        return outcome

    grader.sandbox.run = spy  # type: ignore[method-assign]
    try:
        yield outcomes
    finally:
        del grader.sandbox.run


def fresh_seed() -> int:
    """A seed whose reference is not cached: grading it runs the reference right before."""
    return 10_000 + secrets.randbelow(10**8)


# -- 1. secrets on disk ------------------------------------------------------------------------

READ_FILES = f"""
import os

TARGETS = [
    "{REPO}/exercises/backprop/sigmoid-backward/reference.py",
    "exercises/backprop/sigmoid-backward/reference.py",
    "../../exercises/backprop/sigmoid-backward/reference.py",
    "/proc/self/cwd/{REPO.relative_to("/")}/exercises/backprop/sigmoid-backward/reference.py",
    "/proc/%d/cwd/exercises/backprop/sigmoid-backward/reference.py" % os.getppid(),
    "/proc/%d/root{REPO}/exercises/backprop/sigmoid-backward/reference.py" % os.getppid(),
    "/proc/1/root{REPO}/exercises/backprop/sigmoid-backward/reference.py",
    "{REPO}/exercises/backprop/sigmoid-backward/solutions/correct_stable.py",
    "{REPO}/platform/config/settings.py",
    "{REPO}/platform/config/env.py",
    "{REPO}/.env",
    "{REPO}/.git/config",
    "{REPO}/graders/engine.py",
]


def _attack(x, dout):
    for path in TARGETS:
        try:
            with open(path) as fh:
                text = fh.read()
        except Exception as exc:
            print("denied", path, type(exc).__name__)
            continue
        print("READ", path)
        if "def sigmoid_backward" in text:
            ns = {{}}
            exec(text, ns)
            return True
        return True
    try:
        print("listing", os.listdir("{REPO}"))
        return True
    except Exception as exc:
        print("denied listdir", type(exc).__name__)
    return False
"""


def test_read_reference_settings_and_repo_files(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(READ_FILES))
    assert_failed(run)
    assert "READ " not in run.stdout(), run.describe()


READ_ENV = """
import os

def _attack(x, dout):
    leaked = {k: v for k, v in os.environ.items() if k not in (
        "LC_CTYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS", "PYTHONHASHSEED")}
    print("environ", sorted(leaked))
    got = bool(leaked)
    for path in ["/proc/1/environ", "/proc/%d/environ" % os.getppid(), "/proc/self/environ",
                 "/proc/%d/cmdline" % os.getppid(), "/proc/1/cmdline"]:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            print("READ", path, len(data))
            got = got or (path.endswith("environ") and b"=" in data and b"OMP_NUM" not in data)
        except Exception as exc:
            print("denied", path, type(exc).__name__)
    return got
"""


def test_read_environment(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(READ_ENV))
    assert_failed(run)
    assert "READ /proc/1/environ" not in run.stdout(), run.describe()


READ_OTHERS = """
import os

def _attack(x, dout):
    seen = []
    for folder in ["/tmp", "/var/tmp", "/dev/shm", "/proc"]:
        try:
            seen += [os.path.join(folder, n) for n in os.listdir(folder)]
            print("LISTED", folder)
        except Exception as exc:
            print("denied", folder, type(exc).__name__)
    cmdlines = 0
    for pid in [p for p in seen if p.startswith("/proc/") and p[6:].isdigit()]:
        try:
            with open(pid + "/cmdline", "rb") as fh:
                fh.read()
            cmdlines += 1
        except Exception:
            pass
    print("cmdlines read", cmdlines)
    return bool(seen) or cmdlines > 0
"""


def test_read_other_processes_and_tmp(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(READ_OTHERS))
    assert_failed(run)


IMPORT_ENGINE = f"""
import sys

def _attack(x, dout):
    ok = False
    for name in ["graders.engine", "graders.exercise", "graders.sandbox.controller", "config.settings"]:
        sys.path[:0] = ["{REPO}", "{REPO}/platform"]
        try:
            mod = __import__(name, fromlist=["*"])
            print("IMPORTED", name)
            ok = True
            if name == "graders.exercise":
                ex = mod.load_exercise("sigmoid-backward")
                ns = {{}}
                exec(ex.file("reference.py"), ns)
                return True
        except Exception as exc:
            print("failed", name, type(exc).__name__, str(exc)[:80])
    return ok
"""


def test_import_the_engine_or_settings(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(IMPORT_ENGINE))
    assert_failed(run)


# -- 2. secrets in memory (inherited from the zygote by fork) ------------------------------------

# Walks every frame above the student's function and every container the GC knows, collecting
# strings and byte strings: whatever the zygote had in its locals when it forked this child.
MEMORY_WALK = """
import gc
import sys


def _walk(obj, seen, out, depth=0):
    if depth > 8 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (bytes, bytearray, memoryview)):
        out.append(bytes(obj))
    elif isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for k, v in list(obj.items()):
            _walk(k, seen, out, depth + 1)
            _walk(v, seen, out, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in list(obj)[:2000]:
            _walk(v, seen, out, depth + 1)


def _memory():
    out, seen = [], {id(_STATE)}
    frame = sys._getframe()
    while frame is not None:
        _walk(dict(frame.f_locals), seen, out)
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict) and len(obj) < 64:
            _walk(obj, seen, out)
    return out
"""

LEAK_EXPECTED = (
    MEMORY_WALK
    + """
_FOUND = []


def _frames(blob, depth=0):
    from graders import protocol  # already loaded in the zygote: no file access needed
    try:
        frames = protocol.split_frames(blob, len(blob))
    except Exception:
        return
    for header, buffers in frames:
        yield header, buffers
        if depth < 2:
            for buf in buffers:
                yield from _frames(buf, depth + 1)


def _attack(x, dout):
    from graders import protocol
    for blob in _memory():
        if not isinstance(blob, bytes) or len(blob) < 8:
            continue
        for header, buffers in _frames(blob):
            if "expected" in header and "args" in header:
                try:
                    args = protocol.decode_value(header["args"], buffers)
                    expected = protocol.decode_value(header["expected"], buffers)
                    _FOUND.append((args[0].array, expected.array))
                except Exception:
                    pass
    print("expected outputs found:", len(_FOUND))
    return bool(_FOUND)


def sigmoid_backward(x, dout):  # noqa: F811 - this attack answers per case
    if not _STATE["done"]:
        _STATE["done"] = True
        _attack(x, dout)
    for arg, expected in _FOUND:
        if arg.shape == x.shape and np.array_equal(arg, x):
            print("ATTACK SUCCEEDED")
            return expected
    return _wrong(x, dout)
"""
)


def test_expected_outputs_from_zygote_memory(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(LEAK_EXPECTED), seed=fresh_seed())
    assert_failed(run)


LEAK_REFERENCE_SOURCE = (
    MEMORY_WALK
    + """
def _attack(x, dout):
    mine = _attack.__code__.co_filename
    for text in _memory():
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if "def sigmoid_backward" in text and "_memory()" not in text and len(text) < 20000:
            try:
                ns = {}
                exec(text, ns)
                got = ns["sigmoid_backward"](x, dout)
            except Exception:
                continue
            if np.allclose(got, _honest(x, dout)):
                print("LEAKED a working solution:", text[:60].replace("\\n", " "), mine)
                return True
    return False
"""
)


def test_reference_source_from_zygote_memory(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(LEAK_REFERENCE_SOURCE), seed=fresh_seed())
    assert_failed(run)


def _victim(secret: str, notes: int = 0) -> str:
    """A correct submission carrying a secret in its source and in its prints, and `notes`
    lines of comments (students' files run to several KB; bigger buffers linger longer)."""
    comments = "".join(f"# note {i}: VICTIM_SECRET_{secret}\n" for i in range(notes))
    return (
        HONEST.replace("import numpy as np", f"import numpy as np\n# VICTIM_SECRET_{secret}")
        + comments
        + f"\n\nprint('VICTIM_PRINT_{secret}')\n"
    )


LEAK_OTHER_SUBMISSION = (
    MEMORY_WALK
    + """
import re

def _attack(x, dout):
    pattern = re.compile("VICTIM_" + "(?:SECRET|PRINT)_([0-9a-f]{32})")
    hits = set()
    for text in _memory():
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        hits.update(pattern.findall(text))
    print("found other submissions' secrets:", sorted(hits))
    return bool(hits)
"""
)


def test_previous_submission_from_zygote_memory(grader: Grader, exercise: Exercise) -> None:
    secret = secrets.token_hex(16)
    victim = grader.grade(exercise, _victim(secret), seed=SEED)
    assert victim.verdict is Verdict.ACCEPTED, victim.message
    run = run_attack(grader, exercise, attack_source(LEAK_OTHER_SUBMISSION))
    assert secret not in run.stdout(), "another student's submission leaked: " + run.describe()
    assert_failed(run)


# Raw memory: no Python object is needed, only the bytes left in the zygote's heap, which the
# child inherits. /proc/self/maps is closed, so regions are found from the program break and
# from the addresses of live objects, and read through write(2) into a pipe: an unreadable page
# gives EFAULT instead of a crash.
HEAP_SCAN = """
import ctypes
import gc
import os
import re

def _attack(x, dout):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sbrk.restype = ctypes.c_void_p
    libc.write.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
    libc.write.restype = ctypes.c_ssize_t
    r, w = os.pipe()
    step = 1 << 12
    try:
        import fcntl
        fcntl.fcntl(w, 1031, 1 << 16)  # F_SETPIPE_SZ
        step = 1 << 16
    except Exception:
        pass

    def read(address):
        n = libc.write(w, address, step)
        if n > 0:
            data = os.read(r, n)
            return data if n == step else None
        return None

    pattern = re.compile(b"VICTIM_" + b"(?:SECRET|PRINT)_([0-9a-f]{32})")
    objects = gc.get_objects()
    seeds = {libc.sbrk(0) - step, *(id(o) for o in objects[:: max(1, len(objects) // 2000)])}
    seen, hits, scanned = set(), set(), 0
    for seed in sorted(seeds):
        base = seed // step * step
        for direction in (-step, step):
            address = base if direction < 0 else base + step
            while address not in seen and scanned < (700 << 20):
                seen.add(address)
                data = read(address)
                if data is None:
                    break
                scanned += step
                hits.update(m.decode() for m in pattern.findall(data))
                address += direction
    print("scanned", scanned >> 20, "MiB; other submissions' secrets:", sorted(hits))
    return bool(hits)
"""


def test_earlier_submission_from_heap_residue(grader: Grader, exercise: Exercise) -> None:
    secret = secrets.token_hex(16)
    victim = grader.grade(exercise, _victim(secret, notes=150), seed=SEED)  # ~8 KB
    assert victim.verdict is Verdict.ACCEPTED, victim.message
    # A later job replaces every live reference to the victim's job in the zygote.
    assert grader.grade(exercise, HONEST, seed=SEED).verdict is Verdict.ACCEPTED
    run = run_attack(grader, exercise, attack_source(HEAP_SCAN))
    assert secret not in run.stdout(), "another student's submission leaked: " + run.describe()
    assert_failed(run)


# -- 3. network --------------------------------------------------------------------------------


@dataclass
class Listeners:
    tcp: socket.socket
    udp: socket.socket
    unix: socket.socket
    abstract: socket.socket
    unix_path: str
    abstract_name: str

    def port(self, sock: socket.socket) -> int:
        return sock.getsockname()[1]

    def contacted(self) -> list[str]:
        seen = []
        for name, sock in (("tcp", self.tcp), ("unix", self.unix), ("abstract", self.abstract)):
            with contextlib.suppress(BlockingIOError):
                conn, _ = sock.accept()
                conn.close()
                seen.append(name)
        with contextlib.suppress(BlockingIOError):
            self.udp.recvfrom(1024)
            seen.append("udp")
        return seen


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    with tempfile.TemporaryDirectory(prefix="attack-listeners-") as folder:
        os.chmod(folder, 0o777)
        tcp = socket.create_server(("127.0.0.1", 0))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        unix_path = os.path.join(folder, "s")
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind(unix_path)
        os.chmod(unix_path, 0o777)
        unix.listen()
        abstract_name = f"\0attack-{secrets.token_hex(8)}"
        abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        abstract.bind(abstract_name)
        abstract.listen()
        socks = [tcp, udp, unix, abstract]
        for s in socks:
            s.setblocking(False)
        try:
            yield Listeners(tcp, udp, unix, abstract, unix_path, abstract_name)
        finally:
            for s in socks:
                s.close()


NETWORK = """
import ctypes
import os
import socket

def _try(label, fn):
    try:
        fn()
        print("CONNECTED", label)
        return True
    except Exception as exc:
        print("failed", label, type(exc).__name__, exc)
        return False


# Hosts as bytes: a str host goes through the idna codec, which a child may not be able to import.
def _tcp(family=socket.AF_INET, host=b"127.0.0.1"):
    def go():
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect((host, {tcp}))
        s.sendall(b"hi")
    return go


def _udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"hi", (b"127.0.0.1", {udp}))


def _unix(address):
    def go():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
        s.sendall(b"hi")
    return go


def _raw_syscalls():
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(41, 2, 1, 0)  # SYS_socket(AF_INET, SOCK_STREAM, 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "SYS_socket")
    raise AssertionError("raw socket() worked")


def _socketpair():
    socket.socketpair()


def _dev_tcp():
    with open("/dev/tcp/127.0.0.1/{tcp}", "w") as fh:
        fh.write("hi")


def _attack(x, dout):
    results = [
        _try("tcp", _tcp()),
        _try("tcp6", _tcp(socket.AF_INET6, b"::1")),
        _try("udp", _udp),
        _try("unix", _unix({unix_path!r})),
        _try("abstract", _unix({abstract_name!r})),
        _try("raw socket syscall", _raw_syscalls),
        _try("socketpair", _socketpair),
        _try("/dev/tcp", _dev_tcp),
    ]
    return any(results)
"""


def test_network(grader: Grader, exercise: Exercise, listeners: Listeners) -> None:
    source = NETWORK.format(
        tcp=listeners.port(listeners.tcp),
        udp=listeners.port(listeners.udp),
        unix_path=listeners.unix_path,
        abstract_name=listeners.abstract_name,
    )
    run = run_attack(grader, exercise, attack_source(source))
    time.sleep(0.2)
    assert listeners.contacted() == [], run.describe()
    assert "CONNECTED" not in run.stdout(), run.describe()
    assert_failed(run)


# Machine code run from an executable mapping: socket(2) through the 32-bit ABI (int 0x80,
# i386 call 359) and through the x32 ABI (bit 30 set). A filter that only knows x86_64 numbers
# would let both through; libseccomp's architecture check must kill the process instead.
OTHER_ABI = """
import ctypes

CODE = {code!r}

def _attack(x, dout):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    address = libc.mmap(None, 4096, 7, 0x22, -1, 0)  # RWX, MAP_PRIVATE | MAP_ANONYMOUS
    if address in (None, ctypes.c_void_p(-1).value):
        print("no executable memory", ctypes.get_errno())
        return False
    ctypes.memmove(address, CODE, len(CODE))
    print("calling socket() through another ABI")
    fd = ctypes.CFUNCTYPE(ctypes.c_long)(address)()
    print("socket through another ABI returned", fd)
    return 0 <= fd < 4096
"""

INT80_SOCKET = bytes.fromhex(
    "53"  # push rbx
    "b867010000"  # mov eax, 359 (i386 socket)
    "bb02000000"  # mov ebx, AF_INET
    "b901000000"  # mov ecx, SOCK_STREAM
    "31d2"  # xor edx, edx
    "cd80"  # int 0x80
    "5b"  # pop rbx
    "4863c0"  # movsxd rax, eax
    "c3"  # ret
)
X32_SOCKET = bytes.fromhex(
    "b829000040"  # mov eax, 0x40000029 (x32 socket)
    "bf02000000"  # mov edi, AF_INET
    "be01000000"  # mov esi, SOCK_STREAM
    "31d2"  # xor edx, edx
    "0f05"  # syscall
    "c3"  # ret
)


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 machine code")
@pytest.mark.parametrize("code", [INT80_SOCKET, X32_SOCKET], ids=["int80", "x32"])
def test_socket_through_another_syscall_abi(
    grader: Grader, exercise: Exercise, listeners: Listeners, code: bytes
) -> None:
    run = run_attack(grader, exercise, attack_source(OTHER_ABI.format(code=code)))
    assert_failed(run)


# -- 4. processes ------------------------------------------------------------------------------

FORK_BOMB = f"""
import os

def _attack(x, dout):
    children = 0
    for _ in range(10000):
        try:
            pid = os.fork()
        except OSError as exc:
            print("fork refused", exc)
            break
        if pid == 0:
            open("/tmp/{MARK}_fork", "w").close()
            while True:
                pass
        children += 1
    return children > 0
"""

THREAD_BOMB = """
import threading
import _thread

def _attack(x, dout):
    started = 0
    for _ in range(10000):
        try:
            threading.Thread(target=lambda: [0 for _ in iter(int, 1)], daemon=True).start()
            started += 1
        except Exception as exc:
            print("thread refused", type(exc).__name__, exc)
            break
    try:
        _thread.start_new_thread(lambda: None, ())
        started += 1
    except Exception as exc:
        print("_thread refused", type(exc).__name__, exc)
    return started > 0
"""

SUBPROCESS = f"""
import os
import subprocess

def _attack(x, dout):
    ok = False
    probes = [
        lambda: subprocess.run(["/bin/sh", "-c", "touch /tmp/{MARK}_sh"], check=True),
        lambda: os.system("touch /tmp/{MARK}_system") == 0,
        lambda: os.posix_spawn("/bin/sh", ["sh", "-c", "touch /tmp/{MARK}_spawn"], {{}}),
        lambda: os.execv("/bin/sh", ["sh", "-c", "touch /tmp/{MARK}_exec"]),
    ]
    for probe in probes:
        try:
            result = probe()
            print("RAN", result)
            ok = ok or result is not False
        except Exception as exc:
            print("refused", type(exc).__name__, exc)
    return ok
"""


@pytest.mark.parametrize(
    "body", [FORK_BOMB, THREAD_BOMB, SUBPROCESS], ids=["fork-bomb", "thread-bomb", "subprocess"]
)
def test_processes_and_threads(grader: Grader, exercise: Exercise, body: str) -> None:
    run = run_attack(grader, exercise, attack_source(body))
    assert_failed(run)


KILL_PARENT = """
import ctypes
import fcntl
import os
import signal

def _attack(x, dout):
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    attempts = [
        ("kill(ppid)", lambda: os.kill(parent, signal.SIGKILL)),
        ("kill(-1)", lambda: os.kill(-1, signal.SIGKILL)),
        ("kill(0)", lambda: os.kill(0, signal.SIGKILL)),
        ("killpg(ppid)", lambda: os.killpg(os.getpgid(parent), signal.SIGKILL)),
        ("tgkill", lambda: _check(libc.syscall(234, parent, parent, 9))),
        ("pidfd_send_signal", lambda: _check(libc.syscall(424, _check(libc.syscall(434, parent, 0)), 9, None, 0))),
        ("SIGIO owner", lambda: _sigio(parent)),
    ]
    for name, attempt in attempts:
        try:
            attempt()
            print("SENT", name)
        except Exception as exc:
            print("refused", name, type(exc).__name__, exc)
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return True  # the zygote is gone
    except OSError:
        pass  # not even allowed to ask
    return False


def _check(ret):
    if ret < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return ret


def _sigio(parent):
    # Make the zygote the owner of our end of the stdout pipe, with SIGKILL as the I/O signal:
    # the kernel sends it when the zygote drains the pipe and it becomes writable again.
    fcntl.fcntl(1, fcntl.F_SETOWN, parent)
    fcntl.fcntl(1, 10, signal.SIGKILL)  # F_SETSIG
    fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_ASYNC)
    os.write(1, b"x" * 200_000)
"""


def test_kill_the_parent_and_everyone(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(KILL_PARENT))
    assert_failed(run)
    assert _alive(os.getpid())


ESCALATE = """
import ctypes
import os
import resource

def _attack(x, dout):
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID = 0x10000000, 0x00020000, 0x20000000
    won = []
    calls = {
        "setuid(0)": lambda: libc.setuid(0),
        "setresuid(0)": lambda: libc.setresuid(0, 0, 0),
        "setgid(0)": lambda: libc.setgid(0),
        "unshare(user)": lambda: libc.unshare(CLONE_NEWUSER),
        "unshare(user|ns|pid)": lambda: libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID),
        "mount tmpfs": lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
        "umount /work": lambda: libc.umount2(b"/work", 2),
        "chroot": lambda: libc.chroot(b"/"),
        "ptrace(attach ppid)": lambda: libc.ptrace(16, os.getppid(), 0, 0),
        "ptrace(traceme)": lambda: libc.ptrace(0, 0, 0, 0),
        "process_vm_readv": lambda: libc.syscall(310, os.getppid(), 0, 0, 0, 0, 0),
        "bpf": lambda: libc.syscall(321, 0, 0, 0),
        "io_uring_setup": lambda: libc.syscall(425, 8, 0),
        "userfaultfd": lambda: libc.syscall(323, 0),
        "keyctl": lambda: libc.syscall(250, 0, 0, 0, 0, 0),
        "perf_event_open": lambda: libc.syscall(298, 0, 0, -1, -1, 0),
        "open_by_handle_at": lambda: libc.syscall(304, -100, 0, 0),
        "setns": lambda: libc.syscall(308, 0, 0),
        "memfd_create": lambda: libc.syscall(319, b"x", 0),
        "PR_SET_NO_NEW_PRIVS 0": lambda: libc.prctl(38, 0, 0, 0, 0),
    }
    for name, call in calls.items():
        ret = call()
        if ret >= 0 and name not in ("ptrace(traceme)",):
            won.append(name)
        print(name, ret, ctypes.get_errno())
    try:
        os.setuid(0)
        won.append("os.setuid")
    except OSError as exc:
        print("os.setuid", exc)
    for limit in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC):
        soft, hard = resource.getrlimit(limit)
        try:
            resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            won.append(f"raised rlimit {limit}")
        except (ValueError, OSError) as exc:
            print("rlimit", limit, exc)
    print("ESCALATED" if won else "no escalation", won, "euid", os.geteuid())
    return bool(won)
"""


def test_escalation_syscalls(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(ESCALATE))
    assert_failed(run)
    if privileged(grader):
        assert "euid 0" not in run.stdout(), run.describe()


# Calls that act on *another* process and are allowed between processes of the same uid: with
# root the child has a uid of its own, so they fail; without root it shares the zygote's uid.
OTHER_PROCESS_LIMITS = """
import os
import resource

def _reweight(pid):
    with open(f"/proc/{pid}/autogroup", "w") as fh:
        fh.write("0")

def _attack(x, dout):
    parent = os.getppid()
    won = []
    for name, call in [
        ("prlimit(RLIMIT_AS)", lambda: resource.prlimit(parent, resource.RLIMIT_AS, (200 << 20,) * 2)),
        ("prlimit(RLIMIT_NOFILE)", lambda: resource.prlimit(parent, resource.RLIMIT_NOFILE, (60, 60))),
        ("setpriority(19)", lambda: os.setpriority(os.PRIO_PROCESS, parent, 19)),
        ("sched_setaffinity", lambda: os.sched_setaffinity(parent, {0})),
        # Each run leads a session, hence a scheduling group (autogroup), which the sandbox gives
        # the worker's lower weight: neither its own group nor the zygote's may be reweighted.
        ("own autogroup", lambda: _reweight("self")),
        ("zygote's autogroup", lambda: _reweight(parent)),
    ]:
        try:
            call()
            won.append(name)
        except OSError as exc:
            print("refused", name, exc)
    print("changed the zygote:", won)
    return bool(won)
"""


def test_limits_and_priority_of_the_zygote(grader: Grader, exercise: Exercise) -> None:
    import resource

    # A grader of its own: a successful attack must not poison the module's zygote.
    own = Grader(sandbox=Sandbox("numpy", unprivileged=grader.sandbox.unprivileged))
    try:
        assert own.grade(exercise, HONEST, seed=SEED).verdict is Verdict.ACCEPTED
        zygote = own.sandbox.pid
        assert zygote is not None
        before = [resource.prlimit(zygote, r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NOFILE)]
        nice, cpus = os.getpriority(os.PRIO_PROCESS, zygote), os.sched_getaffinity(zygote)
        run = run_attack(own, exercise, attack_source(OTHER_PROCESS_LIMITS))
        after = [resource.prlimit(zygote, r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NOFILE)]
        assert after == before, run.describe()
        assert os.getpriority(os.PRIO_PROCESS, zygote) == nice, run.describe()
        assert os.sched_getaffinity(zygote) == cpus, run.describe()
        assert_failed(run)
        for _ in range(2):  # the spare forked before the attack, then one forked after it
            report = own.grade(exercise, HONEST, seed=SEED)
            assert report.verdict is Verdict.ACCEPTED, report.message
    finally:
        own.close()


# Landlock governs opening, creating and removing files, not their metadata: chmod, chown,
# utime and xattrs only need the right uid (or root's capabilities). These are no-ops (same mode,
# same owner, same times) that succeed only if the child was allowed to change them.
FILE_METADATA = f"""
import os

TARGETS = ["{REPO}/exercises/backprop/sigmoid-backward/reference.py", "{REPO}/graders/engine.py",
           "{REPO}/pyproject.toml", "/etc/passwd"]

def _attack(x, dout):
    won = []
    for path in TARGETS:
        try:
            st = os.stat(path)
        except OSError as exc:
            print("stat refused", path, exc)
            continue
        print("stat", path, st.st_size)
        for name, call in [
            ("chmod", lambda: os.chmod(path, st.st_mode & 0o7777)),
            ("chown", lambda: os.chown(path, st.st_uid, st.st_gid)),
            ("utime", lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))),
        ]:
            try:
                call()
                won.append(name + " " + path)
            except OSError as exc:
                print("refused", name, path, exc)
    print("metadata changed:", won)
    return bool(won)
"""


def test_file_metadata(grader: Grader, exercise: Exercise) -> None:
    reference = exercise.path / "reference.py"
    mode = reference.stat().st_mode
    run = run_attack(grader, exercise, attack_source(FILE_METADATA))
    assert reference.stat().st_mode == mode
    assert_failed(run)


SYSV_SHM = """
import ctypes

def _attack(x, dout):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    shmid = libc.shmget({key}, 0, 0)
    if shmid < 0:
        print("shmget refused", ctypes.get_errno())
        return False
    address = libc.shmat(shmid, None, 0o10000)  # SHM_RDONLY
    if address in (None, ctypes.c_void_p(-1).value):
        print("shmat refused", ctypes.get_errno())
        return False
    print("read the grader's shared memory:", ctypes.string_at(address, 32))
    return True
"""


def test_sysv_shared_memory(grader: Grader, exercise: Exercise) -> None:
    """The test process (root, like a worker's neighbours) holds a SysV segment with a secret."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    key = 0x5EC0000 + secrets.randbelow(1 << 16)
    shmid = libc.shmget(key, 4096, 0o1000 | 0o600)  # IPC_CREAT, owner-only
    assert shmid >= 0, ctypes.get_errno()
    try:
        address = libc.shmat(shmid, None, 0)
        ctypes.memmove(address, b"SECRET-" + secrets.token_hex(8).encode(), 23)
        libc.shmdt(ctypes.c_void_p(address))
        run = run_attack(grader, exercise, attack_source(SYSV_SHM.format(key=key)))
    finally:
        libc.shmctl(shmid, 0, None)  # IPC_RMID
    assert "SECRET-" not in run.stdout(), run.describe()
    assert_failed(run)


TAMPER_ZYGOTE = """
import ctypes
import os

def _attack(x, dout):
    parent = os.getppid()
    ok = False
    for path, mode in [(f"/proc/{parent}/mem", "r+b"), (f"/proc/{parent}/maps", "r"),
                       (f"/proc/{parent}/fd/0", "rb"), (f"/proc/{parent}/fd/1", "wb")]:
        try:
            with open(path, mode) as fh:
                print("OPENED", path)
                ok = True
        except Exception as exc:
            print("refused", path, type(exc).__name__)
    # The child is a fork: the zygote has the same object at the same address.
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(16)
    local = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 16)
    remote = (ctypes.c_void_p * 2)(id(np), 16)
    ret = libc.syscall(310, parent, local, 1, remote, 1, 0)  # process_vm_readv
    print("process_vm_readv", ret, ctypes.get_errno())
    if ret == 16:  # write back the very bytes just read: proves write access, changes nothing
        ret = libc.syscall(311, parent, local, 1, remote, 1, 0)  # process_vm_writev
        print("process_vm_writev", ret, ctypes.get_errno())
        return True
    return ok
"""


def test_tamper_with_the_zygote_memory(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(TAMPER_ZYGOTE))
    assert_failed(run)


# -- 5. resources ------------------------------------------------------------------------------

ALLOC_10GB = """
def _attack(x, dout):
    big = np.ones(10**10 // 8)
    return big.size == 10**10 // 8
"""

HUGE_RESULT = """
def _attack(x, dout):
    return False


def sigmoid_backward(x, dout):  # noqa: F811 - a result too big to serialise within the limit
    return np.ones(40_000_000)
"""


@pytest.mark.parametrize("body", [ALLOC_10GB, HUGE_RESULT], ids=["allocate-10GB", "huge-result"])
def test_memory(grader: Grader, exercise: Exercise, body: str) -> None:
    run = run_attack(grader, exercise, attack_source(body))
    assert_failed(run, Verdict.MEMORY_LIMIT)


WRITE_5GB = f"""
import os

def _attack(x, dout):
    chunk = b"x" * (64 << 20)
    written = 0
    for path in ["/tmp/{MARK}_5gb", "{MARK}_5gb", "/dev/shm/{MARK}_5gb", "/var/tmp/{MARK}_5gb",
                 "{REPO}/{MARK}_5gb"]:
        try:
            with open(path, "wb") as fh:
                for _ in range(80):  # 80 x 64 MiB = 5 GiB
                    fh.write(chunk)
                    written += len(chunk)
        except BaseException as exc:
            print("refused", path, type(exc).__name__, exc)
    for folder in ["/tmp", "/"]:
        try:
            os.mkdir(os.path.join(folder, "{MARK}_dir"))
            written += 1
        except OSError as exc:
            print("mkdir refused", folder, exc)
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
            os.write(fd, chunk)
            written += 1
        except OSError as exc:
            print("O_TMPFILE refused", folder, exc)
    return written > 0
"""


def test_write_5gb_to_disk(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(WRITE_5GB))
    assert_failed(run)


INFINITE_LOOP = """
def _attack(x, dout):
    while True:
        pass
"""

IGNORE_SIGXCPU = """
import signal

def _attack(x, dout):
    for sig in (signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
"""

SLEEP_FOREVER = """
import time

def _attack(x, dout):
    while True:
        time.sleep(3600)
"""

SIGSTOP_SELF = """
import os
import signal

def _attack(x, dout):
    os.kill(os.getpid(), signal.SIGSTOP)
    return True
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "limit"),
    [
        (INFINITE_LOOP, "cpu"),
        (IGNORE_SIGXCPU, "cpu"),
        (SLEEP_FOREVER, "wall"),
        (SIGSTOP_SELF, "wall"),
    ],
    ids=["infinite-loop", "ignore-sigxcpu", "sleep-forever", "sigstop-self"],
)
def test_timeouts(grader: Grader, exercise: Exercise, body: str, limit: str) -> None:
    if run_once_elsewhere(grader):
        pytest.skip("same rlimits and wall clock in both modes: run once, to keep the suite short")
    run = run_attack(grader, exercise, attack_source(body))
    assert_failed(run, Verdict.TIMEOUT)
    limits = exercise.spec.limits
    # Stopped by the limit, not later: the CPU limit (soft, then hard a second later) or the wall
    # clock, which also bounds a CPU-bound run on a busy machine.
    bound = limits.wall_seconds + 2.5
    if limit == "wall":
        assert run.seconds >= limits.wall_seconds - 0.5, f"stopped early: {run.seconds:.1f} s"
    assert run.seconds < bound, f"took {run.seconds:.1f} s: " + run.describe()
    assert "time limit" in run.report.message, run.describe()


# -- 6. stdout ---------------------------------------------------------------------------------

FLOOD_PRINT = """
def _attack(x, dout):
    line = "y" * 1023
    for _ in range(200 * 1024):  # 200 MiB through print()
        print(line)
    return True  # then the right answer: only stopping the flood rejects it
"""

FLOOD_FD1 = """
import os

def _attack(x, dout):
    block = b"z" * (1 << 20)
    for _ in range(200):  # 200 MiB straight onto the stdout pipe
        os.write(1, block)
        os.write(2, block)
    return True
"""


def _assert_stdout_capped(run: AttackRun) -> None:
    for check in run.report.checks:
        assert len(check.stdout or "") <= 70_000, f"{check.name}: {len(check.stdout or '')} chars"
    assert len(json.dumps(run.report.to_dict())) < 1_000_000


def test_stdout_flood_through_print(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(FLOOD_PRINT))
    assert_failed(run)  # 200 MB of stdout is an output flood: rejected, even with the right answer
    _assert_stdout_capped(run)
    assert run.seconds < 8, f"took {run.seconds:.1f} s"


FLOOD_PRINT_CATCHING = """
def _attack(x, dout):
    line = "y" * 1023
    stopped = 0
    for _ in range(200 * 1024):  # 200 MiB through print(), shrugging off whatever print raises
        try:
            print(line)
        except Exception:
            stopped += 1
    print("print raised", stopped, "times")
    return True
"""


def test_stdout_flood_through_print_catching_the_error(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(FLOOD_PRINT_CATCHING))
    _assert_stdout_capped(run)
    assert_failed(run)


def test_stdout_flood_on_fd1(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(FLOOD_FD1))
    assert_failed(run)
    _assert_stdout_capped(run)
    assert run.seconds < 8, f"took {run.seconds:.1f} s"


FORGED_STDOUT = """
import json
import os
import sys

VERDICT = {"exercise": "sigmoid-backward", "verdict": "accepted", "score": 10, "max_score": 10,
           "message": "Accepted: all 6 cases pass.", "checks": []}

def _attack(x, dout):
    text = json.dumps(VERDICT)
    print(text)
    sys.__stdout__.write(text + "\\n")
    sys.__stdout__.flush()
    os.write(1, (text + "\\n").encode())
    os.write(2, (text + "\\n").encode())
    return False
"""


def test_forged_verdict_on_stdout(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(FORGED_STDOUT))
    assert_failed(run, Verdict.REJECTED)


@pytest.mark.slow
def test_forged_verdict_through_the_cli(grader: Grader) -> None:
    """`python -m graders check --json` prints exactly one JSON object: the grader's."""
    if run_once_elsewhere(grader):
        pytest.skip("the command line starts its own grader: once is enough")
    with tempfile.TemporaryDirectory(prefix="attack-cli-") as folder:
        path = Path(folder, "solution.py")
        path.write_text(attack_source(FORGED_STDOUT))
        proc = subprocess.run(
            [sys.executable, "-m", "graders", "check", SLUG, str(path), "--json"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
    data = json.loads(proc.stdout)  # one object, nothing else on stdout
    assert data["verdict"] == "rejected", data
    assert proc.returncode == 1, proc.stderr[-2000:]


# -- 7. the results channel (fd 3) ---------------------------------------------------------------

FORGE_FRAMES = """
import json
import os
import struct

def _frame(header, buffers=()):
    header = dict(header, buffers=[len(b) for b in buffers])
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + b"".join(buffers)


def _attack(x, dout):
    zeros = np.zeros_like(x)
    forged = [_frame({"event": "loaded", "stdout": ""})]
    forged.append(_frame({"event": "verdict", "verdict": "accepted", "passed": True}))
    for index in range(64):
        forged.append(_frame({
            "event": "case", "index": index, "passed": True, "seconds": 0.0, "stdout": "",
            "value": {"t": "nd", "dtype": "float64", "shape": list(x.shape), "b": 0},
        }, [zeros.tobytes()]))
    forged.append(_frame({"event": "done"}))
    os.write(3, b"".join(forged))
    os._exit(0)
"""

GARBAGE_FRAMES = """
import os

def _attack(x, dout):
    os.write(3, b"\\x00\\x00\\x00\\x10not json at all!" + os.urandom(1000))
    os._exit(0)
"""

TRUNCATED_FRAME = """
import os
import struct

def _attack(x, dout):
    os.write(3, struct.pack(">I", 1 << 19) + b'{"event": "case", "index": 0')
    os._exit(0)
"""

HUGE_BUFFER_CLAIM = """
import json
import os
import struct

def _attack(x, dout):
    raw = json.dumps({"event": "case", "index": 0, "buffers": [2**62, -1],
                      "value": {"t": "nd", "dtype": "object", "shape": [2**40], "b": 0}}).encode()
    os.write(3, struct.pack(">I", len(raw)) + raw)
    os._exit(0)
"""


@pytest.mark.parametrize(
    "body",
    [FORGE_FRAMES, GARBAGE_FRAMES, TRUNCATED_FRAME, HUGE_BUFFER_CLAIM],
    ids=["forged-frames", "garbage", "truncated", "huge-buffer-claim"],
)
def test_forged_results_channel(grader: Grader, exercise: Exercise, body: str) -> None:
    run = run_attack(grader, exercise, attack_source(body))
    assert_failed(run, Verdict.REJECTED, Verdict.RUNTIME_ERROR)


SPOOF_SETUP_FAILED = """
import os

def _attack(x, dout):
    os._exit(71)  # the status the zygote's child uses when hardening fails
"""


def test_exit_status_cannot_blame_the_sandbox(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(SPOOF_SETUP_FAILED))
    assert_failed(run)
    assert "internal" not in run.report.message.lower(), run.describe()
    assert all("internal" not in c.message.lower() for c in run.report.checks), run.describe()


# Many tiny frames: 6 bytes each on the pipe, but a dict, a list and a tuple each on the trusted
# side, parsed at ~8 us apiece. Without a cap on the number of frames, the 256 MiB results cap
# allows ~45 million: minutes of CPU and ~9 GB of RAM in the worker, for ~1 s of the child's.
FRAME_FLOOD = """
import os
import struct

def _attack(x, dout):
    block = (struct.pack(">I", 2) + b"{}") * 10_000
    for _ in range(FRAMES // 10_000):
        os.write(3, block)
    return False
""".replace("FRAMES", "50_000")


def test_results_frame_flood(grader: Grader, exercise: Exercise) -> None:
    with outcomes_of(grader) as outcomes:
        run = run_attack(grader, exercise, attack_source(FRAME_FLOOD))
    assert_failed(run)
    frames = max(len(o.frames) for o in outcomes)
    assert frames <= 10_000, f"the trusted side parsed {frames} frames from one child"
    assert run.seconds < 2.0, f"{run.seconds:.1f} s for 50k frames"


# Few frames, but each header is 1 MiB of JSON made of empty objects: 3 bytes on the pipe, a
# 64-byte dict on the trusted side. At the 256 MiB results cap that is ~6 GB and ~13 s of
# json.loads in the worker, per pass (the "done" check and the final split both parse it).
JSON_FLOOD = """
import os
import struct

def _attack(x, dout):
    header = b'{"event":"padding","pad":[' + b"{}," * 349_000 + b'{}]}'
    frame = struct.pack(">I", len(header)) + header
    for _ in range(16):  # 16 MiB here, enough to measure; the cap allows 16 times more
        os.write(3, frame)
    return False
"""


def test_results_json_flood(grader: Grader, exercise: Exercise) -> None:
    with outcomes_of(grader) as outcomes:
        run = run_attack(grader, exercise, attack_source(JSON_FLOOD))
    assert_failed(run)
    parsed = max(
        sum(len(json.dumps(h, separators=(",", ":"))) for h, _ in o.frames) for o in outcomes
    )
    # Honest headers hold at most a case's capped stdout and traceback (~20 KB) each.
    assert parsed <= 8 << 20, f"the trusted side parsed {parsed >> 20} MiB of JSON headers"


RESULTS_OVER_CAP = """
import os

def _attack(x, dout):
    block = b"\\x00" * (8 << 20)
    for _ in range(40):  # 320 MiB, over the 256 MiB cap
        os.write(3, block)
    return False
"""


def test_results_over_the_cap(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(RESULTS_OVER_CAP))
    assert_failed(run, Verdict.RUNTIME_ERROR)
    assert run.seconds < 10, f"took {run.seconds:.1f} s"


# -- 8. exits ------------------------------------------------------------------------------------

EXITS = {
    "sys.exit-at-import": "import sys\nsys.exit(0)\n",
    "os._exit-at-import": "import os\nos._exit(0)\n",
    "sys.exit-in-function": "import sys\n\ndef sigmoid_backward(x, dout):\n    sys.exit(0)\n",
    "os._exit-in-function": "import os\n\ndef sigmoid_backward(x, dout):\n    os._exit(0)\n",
    "raise-SystemExit-after-a-case": (
        "import numpy as np\n_n = []\n\ndef sigmoid_backward(x, dout):\n    _n.append(1)\n"
        "    if len(_n) > 1:\n        raise SystemExit(0)\n    return np.zeros_like(x)\n"
    ),
}


@pytest.mark.parametrize("name", list(EXITS))
def test_exits(grader: Grader, exercise: Exercise, name: str) -> None:
    run = run_attack(grader, exercise, EXITS[name])
    assert_failed(run, Verdict.RUNTIME_ERROR, Verdict.REJECTED)


# -- 9. the comparison and the returned value ----------------------------------------------------

MONKEYPATCH_COMPARISON = """
import math

def _attack(x, dout):
    always = lambda *a, **k: True
    np.allclose = np.isclose = np.array_equal = np.array_equiv = always
    math.isclose = always
    try:  # numpy.testing imports unittest, which the child may not be able to load
        np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
    except Exception as exc:
        print("numpy.testing unavailable", type(exc).__name__)
    return False
"""


def test_monkeypatched_comparison(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(MONKEYPATCH_COMPARISON))
    assert_failed(run, Verdict.REJECTED)  # compared on the trusted side, value by value


RETURNS = {
    # A subclass whose comparisons and conversions all claim to be the right answer.
    "lying-subclass": """
class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
    def __ne__(self, other): return np.zeros(np.shape(other), bool)
    def __array__(self, *a, **k): return _honest(*_ARGS)
    def __array_ufunc__(self, *a, **k): return True
    def __array_function__(self, *a, **k): return True
    def tobytes(self, *a, **k): return _honest(*_ARGS).tobytes()
    def __reduce__(self): return (_honest, _ARGS)
    @property
    def __class__(self): return np.ndarray

_ARGS = []

def sigmoid_backward(x, dout):
    _ARGS[:] = [x, dout]
    return _wrong(x, dout).view(Liar)
""",
    # The right values, but in an ndarray subclass: subclasses are refused, whatever they hold.
    "honest-subclass": """
class Sub(np.ndarray):
    pass

def sigmoid_backward(x, dout):
    return _honest(x, dout).view(Sub)
""",
    "object-dtype": """
def sigmoid_backward(x, dout):
    return _honest(x, dout).astype(object)
""",
    "dict": """
def sigmoid_backward(x, dout):
    return {"dx": _honest(x, dout)}
""",
    "nan": """
def sigmoid_backward(x, dout):
    return np.full_like(x, np.nan)
""",
    "inf": """
def sigmoid_backward(x, dout):
    return np.full_like(x, np.inf)
""",
    "nested-list": """
def sigmoid_backward(x, dout):
    return _honest(x, dout).tolist()
""",
    "complex": """
def sigmoid_backward(x, dout):
    return _honest(x, dout).astype(complex)
""",
    "big-endian": """
def sigmoid_backward(x, dout):
    return _wrong(x, dout).astype(">f8")
""",
    "scalar-broadcast": """
def sigmoid_backward(x, dout):
    return float(_honest(x, dout).mean())
""",
    "masked-array": """
def sigmoid_backward(x, dout):
    return np.ma.masked_all(x.shape)
""",
}


@pytest.mark.parametrize("name", list(RETURNS))
def test_returned_values(grader: Grader, exercise: Exercise, name: str) -> None:
    run = run_attack(grader, exercise, PRELUDE.split("_STATE")[0] + textwrap.dedent(RETURNS[name]))
    assert_failed(run, Verdict.REJECTED, Verdict.RUNTIME_ERROR)


# -- 10. the static check is not the barrier -----------------------------------------------------

# Written so that codecheck does not see it: no import statement, no banned name.
EVADE_STATIC = f"""
def _attack(x, dout):
    imp = getattr(vars(__builtins__) if isinstance(__builtins__, dict) else __builtins__,
                  "__imp" + "ort__")
    ct = np.ctypeslib.ctypes
    libc = ct.CDLL(None, use_errno=True)
    sock = imp("sock" + "et")
    won = []
    try:
        sock.socket().connect((b"127.0.0.1", 1))
        won.append("socket")
    except Exception as exc:
        print("socket refused", exc)
    if libc.setuid(0) == 0 or libc.fork() >= 0:
        won.append("setuid/fork")
    try:
        with open("{REPO}/exercises/backprop/sigmoid-backward/reference.py") as fh:
            fh.read()
        won.append("reference")
    except Exception as exc:
        print("reference refused", type(exc).__name__)
    return bool(won)
"""


def test_static_evasion_meets_the_sandbox(grader: Grader, exercise: Exercise) -> None:
    run = run_attack(grader, exercise, attack_source(EVADE_STATIC))
    assert not run.static_caught  # the point of this attack: it reaches the sandbox as submitted
    assert_failed(run)


BANNED_VIA_DEFINING_MODULE = """
def _attack(x, dout):
    # numpy.convolve is banned in numpy exercises: the run-time ban replaces the attribute on
    # `numpy`, but the function still lives in the module that defines it.
    conv = getattr(np._core.numeric, "convolve")
    try:
        got = conv([1.0, 2.0], [1.0, 1.0])
    except Exception as exc:
        print("convolve refused", type(exc).__name__, exc)
        return False
    print("called the banned numpy.convolve:", got)
    return list(got) == [1.0, 3.0, 2.0]
"""


def test_banned_function_through_its_defining_module(grader: Grader, exercise: Exercise) -> None:
    assert "numpy.convolve" in grader.banned_for(exercise)
    run = run_attack(grader, exercise, attack_source(BANNED_VIA_DEFINING_MODULE))
    assert_failed(run)


def test_sandbox_reports_its_protections(grader: Grader) -> None:
    """The suite above is only meaningful with every protection on; say so if one is missing."""
    info = grader.sandbox.info
    missing = [k for k in ("seccomp", "landlock_abi") if not info.get(k)]
    if grader.sandbox.unprivileged:
        assert not info.get("namespaces") and not info.get("setuid"), info
    else:
        missing += [k for k in ("namespaces", "setuid") if not info.get(k)]
    assert not missing, f"sandbox degraded: {missing} ({info})"
    assert info.get("threads") == 1, "the zygote must be single-threaded to fork safely"
    # The filter the attacks above ran against is the zygote's precompiled one, patched with
    # each child's pid (harden.seccomp_program), not one compiled per child.
    assert info.get("seccomp_precompiled") is True, info


def test_the_precompiled_filter_is_patched_with_the_childs_own_pid() -> None:
    """Signals to itself pass, to its parent they do not: the placeholder pid was replaced."""
    from graders.sandbox import harden

    compiled = harden.seccomp_program()
    assert compiled is not None
    parent = os.getpid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: load the filter, then report what the kernel let through
        os.close(read_end)
        outcome = []
        try:
            harden._check(harden._libc.prctl(harden.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "nnp")
            harden.load_seccomp(compiled, os.getpid())
            for target in (os.getpid(), parent):
                try:
                    os.kill(target, 0)
                    outcome.append("sent")
                except PermissionError:
                    outcome.append("refused")
        finally:
            os.write(write_end, ",".join(outcome).encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        result = reader.read().decode()
    os.waitpid(pid, 0)
    assert result == "sent,refused"
