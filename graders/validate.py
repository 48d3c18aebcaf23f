"""`graders validate`: every exercise gets the verdicts its folder says it must get.

For each exercise and seed: the reference is accepted, each file of solutions/ gets its expected
verdict (and, where declared, the hint naming its bug), and the starter is rejected. A math
exercise also makes its instance, fills its statement, and its declared mistakes are rejected
with their hints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graders.engine import Grader
from graders.exercise import EXERCISES_ROOT, Exercise, ExerciseError, load_exercise
from graders.math.grade import MathGrader
from graders.math.params import Instance, InstanceError
from graders.math.templates import CHOICE_TYPES, fill, typed
from graders.report import Report, Verdict

DEFAULT_SEEDS = (0, 1)


@dataclass
class Finding:
    exercise: str
    ok: bool
    what: str
    detail: str = ""


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken and all(f.ok for f in self.findings)

    def counts(self) -> tuple[Counter[str], Counter[str]]:
        topics = Counter(e.topic for e in self.exercises)
        kinds = Counter(e.answer_type or e.kind for e in self.exercises)
        return topics, kinds


def collect(paths: list[str]) -> tuple[list[Exercise], list[str]]:
    """Exercises under the given paths (folders of one exercise, of a topic, or the bank)."""
    exercises: list[Exercise] = []
    broken: list[str] = []
    folders: list[Path] = []
    for raw in paths or [str(EXERCISES_ROOT)]:
        path = Path(raw)
        if (path / "exercise.toml").is_file():
            folders.append(path)
        elif path.is_dir():
            folders += sorted(p.parent for p in path.rglob("exercise.toml"))
        else:
            try:
                exercises.append(load_exercise(raw))
            except ExerciseError as exc:
                broken.append(str(exc))
    for folder in folders:
        try:
            exercises.append(load_exercise(folder))
        except ExerciseError as exc:
            broken.append(str(exc))
    slugs = Counter(e.slug for e in exercises)
    broken += [
        f"slug {s!r} is used by {n} exercises; slugs must be unique"
        for s, n in slugs.items()
        if n > 1
    ]
    known = {e.slug for e in exercises}
    for toml in EXERCISES_ROOT.glob("*/*/exercise.toml"):  # prerequisites may live elsewhere
        known.add(toml.parent.name)
    for e in exercises:
        for req in e.requires:
            if req not in known:
                broken.append(
                    f"{e.path / 'exercise.toml'}: field requires: unknown exercise {req!r}"
                )
    return exercises, broken


def _hint_found(report: Report, hint: str) -> bool:
    needle = hint.lower()
    texts = [report.message] + [f"{c.hint or ''} {c.message}" for c in report.checks]
    return any(needle in t.lower() for t in texts)


def judge(report: Report, expected: tuple[str, ...], hint: str | None) -> tuple[bool, str]:
    """Whether a report is the one expected (verdict, and the hint naming the bug); and why not."""
    got = report.verdict.value
    if report.verdict is Verdict.INTERNAL_ERROR and "accepted" not in expected:
        return False, f"could not be graded: {report.message} {' '.join(report.warnings)}"
    if expected == ("not accepted",):
        ok = report.verdict not in (Verdict.ACCEPTED, Verdict.INTERNAL_ERROR)
    else:
        ok = got in expected
    if not ok:
        return False, f"expected {' or '.join(expected)}, got {got}: {report.message}"
    if hint and not _hint_found(report, hint):
        said = "; ".join(filter(None, [report.message, *[c.hint or "" for c in report.checks]]))
        return (
            False,
            f"verdict {got} as expected, but the feedback does not mention {hint!r}: {said}",
        )
    return True, ""


def validate_exercise(grader: Grader, exercise: Exercise, seeds: tuple[int, ...]) -> list[Finding]:
    if exercise.kind == "math":
        return validate_math(grader.math, exercise, seeds)
    findings: list[Finding] = []
    slug = exercise.slug
    entries: list[tuple[str, str, tuple[str, ...], str | None]] = []
    if exercise.kind == "code":
        entries.append(("reference.py", exercise.file("reference.py"), ("accepted",), None))
        entries.append(("starter.py", exercise.starter, ("not accepted",), None))
    for sol in exercise.spec.solutions:
        entries.append(
            (
                f"solutions/{sol.file}",
                exercise.file(f"solutions/{sol.file}"),
                sol.expected,
                sol.hint,
            )
        )
    for seed in seeds:
        for name, source, expected, hint in entries:
            report = grader.grade(exercise, source, seed=seed)
            ok, detail = judge(report, expected, hint)
            findings.append(Finding(slug, ok, f"{name} (seed {seed})", detail))
    return findings


def validate(
    paths: list[str], grader: Grader, seeds: tuple[int, ...] = DEFAULT_SEEDS
) -> ValidationResult:
    exercises, broken = collect(paths)
    result = ValidationResult(exercises=exercises, broken=broken)
    for exercise in exercises:
        result.findings += validate_exercise(grader, exercise, seeds)
    return result


# -- math exercises ----------------------------------------------------------------------------


def validate_math(grader: MathGrader, exercise: Exercise, seeds: tuple[int, ...]) -> list[Finding]:
    """Every seed: an instance is made, the statement fills, the reference's own answer (typed)
    is accepted, each declared mistake is rejected with its hint, each solution gets its verdict."""
    slug = exercise.slug
    spec = exercise.spec.math
    assert spec is not None
    findings: list[Finding] = []
    if not any("accepted" in s.expected for s in exercise.spec.solutions):
        findings.append(
            Finding(slug, False, "solutions", 'add a [[solutions]] entry with expect = "accepted"')
        )
    kind = spec.answer_type
    for seed in seeds:
        try:
            inst = grader.instance(exercise, seed)
        except InstanceError as exc:
            findings.append(Finding(slug, False, f"instance (seed {seed})", str(exc)))
            continue
        _, unknown = grader.statement_with_unknowns(exercise, seed)
        findings.append(
            Finding(
                slug,
                not unknown,
                f"statement (seed {seed})",
                f"placeholders without a value: {', '.join(sorted(set(unknown)))}"
                if unknown
                else "",
            )
        )
        entries: list[tuple[str, str, tuple[str, ...], str | None]] = [
            (
                "reference answer, typed",
                typed(kind, inst.expected, inst.letters),
                ("accepted",),
                None,
            )
        ]
        entries += _mistake_entries(exercise, inst)
        for sol in exercise.spec.solutions:
            if sol.file.endswith(".py"):
                produced = inst.solutions.get(sol.file, {})
                if "text" not in produced:
                    findings.append(
                        Finding(
                            slug,
                            False,
                            f"solutions/{sol.file} (seed {seed})",
                            f"answer(**params) failed: {produced.get('error', 'no output')}",
                        )
                    )
                    continue
                text = produced["text"]
            else:
                text, unknown = fill(
                    exercise.file(f"solutions/{sol.file}"), inst.params, inst.letters
                )
                if unknown:
                    findings.append(
                        Finding(
                            slug,
                            False,
                            f"solutions/{sol.file} (seed {seed})",
                            f"placeholders without a value: {', '.join(unknown)}",
                        )
                    )
                    continue
            entries.append((f"solutions/{sol.file}", text, sol.expected, sol.hint))
        for name, text, expected, hint in entries:
            report = grader.grade(exercise, text, seed=seed)
            ok, detail = judge(report, expected, hint)
            if not ok:
                detail += f" [answer: {text.strip()[:200]!r}]"
            findings.append(Finding(slug, ok, f"{name} (seed {seed})", detail))
    return findings


def _mistake_entries(
    exercise: Exercise, inst: Instance
) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    """Each declared mistake, typed as a student would make it: must be rejected with its hint."""
    spec = exercise.spec.math
    assert spec is not None
    kind = spec.answer_type
    out = []
    by_index = {m.get("index"): m for m in inst.mistakes}
    expected_ids: list[str] = []
    if kind in CHOICE_TYPES:
        expected_ids = [inst.expected] if isinstance(inst.expected, str) else list(inst.expected)
    for index, declared in enumerate(spec.mistakes):
        hint, _ = fill(declared.hint, inst.params, inst.letters)
        label = f"mistake {index + 1}"
        if declared.choice:
            if kind == "choice":
                ids = [declared.choice]
            else:
                ids = sorted({*expected_ids, declared.choice})
            out.append((label, typed(kind, ids, inst.letters), ("rejected",), hint))
        elif declared.missing:
            ids = [i for i in expected_ids if i != declared.missing]
            if ids:
                out.append((label, typed(kind, ids, inst.letters), ("rejected",), hint))
        elif index in by_index:
            m = by_index[index]
            text = m["text"] if "text" in m else typed(kind, m.get("value"), inst.letters)
            out.append((label, text, ("rejected",), hint))
    return out
