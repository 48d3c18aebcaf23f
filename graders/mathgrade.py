"""Math exercises on the trusted side: instances, statements, grading and validation.

Nothing here parses a student's answer. Every answer is decided by graders.mathcheck in a child
of the "sympy" sandbox zygote, which kills it at a hard time limit; the reference's `answer()`
(instructor code) runs there too. This side sends jobs, caches instances per (version, seed),
fills statements, and turns the checker's verdict data into a Report.

An instance is what a seed makes of an exercise: the parameters (drawn from exercise.toml
[params], or by reference.py's `params(rng)`), the expected answer, the values of the declared
mistakes, the order of the options of a multiple-choice question, and the typed text of the
solutions/*.py answers. The platform derives the seed (graders.instances.derive_seed) and stores
it, so a stored seed reproduces the statement and the verdict.
"""

from __future__ import annotations

import ast
import json
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graders import mathcheck, protocol
from graders.report import Check, Report, Verdict
from graders.sandbox.controller import RunOutcome, Sandbox

if TYPE_CHECKING:
    from graders.engine import Grader
    from graders.exercise import Exercise
    from graders.validate import Finding

# The job's source: graders.mathcheck is already in the "sympy" zygote's memory (graders.mathparse,
# which the zygote preloads, imports it), so the child neither reads nor compiles it.
CHECK_SOURCE = "from graders.mathcheck import check, instance  # noqa: F401\n"
CHECK_FILENAME = "mathcheck_job.py"
CHECK_LIMITS = {"wall_seconds": 5.0, "cpu_seconds": 5.0, "memory_mb": 512}
INSTANCE_LIMITS = {"wall_seconds": 10.0, "cpu_seconds": 10.0, "memory_mb": 512}
MAX_ANSWER_CHARS = 4096  # graders.mathparse.MAX_ANSWER_CHARS; refused here before any job
INSTANCE_CACHE_SIZE = 1024
OPTION_LETTERS = mathcheck.LETTERS


class InstanceError(Exception):
    """The exercise could not make this instance (the reference failed): never the student's fault."""


@dataclass(frozen=True)
class Option:
    letter: str
    id: str
    text: str


@dataclass(frozen=True)
class Instance:
    """One seed's version of a math exercise."""

    seed: int
    params: dict[str, Any]
    expected: Any
    mistakes: list[dict[str, Any]] = field(default_factory=list)  # {"index", "value" | "text"}
    solutions: dict[str, dict[str, str]] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    draws: int = 1

    @property
    def letters(self) -> dict[str, str]:
        """Option id -> the letter this instance shows it under."""
        return {o.id: o.letter for o in self.options}


# -- the sandbox and the cache, per grader -----------------------------------------------------


class MathState:
    """A "sympy" sandbox and the instance cache; one per Grader (created on first use)."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox("sympy")
        self.cache: OrderedDict[tuple[str, int], Instance] = OrderedDict()
        self.lock = threading.Lock()

    def close(self) -> None:
        self.sandbox.close()


_states: weakref.WeakKeyDictionary[Any, MathState] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def state_for(grader: Grader | None = None) -> MathState:
    """The math state of this grader (of the process-wide grader when None)."""
    if grader is None:
        from graders.engine import get_grader

        grader = get_grader()
    with _states_lock:
        state = _states.get(grader)
        if state is None:
            state = MathState()
            _states[grader] = state
            # The zygote dies with this process anyway (PDEATHSIG); close it with its grader.
            weakref.finalize(grader, state.close)
        return state


def close_for(grader: Grader) -> None:
    """Stop this grader's math zygote, if it has one."""
    with _states_lock:
        state = _states.pop(grader, None)
    if state is not None:
        state.close()


def start(grader: Grader | None = None) -> None:
    """Start the math zygote now (a worker does this at start-up, not on its first answer)."""
    state_for(grader).sandbox.start()


def run_job(
    sandbox: Sandbox, entry: str, args: list[str], limits: dict[str, float]
) -> tuple[dict[str, Any] | None, str | None]:
    """Run mathcheck.<entry>(*args) in the sandbox: (its JSON result, or None and why not)."""
    buffers: list[bytes] = []
    job = {
        "kind": "student",
        "source": CHECK_SOURCE,
        "filename": CHECK_FILENAME,
        "entry_point": entry,
        "framework": "numpy",
        "banned": [],
        "limits": limits,
        "cases": [{"index": 0, "args": protocol.encode_value(list(args), buffers)}],
    }
    outcome = sandbox.run(job, buffers)
    return _result(outcome, limits)


