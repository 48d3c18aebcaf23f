"""Student bundles made and used from the command line, as an instructor and a student would:
`python -m graders bundle --student OUT`, then `python -m graders check SLUG FILE --bundle OUT`.

The site's bundles (the student's practice seed, the rules) are tested in
tests/platform/pages/test_bundles.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from graders import bundle as bundles
from graders import protocol
from graders.engine import Grader
from graders.exercise import load_exercise

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
FOLDER = ROOT / "exercises" / "backprop" / SLUG
SOLUTIONS = FOLDER / "solutions"
KNOWN_BUG_HINT = (
    "dx must be dout @ w.T: the gradient with respect to the input goes back through the "
    "weights, not through dw."
)

pytestmark = pytest.mark.slow


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graders", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of linear-backward and a math exercise, made by the command line."""
    out = tmp_path_factory.mktemp("bundles") / "student"
    result = run("bundle", "--student", str(out), SLUG, "sigmoid-chain-rule")
    assert result.returncode == 0, result.stderr
    assert f"on practice seed {bundles.OFFLINE_PRACTICE_SEED}; no answers" in result.stdout
    return out


def _arrays(value: object) -> list[np.ndarray]:
    if isinstance(value, protocol.Arr):
        return [value.array]
    if isinstance(value, list | tuple):
        return [a for item in value for a in _arrays(item)]
    return []


def test_the_bundle_holds_no_answer_file_by_file(made: Path, grader: Grader) -> None:
    files = {p.relative_to(made).as_posix(): p.read_bytes() for p in made.rglob("*") if p.is_file()}
    assert set(files) == {
        "bundle.json",
        "README.md",
        "notebooks/backprop.ipynb",
        f"backprop/{SLUG}/statement.md",
        f"backprop/{SLUG}/starter.py",
        f"backprop/{SLUG}/exercise.json",
        f"backprop/{SLUG}/visible_cases.bin",
        "backprop/sigmoid-chain-rule/statement.md",
        "backprop/sigmoid-chain-rule/exercise.json",
    }
    given = (FOLDER / "starter.py").read_text() + (FOLDER / "statement.md").read_text()
    secret = [FOLDER / "reference.py", FOLDER / "cases.py", *sorted(SOLUTIONS.glob("*.py"))]
    for path in secret:
        for line in path.read_text().splitlines():
            line = line.strip()
            if len(line) >= 8 and line not in given:
                holders = [n for n, d in files.items() if line.encode() in d]
                assert not holders, f"{path.name}: {line!r} is in {holders}"

    exercise = load_exercise(SLUG)
    run_ = grader.reference(exercise, bundles.OFFLINE_PRACTICE_SEED)
    for case in run_.cases:
        for array in _arrays([case.args, case.expected]):
            found = [n for n, d in files.items() if np.ascontiguousarray(array).tobytes() in d]
            # The visible case is there, in its file; a hidden one nowhere.
            assert found == ([f"backprop/{SLUG}/visible_cases.bin"] if case.visible else []), (
                case.name
            )

    spec = json.loads(files[f"backprop/{SLUG}/exercise.json"])
    assert spec["seed"] == bundles.OFFLINE_PRACTICE_SEED
    assert spec["hidden_cases"] == 5 and spec["known_bug_hints"] == bundles.HINTS_PRECOMPUTED
    assert "solutions" not in spec and "cases" not in spec
    math = json.loads(files["backprop/sigmoid-chain-rule/exercise.json"])
    assert math["offline"] is False and "reference" not in json.dumps(math)


def test_a_bundle_grades_as_the_engine_does_on_the_visible_cases(
    made: Path, grader: Grader
) -> None:
    """The same report as the engine's "Run visible tests" on the same seed, from the
    repository (where the reference runs)."""
    exercise = load_exercise(SLUG)
    found = bundles.load(made)
    hints = {}
    # bug_db_mean's hint is a mutant's: the bundle carries the mutants' outputs, not their code.
    for name in (
        "correct_matmul.py",
        "bug_dw_transposed.py",
        "bug_db_mean.py",
        "bug_dx_uses_dw.py",
    ):
        source = (SOLUTIONS / name).read_text()
        offline = bundles.grade(found, SLUG, source, grader).report
        engine = grader.grade(
            exercise, source, seed=bundles.OFFLINE_PRACTICE_SEED, visible_only=True
        )
        for report in (offline, engine):  # everything but how long it took
            report.timings = {}
            for check in report.checks:
                check.details.pop("seconds", None)
        assert offline == engine, name
        hints[name] = offline.hints()
    assert hints["bug_dx_uses_dw.py"] == [KNOWN_BUG_HINT]
    assert hints["bug_db_mean.py"] and "averaged" in hints["bug_db_mean.py"][0]


