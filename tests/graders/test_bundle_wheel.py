"""The engine as a student installs it: the wheel of packaging/graders/, in a fresh virtual
environment with no repository on its path, grades a file against a bundle.

The fresh venv has no packages of its own. Rather than download NumPy and pydantic (and the
sandbox's pyseccomp) again, a .pth file adds the site-packages of the interpreter running the
tests (the project's venv, which holds no `graders`); pip then sees the wheel's dependencies as
installed, so `pip install --no-index` checks them without a network. This stands in for
`python -m venv --system-site-packages`, whose "system" may have no NumPy at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from graders import bundle as bundles
from graders.engine import Grader
from graders.exercise import load_exercise

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"
SOLUTIONS = ROOT / "exercises" / "backprop" / SLUG / "solutions"

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    # No PYTHONPATH: the repository must not be where the installed engine is looked for.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update({"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"})
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, **kwargs
    )


def test_the_wheel_in_a_fresh_venv_grades_against_a_bundle(tmp_path: Path, grader: Grader) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
         str(ROOT / "packaging" / "graders")],
        cwd=tmp_path,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("deepgrade_graders-*-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "graders/notebook.py" in names
    assert not [n for n in names if not n.startswith(("graders/", "deepgrade_graders-"))]

    venv = tmp_path / "venv"
    assert (
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path).returncode == 0
    )
    python = venv / "bin" / "python"
    ours = Path(sysconfig.get_paths()["purelib"])
    assert not (ours / "graders").exists()
    assert not any(str(ROOT) in p.read_text() for p in ours.glob("*.pth"))
    (theirs,) = venv.glob("lib/python3.*/site-packages")
    (theirs / "reuse_test_packages.pth").write_text(f"{ours}\n")
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "-q",
         str(wheel)],
        cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr

    work = tmp_path / "student"  # an empty folder: nothing of the repository around
    work.mkdir()
    where = _run([str(python), "-c", "import graders; print(graders.__file__)"], work)
    assert where.stdout.strip().startswith(str(theirs)), where.stdout + where.stderr

    made = bundles.write_folder(
        bundles.build(grader, [bundles.Entry(load_exercise(SLUG), 5)]), tmp_path / "bundle"
    )
    for solution, code, verdict in (
        ("correct_matmul.py", 0, "Accepted  score 10/10"),
        ("bug_dw_transposed.py", 1, "hint: your result is the transpose"),
    ):
        mine = work / "my_solution.py"
        mine.write_text((SOLUTIONS / solution).read_text())
        result = _run(
            [str(python), "-m", "graders", "check", SLUG, mine.name, "--bundle", str(made)], work
        )
        assert result.returncode == code, result.stdout + result.stderr
        assert verdict in result.stdout
        assert f"({SLUG}, seed 5)" in result.stdout
