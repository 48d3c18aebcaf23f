"""Validating a draft's files with the checks of `python -m graders validate`.

Runs in the Celery worker only (authoring.tasks): it runs the exercise's reference, starter and
solutions in the engine's sandbox. The files are written to a temporary `<topic>/<slug>/`
folder and loaded by the engine exactly as a folder of the bank would be; then every seed's
verdicts are checked by graders.validate. The result is a JSON-able report for the page.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from authoring.folder import path_problem
from graders.exercise import Exercise as EngineExercise
from graders.exercise import ExerciseError, load_exercise

SEEDS = (0, 1)  # what `python -m graders validate` tries by default
_SEEDED = re.compile(r"^(?P<name>.*) \(seed (?P<seed>\d+)\)$")
_FIELD = re.compile(r"^\s*field (?P<field>[^:]+): (?P<message>.*)$")


class Superseded(Exception):
    """A newer "Validate" replaced this run: stop, store nothing."""


class OutOfTime(Exception):
    """The run used up its time (settings.VALIDATION_TIME_LIMIT) before its last check."""


class _GuardedGrader:
    """The worker's grader, asked before each sandbox run whether the validation may go on.

    A superseded run stops at the next check (Superseded), so even a run whose revoke the worker
    missed (authoring.services.stop_validation) stops within one sandbox run; and each run gets
    at most what is left of the run's time, so no exercise's own limits (up to 120 s per case)
    can take a validation past its deadline.
    """

    def __init__(self, grader: Any, deadline: float | None, go_on: Callable[[], bool]) -> None:
        self._grader = grader
        self._deadline = deadline
        self._go_on = go_on

    def grade(self, exercise: EngineExercise, source: str, *, seed: int, **options: Any) -> Any:
        if not self._go_on():
            raise Superseded
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining < 1:
                raise OutOfTime
            exercise = capped(exercise, remaining)
        return self._grader.grade(exercise, source, seed=seed, **options)


def capped(exercise: EngineExercise, seconds: float) -> EngineExercise:
    """The exercise with its per-case limits cut so that any one sandbox run of it ends within
    `seconds`. The engine gives a reference run up to (2 + known-wrong solutions) times the
    case limits (graders/reference.py, run_reference): divided by the most it can be."""
    limits = exercise.spec.limits
    most = max(1.0, seconds / (2 + len(exercise.spec.solutions)))
    if limits.wall_seconds <= most and limits.cpu_seconds <= most:
        return exercise
    shorter = limits.model_copy(
        update={
            "wall_seconds": min(limits.wall_seconds, most),
            "cpu_seconds": min(limits.cpu_seconds, most),
        }
    )
    return dataclasses.replace(exercise, spec=exercise.spec.model_copy(update={"limits": shorter}))


def validate_files(
    *,
    files: dict[str, str],
    topic: str,
    slug: str,
    known_slugs: Collection[str],
    slug_taken: bool = False,
    deadline: float | None = None,
    go_on: Callable[[], bool] = lambda: True,
) -> dict[str, Any]:
    """The validation report of these files as the exercise `<topic>/<slug>`.

    `known_slugs`: the exercises `requires` may name; `slug_taken`: another exercise has the
    slug already (a new exercise could then not be published). `deadline` (time.monotonic()):
    no sandbox run may go past it (OutOfTime when none can start any more); `go_on` is asked
    before each sandbox run, Superseded when it says no.
    """
    from graders.engine import get_grader  # the worker's grader, its sandbox already warm
    from graders.validate import validate_exercise

    with tempfile.TemporaryDirectory(prefix="deepgrade-draft-") as tmp:
        folder = Path(tmp) / topic / slug
        for rel, text in files.items():
            if path_problem(rel):  # stored drafts hold allowed paths only; never write others
                raise ValueError(f"not a file of an exercise: {rel!r}")
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            exercise = load_exercise(folder)
        except ExerciseError as exc:
            return report_of(problems=problems_of(str(exc), folder))
        problems = []
        if slug_taken:
            problems.append(
                _problem("exercise.toml", "slug", f"{slug!r} is taken by another exercise")
            )
        for required in exercise.requires:
            if required not in known_slugs:
                problems.append(
                    _problem(
                        "exercise.toml",
                        "requires",
                        f"unknown exercise {required!r}; use the slug of an existing exercise",
                    )
                )
        if not go_on():
            raise Superseded
        grader = get_grader()
        if exercise.kind == "code":
            grader = _GuardedGrader(grader, deadline, go_on)
        # Math validations call the engine's math checks directly, under fixed limits of at most
        # 10 s per sandbox run (graders/math/grade.py): they run as they are, bounded by the
        # task's time limit.
        findings = validate_exercise(grader, exercise, SEEDS)
        entries = _entries(exercise, [(f.what, f.ok, f.detail) for f in findings])
    return report_of(problems=problems, entries=entries)


def report_of(
    *,
    problems: list[dict[str, str]] | None = None,
    entries: list[dict[str, Any]] | None = None,
    error: str = "",
) -> dict[str, Any]:
    problems = problems or []
    entries = entries or []
    runs = [run for entry in entries for run in entry["runs"]]
    passed = sum(run["ok"] for run in runs)
    return {
        "ok": bool(runs) and not problems and not error and passed == len(runs),
        "seeds": list(SEEDS),
        "problems": problems,
        "entries": entries,
        "passed": passed,
        "total": len(runs),
        "error": error,
    }


def _problem(file: str, field: str, message: str) -> dict[str, str]:
    """One problem; the engine's messages end with the fix after a ';' ("...; add it")."""
    text, _, fix = message.rpartition("; ")
    if not text:
        text, fix = message, ""
    return {"file": file, "field": field, "message": text, "fix": fix}


