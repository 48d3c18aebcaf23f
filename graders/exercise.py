"""Loading an exercise folder (exercise.toml + statement + code files) into an `Exercise`."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graders.schema import ExerciseSpec

EXERCISES_ROOT = Path(__file__).resolve().parent.parent / "exercises"
TOPIC_ORDER = ("backprop", "convolution", "attention")
# Files that never belong to an exercise's content (editor and interpreter droppings).
IGNORED_PARTS = {"__pycache__", ".DS_Store", ".ipynb_checkpoints"}


class ExerciseError(Exception):
    """An exercise folder that cannot be used; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class Exercise:
    """An exercise folder as data. The statement a given seed reads comes from the grader
    (graders.engine.Grader.statement): a math instance is made in its sandbox."""

    path: Path
    spec: ExerciseSpec
    _files: dict[str, str] = field(repr=False, compare=False)

    # -- metadata ---------------------------------------------------------------------------
    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def topic(self) -> str:
        return self.spec.topic

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def points(self) -> float:
        return self.spec.points

    @property
    def difficulty(self) -> int:
        return self.spec.difficulty

    @property
    def minutes(self) -> int:
        return self.spec.minutes

    @property
    def order(self) -> int:
        return self.spec.order

    @property
    def requires(self) -> list[str]:
        return list(self.spec.requires)

    @property
    def entry_point(self) -> str | None:
        return self.spec.code.entry_point if self.spec.code else None

    @property
    def answer_type(self) -> str | None:
        return self.spec.math.answer_type if self.spec.math else None

    # -- content ----------------------------------------------------------------------------
    def files(self) -> dict[str, str]:
        """Every file of the folder (relative path -> text): what a version is made of."""
        return dict(self._files)

    def file(self, name: str) -> str:
        try:
            return self._files[name]
        except KeyError:
            raise ExerciseError(f"{self.path / name}: file missing") from None

    def has_file(self, name: str) -> bool:
        return name in self._files

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self._files):
            digest.update(name.encode() + b"\0" + self._files[name].encode() + b"\0")
        return digest.hexdigest()[:16]

    @property
    def statement(self) -> str:
        return self._files.get("statement.md", "")

    @property
    def starter(self) -> str:
        return self._files.get("starter.py", "")


def _read_files(folder: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or IGNORED_PARTS.intersection(path.parts):
            continue
        rel = path.relative_to(folder).as_posix()
        try:
            files[rel] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ExerciseError(
                f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8"
            ) from None
    return files


def _format_validation_error(toml_path: Path, exc: ValidationError) -> str:
    lines = [f"{toml_path}: {exc.error_count()} problem(s)"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling against docs/exercise-format.md or remove it"
        elif err["type"] == "missing":
            msg = "required field is missing; add it"
        elif err["type"] == "literal_error":
            msg = f"{msg} (got {err.get('input')!r})"
        lines.append(f"  field {where}: {msg}")
    return "\n".join(lines)


def resolve_path(path_or_slug: str | Path, root: Path = EXERCISES_ROOT) -> Path:
    """A folder path, `topic/slug`, or a bare slug searched under `root`."""
    candidate = Path(path_or_slug)
    if (candidate / "exercise.toml").is_file():
        return candidate.resolve()
    if (root / candidate / "exercise.toml").is_file():
        return (root / candidate).resolve()
    matches = [p.parent for p in root.glob(f"*/{path_or_slug}/exercise.toml")]
    if len(matches) == 1:
        return matches[0].resolve()
    if not matches:
        raise ExerciseError(
            f"no exercise {str(path_or_slug)!r}: give a folder holding exercise.toml or a slug "
            f"from {root} (python -m graders list shows them)"
        )
    raise ExerciseError(f"slug {path_or_slug!r} is ambiguous: {', '.join(map(str, matches))}")


MAX_TOML_DEPTH = 32  # the deepest exercise.toml of the bank nests 4 levels


def toml_loads(text: str) -> dict[str, Any]:
    """`tomllib.loads`, refusing a document nested deeper than MAX_TOML_DEPTH levels with a
    TOMLDecodeError like any other unreadable TOML.

    tomllib recurses once per nested array or inline table, so 20,000 of them exhaust the
    stack (RecursionError); dotted keys and table headers (`a.a.a…`) nest without any
    recursion, and the validation and the JSON of what they built would then recurse instead.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(
            f"nested too deeply (at most {MAX_TOML_DEPTH} levels of tables and arrays)"
        ) from None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:  # without recursion: the structure is what might be too deep
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth >= MAX_TOML_DEPTH:
            raise tomllib.TOMLDecodeError(
                f"nested too deeply (at most {MAX_TOML_DEPTH} levels of tables and arrays)"
            )
        stack.extend((child, depth + 1) for child in children)
    return data


def load_exercise(path_or_slug: str | Path, root: Path = EXERCISES_ROOT) -> Exercise:
    folder = resolve_path(path_or_slug, root)
    toml_path = folder / "exercise.toml"
    try:
        raw = toml_loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseError(f"{toml_path}: not valid TOML: {exc}") from None
    try:
        spec = ExerciseSpec.model_validate(raw)
    except ValidationError as exc:
        raise ExerciseError(_format_validation_error(toml_path, exc)) from None
    if spec.slug != folder.name:
        raise ExerciseError(
            f"{toml_path}: field slug: {spec.slug!r} differs from the folder name {folder.name!r}; "
            "rename one of them"
        )
    if spec.topic != folder.parent.name and folder.parent.name in TOPIC_ORDER:
        raise ExerciseError(
            f"{toml_path}: field topic: {spec.topic!r} but the folder is under {folder.parent.name!r}"
        )
    files = _read_files(folder)
    required = ["statement.md", "reference.py"]
    if spec.kind == "code":
        required += ["starter.py", "cases.py"]
    for name in required:
        if name not in files:
            raise ExerciseError(f"{folder / name}: missing; every {spec.kind} exercise needs it")
    for sol in spec.solutions:
        if f"solutions/{sol.file}" not in files:
            raise ExerciseError(
                f"{toml_path}: field solutions.file: solutions/{sol.file} does not exist; "
                "fix the name or add the file"
            )
    return Exercise(path=folder, spec=spec, _files=files)


def discover(root: Path = EXERCISES_ROOT) -> list[Exercise]:
    """All exercises under root, by topic order then `order`; raises on the first broken one."""
    exercises = [load_exercise(p.parent, root) for p in sorted(root.glob("*/*/exercise.toml"))]
    topic_rank = {t: i for i, t in enumerate(TOPIC_ORDER)}
    return sorted(exercises, key=lambda e: (topic_rank.get(e.topic, 99), e.order, e.slug))
