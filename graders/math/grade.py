"""Math exercises on the trusted side: instances, statements and grading, each a sandbox job.

Nothing here parses a student's answer. Every answer is decided by graders.math.check in a child
of the "sympy" sandbox zygote, which kills it at a hard time limit; the reference's `answer()`
(instructor code) runs there too, when graders.math.draw makes an instance. This side sends the
jobs, caches instances per (version, seed), fills statements, and turns the checker's verdict data
into a Report. The platform derives the seed (graders.instances.derive_seed) and stores it, so a
stored seed reproduces the statement and the verdict (docs/architecture.md, "Instances and seeds").
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

from graders import jobs, protocol
from graders.base import BaseGrader
from graders.math.params import (
    Instance,
    InstanceError,
    fill_statement,
    options_for,
    parametrised,
)
from graders.math.templates import CHOICE_TYPES, fill
from graders.report import Check, Report, Verdict
from graders.sandbox.controller import RunOutcome, Sandbox

if TYPE_CHECKING:
    from collections.abc import Callable

    from graders.exercise import Exercise

# The job's source: graders.math.check and graders.math.draw are already in the "sympy" zygote's
# memory (it preloads them), so the child neither reads nor compiles them.
CHECK_SOURCE = (
    "from graders.math.check import check  # noqa: F401\n"
    "from graders.math.draw import instance  # noqa: F401\n"
)
CHECK_FILENAME = "mathcheck_job.py"
CHECK_LIMITS = {"wall_seconds": 5.0, "cpu_seconds": 5.0, "memory_mb": 512}
INSTANCE_LIMITS = {"wall_seconds": 10.0, "cpu_seconds": 10.0, "memory_mb": 512}
MAX_ANSWER_CHARS = 4096  # graders.math.parse.MAX_ANSWER_CHARS; refused here before any job
INSTANCE_CACHE_SIZE = 1024


class InstanceMaker(Protocol):
    """What makes instances: a MathGrader, or the engine's Grader that holds one."""

    def instance(self, exercise: Exercise, seed: int) -> Instance: ...


