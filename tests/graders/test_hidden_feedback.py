"""Hidden cases return no student-controlled text (docs/security.md, "What the site guarantees").

Every test grades a real exercise, `linear-backward`, with a file that tries to smuggle the
inputs of its hidden cases into the report: through an exception's message or traceback, its
printed output, stderr, warnings, the name of its own exception class, the type name of what it
returns, frames it forges on the results channel, or by reading the other cases' inputs out of
the process while a visible case or the import runs. Each asserts that no hidden input reaches
`json.dumps(report.to_dict())`, and that visible cases still show what they always showed.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from graders.engine import Grader
from graders.exercise import Exercise, load_exercise
from graders.report import Check, Report, Verdict

SEED = 3

CORRECT = """
def _answer(x, w, b, dout):
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
"""


@pytest.fixture(scope="module")
def linear() -> Exercise:
    return load_exercise("linear-backward")


def grade(grader: Grader, exercise: Exercise, source: str) -> Report:
    return grader.grade(exercise, textwrap.dedent(source), seed=SEED)


def fingerprints(grader: Grader, exercise: Exercise, *, visible: bool) -> list[str]:
    """What only these cases' inputs produce: the first 12 decimals of x's first two values
    (present in a repr, a printed list, or a name made of the digits)."""
    found = []
    for case in grader.reference(exercise, SEED).cases:
        if case.visible != visible:
            continue
        for value in case.args[0].array.ravel()[:2]:
            decimals = repr(abs(float(value))).partition(".")[2]
            if len(decimals) >= 12:
                found.append(decimals[:12])
    assert found
    return found


def assert_no_hidden_input(grader: Grader, exercise: Exercise, report: Report) -> None:
    dumped = json.dumps(report.to_dict())
    leaked = [f for f in fingerprints(grader, exercise, visible=False) if f in dumped]
    assert not leaked, f"hidden inputs {leaked} in the report: {dumped[:3000]}"


def visible_checks(report: Report) -> list[Check]:
    checks = [c for c in report.checks if c.visible]
    assert checks
    return checks


def hidden_checks(report: Report) -> list[Check]:
    checks = [c for c in report.checks if not c.visible]
    assert checks
    return checks


def line_of(source: str, text: str) -> int:
    lines = textwrap.dedent(source).splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# -- exceptions ---------------------------------------------------------------------------------

RAISES_THE_INPUT = """
import numpy as np

def linear_backward(x, w, b, dout):
    shown = repr(x.tolist())
    raise ValueError(shown)
"""


def test_a_hidden_exception_shows_its_type_and_line_only(grader: Grader, linear: Exercise) -> None:
    report = grade(grader, linear, RAISES_THE_INPUT)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert_no_hidden_input(grader, linear, report)
    line = line_of(RAISES_THE_INPUT, "raise ValueError")
    for check in hidden_checks(report):
        assert check.message.startswith(f"raised ValueError at line {line} of your file")
        assert "Traceback" not in check.message
        assert check.details["error"] == "ValueError" and check.details["lineno"] == line
        assert check.stdout is None
    for check in visible_checks(report):  # unchanged: the message and the trimmed traceback
        assert "Traceback (most recent call last)" in check.message
        assert f'File "solution.py", line {line}, in linear_backward' in check.message
        assert all(f in check.message for f in fingerprints(grader, linear, visible=True))
        assert check.details["lineno"] == line


OWN_CLASS = """
import numpy as np

def linear_backward(x, w, b, dout):
    digits = "".join(ch for ch in repr(x.ravel()[:2].tolist()) if ch.isdigit())
    raise type("Leak_" + digits, (Exception,), {})("a message")
"""


def test_a_hidden_exception_of_the_students_own_class_is_not_named(
    grader: Grader, linear: Exercise
) -> None:
    report = grade(grader, linear, OWN_CLASS)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert_no_hidden_input(grader, linear, report)
    line = line_of(OWN_CLASS, "raise type(")
    for check in hidden_checks(report):
        assert check.message.startswith(
            f"raised an exception of a class of your own at line {line} of your file"
        )
        assert "Leak" not in json.dumps(check.details)
    for check in visible_checks(report):
        assert "Leak_" in check.message and "a message" in check.message


BANNED_IN_A_HIDDEN_CASE = """
import numpy as np

def linear_backward(x, w, b, dout):
    if x.shape != (2, 3):
        getattr(np, "con" + "volve")(x.ravel(), x.ravel())
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
"""


def test_a_real_banned_call_in_a_hidden_case_is_still_named(
    grader: Grader, linear: Exercise
) -> None:
    report = grade(grader, linear, BANNED_IN_A_HIDDEN_CASE)
    assert report.verdict is Verdict.BANNED_CALL
    line = line_of(BANNED_IN_A_HIDDEN_CASE, "volve")
    failed = [c for c in hidden_checks(report) if not c.passed]
    assert failed
    for check in failed:
        assert "numpy.convolve is not allowed in this exercise" in check.message
        assert f"line {line}" in check.message


# -- prints, stderr, warnings -------------------------------------------------------------------

PRINTS_THE_INPUT = (
    CORRECT
    + """
