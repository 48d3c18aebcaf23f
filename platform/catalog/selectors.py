"""Reads for the catalog, including the engine's view of a stored exercise version."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from catalog.models import Exercise, ExerciseVersion
from catalog.rendering import render_markdown
from core.prepared import PreparedQuery
from graders.exercise import Exercise as EngineExercise
from graders.exercise import load_exercise

logger = logging.getLogger(__name__)

TOPIC_TITLES = {
    "backprop": "Backpropagation",
    "convolution": "Convolution",
    "attention": "Attention",
}


def topic_title(topic: str) -> str:
    return TOPIC_TITLES.get(topic, topic.replace("-", " ").capitalize())


def exercise_list() -> QuerySet[Exercise]:
    """The open exercises, in topic order then the authors'. Who may see which is the courses'
    rule (courses.selectors.exercises_visible_to): the catalog knows no user."""
    qs = Exercise.objects.filter(is_active=True, current_version__isnull=False)
    return qs.order_by("topic_rank", "topic", "order", "slug")


def by_topic(exercises: Iterable[Exercise]) -> list[tuple[str, list[Exercise]]]:
    """(topic title, its exercises), for exercises already in topic order."""
    return [
        (topic_title(topic), list(items)) for topic, items in groupby(exercises, key=lambda e: e.topic)
    ]


def exercise_get_in(exercises: QuerySet[Exercise], slug: str) -> Exercise:
    """The exercise `slug` among `exercises`, with its current version; Http404 if none: an
    unpublished exercise of another course looks like no exercise."""
    return _one_with_version(exercises, slug)


def exercise_get_unchecked(slug: str) -> Exercise:
    """An open exercise by slug whoever asks; Http404 if none.

    For the submission endpoint only, where `submission_create` decides visibility itself from
    the assignment it needs anyway: one query fewer on the busiest request of a deadline.
    """
    exercise = _OPEN_EXERCISE.first(slug=slug)
    if exercise is None:
        raise Http404(f"no exercise {slug!r}")
    return exercise


def _with_version(qs: QuerySet[Exercise]) -> QuerySet[Exercise]:
    # Not the version's `files` (every file of the folder, tens of KB of JSON): the web needs
    # the statement and starter; the worker loads the files when it grades.
    return qs.select_related("current_version").defer("current_version__files")


# The submission endpoint's read, prepared (core/prepared.py).
_OPEN_EXERCISE = PreparedQuery(
    lambda slug: _with_version(exercise_list().filter(slug=slug))[:1], slug=str
)


def _one_with_version(qs: QuerySet[Exercise], slug: str) -> Exercise:
    exercise = _with_version(qs.filter(slug=slug)).first()
    if exercise is None:
        raise Http404(f"no exercise {slug!r}")
    return exercise


# -- the engine's Exercise for a stored version --------------------------------------------------
# Keyed by content (slug, version hash), not by row id: the same content is the same exercise.
_loaded: dict[tuple[str, str], EngineExercise] = {}
_loaded_lock = threading.Lock()


def engine_exercise(version: ExerciseVersion) -> EngineExercise:
    """The graders.Exercise of exactly this stored version (cached per process).

    Usually the folder in exercises/ still holds this version and is loaded from there. If the
    folder has changed since (a queued submission, a regrade of an old one), the stored files
    are written once to EXERCISE_CACHE_DIR/<version>/<topic>/<slug>/ and loaded from there, so
    a submission is always graded against the files it was made on.
    """
    exercise = version.exercise
    key = (exercise.slug, version.version)
    with _loaded_lock:
        cached = _loaded.get(key)
        # Its folder may have been removed since (a cleaned cache dir): then load it again.
        if cached is not None and cached.path.is_dir():
            return cached
    on_disk = Path(settings.EXERCISES_DIR) / exercise.topic / exercise.slug
    loaded: EngineExercise | None = None
    if (on_disk / "exercise.toml").is_file():
        candidate = load_exercise(on_disk)
        if candidate.version == version.version:
            loaded = candidate
    if loaded is None:
        loaded = load_exercise(_materialize(version))
    with _loaded_lock:
        _loaded[key] = loaded
    return loaded


def _materialize(version: ExerciseVersion) -> Path:
    exercise = version.exercise
    target = Path(settings.EXERCISE_CACHE_DIR) / version.version / exercise.topic / exercise.slug
    if (target / "exercise.toml").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written into a private folder, then renamed into place: two workers materialising the
    # same version at once never see each other's half-written folder.
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{exercise.slug}-"))
    try:
        for rel, text in version.files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "exercise.toml").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _shared_cache_get(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:  # Redis restarting: render it again
        logger.warning("cache unavailable: rendering the statement again")
        return None


def _shared_cache_set(key: str, value: str) -> None:
    try:
        cache.set(key, value, timeout=7 * 24 * 3600)
    except Exception:
        logger.warning("cache unavailable: statement not shared")


def _without_title(markdown: str) -> str:
    """Drop a leading `# Title` line: the page shows the exercise's title itself."""
    first, _, rest = markdown.lstrip().partition("\n")
    return rest if first.startswith("# ") else markdown


_STATEMENTS_MAX = 4096
_statements: OrderedDict[tuple[str, ...], str] = OrderedDict()
_statements_lock = threading.Lock()


def _cached(key: tuple[str, ...], compute: Callable[[], str]) -> str:
    """Process-local LRU first, then the shared cache (Redis), then `compute`."""
    with _statements_lock:
        value = _statements.get(key)
        if value is not None:
            _statements.move_to_end(key)
            return value
    shared_key = ":".join(key)
    value = _shared_cache_get(shared_key)
    if value is None:
        value = compute()
        _shared_cache_set(shared_key, value)
    with _statements_lock:
        _statements[key] = value
        while len(_statements) > _STATEMENTS_MAX:
            _statements.popitem(last=False)
    return value


def statement_source(version: ExerciseVersion, seed: int) -> str:
    """The statement's Markdown for this seed (math exercises fill in the instance's numbers).

    A version's statement never changes, so it is cached: a math instance is computed by the
    engine in its sandbox (~0.1 s), once per student and version for all web processes.
    """
    exercise = version.exercise
    if exercise.kind != Exercise.Kind.MATH:
        return version.statement

    def compute() -> str:
        from graders.engine import get_grader  # the grader makes the instance, in its sandbox

        return get_grader().statement(engine_exercise(version), seed)

    return _cached(("statement-md", exercise.slug, version.version, str(seed)), compute)


def statement_html(version: ExerciseVersion, seed: int) -> str:
    """The statement rendered and sanitised, without its `# Title` line (the page shows it)."""
    exercise = version.exercise
    seed_part = str(seed) if exercise.kind == Exercise.Kind.MATH else "-"
    return _cached(
        ("statement-html", exercise.slug, version.version, seed_part),
        lambda: render_markdown(_without_title(statement_source(version, seed))),
    )
