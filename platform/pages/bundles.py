"""Downloads for self-testing without the repository: student bundles, and the engine's wheel.

- `/exercises/<slug>/bundle.zip`, `/courses/<slug>/bundle.zip`: a student bundle
  (graders/bundle.py) of one exercise, or of every exercise the course shows the user, each on
  the user's current *practice* instance (submissions.rules.practice_seed), never the graded
  one. A bundle holds what "Run visible tests" shows on that instance, so it is one more path
  of the practice rules: a code exercise is bundled only where practice on its visible cases
  may run (submissions.rules.practice_refusal), and a math exercise brings its statement only.
  The reference runs in this process's grader, as a math statement's instance does
  (catalog.selectors.statement_source): its result is cached per (version, seed) by the engine.
- `/downloads/deepgrade_graders-<version>-py3-none-any.whl`: the wheel of graders/ alone, built
  on the first request into VAR_DIR/wheels/ by packaging/graders/'s build backend (the one that
  `python -m build` and `pip wheel` use), once per content of graders/.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

import graders
from catalog.models import Exercise
from catalog.selectors import engine_exercise
from core.ratelimit import rate_limit_hit
from courses.selectors import (
    assignments_of,
    course_get_for_member,
    exercise_get_for,
    is_instructor_of,
)
from submissions.rules import practice_refusal, practice_seed

# Each bundle runs the references of its exercises in the web process: a student's first
# download of a course costs seconds of CPU, so downloads are counted per user.
BUNDLES_PER_WINDOW, BUNDLE_WINDOW = 10, 60
WHEEL_NAME = f"deepgrade_graders-{graders.__version__}-py3-none-any.whl"
BACKEND = Path(settings.BASE_DIR) / "packaging" / "graders" / "deepgrade_build.py"

_wheel_lock = threading.Lock()


@require_GET
@login_required
def exercise_bundle(request: HttpRequest, slug: str) -> HttpResponse:
    """The bundle of one exercise the user can see, on their practice instance."""
    exercise = exercise_get_for(request.user, slug)
    return _bundle_response(request, [exercise], f"deepgrade-{exercise.slug}")


@require_GET
@login_required
def course_bundle(request: HttpRequest, slug: str) -> HttpResponse:
    """The bundle of the exercises the course shows the user (published ones, to a student)."""
    course = course_get_for_member(user=request.user, slug=slug)
    teaches = is_instructor_of(request.user, course)
    exercises = [
        a.exercise
        for a in assignments_of(course, published_only=not teaches)
        if a.exercise.current_version_id is not None and a.exercise.is_active
    ]
    return _bundle_response(request, exercises, f"deepgrade-{course.slug}")


def _bundle_response(request: HttpRequest, exercises: list[Exercise], name: str) -> HttpResponse:
    user = request.user
    retry_after = rate_limit_hit(
        f"bundle:{user.pk}", limit=BUNDLES_PER_WINDOW, window=BUNDLE_WINDOW
    )
    if retry_after is not None:
        response = HttpResponse(
            f"Too many bundle downloads: at most {BUNDLES_PER_WINDOW} per {BUNDLE_WINDOW} s. "
            f"Try again in {retry_after} s.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(retry_after)
        return response
    from graders import bundle as bundles  # imported on use: most pages never need it

    entries, refused = [], []
    for exercise in exercises:
        if exercise.kind == Exercise.Kind.CODE and (
            why := practice_refusal(user=user, exercise=exercise, visible_only=True)
        ):
            refused.append(f"{exercise.slug}: {why}")
            continue
        seed = practice_seed(user=user, exercise=exercise)
        entries.append(bundles.Entry(engine_exercise(exercise.current_version), seed))

    from graders.engine import get_grader  # as catalog.selectors: loaded when first needed

    built = bundles.build(
        get_grader(),
        entries,
        site=request.build_absolute_uri("/"),
        wheel_url=request.build_absolute_uri(reverse("graders-wheel")),
        left_out=refused,
    )
    response = HttpResponse(bundles.zip_bytes(built, name), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    # The user's own practice instances: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


# -- the engine's wheel ------------------------------------------------------------------------


def _backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deepgrade_build", BACKEND)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{BACKEND}: the wheel's build backend is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wheel_path() -> Path:
    """The wheel of the graders/ this site runs, built once per content into VAR_DIR/wheels/."""
    backend = _backend()
    if backend.wheel_name() != WHEEL_NAME:
        raise RuntimeError(f"the backend builds {backend.wheel_name()}, the URL says {WHEEL_NAME}")
    digest = hashlib.sha256()
    for name, data in backend.package_files():
        digest.update(name.encode() + b"\0" + data + b"\0")
    folder = Path(settings.VAR_DIR) / "wheels" / digest.hexdigest()[:16]
    path = folder / WHEEL_NAME
    if not path.is_file():
        with _wheel_lock:  # one build per process; build_wheel renames into place
            if not path.is_file():
                backend.build_wheel(str(folder))
    return path


@require_GET
def graders_wheel(request: HttpRequest) -> FileResponse:
    """The engine, for `pip install`: no exercise in it, so no sign-in needed."""
    response = FileResponse(
        wheel_path().open("rb"), content_type="application/octet-stream", filename=WHEEL_NAME
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
