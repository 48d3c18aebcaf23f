"""Verdicts from the real engine and sandbox, on small hand-made submissions."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from graders.report import Verdict
from tests.graders.conftest import SIGMOID_OK


def grade(grader, exercise, source, seed=0):
    return grader.grade(exercise, textwrap.dedent(source), seed=seed)


def test_correct_solution_is_accepted_with_full_score(grader, sigmoid):
    report = grade(grader, sigmoid, SIGMOID_OK)
    assert report.verdict is Verdict.ACCEPTED
    assert report.score == report.max_score == sigmoid.points
    assert all(c.passed for c in report.checks)
    assert len(report.checks) >= 3


def test_same_seed_same_verdict_and_inputs(grader, sigmoid):
    a = grade(grader, sigmoid, SIGMOID_OK, seed=7)
    b = grade(grader, sigmoid, SIGMOID_OK, seed=7)
    assert [c.details.get("dims") for c in a.checks] == [c.details.get("dims") for c in b.checks]


def test_syntax_error_names_the_line(grader, sigmoid):
    report = grade(
        grader, sigmoid, "import numpy as np\n\ndef sigmoid_backward(x, dout)\n    return x\n"
    )
    assert report.verdict is Verdict.SYNTAX_ERROR
    assert "line 3" in report.message
    assert report.checks[0].details["lineno"] == 3


def test_banned_module_statically(grader, sigmoid):
    report = grade(grader, sigmoid, "import torch\ndef sigmoid_backward(x, dout):\n    return x\n")
    assert report.verdict is Verdict.BANNED_CALL
    assert "line 1" in report.message and "torch" in report.message


def test_banned_function_at_run_time(grader, sigmoid, monkeypatch):
    # getattr hides the name from the static check; the run-time stub still refuses it.
    source = """
    import numpy as np
    def sigmoid_backward(x, dout):
        getattr(np, "con" + "volve")(x.ravel(), x.ravel())
        return dout
    """
    report = grade(grader, sigmoid, source)
    assert report.verdict is Verdict.BANNED_CALL
    assert "numpy.convolve" in report.checks[0].message


def test_runtime_error_traceback_is_trimmed_to_the_students_file(grader, sigmoid):
    source = """
    import numpy as np
    def helper(x):
        return x @ np.ones((x.shape[-1] + 1, 2))
    def sigmoid_backward(x, dout):
        return helper(x)
    """
    report = grade(grader, sigmoid, source)
    assert report.verdict is Verdict.RUNTIME_ERROR
    message = report.checks[0].message
    assert 'File "solution.py", line 6, in sigmoid_backward' in message
    assert 'File "solution.py", line 4, in helper' in message
    assert "ValueError" in message
    assert "graders" not in message and "site-packages" not in message and "/work" not in message


def test_missing_entry_point(grader, sigmoid):
    report = grade(grader, sigmoid, "def sigmoid_backwards(x, dout):\n    return x\n")
    assert report.verdict is Verdict.REJECTED
    assert report.checks[0].stage == "entry_point"
    assert "sigmoid_backward" in report.message


def test_returns_none(grader, sigmoid):
    report = grade(grader, sigmoid, "def sigmoid_backward(x, dout):\n    dx = dout\n")
    assert report.verdict is Verdict.REJECTED
    assert report.checks[0].stage == "returns" and "return" in report.checks[0].message


def test_wrong_shape_is_not_broadcast(grader, sigmoid):
    source = """
    import numpy as np
    def sigmoid_backward(x, dout):
        s = 1 / (1 + np.exp(-x))
        return (dout * s * (1 - s)).sum(axis=0, keepdims=True)
    """
    report = grade(grader, sigmoid, source)
    assert report.verdict is Verdict.REJECTED
    assert report.checks[0].stage == "shape"


def test_partial_credit_is_the_share_of_cases(grader, sigmoid):
    # Right only for small |x| (no clipping needed): the large-magnitude case fails.
    source = """
    import numpy as np
    def sigmoid_backward(x, dout):
        s = 1 / (1 + np.exp(-x))
        out = dout * s * (1 - s)
        if np.abs(x).max() > 100:
            return out + 1.0
        return out
    """
    report = grade(grader, sigmoid, source)
    passed = sum(c.passed for c in report.checks)
    assert report.verdict is Verdict.PARTIALLY_ACCEPTED
    assert 0 < passed < len(report.checks)
    assert report.score == pytest.approx(sigmoid.points * passed / len(report.checks))


def test_float32_is_accepted_with_a_warning(grader, sigmoid):
    source = SIGMOID_OK.replace(
        "return dout * s * (1.0 - s)", "return (dout * s * (1.0 - s)).astype(np.float32)"
    )
    report = grade(grader, sigmoid, source)
    assert report.verdict is Verdict.ACCEPTED
    assert any("float32" in w for w in report.warnings)


def test_prints_are_shown_for_visible_cases_only(grader, sigmoid):
    source = SIGMOID_OK.replace(
        "def sigmoid_backward(x, dout):",
        "def sigmoid_backward(x, dout):\n    print('shape', x.shape)",
    )
    report = grade(grader, sigmoid, source)
    assert report.verdict is Verdict.ACCEPTED
    visible = [c for c in report.checks if c.visible]
    hidden = [c for c in report.checks if not c.visible]
    assert visible and hidden
    assert all("shape" in (c.stdout or "") for c in visible)
    assert all(c.stdout is None for c in hidden)


def test_visible_only_runs_the_visible_cases_and_says_nothing_of_hidden_ones(grader, sigmoid):
    # Wrong on every case: the visible-only report must not reveal how hidden cases fare.
    wrong = SIGMOID_OK.replace("return dout * s * (1.0 - s)", "return -dout * s * (1.0 - s)")
    full = grade(grader, sigmoid, wrong)
    visible = grader.grade(sigmoid, textwrap.dedent(wrong), seed=0, visible_only=True)

    assert any(not c.visible for c in full.checks)
    assert visible.checks and all(c.visible for c in visible.checks)
    assert [c.name for c in visible.checks] == [c.name for c in full.checks if c.visible]
    hidden = len(full.checks) - len(visible.checks)
    assert visible.message.startswith(f"Visible tests only ({hidden} hidden case")
    assert visible.verdict is Verdict.REJECTED and visible.fault == ""


def test_timeout(grader, write_exercise, tiny_files):
    exercise = write_exercise(
        tiny_files(limits="[limits]\nwall_seconds = 1.0\ncpu_seconds = 1.0\n")
    )
    report = grader.grade(exercise, "def double(x):\n    while True:\n        pass\n", seed=0)
    assert report.verdict is Verdict.TIMEOUT
    assert "limit" in report.checks[0].message


def test_memory_limit(grader, write_exercise, tiny_files):
    exercise = write_exercise(tiny_files(limits="[limits]\nmemory_mb = 128\n"))
    source = "import numpy as np\ndef double(x):\n    big = np.ones(2 * 10**8)\n    return x * 2\n"
    report = grader.grade(exercise, source, seed=0)
    assert report.verdict is Verdict.MEMORY_LIMIT


def test_poisoned_reference_is_could_not_be_graded(grader, write_exercise, tiny_files):
    files = tiny_files(slug="poisoned")
    files["reference.py"] = "def double(x):\n    raise RuntimeError('instructor bug')\n"
    exercise = write_exercise(files, slug="poisoned")
    report = grader.grade(exercise, "def double(x):\n    return 2 * x\n", seed=0)
    assert report.verdict is Verdict.INTERNAL_ERROR
    assert report.fault == "exercise"  # the platform alerts its authors, and does not retry
    assert "not your fault" in report.message
    assert "instructor bug" in report.warnings[0]
    # the grader is still fine for everybody else
    healthy = write_exercise(tiny_files(slug="healthy"), slug="healthy")
    ok = grader.grade(healthy, "def double(x):\n    return 2 * x\n", seed=0)
    assert ok.verdict is Verdict.ACCEPTED


def test_a_dead_zygote_is_replaced_and_the_job_retried(grader, sigmoid):
    import os
    import signal

    grader.sandbox.start()
    os.kill(grader.sandbox.pid, signal.SIGKILL)
    report = grade(grader, sigmoid, SIGMOID_OK)
    assert report.verdict is Verdict.ACCEPTED


@pytest.mark.skipif(
    not Path("/proc/self/autogroup").exists() or os.geteuid() != 0,
    reason="autogroup scheduling off, or not root (the kernel then rate-limits the change)",
)
def test_each_run_of_student_code_keeps_the_workers_lower_cpu_priority(sigmoid):
    """A child is a new session, hence its own scheduling group: it must not start at full
    weight. Otherwise, when CPU is short, each run would weigh as much as the whole web server."""
    from graders.engine import Grader
    from graders.sandbox.controller import Sandbox

    g = Grader(sandbox=Sandbox("numpy"))
    try:
        assert grade(g, sigmoid, SIGMOID_OK).verdict is Verdict.ACCEPTED
        zygote = g.sandbox.pid
        assert zygote is not None
        os.setpriority(os.PRIO_PROCESS, zygote, 7)  # as the worker's WORKER_NICE would
        for _ in range(2):  # use up the spare forked before the change
            assert grade(g, sigmoid, SIGMOID_OK).verdict is Verdict.ACCEPTED
        seen = []
        for _ in range(100):  # the spare may still be hardening itself; a finished child exiting
            seen = _autogroups_of_children(zygote)
            if any(line.endswith("nice 7") for line in seen):
                break
            time.sleep(0.02)
        # The kernel prints nothing for the root group (a process that never left init's
        # session, as a CI runner may be): any named group is then another one.
        own = Path("/proc/self/autogroup").read_text().split()[:1]
        spare = [line for line in seen if line.endswith("nice 7")]
        assert spare, seen
        assert spare[0].split()[:1] != own, "the child leads a session (and group) of its own"
    finally:
        g.close()


def _autogroups_of_children(pid: int) -> list[str]:
    lines = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            lines.append(Path(f"/proc/{child}/autogroup").read_text().strip())
        except FileNotFoundError:  # exited since
            continue
    return lines


TINY_TOML = """slug = "{slug}"
title = "Double it"
topic = "backprop"
kind = "code"
{limits}
[code]
entry_point = "double"

