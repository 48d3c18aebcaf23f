"""E-mail settings: read from the environment, secrets from a file, and `make run`'s console mail."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_of(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly this environment, run `code`."""
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; "
         "django.setup(); " + code],
        cwd=ROOT / "platform",
        env={**base, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "DEBUG": "True", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_smtp_settings_come_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret-from-a-file\n")

    result = settings_of(
        "print(settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER, "
        "settings.EMAIL_HOST_PASSWORD, settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL)",
        VAR_DIR=str(tmp_path),
        EMAIL_HOST="smtp.uni.example",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="grader",
        EMAIL_HOST_PASSWORD_FILE=str(secret),
        EMAIL_USE_TLS="True",
        DEFAULT_FROM_EMAIL="grades@uni.example",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "smtp.uni.example", "587", "grader", "s3cret-from-a-file", "True", "grades@uni.example"
    ]


def test_tls_and_ssl_together_stop_start_up(tmp_path: Path) -> None:
    result = settings_of(
        "pass", VAR_DIR=str(tmp_path), EMAIL_USE_TLS="True", EMAIL_USE_SSL="True"
    )
    assert result.returncode != 0 and "EMAIL_USE_TLS" in result.stderr


def test_make_run_prints_e_mails_in_its_log_and_says_so() -> None:
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "scripts" / "run.py")
    assert spec and spec.loader
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)

    console = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert "appear in this log" in run.mail_note(console)
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "mx"}
    assert "through mx" in run.mail_note(smtp)
    source = (ROOT / "scripts" / "run.py").read_text()
    assert 'env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")' in source