def _result(
    outcome: RunOutcome, limits: dict[str, float]
) -> tuple[dict[str, Any] | None, str | None]:
    if outcome.protocol_error:
        return None, f"unreadable results: {outcome.protocol_error}"
    for header, buffers in outcome.frames:
        if header.get("event") == "load_error":
            return None, f"the checker did not load: {header.get('error', {}).get('message')}"
        if header.get("event") != "case" or header.get("index") != 0:
            continue
        if "error" in header:
            err = header["error"]
            if err.get("memory"):
                return None, "memory"
            return None, f"{err.get('type')}: {err.get('message')}\n{err.get('traceback', '')}"
        try:
            value = protocol.decode_value(header.get("value"), buffers)
            data = json.loads(value) if isinstance(value, str) else None
        except (protocol.ProtocolError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict):
            return None, "the checker returned no JSON object"
        return data, None
    facts = outcome.facts
    if facts.get("killed_by") == "wall":
        return None, "time"
    if (
        facts.get("signal") is not None
        and (facts.get("cpu_seconds") or 0) >= limits["cpu_seconds"] - 0.05
    ):
        return None, "time"
    return (
        None,
        f"the checker ended without an answer ({facts.get('signal') or facts.get('exit_code')})",
    )


# -- instances ---------------------------------------------------------------------------------


def has_custom_params(exercise: Exercise) -> bool:
    """Whether reference.py defines params(rng) (read with ast: nothing is executed here)."""
    try:
        tree = ast.parse(exercise.file("reference.py"))
    except SyntaxError:
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == "params" for n in tree.body)


def parametrised(exercise: Exercise) -> bool:
    return bool(exercise.spec.params) or has_custom_params(exercise)


def options_for(
    exercise: Exercise, seed: int, params: dict[str, Any] | None = None
) -> list[Option]:
    spec = exercise.spec.math
    if spec is None or not spec.choices:
        return []
    ids = mathcheck.shuffled_options(spec.choices, seed, spec.shuffle)
    return [
        Option(
            OPTION_LETTERS[i], option_id, mathcheck.fill(spec.choices[option_id], params or {})[0]
        )
        for i, option_id in enumerate(ids)
    ]


def _solution_sources(exercise: Exercise) -> dict[str, str]:
    return {
        s.file: exercise.file(f"solutions/{s.file}")
        for s in exercise.spec.solutions
        if s.file.endswith(".py")
    }


def _meta(exercise: Exercise, seed: int) -> dict[str, Any]:
    spec = exercise.spec
    assert spec.math is not None
    params = {k: v for k, v in spec.params.items() if k != "distinct"}
    mistakes = []
    for m in spec.math.mistakes:
        if m.function:
            mistakes.append({"function": m.function})
        elif m.answer is not None:
            mistakes.append({"answer": m.answer})
        else:
            mistakes.append({})
    return {
        "type": spec.math.answer_type,
        "seed": seed,
        "params": params,
        "distinct": spec.params.get("distinct"),
        "mistakes": mistakes,
        "rtol": spec.math.rtol,
        "atol": spec.math.atol,
        "variables": spec.math.variables,
    }


def instance(exercise: Exercise, seed: int, grader: Grader | None = None) -> Instance:
    """The instance of this exercise for this seed (computed once in the sandbox, then cached)."""
    state = state_for(grader)
    key = (exercise.version, seed if parametrised(exercise) else 0)
    with state.lock:
        cached = state.cache.get(key)
        if cached is not None:
            state.cache.move_to_end(key)
    if cached is None:
        cached = _make_instance(state, exercise, key[1])
        with state.lock:
            state.cache[key] = cached
            while len(state.cache) > INSTANCE_CACHE_SIZE:
                state.cache.popitem(last=False)
    if cached.seed == seed:
        return cached
    # The same draw (no parameters), but this seed's order of the options.
    return Instance(
        seed=seed,
        params=cached.params,
        expected=cached.expected,
        mistakes=cached.mistakes,
        solutions=cached.solutions,
        options=options_for(exercise, seed, cached.params),
        draws=cached.draws,
    )