[dims]
N = [2, 5]
D = [6, 9]

[[cases]]
name = "example"
visible = true

[[cases]]
name = "random"
repeat = 2

[[solutions]]
file = "ok.py"
expect = "accepted"
"""


@pytest.fixture
def tiny_files():
    def files(limits: str = "", slug: str = "tiny-double") -> dict[str, str]:
        return {
            "exercise.toml": TINY_TOML.format(slug=slug, limits=limits),
            "statement.md": "Return 2x.",
            "cases.py": "def make_inputs(rng, dims, options):\n    return {'x': rng.standard_normal((dims['N'], dims['D']))}\n",
            "reference.py": "def double(x):\n    return 2 * x\n",
            "starter.py": "def double(x):\n    raise NotImplementedError\n",
            "solutions/ok.py": "def double(x):\n    return x + x\n",
        }

    return files


def test_unprivileged_mode_still_grades_and_blocks(sigmoid, caplog):
    """Without root (no namespaces, no setuid): Landlock, seccomp and rlimits still hold."""
    from graders.engine import Grader
    from graders.sandbox import controller
    from graders.sandbox.controller import Sandbox

    controller._degraded_logged = False
    g = Grader(sandbox=Sandbox("numpy", unprivileged=True))
    try:
        with caplog.at_level("WARNING", logger="graders.sandbox"):
            assert grade(g, sigmoid, SIGMOID_OK).verdict is Verdict.ACCEPTED
        assert "degraded" in caplog.text and "not root" in caplog.text
        assert g.sandbox.info["namespaces"] is False and g.sandbox.info["landlock_abi"] >= 1
        thief = f"""
        def sigmoid_backward(x, dout):
            secret = open({str(sigmoid.path / "reference.py")!r}).read()
            return dout
        """
        report = grade(g, sigmoid, thief)
        assert report.verdict is Verdict.RUNTIME_ERROR
        assert "PermissionError" in report.checks[0].message
    finally:
        g.close()


def test_the_reference_cache_is_bounded_by_bytes_not_by_a_count(monkeypatch):
    # A class of 500 students is 500 seeds: a count of 256 made a rush recompute the reference
    # on nearly every submission. Small runs are kept by the thousand; big ones push out the
    # oldest once the byte budget is spent.
    import numpy as np

    from graders import codegrade, reference

    def fake_reference(self, exercise, seed):
        size = 1000 if seed < 1000 else 400_000  # float64 values
        case = reference.ReferenceCase(
            index=0,
            name="c",
            visible=True,
            dims={},
            args=[],
            arg_names=[],
            expected=np.zeros(size),
        )
        calls.append(seed)
        return reference.ReferenceRun(cases=[case])

    class FakeExercise:
        version = "v1"

    calls: list[int] = []
    monkeypatch.setattr(codegrade.CodeGrader, "_run_reference", fake_reference)
    monkeypatch.setattr(codegrade, "REFERENCE_CACHE_BYTES", 16 * 2**20)
    grader = codegrade.CodeGrader(sandbox=object(), torch_sandbox=object())

    for _ in range(2):
        for seed in range(600):
            grader.reference(FakeExercise(), seed)
    assert calls == list(range(600))  # 600 small runs (~8 KB each): all kept, computed once

    for seed in range(1000, 1010):  # ~3.2 MB each: only 5 fit with the small ones in 16 MB
        grader.reference(FakeExercise(), seed)
    assert grader._cache_bytes <= 16 * 2**20
    assert len(grader._cache) < 610
    assert (FakeExercise.version, 1009) in grader._cache  # the newest stays
    calls.clear()
    grader.reference(FakeExercise(), 0)  # among the oldest: pushed out, computed again
    assert calls == [0]