def test_check_against_a_bundle_from_the_command_line(made: Path, tmp_path: Path) -> None:
    correct = run("check", SLUG, str(SOLUTIONS / "correct_matmul.py"), "--bundle", str(made))
    assert correct.returncode == 0, correct.stderr
    assert "Accepted  score 10/10" in correct.stdout
    assert "PASS case 1: small example" in correct.stdout
    assert "the 5 hidden cases run on the site" in correct.stdout

    wrong = run(
        "check", SLUG, str(SOLUTIONS / "bug_dx_uses_dw.py"), "--bundle", str(made), "--json"
    )
    assert wrong.returncode == 1, wrong.stderr
    data = json.loads(wrong.stdout)
    assert data["verdict"] == "rejected" and data["seed"] == bundles.OFFLINE_PRACTICE_SEED
    assert [c["hint"] for c in data["checks"]] == [KNOWN_BUG_HINT]
    assert any("precomputed" in note for note in data["notes"])

    # The zip the site serves is read as it is.
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in made.rglob("*"):
            if path.is_file():
                z.write(path, f"deepgrade-x/{path.relative_to(made)}")
    zipped = run("check", SLUG, str(SOLUTIONS / "correct_matmul.py"), "--bundle", str(archive))
    assert zipped.returncode == 0, zipped.stderr


def test_without_known_bug_hints_the_report_says_so(tmp_path: Path, grader: Grader) -> None:
    exercise = load_exercise(SLUG)
    built = bundles.build(grader, [bundles.Entry(exercise, 7)], known_bug_hints=False)
    found = bundles.load(bundles.write_folder(built, tmp_path / "b"))
    checked = bundles.grade(found, SLUG, (SOLUTIONS / "bug_dx_uses_dw.py").read_text(), grader)
    assert checked.report.verdict.value == "rejected"
    assert KNOWN_BUG_HINT not in checked.report.hints()
    assert any("left out of this bundle" in note for note in checked.notes)
    assert (
        KNOWN_BUG_HINT.encode()
        not in (tmp_path / "b" / "backprop" / SLUG / "visible_cases.bin").read_bytes()
    )


def test_what_cannot_be_used_says_what_to_do(made: Path, tmp_path: Path) -> None:
    solution = str(SOLUTIONS / "correct_matmul.py")
    answer = tmp_path / "answer.txt"
    answer.write_text("sigma(x)(1-sigma(x))")
    cases = {
        "is a math exercise: its answer is checked on the site": (
            "check",
            "sigmoid-chain-rule",
            str(answer),
            "--bundle",
            str(made),
        ),
        "no exercise 'conv2d-forward' in the bundle": (
            "check",
            "conv2d-forward",
            solution,
            "--bundle",
            str(made),
        ),
        "no bundle.json there": ("check", SLUG, solution, "--bundle", str(tmp_path)),
        "--seed is the bundle's or the site's": (
            "check",
            SLUG,
            solution,
            "--bundle",
            str(made),
            "--seed",
            "3",
        ),
        "give one of them": ("check", SLUG, solution, "--bundle", str(made), "--remote", "x"),
        "--submit goes with --remote URL": (
            "check",
            SLUG,
            solution,
            "--bundle",
            str(made),
            "--submit",
        ),
        "exists and is not an empty folder": ("bundle", "--student", str(made), SLUG),
    }
    for expected, args in cases.items():
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in made.rglob("*"):
        if path.is_file():
            target = damaged / path.relative_to(made)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (damaged / "backprop" / SLUG / "visible_cases.bin").write_bytes(b"\x00\x00\x00\x05junk!")
    result = run("check", SLUG, solution, "--bundle", str(damaged))
    assert result.returncode == 2 and "is damaged" in result.stderr and "download" in result.stderr
    (damaged / "bundle.json").write_text('{"format": 99}')
    result = run("check", SLUG, solution, "--bundle", str(damaged))
    assert result.returncode == 2 and "reads format 1" in result.stderr, result.stderr


def test_pytorch_exercises_say_what_they_need(
    tmp_path: Path, grader: Grader, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = [load_exercise("cross-entropy-torch"), load_exercise(SLUG)]
    built = bundles.build(grader, [bundles.Entry(e, 3) for e in chosen], wheel_url="http://w/x.whl")
    notebook = json.loads(built.files["notebooks/backprop.ipynb"])
    ids = [cell["id"] for cell in notebook["cells"]]
    # Last, under a heading: "Run All" without torch stops after the NumPy exercises.
    assert (
        ids.index(f"{SLUG}-check")
        < ids.index("needs-torch")
        < ids.index("cross-entropy-torch-code")
    )
    heading = notebook["cells"][ids.index("needs-torch")]["source"]
    assert 'pip install "deepgrade-graders[torch] @ http://w/x.whl"' in heading

    found = bundles.load(bundles.write_folder(built, tmp_path / "b"))
    real = bundles.importlib.util.find_spec
    monkeypatch.setattr(
        bundles.importlib.util, "find_spec", lambda name: None if name == "torch" else real(name)
    )
    with pytest.raises(bundles.BundleError, match=r"PyTorch is not installed here: pip install"):
        bundles.grade(found, "cross-entropy-torch", "def f(): pass\n", grader)