import sys
import warnings

def linear_backward(x, w, b, dout):
    print("x is", x.tolist())
    sys.stderr.write("x again " + repr(x.tolist()) + "\\n")
    warnings.warn("and again " + repr(x.tolist()))
    return _answer(x, w, b, dout)
"""
)


def test_hidden_prints_stderr_and_warnings_are_withheld(grader: Grader, linear: Exercise) -> None:
    report = grade(grader, linear, PRINTS_THE_INPUT)
    assert report.verdict is Verdict.ACCEPTED
    assert_no_hidden_input(grader, linear, report)
    assert all(c.stdout is None for c in hidden_checks(report))
    for check in visible_checks(report):
        shown = check.stdout or ""
        assert "x is" in shown and "x again" in shown and "and again" in shown
        assert all(f in shown for f in fingerprints(grader, linear, visible=True))


PRINTS_THEN_FAILS = """
import numpy as np

def linear_backward(x, w, b, dout):
    print("x is", x.tolist())
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
"""


def test_a_failing_hidden_case_shows_no_prints_either(grader: Grader, linear: Exercise) -> None:
    report = grade(grader, linear, PRINTS_THEN_FAILS)
    assert report.verdict is Verdict.REJECTED
    assert_no_hidden_input(grader, linear, report)
    for check in hidden_checks(report):
        assert check.stdout is None and not check.passed
        assert check.stage == "values" and "max_abs_error" in check.details  # figures kept
        assert "seconds" not in check.details  # timed by the child: it could carry anything


# -- returned values ----------------------------------------------------------------------------

DIGITS = """
import numpy as np

def _digits(x):
    return "".join(ch for ch in repr(x.ravel()[:2].tolist()) if ch.isdigit())
"""

RETURNS = {
    "object-of-a-named-class": """
def linear_backward(x, w, b, dout):
    return type("Leak_" + _digits(x), (), {})()
""",
    "ndarray-subclass": """
def linear_backward(x, w, b, dout):
    sub = type("Leak_" + _digits(x), (np.ndarray,), {})
    return (dout @ w.T).view(sub), x.T @ dout, dout.sum(axis=0)
""",
    "structured-dtype": """
def linear_backward(x, w, b, dout):
    odd = np.zeros(3, dtype=[("f" + _digits(x), "f8")])
    return odd, x.T @ dout, dout.sum(axis=0)
""",
    "nested-object": """
def linear_backward(x, w, b, dout):
    return dout @ w.T, type("Leak_" + _digits(x), (), {})(), dout.sum(axis=0)
""",
    "empty-array-of-chosen-shape": """
def linear_backward(x, w, b, dout):
    # Dimensions cost nothing next to a 0: up to ~60 bits, here 12 digits of the input.
    decimals = repr(abs(float(x.flat[0]))).partition(".")[2][:12]
    return np.zeros((0, int("1" + decimals))), x.T @ dout, dout.sum(axis=0)
""",
    "string": """
def linear_backward(x, w, b, dout):
    return repr(x.tolist())
""",
}


@pytest.mark.parametrize("name", list(RETURNS))
def test_what_a_hidden_case_returns_is_described_without_its_text(
    grader: Grader, linear: Exercise, name: str
) -> None:
    report = grade(grader, linear, DIGITS + RETURNS[name])
    assert report.verdict is Verdict.REJECTED
    assert_no_hidden_input(grader, linear, report)
    assert all(c.stage in ("type", "shape") for c in report.checks)
    if name == "empty-array-of-chosen-shape":  # a visible case still shows the shape
        for check in visible_checks(report):
            assert f"got (0, 1{fingerprints(grader, linear, visible=True)[0]}" in check.message
    elif name != "string":  # visible cases still name what was returned
        for check in visible_checks(report):
            assert "Leak_" in check.message or "dtype [(" in check.message, check.message


# -- the results channel: frames the student's code writes itself ------------------------------

FORGED = """
import json
import os
import struct

def _frame(header):
    raw = json.dumps(dict(header, buffers=[])).encode()
    return struct.pack(">I", len(raw)) + raw

def linear_backward(x, w, b, dout):
    if x.shape == (2, 3):  # the visible case's dims: forge from the hidden cases' inputs only
        return None
    leak = repr(x.tolist())
    digits = "".join(ch for ch in leak if ch.isdigit())[:80]
    for index in range(16):
        header = {"event": "case", "index": index, "stdout": leak, "seconds": float(x.flat[0])}
        if KIND == "value":
            header["value"] = {"t": "other", "type": "Leak_" + digits}
        else:
            header["error"] = {
                "type": "Leak_" + digits, "message": leak, "traceback": leak,
                "lineno": 10**9, "banned": KIND == "banned", "memory": False,
            }
        os.write(3, _frame(header))
    return None
