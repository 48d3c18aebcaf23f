#!/usr/bin/env python
"""Django's command-line utility for deepgrade.

`platform/` is a source folder, not a package (a `platform/__init__.py` would shadow the stdlib
module `platform`), so it goes first on sys.path; the repository root goes next so that the
Django apps can import the Django-free grading engine `graders`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    for path in (str(ROOT), str(ROOT / "platform")):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