class MathGrader(BaseGrader):
    """Math answers: a "sympy" sandbox, and the instances it made, cached. Thread-safe."""

    kind = "math"

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox("sympy")
        self.cache: OrderedDict[tuple[str, int], Instance] = OrderedDict()
        self._lock = threading.Lock()
        # The zygote dies with this process anyway (PDEATHSIG); close it with its grader.
        weakref.finalize(self, self.sandbox.close)

    def sandboxes(self) -> tuple[Sandbox, ...]:
        return (self.sandbox,)

    # -- instances and statements --------------------------------------------------------
    def instance(self, exercise: Exercise, seed: int) -> Instance:
        """The instance of this exercise for this seed (made once in the sandbox, then cached)."""
        key = (exercise.version, seed if parametrised(exercise) else 0)
        with self._lock:
            cached = self.cache.get(key)
            if cached is not None:
                self.cache.move_to_end(key)
        if cached is None:
            cached = self._make_instance(exercise, key[1])
            with self._lock:
                self.cache[key] = cached
                while len(self.cache) > INSTANCE_CACHE_SIZE:
                    self.cache.popitem(last=False)
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

    def _make_instance(self, exercise: Exercise, seed: int) -> Instance:
        data, why = run_job(
            self.sandbox,
            "instance",
            [
                json.dumps(_instance_meta(exercise, seed)),
                exercise.file("reference.py"),
                json.dumps(_solution_sources(exercise)),
            ],
            INSTANCE_LIMITS,
        )
        if data is None:
            if why == "time":
                why = f"the reference took longer than {INSTANCE_LIMITS['wall_seconds']:g} s"
            raise InstanceError(
                f"{exercise.slug}: could not make the instance for seed {seed}: {why}"
            )
        return _read_instance(exercise, seed, data)

    def statement(self, exercise: Exercise, seed: int) -> str:
        return render_statement(exercise, seed, self)

    def statement_with_unknowns(self, exercise: Exercise, seed: int) -> tuple[str, list[str]]:
        return render_with_unknowns(exercise, seed, self)

    # -- grading -------------------------------------------------------------------------
    def grade(
        self, exercise: Exercise, submission: str, *, seed: int, visible_only: bool = False
    ) -> Report:
        """Grade one typed answer for the seed's instance (an answer is a single check:
        `visible_only` changes nothing)."""
        timings: dict[str, float] = {}
        answer = submission.strip()

        def report(verdict: Verdict, message: str, check: Check | None = None) -> Report:
            score = exercise.points if verdict is Verdict.ACCEPTED else 0.0
            r = Report.new(exercise, seed, verdict, score, message, [check] if check else [])
            r.timings.update(timings)
            return r

        if not answer:
            msg = "The answer is empty."
            return report(
                Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg)
            )
        if len(answer) > MAX_ANSWER_CHARS:
            msg = f"Your answer is too long ({len(answer)} characters; at most {MAX_ANSWER_CHARS})."
            return report(
                Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg)
            )
        t0 = time.perf_counter()
        try:
            inst = self.instance(exercise, seed)
        except InstanceError as exc:
            timings["instance"] = time.perf_counter() - t0
            r = report(
                Verdict.INTERNAL_ERROR,
                "Could not be graded: the exercise's reference failed on this instance. This is "
                "not your fault; your answer is kept and the instructor has been told.",
            )
            r.fault = "exercise"
            r.warnings.append(str(exc))
            return r
        timings["instance"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        request = instance_request(exercise, inst, answer)
        data, why = run_job(self.sandbox, "check", [json.dumps(request)], CHECK_LIMITS)
        timings["check"] = time.perf_counter() - t0
        if data is None:
            if why in ("time", "memory"):
                limit = f"{CHECK_LIMITS['wall_seconds']:g} s" if why == "time" else "its memory"
                msg = (
                    f"Your answer could not be checked within {limit}: write it in a simpler form."
                )
                return report(
                    Verdict.INVALID_ANSWER, f"Answer not understood: {msg}", _parse_check(msg)
                )
            r = report(Verdict.INTERNAL_ERROR, "Could not be graded: the answer checker failed.")
            r.warnings.append(str(why))
            return r
        return _verdict_report(data, report)


# -- the functions of a grader, for callers that hold the grader ---------------------------------


def instance(exercise: Exercise, seed: int, grader: InstanceMaker) -> Instance:
    """The instance of this exercise for this seed, made (or remembered) by `grader`."""
    return grader.instance(exercise, seed)


def render_statement(exercise: Exercise, seed: int, grader: InstanceMaker | None = None) -> str:
    """The statement of this seed's instance: {{P}} placeholders filled, options listed."""
    text, _ = render_with_unknowns(exercise, seed, grader)
    return text


def render_with_unknowns(
    exercise: Exercise, seed: int, grader: InstanceMaker | None = None
) -> tuple[str, list[str]]:
    """The statement, and the placeholders that had no value. An exercise with parameters needs
    `grader` to make its instance; one without is filled here, with nothing run."""
    if parametrised(exercise):
        if grader is None:
            raise ValueError(
                f"{exercise.slug}: the statement shows the instance's numbers; pass the grader "
                "that makes the instance"
            )
        inst = grader.instance(exercise, seed)
        params, options = inst.params, inst.options
    else:  # no parameters: nothing to run
        params, options = {}, options_for(exercise, seed)
    return fill_statement(exercise.statement, params, options)


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
    status "timeout" when it could not decide within the hard limit (`python -m graders compare`)."""
    request = check_request(
        kind,
        answer,
        expected_text=expected,
        rtol=rtol,
        atol=atol,
        variables=variables or [],
    )
    data, why = run_job(sandbox, "check", [json.dumps(request)], CHECK_LIMITS)
    if data is None:
        if why == "time":
            return {
                "status": "timeout",
                "message": f"not decided within {CHECK_LIMITS['wall_seconds']:g} s",
            }
        return {"status": "failed", "message": str(why)}
    return data


# -- the jobs: what is sent to the "sympy" child, and what comes back ----------------------------


def run_job(
    sandbox: Sandbox, entry: str, args: list[str], limits: dict[str, float]
) -> tuple[dict[str, Any] | None, str | None]:
    """Run `entry(*args)` (graders.math.check.check or graders.math.draw.instance) in the
    sandbox: (its JSON result, or None and why not)."""
    job, buffers = jobs.student_job(
        source=CHECK_SOURCE,
        filename=CHECK_FILENAME,
        entry_point=entry,
        framework="numpy",
        banned=[],
        limits=limits,
        cases=[(0, args)],
    )
    outcome = sandbox.run(job, buffers)
    return _result(outcome, limits)


def check_request(
    kind: str,
    answer: str,
    *,
    expected: Any = None,
    expected_text: str | None = None,
    rtol: float,
    atol: float,
    variables: list[str],
    options: list[list[str]] | None = None,
    mistakes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The request of a "check" job (graders.math.check.decide): the expected answer as the
    reference returned it (`expected`), or as typed (`expected_text`)."""
    request: dict[str, Any] = {"type": kind, "answer": answer}
    if expected_text is not None:
        request["expected_text"] = expected_text
    else:
        request["expected"] = expected
    request.update(
        rtol=rtol,
        atol=atol,
        variables=variables,
        options=options or [],
        mistakes=mistakes or [],
    )
    return request


def instance_request(exercise: Exercise, inst: Instance, answer: str) -> dict[str, Any]:
    """The "check" request for an answer to this instance, with its declared mistakes' hints."""
    spec = exercise.spec.math
    assert spec is not None
    mistakes: list[dict[str, Any]] = []
    by_index = {m.get("index"): m for m in inst.mistakes}
    for index, declared in enumerate(spec.mistakes):
        hint, _ = fill(declared.hint, inst.params, inst.letters)
        if declared.choice:
            mistakes.append({"choice": declared.choice, "hint": hint})
        elif declared.missing:
            mistakes.append({"missing": declared.missing, "hint": hint})
        elif index in by_index:
            entry = {k: v for k, v in by_index[index].items() if k in ("value", "text")}
            mistakes.append({**entry, "hint": hint})
    return check_request(
        spec.answer_type,
        answer,
        expected=inst.expected,
        rtol=spec.rtol,
        atol=spec.atol,
        variables=spec.variables,
        options=[[o.letter, o.id] for o in inst.options],
        mistakes=mistakes,
    )


def _instance_meta(exercise: Exercise, seed: int) -> dict[str, Any]:
    """The first argument of an "instance" job (graders.math.draw.instance)."""
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


def _solution_sources(exercise: Exercise) -> dict[str, str]:
    return {
        s.file: exercise.file(f"solutions/{s.file}")
        for s in exercise.spec.solutions
        if s.file.endswith(".py")
    }


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


def _read_instance(exercise: Exercise, seed: int, data: dict[str, Any]) -> Instance:
    """The instance the "instance" job returned, checked."""
    if "error" in data:
        raise InstanceError(f"{exercise.slug} (seed {seed}): {data['error']}")
    params = data.get("params")
    if not isinstance(params, dict) or not isinstance(data.get("mistakes"), list):
        raise InstanceError(f"{exercise.slug} (seed {seed}): malformed instance data")
    kind = exercise.answer_type
    spec = exercise.spec.math
    assert spec is not None
    expected = data.get("expected")
    if kind in CHOICE_TYPES:
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


# -- the verdict ---------------------------------------------------------------------------------


def _parse_check(message: str) -> Check:
    return Check("answer", False, message, stage="parse")


def _verdict_report(data: dict[str, Any], report: Callable[..., Report]) -> Report:
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
