"""The Celery app: configured from Django's settings (the `CELERY_` names in config.settings).

Start a worker from the repository root with
`celery --workdir platform -A config worker -Q grading,regrade,maintenance` (see the Makefile).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from celery import Celery

# `celery -A config` is started from anywhere; the grading engine lives at the repository root.
_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.append(_path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("deepgrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
