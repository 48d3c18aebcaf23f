"""The Celery app: configured from Django's settings (the `CELERY_` names in config.settings).

Start the workers from the repository root as `make run` does (scripts/run.py, `workers`):
`celery --workdir platform -A config worker -Q grading,regrade,maintenance` for students'
submissions, and `celery --workdir platform -A config worker -Q validation --concurrency 1` for
instructors' validations of exercise drafts, apart so that they never take a grading process.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import worker_init

# `celery -A config` is started from anywhere; the grading engine lives at the repository root.
_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.append(_path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("deepgrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Celery warns at start that a worker running as root "is absolutely not recommended". Here it
# is on purpose: the sandbox needs root for its namespaces and a uid per run (docs/security.md,
# "What the operator provides"), student code never runs as root, and messages are JSON only,
# never pickle (what Celery's warning is about). The worker says that instead, once.
warnings.filterwarnings(
    "ignore", message="You're running the worker with superuser privileges", category=SecurityWarning
)


@worker_init.connect
def _say_why_root(**_kwargs: object) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        logging.getLogger("config.celery").info(
            "worker running as root, as the grading sandbox needs (namespaces, a uid per run); "
            "student code runs unprivileged in it, and messages are JSON only "
            "(docs/security.md#what-the-operator-provides)"
        )
