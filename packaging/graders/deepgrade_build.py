"""The build backend of `deepgrade-graders` (PEP 517), standard library only.

It packs the repository's graders/ folder, and nothing else, into a pure-Python wheel; the
metadata comes from this folder's pyproject.toml, the version from graders/__init__.py. A
backend of its own, rather than setuptools, because the package's source lives two folders up
(setuptools refuses packages outside the project folder) and so that a build downloads nothing.

The sdist holds a copy of graders/ beside pyproject.toml, so a wheel builds from it too (that
is what `python -m build` does: sdist first, then the wheel from the unpacked sdist). The site
calls `build_wheel` itself to serve the wheel (platform/pages/bundles.py).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "graders"
# Only the engine's own code: no bytecode, no editor droppings, never an exercise.
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}
# Zip entries need a date: a fixed one (or SOURCE_DATE_EPOCH) makes the wheel reproducible.
DEFAULT_EPOCH = 315532800  # 1980-01-01, the earliest date a zip can hold


def _source_root() -> Path:
    """Where graders/ is: beside this file in an unpacked sdist, else the repository root."""
    for root in (HERE, HERE.parent.parent):
        if (root / PACKAGE / "__init__.py").is_file():
            return root
    raise FileNotFoundError(f"no {PACKAGE}/__init__.py beside {HERE} or two folders up")


def _project() -> dict:
    return tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def version() -> str:
    text = (_source_root() / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"{PACKAGE}/__init__.py sets no __version__")
    return match.group(1)


def _dist_name() -> str:
    return re.sub(r"[-_.]+", "_", _project()["name"]).lower()


def wheel_name() -> str:
    return f"{_dist_name()}-{version()}-py3-none-any.whl"


def package_files() -> list[tuple[str, bytes]]:
    """(path inside the wheel, content) of every file of graders/, sorted."""
    root = _source_root()
    found = []
    for path in sorted((root / PACKAGE).rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or SKIP_PARTS.intersection(rel.parts) or path.suffix == ".pyc":
            continue
        found.append((rel.as_posix(), path.read_bytes()))
    return found


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version()}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.11')}",
    ]
    lines += [f"Requires-Dist: {req}" for req in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for req in reqs:
            marker = f'extra == "{extra}"'
            req, _, own = req.partition(";")
            joined = f"({own.strip()}) and {marker}" if own.strip() else marker
            lines.append(f"Requires-Dist: {req.strip()}; {joined}")
    readme = HERE / project.get("readme", "README.md")
    body = ""
    if readme.is_file():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + readme.read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


def _dist_info_files() -> list[tuple[str, bytes]]:
    dist_info = f"{_dist_name()}-{version()}.dist-info"
    wheel = (
        "Wheel-Version: 1.0\nGenerator: deepgrade_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    return [
        (f"{dist_info}/METADATA", _metadata().encode()),
        (f"{dist_info}/WHEEL", wheel.encode()),
        (f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode()),
    ]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _zip_date() -> tuple[int, int, int, int, int, int]:
    import time

    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)), DEFAULT_EPOCH)
    return time.gmtime(epoch)[:6]


def build_wheel_bytes() -> bytes:
    """The wheel, in memory."""
    entries = package_files() + _dist_info_files()
    record_name = f"{_dist_name()}-{version()}.dist-info/RECORD"
    record = "\n".join([*(_record_line(n, d) for n, d in entries), f"{record_name},,"]) + "\n"
    entries.append((record_name, record.encode()))
    buffer = io.BytesIO()
    date = _zip_date()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            wheel.writestr(info, data)
    return buffer.getvalue()


# -- PEP 517 hooks ----------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: dict | None = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict | None = None
) -> str:
    dist_info = f"{_dist_name()}-{version()}.dist-info"
    for name, data in _dist_info_files():
        path = Path(metadata_directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dist_info


def build_wheel(
    wheel_directory: str,
    config_settings: dict | None = None,
    metadata_directory: str | None = None,
) -> str:
    name = wheel_name()
    target = Path(wheel_directory) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: a reader (the site serving it) never sees half a wheel.
    partial = target.with_name(f".{name}.{os.getpid()}.partial")
    partial.write_bytes(build_wheel_bytes())
    os.replace(partial, target)
    return name


def build_sdist(sdist_directory: str, config_settings: dict | None = None) -> str:
    base = f"{_dist_name()}-{version()}"
    name = f"{base}.tar.gz"
    files = [(n, d) for n, d in package_files()]
    for own in ("pyproject.toml", "deepgrade_build.py", "README.md"):
        files.append((own, (HERE / own).read_bytes()))
    files.append(("PKG-INFO", _metadata().encode()))
    target = Path(sdist_directory) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    mtime = max(int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)), DEFAULT_EPOCH)
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for rel, data in sorted(files):
            info = tarfile.TarInfo(f"{base}/{rel}")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            sdist.addfile(info, io.BytesIO(data))
    return name
