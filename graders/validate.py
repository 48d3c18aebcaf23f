"""`graders validate`: every exercise gets the verdicts its folder says it must get.

For each exercise and seed: the reference is accepted, each file of solutions/ gets its expected
verdict (and, where declared, the hint naming its bug), and the starter is rejected. A math
exercise also makes its instance, fills its statement, and its declared mistakes are rejected
with their hints.

With `mutants`, a code exercise's cases must also kill every mutant of its reference that it
does not declare equivalent (graders/mutation/kill.py), and each known buggy solution must get
the mutation hint it declares (`mutation = "family"`), or none: its coverage (known buggy
solutions whose report names their mistake) is counted per exercise. What an exercise gives is
kept in var/mutants/, by a hash of its files, the seeds and the engine's code: a second run
over unchanged exercises grades nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.engine import Grader
from graders.exercise import EXERCISES_ROOT, Exercise, ExerciseError, load_exercise
from graders.math.grade import MathGrader
from graders.math.params import Instance, InstanceError
from graders.math.templates import CHOICE_TYPES, fill, typed
from graders.mutation.hints import text_for
from graders.mutation.kill import MutantReport, kill_report
from graders.mutation.operators import FAMILIES
from graders.report import Report, Verdict
from graders.sandbox.controller import Sandbox, SandboxUnavailable

DEFAULT_SEEDS = (0, 1)
ENGINE_ROOT = Path(__file__).resolve().parent
CACHE_DIR = Path(os.environ.get("VAR_DIR", ENGINE_ROOT.parent / "var")) / "mutants"
# The verdicts of a solution whose mistake is in its values: a hint can name it.
VALUE_VERDICTS = frozenset({"rejected", "partially_accepted"})
NO_MUTATION = "none"


@dataclass
class Finding:
    exercise: str
    ok: bool
    what: str
    detail: str = ""


@dataclass
class Coverage:
    """Known buggy solutions (wrong values) of one exercise, and those whose every report
    names their mistake (file -> by what: "mutant", the hint of the mutation family it
    declares; "known-wrong", its own message; "pattern", feedback holding its declared `hint`,
    such as a generic hint or the type check's message)."""

    framework: str
    buggy: list[str] = field(default_factory=list)
    named: dict[str, str] = field(default_factory=dict)


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    mutants: dict[str, MutantReport] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            not self.broken
            and all(f.ok for f in self.findings)
            and all(m.ok for m in self.mutants.values())
        )

    def counts(self) -> tuple[Counter[str], Counter[str]]:
        topics = Counter(e.topic for e in self.exercises)
        kinds = Counter(e.answer_type or e.kind for e in self.exercises)
        return topics, kinds


# What validating one exercise finds: its findings, and for a code exercise validated with its
# mutants, its kill report and its hint coverage.
Found = tuple[list[Finding], MutantReport | None, Coverage | None]


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


def validate_exercise(
    grader: Grader,
    exercise: Exercise,
    seeds: tuple[int, ...],
    reports: dict[tuple[str, int], Report] | None = None,
) -> list[Finding]:
    """The findings of one exercise; `reports` receives each solution's report by (file, seed)."""
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
            if reports is not None:
                reports[(name, seed)] = report
    return findings


