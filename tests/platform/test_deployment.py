"""The deployment files: docker-compose.yml is valid and keeps secrets out; the run/CI scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        # Debian's package; no Docker engine is needed to validate a file.
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "docker-compose"],
            capture_output=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("docker-compose")
    if not found:
        pytest.skip("docker-compose is not installed and could not be installed with apt-get")
    return found


@pytest.fixture
def compose_dir(tmp_path: Path) -> Path:
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = (ROOT / ".env.example").read_text()
    env = env.replace("\nSECRET_KEY=\n", "\nSECRET_KEY=" + "s" * 50 + "\n")
    env = env.replace("\nPOSTGRES_PASSWORD=\n", "\nPOSTGRES_PASSWORD=pw-from-env-file\n")
    (tmp_path / ".env").write_text(env)
    return tmp_path


@pytest.fixture
def bare_compose_dir(tmp_path: Path) -> Path:
    """The compose file alone, as on a fresh clone where nobody has written a .env yet."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    return tmp_path


def _yaml_to_dict(text: str) -> dict:
    """Parse YAML with docker-compose's own interpreter (it ships PyYAML; our venv does not)."""
    import json

    shebang = Path(_docker_compose()).read_text().splitlines()[0]
    python = shebang[2:].split()[0] if shebang.startswith("#!") else "python3"
    parsed = subprocess.run(
        [python, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(parsed.stdout)


def compose(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("POSTGRES_PASSWORD", "SECRET_KEY")}
    return subprocess.run(
        [
            _docker_compose(),
            "--project-directory",
            str(directory),
            "-f",
            str(directory / "docker-compose.yml"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=directory,
    )


def test_compose_file_is_valid(compose_dir: Path) -> None:
    result = compose(compose_dir, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_file_is_valid_on_a_bare_clone(bare_compose_dir: Path) -> None:
    """`docker-compose config -q` checks the file before anyone has written a .env."""
    result = compose(bare_compose_dir, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_services_share_one_image_and_wait_for_health(compose_dir: Path) -> None:
    result = compose(compose_dir, "config")
    assert result.returncode == 0, result.stderr
    config = _yaml_to_dict(result.stdout)
    services = config["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "validator", "beat"}
    app = ("migrate", "web", "worker", "validator", "beat")
    assert {services[name]["image"] for name in app} == {"deepgrade:latest"}
    for name in ("postgres", "redis", "web", "worker", "validator"):
        assert "healthcheck" in services[name], name
    for name in app:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "validator", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    # Scalable: nothing pins a worker to one name or one host port.
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
    assert services["web"]["environment"]["DEBUG"] == "False"


def _env_example_names() -> list[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")]


def test_every_setting_of_the_env_file_reaches_the_app(compose_dir: Path) -> None:
    env_file = compose_dir / ".env"
    env_file.write_text(env_file.read_text().replace("\nWORKER_NICE=10\n", "\nWORKER_NICE=7\n"))
    result = compose(compose_dir, "config")
    assert result.returncode == 0, result.stderr
    services = _yaml_to_dict(result.stdout)["services"]
    for name in ("migrate", "web", "worker", "validator", "beat"):
        environment = services[name]["environment"]
        missing = set(_env_example_names()) - set(environment) - {"POSTGRES_PASSWORD"}
        assert not missing, f"{name} does not get {sorted(missing)}"
        assert environment["WORKER_NICE"] == "7"
        assert environment["SECRET_KEY"] == "s" * 50
        assert environment["DATABASE_URL"].startswith("postgres://deepgrade:pw-from-env-file@")
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pw-from-env-file"


def test_compose_has_no_inline_secrets_and_nothing_starts_without_them(
    bare_compose_dir: Path,
) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "pw-from-env-file" not in text and "SECRET_KEY: " not in text
    result = compose(bare_compose_dir, "config")  # no .env
    assert result.returncode == 0, result.stderr
    services = _yaml_to_dict(result.stdout)["services"]
    # The postgres image refuses to initialise with an empty password (not runnable here).
    assert not services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    # The app refuses to start: its settings, imported with exactly the web container's variables.
    web = {k: str(v) for k, v in services["web"]["environment"].items() if v is not None}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT / "platform",
        env={
            **web,
            "PATH": os.environ["PATH"],
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in started.stderr


def test_the_web_is_sized_by_one_file_wherever_it_starts(tmp_path: Path) -> None:
    conf = ROOT / "platform" / "config" / "gunicorn_conf.py"
    assert "/app/platform/config/gunicorn_conf.py" in (ROOT / "Dockerfile").read_text()
    for script in ("scripts/run.py", "benchmarks/load.py"):
        assert '"gunicorn_conf.py"' in (ROOT / script).read_text(), script

    def size(**env: str) -> dict[str, str]:
        printed = subprocess.run(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(conf),
                "--print-config",
                "--chdir",
                str(ROOT / "platform"),
                "config.wsgi",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            # gunicorn loads the app to print its settings: a development one will do.
            env={"PATH": os.environ["PATH"], "DEBUG": "True", "VAR_DIR": str(tmp_path), **env},
        ).stdout
        fields = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
        return {
            k.strip(): v.strip() for k, v in fields.items() if k.strip() in ("workers", "threads")
        }

    assert size() == {"workers": "3", "threads": "4"}
    assert size(WEB_WORKERS="5", WEB_THREADS="2") == {"workers": "5", "threads": "2"}


def test_ci_runs_exactly_make_test() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    lines = [line.strip() for line in script.read_text().splitlines()]
    assert "exec make test" in lines
    assert any("pg_isready" in line for line in lines)


def test_makefile_has_the_two_commands() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert (
        "ruff check" in makefile and "-m graders validate" in makefile and "-m pytest" in makefile
    )
