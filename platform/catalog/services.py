"""Writes for the catalog: syncing the exercise folders into the database, and alerts."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Exercise, ExerciseAlert, ExerciseVersion
from graders.exercise import Exercise as EngineExercise
from graders.exercise import ExerciseError, load_exercise

logger = logging.getLogger(__name__)

TOPIC_ORDER = ("backprop", "convolution", "attention")


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)  # new exercises
    updated: list[str] = field(default_factory=list)  # new version of a known exercise
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # folder gone: hidden, history kept
    # Edited on the web since: the folder is not taken (export the web version to commit it).
    web_edited: list[str] = field(default_factory=list)
    # Folders that do not load (path, the engine's message): left as they were in the database.
    broken: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _metadata(found: EngineExercise) -> dict[str, object]:
    return {
        "title": found.title,
        "topic": found.topic,
        "kind": found.kind,
        "points": float(found.points),
        "difficulty": found.difficulty,
        "minutes": found.minutes,
        "order": found.order,
        "requires": list(found.requires),
        "topic_rank": TOPIC_ORDER.index(found.topic) if found.topic in TOPIC_ORDER else 99,
        "is_active": True,
    }


def _version_row(exercise: Exercise, found: EngineExercise) -> tuple[ExerciseVersion, bool]:
    return ExerciseVersion.objects.get_or_create(
        exercise=exercise,
        version=found.version,
        defaults={
            "files": found.files(),
            "statement": found.statement,
            "starter": found.starter,
            "entry_point": found.entry_point or "",
            "answer_type": found.answer_type or "",
        },
    )


def _load_all(root: Path, result: SyncResult) -> list[EngineExercise]:
    found = []
    for toml in sorted(root.glob("*/*/exercise.toml")):
        try:
            found.append(load_exercise(toml.parent))
        except ExerciseError as exc:
            result.broken.append((str(toml.parent), str(exc)))
    return found


def exercises_take_folder(*, slugs: list[str]) -> list[str]:
    """Make these web-edited exercises folder exercises again (the next sync takes the folder).

    For after an author exported a web version and committed it: from then on the folder is
    the source. Returns the slugs that changed.
    """
    changed = []
    for slug in slugs:
        if Exercise.objects.filter(slug=slug, source=Exercise.Source.WEB).update(
            source=Exercise.Source.FOLDER
        ):
            changed.append(slug)
    return changed


@transaction.atomic
def exercises_sync(*, root: Path | None = None, strict: bool = False) -> SyncResult:
    """Make the database match the exercise folders under `root`. Idempotent.

    A folder whose files changed gets a new ExerciseVersion (a folder reverted to an earlier
    content gets that earlier version back); submissions keep the version they were made on.
    A folder that does not load is reported in `result.broken` and left as it was (its last good
    version stays open), so one author's half-written exercise does not close the others;
    with `strict`, ExerciseError is raised instead, before anything changes.
    """
    result = SyncResult()
    found_all = _load_all(Path(root or settings.EXERCISES_DIR), result)
    if strict and result.broken:
        raise ExerciseError("\n".join(message for _path, message in result.broken))
    seen = {Path(path).name for path, _message in result.broken}
    for found in found_all:
        seen.add(found.slug)
        metadata = _metadata(found)
        exercise = Exercise.objects.select_for_update().filter(slug=found.slug).first()
        if exercise is not None and exercise.source == Exercise.Source.WEB:
            result.web_edited.append(found.slug)
            continue
        if exercise is None:
            exercise = Exercise.objects.create(slug=found.slug, **metadata)
            version, _ = _version_row(exercise, found)
            exercise.current_version = version
            exercise.save(update_fields=["current_version"])
            result.created.append(found.slug)
            continue
        version, _ = _version_row(exercise, found)
        changed = [name for name, value in metadata.items() if getattr(exercise, name) != value]
        for name in changed:
            setattr(exercise, name, metadata[name])
        if exercise.current_version_id != version.pk:
            exercise.current_version = version
            changed.append("current_version")
        if changed:
            exercise.save(update_fields=[*changed, "updated_at"])
        if "current_version" in changed or "is_active" in changed:
            result.updated.append(found.slug)
        else:
            result.unchanged.append(found.slug)
    folder_exercises = Exercise.objects.filter(is_active=True, source=Exercise.Source.FOLDER)
    for exercise in folder_exercises.exclude(slug__in=seen):
        # Its folder is gone (a broken folder counts as present: see `seen` above).
        exercise.is_active = False
        exercise.save(update_fields=["is_active", "updated_at"])
        result.retired.append(exercise.slug)
    logger.debug(
        "exercises synced: %d new, %d updated, %d unchanged, %d retired, %d broken",
        len(result.created),
        len(result.updated),
        len(result.unchanged),
        len(result.retired),
        len(result.broken),
    )
    return result


# -- alerts about an exercise itself ---------------------------------------------------------
def exercise_alert_raise(
    *, version: ExerciseVersion, message: str, kind: str = "reference_failed"
) -> tuple[ExerciseAlert, bool]:
    """Record that `version` of an exercise failed on its own (its reference crashed).

    One open alert per (exercise, version, kind): a repeat counts up instead of adding a row.
    Returns (alert, created); the caller tells the instructors only when it was created, so a
    broken reference met by 500 students sends one message, not 500. Two workers racing on the
    first occurrence are settled by the partial unique constraint (the loser counts up).
    """
    exercise_id = version.exercise_id
    open_alerts = ExerciseAlert.objects.filter(
        exercise_id=exercise_id, version=version, kind=kind, resolved_at__isnull=True
    )
    if open_alerts.update(count=F("count") + 1, last_seen=timezone.now()):
        return open_alerts.get(), False
    try:
        with transaction.atomic():
            alert = ExerciseAlert.objects.create(
                exercise_id=exercise_id, version=version, kind=kind, message=message[:4000]
            )
    except IntegrityError:
        open_alerts.update(count=F("count") + 1, last_seen=timezone.now())
        return open_alerts.get(), False
    return alert, True


@transaction.atomic
# -- exercises authored on the web -------------------------------------------------------------
def _write_folder(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        relative = Path(rel)
        if relative.is_absolute() or ".." in relative.parts:
            raise ExerciseError(f"{rel}: a file of an exercise stays inside its folder")
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@transaction.atomic
def exercise_publish_files(
    *, files: dict[str, str], topic: str, slug: str, exercise: Exercise | None = None
) -> ExerciseVersion:
    """Make `files` (every file of an exercise folder) the current version of an exercise.

    The files are loaded by the engine from `<topic>/<slug>/` in a temporary folder, exactly as
    the folder sync would load them (ExerciseError if they do not load). Without `exercise`, a
    new exercise is created: authored on the web, so not public (students see it where a course
    publishes it); ExerciseError if the slug is taken. With `exercise`, it becomes `source=web`,
    so `exercises_sync` leaves it alone from now on (export it to commit it). An earlier version
    with the same files is made current again; no version row is ever changed, so submissions
    stay tied to the version they were graded on.
    """
    with tempfile.TemporaryDirectory(prefix="deepgrade-publish-") as tmp:
        folder = Path(tmp) / topic / slug
        _write_folder(folder, files)
        found = load_exercise(folder)
    metadata = _metadata(found)
    if exercise is None:
        if Exercise.objects.filter(slug=found.slug).exists():
            raise ExerciseError(f"slug {found.slug!r} is already used by another exercise")
        exercise = Exercise.objects.create(
            slug=found.slug,
            source=Exercise.Source.WEB,
            is_public=False,
            **metadata,
        )
    else:
        exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if found.slug != exercise.slug:
            raise ExerciseError(f"exercise.toml: the slug must stay {exercise.slug!r}")
        for name, value in metadata.items():
            setattr(exercise, name, value)
        exercise.source = Exercise.Source.WEB
    version, _ = _version_row(exercise, found)
    exercise.current_version = version
    exercise.save()
    return version