def validate(
    paths: list[str],
    grader: Grader,
    seeds: tuple[int, ...] = DEFAULT_SEEDS,
    mutants: bool = False,
) -> ValidationResult:
    """Every exercise under `paths`, on `seeds`; with `mutants`, the code exercises' mutants
    and mutation hints too, each exercise's result kept in var/mutants/."""
    exercises, broken = collect(paths)
    result = ValidationResult(exercises=exercises, broken=broken)
    if not mutants:
        for exercise in exercises:
            result.findings += validate_exercise(grader, exercise, seeds)
        return result
    engine = _engine_digest()
    keys = {e.slug: _cache_key(e, seeds, engine) for e in exercises}
    cached = {e.slug: _cached(e, keys[e.slug]) for e in exercises}
    # The mutants of the next exercises run in sandboxes of their own, in a thread of their
    # own, while the known solutions of this one are graded: on two cores, validating with
    # mutants then takes about as long as without.
    sandboxes = {framework: Sandbox(framework) for framework in ("numpy", "torch")}
    killing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mutants")
    try:
        reports = {
            e.slug: killing.submit(kill_report, sandboxes.__getitem__, grader.code.mutants, e, seeds)
            for e in exercises
            if e.kind == "code" and cached[e.slug] is None
        }
        for exercise in exercises:
            found = cached[exercise.slug]
            if found is None:
                if exercise.kind == "code":
                    found = _validate_with_mutants(grader, exercise, seeds, reports[exercise.slug])
                else:
                    found = (validate_exercise(grader, exercise, seeds), None, None)
                if all(f.ok for f in found[0]) and (found[1] is None or found[1].ok):
                    _store(exercise, keys[exercise.slug], found)
            findings, report, coverage = found
            result.findings += findings
            if report is not None and coverage is not None:
                result.mutants[exercise.slug] = report
                result.coverage[exercise.slug] = coverage
    finally:
        killing.shutdown(cancel_futures=True)
        for sandbox in sandboxes.values():
            sandbox.close()
    return result


# -- mutants -----------------------------------------------------------------------------------


def mutant_lines(result: ValidationResult, slug: str) -> list[tuple[str, bool]]:
    """What `validate --mutants` prints under an exercise: its counts and coverage, then each
    survivor (what to add a case for) and each declaration that does not hold; (line, ok)."""
    report = result.mutants.get(slug)
    if report is None:
        return []
    coverage = result.coverage[slug]
    lines = [
        (
            f"mutants: {report.generated} generated, {report.killed} killed, "
            f"{len(report.equivalent)} equivalent, {len(report.survivors)} survived; "
            f"named hints: {_named(coverage)} ({coverage.framework})",
            report.ok,
        )
    ]
    for survivor in report.survivors:
        seeds = ", ".join(map(str, survivor.seeds))
        lines.append(
            (
                f"SURVIVED {survivor.id} ({survivor.family}): {survivor.description}; no case "
                f"tells it apart on seed {seeds}: add one, or declare it in [mutants.equivalent]",
                False,
            )
        )
    lines += [(problem, False) for problem in report.problems]
    return lines


def mutant_summary(result: ValidationResult) -> list[str]:
    """The totals of `validate --mutants`, and the hint coverage per framework."""
    if not result.mutants:
        return []
    reports = list(result.mutants.values())
    lines = [
        f"mutants: {sum(r.generated for r in reports)} generated, "
        f"{sum(r.killed for r in reports)} killed, "
        f"{sum(len(r.equivalent) for r in reports)} equivalent, "
        f"{sum(len(r.survivors) for r in reports)} survived"
    ]
    for framework in sorted({c.framework for c in result.coverage.values()}):
        covered = [c for c in result.coverage.values() if c.framework == framework]
        total = Coverage(framework)
        for c in covered:
            total.buggy += c.buggy
            total.named.update({f"{id(c)}{k}": v for k, v in c.named.items()})
        lines.append(f"named hints ({framework}): {_named(total)}")
    return lines


def _named(coverage: Coverage) -> str:
    """"7/8 known buggy solutions (mutants 3, known-wrong 3, pattern 1)"."""
    ways = Counter(coverage.named.values())
    parts = ", ".join(f"{how} {ways[how]}" for how in ("mutant", "known-wrong", "pattern"))
    return f"{len(coverage.named)}/{len(coverage.buggy)} known buggy solutions ({parts})"