"""


@pytest.mark.parametrize("kind", ["error", "banned", "value"])
def test_forged_frames_for_hidden_cases_carry_no_text(
    grader: Grader, linear: Exercise, kind: str
) -> None:
    report = grade(grader, linear, f"KIND = {kind!r}\n" + textwrap.dedent(FORGED))
    assert report.verdict is not Verdict.ACCEPTED
    assert_no_hidden_input(grader, linear, report)
    for check in hidden_checks(report):
        assert "Leak" not in check.message and check.stdout is None
        assert check.details.get("lineno") is None  # not a line of the file: dropped
        assert "seconds" not in check.details


# -- the other cases' inputs, read out of the process --------------------------------------------

FIND_INPUTS = """
import sys
import numpy as np

def _all_inputs():
    # The inputs of every case the process was given, from the caller's frames.
    frame = sys._getframe()
    while frame is not None:
        if isinstance(frame.f_locals.get("cases"), list):
            return [case[0].ravel()[:2].tolist() for case in frame.f_locals["cases"]]
        frame = frame.f_back
    return []
"""


def test_a_visible_case_cannot_reach_the_hidden_inputs(grader: Grader, linear: Exercise) -> None:
    source = FIND_INPUTS + (
        "\ndef linear_backward(x, w, b, dout):\n    raise ValueError(repr(_all_inputs()))\n"
    )
    report = grade(grader, linear, source)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert_no_hidden_input(grader, linear, report)
    for check in visible_checks(report):  # the visible case still shows its own inputs
        assert all(f in check.message for f in fingerprints(grader, linear, visible=True))


def test_the_import_cannot_reach_the_hidden_inputs(grader: Grader, linear: Exercise) -> None:
    source = FIND_INPUTS + "\nraise ValueError(repr(_all_inputs()))\n"
    report = grade(grader, linear, source)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert report.checks[0].stage == "loads"
    assert "Traceback" in report.checks[0].message  # loading keeps its traceback
    assert_no_hidden_input(grader, linear, report)


def test_an_import_that_fails_on_hidden_inputs_only_is_redacted(
    grader: Grader, linear: Exercise
) -> None:
    source = (
        FIND_INPUTS
        + CORRECT
        + """
_SEEN = _all_inputs()
if any(len(x) == 2 and x != _SEEN[0] for x in _SEEN[1:]):
    raise KeyError(repr(_SEEN))

def linear_backward(x, w, b, dout):
    return _answer(x, w, b, dout)
"""
    )
    report = grade(grader, linear, source)
    assert report.verdict is Verdict.PARTIALLY_ACCEPTED  # the visible case passes
    assert_no_hidden_input(grader, linear, report)
    assert all(c.passed for c in visible_checks(report))
    line = line_of(source, "raise KeyError")
    for check in hidden_checks(report):
        assert not check.passed and check.stage == "loads"
        assert f"raised KeyError at line {line} of your file" in check.message


# -- limits on hidden cases ---------------------------------------------------------------------

TINY = """slug = "tiny-double"
title = "Double it"
topic = "backprop"
kind = "code"

[limits]
wall_seconds = 1.0
cpu_seconds = 1.0
memory_mb = 128

[code]
entry_point = "double"

[dims]
N = [3, 6]

[[cases]]
name = "example"
visible = true
dims = { N = 2 }

[[cases]]
name = "random"
repeat = 2

[[solutions]]
file = "ok.py"
expect = "accepted"
"""

TINY_FILES = {
    "exercise.toml": TINY,
    "statement.md": "Return 2x.",
    "cases.py": (
        "def make_inputs(rng, dims, options):\n    return {'x': rng.standard_normal(dims['N'])}\n"
    ),
    "reference.py": "def double(x):\n    return 2 * x\n",
    "starter.py": "def double(x):\n    raise NotImplementedError\n",
    "solutions/ok.py": "def double(x):\n    return x + x\n",
}

ENDS_ON_HIDDEN = {  # what the function does on a hidden case (x longer than the example's)
    "timeout": (Verdict.TIMEOUT, "        while True:\n            pass\n"),
    "memory": (Verdict.MEMORY_LIMIT, "        big = [0.5] * 10**9\n"),
}


@pytest.mark.parametrize("name", list(ENDS_ON_HIDDEN))
def test_limits_on_hidden_cases_are_reported_without_prints(
    grader: Grader, write_exercise: Any, name: str
) -> None:
    exercise = write_exercise(TINY_FILES)
    verdict, body = ENDS_ON_HIDDEN[name]
    source = "def double(x):\n    print('x is', x.tolist())\n    if len(x) > 2:\n" + body
    source += "    return 2 * x\n"
    report = grade(grader, exercise, source)
    assert report.verdict is verdict, report.message
    assert_no_hidden_input(grader, exercise, report)
    assert all(c.passed and "x is" in (c.stdout or "") for c in visible_checks(report))
    for check in hidden_checks(report):
        assert not check.passed and check.stdout is None
