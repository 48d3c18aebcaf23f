"""Settings come from the environment, strictly; a bad deployment fails at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist, envrate, envsecret

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k" * 50


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly this environment."""
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.DATABASES['default']['ENGINE'], "
        "settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])"
    )
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        env={**base, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["yes", "true", "1", "TRUE", ""])
def test_envbool_refuses_anything_but_true_or_false(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("X_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", "False")


def test_env_helpers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_FLAG", "True")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    monkeypatch.setenv("X_RATE", "20/60")
    assert envbool("X_FLAG", "False") is True
    assert envbool("X_UNSET", "False") is False
    assert envint("X_INT", "0") == 12
    assert envlist("X_LIST") == ["a", "b", "c"]
    assert envrate("X_RATE", "1/1") == (20, 60)
    monkeypatch.setenv("X_INT", "12s")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        envint("X_INT", "0")
    for bad in ("20", "20/0", "a/b"):
        monkeypatch.setenv("X_RATE", bad)
        with pytest.raises(ImproperlyConfigured, match="X_RATE"):
            envrate("X_RATE", "1/1")


def test_envsecret_reads_the_file_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    monkeypatch.delenv("X_SECRET", raising=False)
    assert envsecret("X_SECRET") == "from-a-file"
    monkeypatch.setenv("X_SECRET", "also-set")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        envsecret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        envsecret("X_SECRET")


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    result = load_settings(VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_requires_redis(tmp_path: Path) -> None:
    result = load_settings(VAR_DIR=str(tmp_path), SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_defaults_are_safe(tmp_path: Path) -> None:
    result = load_settings(
        VAR_DIR=str(tmp_path), SECRET_KEY=GOOD_KEY, REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert result.returncode == 0, result.stderr
    debug, secure_cookies, engine, broker, cache = result.stdout.split()
    assert (debug, secure_cookies) == ("False", "True")
    assert engine == "django.db.backends.sqlite3"
    assert broker.startswith("redis://") and cache.endswith("RedisCache")


def test_debug_runs_without_secrets_and_database_url_selects_postgres(tmp_path: Path) -> None:
    result = load_settings(
        VAR_DIR=str(tmp_path), DEBUG="True", DATABASE_URL="postgres://u:p@db:5432/deepgrade"
    )
    assert result.returncode == 0, result.stderr
    debug, secure_cookies, engine, broker, cache = result.stdout.split()
    assert (debug, secure_cookies, broker) == ("True", "False", "memory://")
    assert engine == "django.db.backends.postgresql"
    assert cache.endswith("LocMemCache")


def test_a_typo_in_a_flag_stops_start_up(tmp_path: Path) -> None:
    result = load_settings(VAR_DIR=str(tmp_path), DEBUG="yes")
    assert result.returncode != 0 and "DEBUG='yes'" in result.stderr


def test_the_sweeper_never_races_a_live_task(tmp_path: Path) -> None:
    result = load_settings(
        VAR_DIR=str(tmp_path), DEBUG="True", GRADING_TIME_LIMIT="400", SWEEP_RUNNING_AFTER="300"
    )
    assert result.returncode != 0 and "SWEEP_RUNNING_AFTER" in result.stderr


def test_every_variable_read_is_documented_in_env_example() -> None:
    import re

    settings_source = (ROOT / "platform" / "config" / "settings.py").read_text()
    read = set(re.findall(r'env(?:str|bool|int|float|list|secret|rate)\("([A-Z_]+)"', settings_source))
    documented = set(
        re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M)
    )
    assert read - documented == set(), "add these to .env.example"


def test_celery_queue_settings(settings: object) -> None:
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_default_queue == "grading"
    # Above the sandbox's largest wall-clock limit (120 s), so the sandbox decides timeouts.
    assert 120 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_hsts_and_the_proxy_address_come_from_the_environment(tmp_path: Path) -> None:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.TRUST_X_FORWARDED_FOR, settings.INSTANCE_RATE)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "True",
    }
    default = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "platform", env=env, capture_output=True,
        text=True, timeout=60,
    )
    assert default.stdout.split(maxsplit=3) == ["0", "False", "False", "(10, 60)\n"], default.stderr
    chosen = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        env={
            **env,
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
            "TRUST_X_FORWARDED_FOR": "True",
            "INSTANCE_RATE": "3/60",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert chosen.stdout.split(maxsplit=3) == ["31536000", "True", "True", "(3, 60)\n"]