def _make_instance(state: MathState, exercise: Exercise, seed: int) -> Instance:
    meta = _meta(exercise, seed)
    data, why = run_job(
        state.sandbox,
        "instance",
        [
            json.dumps(meta),
            exercise.file("reference.py"),
            json.dumps(_solution_sources(exercise)),
        ],
        INSTANCE_LIMITS,
    )
    if data is None:
        if why == "time":
            why = f"the reference took longer than {INSTANCE_LIMITS['wall_seconds']:g} s"
        raise InstanceError(f"{exercise.slug}: could not make the instance for seed {seed}: {why}")
    if "error" in data:
        raise InstanceError(f"{exercise.slug} (seed {seed}): {data['error']}")
    params = data.get("params")
    if not isinstance(params, dict) or not isinstance(data.get("mistakes"), list):
        raise InstanceError(f"{exercise.slug} (seed {seed}): malformed instance data")
    kind = exercise.answer_type
    spec = exercise.spec.math
    assert spec is not None
    expected = data.get("expected")
    if kind in mathcheck.CHOICE_TYPES:
        ids = [expected] if isinstance(expected, str) else expected
        if not isinstance(ids, list) or not ids or any(i not in spec.choices for i in ids):
            raise InstanceError(
                f"{exercise.slug}: reference answer() returned {expected!r}; it must return "
                f"option id(s) among {list(spec.choices)}"
            )
        if kind == "choice" and len(ids) != 1:
            raise InstanceError(f"{exercise.slug}: a choice exercise has exactly one right option")
    return Instance(
        seed=seed,
        params=params,
        expected=expected,
        mistakes=[m for m in data["mistakes"] if isinstance(m, dict)],
        solutions={k: v for k, v in data.get("solutions", {}).items() if isinstance(v, dict)},
        options=options_for(exercise, seed, params),
        draws=int(data.get("draws", 1)),
    )


# -- statements --------------------------------------------------------------------------------


def options_markdown(options: list[Option]) -> str:
    return "\n".join(f"- **{o.letter}.** {o.text}" for o in options)


def render_statement(exercise: Exercise, seed: int, grader: Grader | None = None) -> str:
    """The statement of this seed's instance: {{P}} placeholders filled, options listed."""
    text, _ = render_with_unknowns(exercise, seed, grader)
    return text


def render_with_unknowns(
    exercise: Exercise, seed: int, grader: Grader | None = None
) -> tuple[str, list[str]]:
    if parametrised(exercise):
        inst = instance(exercise, seed, grader)
        params, options = inst.params, inst.options
    else:  # no parameters: nothing to run
        params, options = {}, options_for(exercise, seed)
    statement = exercise.statement
    extra = {}
    if options:
        extra["choices"] = options_markdown(options)
        if "{{choices}}" not in statement.replace(" ", ""):
            statement = statement.rstrip() + "\n\n{{choices}}\n"
    return mathcheck.fill(statement, params, extra=extra)


# -- grading -----------------------------------------------------------------------------------


def check_request(exercise: Exercise, inst: Instance, answer: str) -> dict[str, Any]:
    spec = exercise.spec.math
    assert spec is not None
    mistakes: list[dict[str, Any]] = []
    by_index = {m.get("index"): m for m in inst.mistakes}
    for index, declared in enumerate(spec.mistakes):
        hint, _ = mathcheck.fill(declared.hint, inst.params, inst.letters)
        if declared.choice:
            mistakes.append({"choice": declared.choice, "hint": hint})
        elif declared.missing:
            mistakes.append({"missing": declared.missing, "hint": hint})
        elif index in by_index:
            entry = {k: v for k, v in by_index[index].items() if k in ("value", "text")}
            mistakes.append({**entry, "hint": hint})
    return {
        "type": spec.answer_type,
        "answer": answer,
        "expected": inst.expected,
        "rtol": spec.rtol,
        "atol": spec.atol,
        "variables": spec.variables,
        "options": [[o.letter, o.id] for o in inst.options],
        "mistakes": mistakes,
    }


def grade_math(
    exercise: Exercise, submission: str, *, seed: int, grader: Grader | None = None
) -> Report:
    """Grade one typed answer for the seed's instance."""
    state = state_for(grader)
    timings: dict[str, float] = {}
    answer = submission.strip()

    def report(verdict: Verdict, message: str, check: Check | None = None) -> Report:
        score = exercise.points if verdict is Verdict.ACCEPTED else 0.0
        r = Report.new(exercise, seed, verdict, score, message, [check] if check else [])
        r.timings.update(timings)
        return r

    if not answer:
        msg = "The answer is empty."
        return report(Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg))
    if len(answer) > MAX_ANSWER_CHARS:
        msg = f"Your answer is too long ({len(answer)} characters; at most {MAX_ANSWER_CHARS})."
        return report(Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg))
    t0 = time.perf_counter()
    try:
        inst = instance(exercise, seed, grader)
    except InstanceError as exc:
        timings["instance"] = time.perf_counter() - t0
        r = report(
            Verdict.INTERNAL_ERROR,
            "Could not be graded: the exercise's reference failed on this instance. This is not "
            "your fault; your answer is kept and the instructor has been told.",
        )
        r.fault = "exercise"
        r.warnings.append(str(exc))
        return r
    timings["instance"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    request = check_request(exercise, inst, answer)
    data, why = run_job(state.sandbox, "check", [json.dumps(request)], CHECK_LIMITS)
    timings["check"] = time.perf_counter() - t0
    if data is None:
        if why in ("time", "memory"):
            limit = f"{CHECK_LIMITS['wall_seconds']:g} s" if why == "time" else "its memory"
            msg = f"Your answer could not be checked within {limit}: write it in a simpler form."
            return report(
                Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg)
            )
        r = report(Verdict.INTERNAL_ERROR, "Could not be graded: the answer checker failed.")
        r.warnings.append(str(why))
        return r
    return _verdict_report(data, report)