def problems_of(message: str, folder: Path) -> list[dict[str, str]]:
    """The engine's ExerciseError, one problem per field, with paths relative to the folder."""
    message = message.replace(f"{folder}/", "").replace(str(folder), ".")
    first, *rest = message.splitlines()
    file, _, what = first.partition(": ")
    if not what:
        return [_problem("", "", first)]
    if re.fullmatch(r"\d+ problem\(s\)", what):
        found = []
        for line in rest:
            match = _FIELD.match(line)
            if match:
                found.append(_problem(file, match["field"], match["message"]))
            elif found:
                found[-1]["message"] += " " + line.strip()
        return found or [_problem(file, "", what)]
    match = _FIELD.match(what)
    if match:
        return [_problem(file, match["field"], " ".join([match["message"], *rest]))]
    return [_problem(file, "", " ".join([what, *rest]))]


def _expected(exercise: EngineExercise) -> dict[str, str]:
    """What each checked thing must get, by the name graders.validate gives its findings."""
    expected = {
        "statement": "every placeholder filled",
        "instance": "drawn from the seed",
        "reference.py": "accepted",
        "starter.py": "not accepted",
        "reference answer, typed": "accepted",
    }
    for sol in exercise.spec.solutions:
        expected[f"solutions/{sol.file}"] = " or ".join(sol.expected)
    if exercise.spec.math is not None:
        for index in range(len(exercise.spec.math.mistakes)):
            expected[f"mistake {index + 1}"] = "rejected, with its hint"
    return expected


def _entries(
    exercise: EngineExercise, findings: list[tuple[str, bool, str]]
) -> list[dict[str, Any]]:
    """Findings grouped by what was checked (the reference, each solution...), seeds inside."""
    expected = _expected(exercise)
    entries: dict[str, dict[str, Any]] = {}
    for what, ok, detail in findings:
        match = _SEEDED.match(what)
        name, seed = (match["name"], int(match["seed"])) if match else (what, None)
        entry = entries.setdefault(
            name, {"name": name, "expected": expected.get(name, ""), "ok": True, "runs": []}
        )
        entry["runs"].append({"seed": seed, "ok": ok, "detail": detail})
        entry["ok"] = entry["ok"] and ok
    return list(entries.values())