def _validate_with_mutants(
    grader: Grader, exercise: Exercise, seeds: tuple[int, ...], killing: Future[MutantReport]
) -> Found:
    """The kill report first (it fills the grader's mutant cache), then the usual findings,
    then each known buggy solution's mutation hint against what it declares."""
    try:
        killed = killing.result()
    except (SandboxUnavailable, SyntaxError, ValueError) as exc:
        killed = MutantReport(problems=[f"the mutants could not be made or run: {exc}"])
    reports: dict[tuple[str, int], Report] = {}
    findings = validate_exercise(grader, exercise, seeds, reports)
    code = exercise.spec.code
    assert code is not None
    coverage = Coverage(code.framework)
    texts: dict[str, set[str]] = {}
    for mutant in grader.code.mutants.hinting(exercise):
        texts.setdefault(text_for(mutant, exercise.spec.mutants.hints), set()).add(mutant.family)
    for sol in exercise.spec.solutions:
        name = f"solutions/{sol.file}"
        if "accepted" in sol.expected:
            continue
        declared = sol.mutation or NO_MUTATION
        if declared not in (*FAMILIES, NO_MUTATION):
            why = f"mutation = {declared!r}: not a family ({', '.join(FAMILIES)}) or 'none'"
            findings.append(Finding(exercise.slug, False, name, why))
            continue
        named: list[set[str]] = []
        for seed in seeds:
            report = reports[(name, seed)]
            hints = {c.hint for c in report.checks if c.hint}
            given = set().union(*(texts.get(h, set()) for h in hints))
            findings.append(_mutation_finding(exercise.slug, name, seed, declared, given))
            by = set()
            if declared in given:
                by.add("mutant")
            if sol.hint_message is not None and sol.hint_message in hints:
                by.add("known-wrong")
            if sol.hint and _hint_found(report, sol.hint):
                by.add("pattern")
            named.append(by)
        if VALUE_VERDICTS & set(sol.expected):
            coverage.buggy.append(sol.file)
            every = set.intersection(*named) if named else set()
            for how in ("mutant", "known-wrong", "pattern"):
                if how in every:
                    coverage.named[sol.file] = how
                    break
    return findings, killed, coverage


def _mutation_finding(slug: str, name: str, seed: int, declared: str, given: set[str]) -> Finding:
    what = f"{name} (seed {seed}): mutation hint"
    if declared == NO_MUTATION:
        if not given:
            return Finding(slug, True, what)
        family = sorted(given)[0]
        return Finding(
            slug,
            False,
            what,
            f"gets the hint of the mutation family {family!r}: declare mutation = {family!r} if "
            "it names this bug; if not, give that family (or its mutant) another text, or \"\" "
            "for none, in [mutants.hints]",
        )
    if given == {declared}:
        return Finding(slug, True, what)
    said = f"the hint of {', '.join(sorted(given))}" if given else "no mutation hint"
    return Finding(slug, False, what, f"declares mutation = {declared!r} but gets {said}")


def _engine_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(ENGINE_ROOT.rglob("*.py")):
        digest.update(str(path.relative_to(ENGINE_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_key(exercise: Exercise, seeds: tuple[int, ...], engine: str) -> str:
    text = f"{exercise.version}|{','.join(map(str, seeds))}|{engine}"
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_path(exercise: Exercise) -> Path:
    return CACHE_DIR / f"{exercise.topic}-{exercise.slug}.json"


def _cached(exercise: Exercise, key: str) -> Found | None:
    try:
        data: dict[str, Any] = json.loads(_cache_path(exercise).read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        findings = [Finding(**f) for f in data["findings"]]
        mutants = MutantReport.from_dict(data["mutants"]) if data["mutants"] else None
        coverage = Coverage(**data["coverage"]) if data["coverage"] else None
        return findings, mutants, coverage
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(exercise: Exercise, key: str, found: Found) -> None:
    findings, report, coverage = found
    data = {
        "key": key,
        "findings": [f.__dict__ for f in findings],
        "mutants": report.to_dict() if report is not None else None,
        "coverage": coverage.__dict__ if coverage is not None else None,
    }
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        path = _cache_path(exercise)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its time


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
