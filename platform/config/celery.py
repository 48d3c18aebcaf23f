"""The Celery app: configured from Django's settings (the `CELERY_` names in config.settings).

Start the workers from the repository root as `make run` does (scripts/run.py, `workers`):
`celery --workdir platform -A config worker -Q grading,regrade,maintenance` for students'
submissions, and `celery --workdir platform -A config worker -Q validation --concurrency 1` for
instructors' validations of exercise drafts, apart so that they never take a grading process.
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