def _parse_check(message: str) -> Check:
    return Check("answer", False, message, stage="parse")


def _verdict_report(data: dict[str, Any], report: Any) -> Report:
    status = data.get("status")
    message = str(data.get("message", ""))[:2000]
    hint = data.get("hint")
    hint = str(hint)[:1000] if hint else None
    understood = data.get("understood")
    details = dict(data.get("details") or {})
    if understood is not None:
        details["understood"] = str(understood)[:2000]
    shown = message
    if understood is not None and status != "accepted":
        shown = f"{message}\nWe read your answer as: {str(understood)[:500]}"
    if status == "accepted":
        check = Check("answer", True, message, stage="values", details=details)
        return report(Verdict.ACCEPTED, "Accepted: correct answer.", check)
    if status == "rejected":
        check = Check("answer", False, shown, stage="values", hint=hint, details=details)
        return report(Verdict.REJECTED, f"Wrong answer: {message}", check)
    if status == "invalid":
        check = Check("answer", False, shown, stage="parse", details=details)
        return report(Verdict.INVALID_ANSWER, f"Answer not understood: {message}", check)
    r = report(Verdict.INTERNAL_ERROR, "Could not be graded: the expected answer is unreadable.")
    r.fault = "exercise"
    r.warnings.append(message)
    return r


# -- validation (python -m graders validate) ---------------------------------------------------


def validate_math(grader: Grader, exercise: Exercise, seeds: tuple[int, ...]) -> list[Finding]:
    """Every seed: an instance is made, the statement fills, the reference's own answer (typed)
    is accepted, each declared mistake is rejected with its hint, each solution gets its verdict."""
    from graders.validate import Finding, judge

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
            inst = instance(exercise, seed, grader)
        except InstanceError as exc:
            findings.append(Finding(slug, False, f"instance (seed {seed})", str(exc)))
            continue
        _, unknown = render_with_unknowns(exercise, seed, grader)
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
                mathcheck.typed(kind, inst.expected, inst.letters),
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
                text, unknown = mathcheck.fill(
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
            report = grade_math(exercise, text, seed=seed, grader=grader)
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
    if kind in mathcheck.CHOICE_TYPES:
        expected_ids = [inst.expected] if isinstance(inst.expected, str) else list(inst.expected)
    for index, declared in enumerate(spec.mistakes):
        hint, _ = mathcheck.fill(declared.hint, inst.params, inst.letters)
        label = f"mistake {index + 1}"
        if declared.choice:
            if kind == "choice":
                ids = [declared.choice]
            else:
                ids = sorted({*expected_ids, declared.choice})
            out.append((label, mathcheck.typed(kind, ids, inst.letters), ("rejected",), hint))
        elif declared.missing:
            ids = [i for i in expected_ids if i != declared.missing]
            if ids:
                out.append((label, mathcheck.typed(kind, ids, inst.letters), ("rejected",), hint))
        elif index in by_index:
            m = by_index[index]
            text = m["text"] if "text" in m else mathcheck.typed(kind, m.get("value"), inst.letters)
            out.append((label, text, ("rejected",), hint))
    return out


# -- the compare command -----------------------------------------------------------------------


def compare_texts(
    sandbox: Sandbox,
    kind: str,
    answer: str,
    expected: str,
    *,
    rtol: float,
    atol: float,
    variables: list[str] | None = None,
) -> dict[str, Any]:
    """Would `answer` be accepted for `expected` (both typed)? The checker's verdict data, with
    status "timeout" when it could not decide within the hard limit."""
    request = {
        "type": kind,
        "answer": answer,
        "expected_text": expected,
        "rtol": rtol,
        "atol": atol,
        "variables": variables or [],
        "options": [],
        "mistakes": [],
    }
    data, why = run_job(sandbox, "check", [json.dumps(request)], CHECK_LIMITS)
    if data is None:
        if why == "time":
            return {
                "status": "timeout",
                "message": f"not decided within {CHECK_LIMITS['wall_seconds']:g} s",
            }
        return {"status": "failed", "message": str(why)}
    return data
