"""The arrows between the project's packages (pyproject.toml, [tool.importlinter]): the engine
imports no Django and no platform module, it has no import circles, the platform's apps sit in
layers; and the exercises import nothing of the site. `make test` runs lint-imports itself; this
test runs the same contracts, so a broken arrow also fails a plain pytest run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_PACKAGES = {
    path.name for path in (ROOT / "platform").iterdir() if (path / "__init__.py").is_file()
}


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_exercises_import_nothing_of_the_site() -> None:
    # An exercise runs in the sandbox, where the site is not, and is read by the engine alone.
    site = PLATFORM_PACKAGES | {"django", "celery", "platform", "tests"}
    found = {
        str(path.relative_to(ROOT)): sorted(_imported(path) & site)
        for path in (ROOT / "exercises").rglob("*.py")
    }
    assert len(found) > 100  # the bank's every reference, case and solution file
    assert {path: names for path, names in found.items() if names} == {}
