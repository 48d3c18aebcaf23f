"""The self-test command line, run as a student would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.graders.conftest import SIGMOID_OK

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graders", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def solution(tmp_path: Path):
    def write(text: str) -> str:
        path = tmp_path / "mine.py"
        path.write_text(text)
        return str(path)

    return write


def test_check_accepted_json(solution):
    path = solution(
        SIGMOID_OK.replace(
            "def sigmoid_backward", "print('hello from student')\ndef sigmoid_backward"
        )
    )
    result = run("check", "sigmoid-backward", path, "--json", "--seed", "3")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # exactly one JSON object: the student's print is not there
    assert data["exercise"] == "sigmoid-backward" and data["verdict"] == "accepted"
    assert data["score"] == data["max_score"] and data["seed"] == 3
    assert {"name", "passed", "message"} <= set(data["checks"][0])
    assert "hello from student" not in result.stdout.replace(json.dumps(data), "")


def test_check_rejected_exit_1_and_readable_text(solution):
    path = solution("import numpy as np\ndef sigmoid_backward(x, dout):\n    return -dout\n")
    result = run("check", "exercises/backprop/sigmoid-backward", path)
    assert result.returncode == 1
    assert "Wrong answer" in result.stdout and "FAIL" in result.stdout
    assert "\033[" not in result.stdout  # no colours when not on a terminal


def test_check_usage_errors_exit_2(solution):
    assert run("check", "no-such-exercise", solution("x = 1\n")).returncode == 2
    missing = run("check", "sigmoid-backward", "/nonexistent/file.py")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert run("check").returncode == 2


def test_validate_reports_an_unexpected_verdict(tmp_path):
    target = tmp_path / "backprop" / "tiny-double"
    assert run("new", "backprop/tiny-double", "--root", str(tmp_path)).returncode == 0
    good = run("validate", str(target), "--seeds", "1")
    assert good.returncode == 0, good.stdout
    assert "per topic: backprop 1" in good.stdout
    # Declare the buggy solution as correct: validate must catch it.
    toml = target / "exercise.toml"
    toml.write_text(toml.read_text().replace('expect = "rejected"', 'expect = "accepted"'))
    bad = run("validate", str(target), "--seeds", "1")
    assert bad.returncode == 1 and "expected accepted" in bad.stdout


def test_new_refuses_bad_names(tmp_path):
    assert run("new", "optics/lens", "--root", str(tmp_path)).returncode == 2
    assert run("new", "backprop/Bad_Name", "--root", str(tmp_path)).returncode == 2
