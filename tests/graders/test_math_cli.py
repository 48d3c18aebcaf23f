"""The command line for math answers: `compare` (exit 0 / 1 / 2, --json, @FILE, --) and
`check` / `show` on a math exercise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graders.cli import build_parser
from graders.exercise import load_exercise
from graders.math import cli as mathcli
from graders.math import grade as mathgrade
from graders.math import templates

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
def compare(grader: Any, capsys: pytest.CaptureFixture[str]):
    """`python -m graders compare ...` in-process, on the session's math sandbox."""
    sandbox = grader.math.sandbox

    def call(*argv: str) -> tuple[int, str, str]:
        args = build_parser().parse_args(["compare", *argv])
        code = mathcli.cmd_compare(args, sandbox=sandbox)
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["symbolic", "sigma(x)*(1-sigma(x))", "exp(-x)/(1+exp(-x))^2"], 0),
        (["symbolic", "x+1e-12", "x"], 1),
        (["symbolic", "9^9^9^9", "x"], 2),
        (["symbolic", "x", "sigmoid(x)"], 2),
        (["symbolic", "H p + k", "k + p H", "--vars", "H,p,k,s"], 0),
        (["symbolic", "x", "x", "--vars", "H,p"], 2),
        (["numeric", "0.333", "1/3", "--rtol", "0", "--atol", "5e-4"], 0),
        (["numeric", "0.333", "1/3"], 1),
        (["numeric", "--", "-3", "-3.0"], 0),
        (["numeric", "twelve", "12"], 2),
        (["array", "1 2; 3 4", "[[1, 2], [3, 4]]"], 0),
        (["array", "[[1, 3], [2, 4]]", "[[1, 2], [3, 4]]"], 1),
        (["shape", "2x16x15x14", "(2, 16, 15, 14)"], 0),
        (["shape", "(2, 16, 14, 13)", "[2, 16, 15, 14]"], 1),
        (["shape", "(2, 16", "[2, 16]"], 2),
    ],
)
def test_compare_exit_codes(compare, argv: list[str], code: int) -> None:
    got, out, err = compare(*argv)
    assert got == code, (out, err)


def test_compare_json(compare) -> None:
    code, out, _ = compare(
        "symbolic", "sigma(2x)(1 - sigma(2x))", "2 sigma(2x)(1-sigma(2x))", "--json"
    )
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "not_equivalent" and data["exit"] == 1
    assert "constant (1/2)" in data["hint"] and data["understood"] == "(1 - sigma(2*x))*sigma(2*x)"
    assert data["decided_by"] == "points" and data["seconds"] < 5
    code, out, _ = compare("shape", "(N, 3)", "(2, 3)", "--json")
    data = json.loads(out)
    assert code == 2 and data["verdict"] == "unparseable" and "whole number" in data["message"]


def test_compare_says_which_side_is_unparseable(compare) -> None:
    code, out, _ = compare("numeric", "1", "one")
    assert code == 2 and out.startswith("EXPECTED unparseable")
    code, out, _ = compare("numeric", "one", "1")
    assert code == 2 and out.startswith("ANSWER unparseable")


def test_compare_reads_files(compare, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("-a sigma(a x + b)\n  (1 - sigma(a x + b))\n")
    code, out, _ = compare("symbolic", f"@{answer}", "-a exp(-(a x + b))/(1 + exp(-(a x + b)))^2")
    assert code == 0, out
    code, _, err = compare("symbolic", "@/nonexistent/answer.txt", "x")
    assert code == 2 and "no such file" in err


def test_compare_as_a_process() -> None:
    result = run("compare", "symbolic", "--json", "--", "-tanh(x)", "tanh(x)")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["hint"] == "The sign is flipped."
    usage = run("compare", "matrix", "1", "1")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_check_and_show_a_math_exercise(tmp_path: Path, grader: Any) -> None:
    exercise = load_exercise("graph-node-used-twice")
    inst = mathgrade.instance(exercise, 11, grader)
    right = tmp_path / "right.txt"
    right.write_text(templates.typed("numeric", inst.expected) + "\n")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("2xy(y + 1)\n")
    shown = run("show", "graph-node-used-twice", "--seed", "11")
    assert shown.returncode == 0 and f"$x = {inst.params['x']}$" in shown.stdout
    ok = run("check", "graph-node-used-twice", str(right), "--seed", "11", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["verdict"] == "accepted"
    bad = run("check", "graph-node-used-twice", str(wrong), "--seed", "11")
    assert bad.returncode == 1 and "Answer not understood" in bad.stdout
    assert "A number is expected here" in bad.stdout
