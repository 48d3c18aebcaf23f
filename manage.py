#!/usr/bin/env python
"""Django's command-line utility for deepgrade.

`platform/` is a source folder, not a package (a `platform/__init__.py` would shadow the stdlib
module `platform`), so it goes first on sys.path; the repository root goes next so that the
Django apps can import the Django-free grading engine `graders`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def make_run_settings() -> None:
    """On a machine where `make run` ran, use the settings it gave its own processes.

    scripts/run.py keeps the variables it set (the secret key's file, its private Redis,
    DEBUG off...) in VAR_DIR/make-run.json; without them a command such as
    `python manage.py create_api_token student` would stop on the missing SECRET_KEY. Only when
    neither SECRET_KEY nor SECRET_KEY_FILE is set: a deployment sets one of them, so nothing is
    ever taken from that file there, and production stays as strict as before. A variable set
    in the environment still wins over the file.
    """
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    saved = Path(os.environ.get("VAR_DIR") or ROOT / "var") / "make-run.json"
    try:
        chosen = json.loads(saved.read_text(encoding="utf-8"))["env"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # no `make run` here (or an unreadable file): the settings say what is missing
    for name, value in chosen.items():
        os.environ.setdefault(str(name), str(value))


def main() -> None:
    for path in (str(ROOT), str(ROOT / "platform")):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    make_run_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
