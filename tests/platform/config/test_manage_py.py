"""After `make run`, management commands find its settings with no exports (manage.py reads
VAR_DIR/make-run.json, which scripts/run.py writes); a deployment stays strict."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_py(var: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/run.py as a module, its VAR pointing at `var`."""
    spec = importlib.util.spec_from_file_location("run_for_test", ROOT / "scripts" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VAR", var)
    return module


def manage(var: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py as a user types it: no exported setting (VAR_DIR only because the test's var/
    is not the repository's)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": str(var), "VAR_DIR": str(var), **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_commands_after_make_run_need_no_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    # Without make run's file: as strict as production.
    refused = manage(var, "create_api_token", "student")
    assert refused.returncode != 0 and "SECRET_KEY (or SECRET_KEY_FILE) must be set" in refused.stderr

    # What make run does before it starts anything (scripts/run.py main()).
    run = run_py(var, monkeypatch)
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "REDIS_URL": "redis://127.0.0.1:6399/0",
        "DEBUG": "False",
        "SECURE_COOKIES": "False",
        "SECRET_KEY_FILE": run.secret_key_file(),
    }
    for name in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "REDIS_URL", "SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(var))
    run.save_settings(env)
    saved = json.loads((var / "make-run.json").read_text())["env"]
    assert saved["SECRET_KEY_FILE"] == str(var / "secret_key")
    assert saved["REDIS_URL"] == "redis://127.0.0.1:6399/0"
    assert "PATH" not in saved  # inherited, not chosen by make run
    assert (var / "make-run.json").stat().st_mode & 0o077 == 0

    assert manage(var, "migrate", "-v", "0").returncode == 0
    assert manage(var, "create_demo_users").returncode == 0
    created = manage(var, "create_api_token", "student", "--name", "laptop", "--days", "30")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().startswith("dg_")
    # An explicit setting still wins: a deployment's own key is never replaced by the file's.
    strict = manage(var, "check", SECRET_KEY="short")
    assert strict.returncode != 0 and "SECRET_KEY" in strict.stderr
