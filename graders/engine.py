"""Grading one submission: static checks, the reference run, the student's run, the verdict.

The trusted side (this module) decides everything from its own facts: the expected outputs it
got from the sandboxed reference, the values the student's child returned as data, and how the
child ended (killed at the wall clock, out of CPU, crashed). Nothing the child says about itself
can make a verdict better.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graders import codecheck, hidden, protocol
from graders.compare import Context, compare
from graders.exercise import Exercise
from graders.instances import expand_cases
from graders.report import Check, Report, Verdict
from graders.sandbox.controller import RunOutcome, Sandbox, SandboxUnavailable

STUDENT_FILENAME = "solution.py"
# Expected outputs are cached per (version, seed) in each grader process: every student has
# their own seed, so a deadline rush of 500 students needs 500 entries per exercise. Bounded
# by the arrays' bytes (small exercises keep thousands, large ones fewer), not by a count that
# a big class would cycle through, recomputing the reference on nearly every submission.
REFERENCE_CACHE_BYTES = 64 * 2**20
REFERENCE_CACHE_ENTRIES = 20_000
# How a run's end is worded for the student; the keys are the trusted side's own facts.
KILLED_MESSAGES = {
    "wall": "stopped at the time limit of {wall:g} s (an infinite loop, or too slow?)",
    "output": "stopped: it printed more than 8 MB (an output flood)",
    "results_size": "stopped: it returned more than 256 MB of data",
}


@dataclass
class ReferenceCase:
    index: int
    name: str
    visible: bool
    dims: dict[str, int]
    args: list[Any]  # decoded protocol values (Arr, Scalar, ...)
    arg_names: list[str]
    expected: Any
    known_wrong: dict[str, tuple[Any, str]] = field(default_factory=dict)


@dataclass
class ReferenceRun:
    cases: list[ReferenceCase]
    error: str | None = None


class Grader:
    """Grades submissions; owns a sandbox (one zygote). Thread-safe; one per process is enough."""

    def __init__(
        self, sandbox: Sandbox | None = None, torch_sandbox: Sandbox | None = None
    ) -> None:
        # One zygote per framework, each started on first use (see zygote.preload).
        self.sandbox = sandbox or Sandbox("numpy")
        self.torch_sandbox = torch_sandbox or Sandbox("torch")
        self._cache: OrderedDict[tuple[str, int], tuple[ReferenceRun, int]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        from graders import mathgrade

        self.sandbox.close()
        self.torch_sandbox.close()
        mathgrade.close_for(self)

    def start(self) -> None:
        """Start both zygotes now (a worker does this at start-up, not on its first job)."""
        self.sandbox.start()
        self.torch_sandbox.start()

    def sandbox_for(self, framework: str) -> Sandbox:
        return self.torch_sandbox if framework == "torch" else self.sandbox

    # -- entry point ---------------------------------------------------------------------
    def grade(
        self, exercise: Exercise, submission: str, *, seed: int, visible_only: bool = False
    ) -> Report:
        """Grade one submission for the seed's instance.

        `visible_only` ("Run visible tests", practice) runs the visible cases and nothing else:
        the report then says nothing about hidden cases, not even how they fare. Math answers
        have a single check and ignore it.
        """
        started = time.perf_counter()
        try:
            if exercise.kind == "math":
                from graders.mathgrade import grade_math

                report = grade_math(exercise, submission, seed=seed, grader=self)
            else:
                report = self._grade_code(exercise, submission, seed, visible_only)
        except SandboxUnavailable as exc:
            report = self._report(
                exercise,
                seed,
                Verdict.INTERNAL_ERROR,
                0.0,
                f"Could not be graded: {exc}. Your submission is kept; it will be retried.",
            )
            report.fault = "grader"
        report.timings["total"] = time.perf_counter() - started
        return report

    def _report(
        self,
        exercise: Exercise,
        seed: int,
        verdict: Verdict,
        score: float,
        message: str,
        checks: list[Check] | None = None,
    ) -> Report:
        return Report.new(exercise, seed, verdict, score, message, checks)

    # -- code exercises ------------------------------------------------------------------
    def banned_for(self, exercise: Exercise) -> list[str]:
        spec = exercise.spec.code
        assert spec is not None
        return codecheck.banned_names(spec.framework, spec.banned, spec.allowed)

    def _grade_code(
        self, exercise: Exercise, source: str, seed: int, visible_only: bool = False
    ) -> Report:
        spec = exercise.spec.code
        assert spec is not None
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        banned = self.banned_for(exercise)
        static = codecheck.static_banned_names(spec.framework, banned)
        problem = codecheck.check_source(source, STUDENT_FILENAME, static)
        timings["static"] = time.perf_counter() - t0
        if problem is not None:
            verdict = Verdict(problem.verdict)
            check = Check(
                name="loads",
                passed=False,
                message=problem.message,
                stage="loads",
                details={"lineno": problem.lineno},
            )
            report = self._report(exercise, seed, verdict, 0.0, problem.message, [check])
            report.timings.update(timings)
            return report

        t0 = time.perf_counter()
        reference = self.reference(exercise, seed)
        timings["reference"] = time.perf_counter() - t0
        if reference.error:
            report = self._report(
                exercise,
                seed,
                Verdict.INTERNAL_ERROR,
                0.0,
                "Could not be graded: the exercise's reference failed on this instance. This is not "
                "your fault; your submission is kept and the instructor has been told.",
            )
            report.fault = "exercise"
            report.warnings.append(reference.error)
            report.timings.update(timings)
            return report
        visible_cases = [c for c in reference.cases if c.visible]
        hidden_cases = [c for c in reference.cases if not c.visible]
        not_run = 0
        if visible_only:
            not_run = len(hidden_cases)
            reference, hidden_cases = ReferenceRun(visible_cases), []

        t0 = time.perf_counter()
        # Two children: the visible cases (and the import the student sees) run where no hidden
        # input exists, so nothing they print or raise can quote one; the hidden cases run in a
        # child of their own, whose frames are redacted before anything reads them (see
        # graders/hidden.py). Each child gets the exercise's full limits.
        shown = self._run_student(exercise, source, banned, visible_cases)
        withheld = None
        if hidden_cases and _finished(shown):
            raw = self._run_student(exercise, source, banned, hidden_cases)
            withheld = hidden.redact_outcome(raw, source, banned)
        timings["run"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = self._judge(exercise, seed, reference, shown, withheld, source)
        if visible_only:
            report.message = (
                f"Visible tests only ({not_run} hidden case{'s' if not_run != 1 else ''} not run; "
                f"Submit runs them all). {report.message}"
            )
        timings["compare"] = time.perf_counter() - t0
        timings["child_wall"] = sum(
            run.facts.get("wall_seconds", 0.0) for run in (shown, withheld) if run is not None
        )
        report.timings.update(timings)
        return report

    def _run_student(
        self, exercise: Exercise, source: str, banned: list[str], cases: list[ReferenceCase]
    ) -> RunOutcome:
        """One child that loads the student's file and calls it on `cases`, and only those."""
        spec = exercise.spec.code
        assert spec is not None
        buffers: list[bytes] = []
        job = {
            "kind": "student",
            "source": source,
            "filename": STUDENT_FILENAME,
            "entry_point": spec.entry_point,
            "framework": spec.framework,
            "banned": banned,
            "limits": exercise.spec.limits.model_dump(),
            "cases": [
                {"index": c.index, "args": protocol.encode_value(c.args, buffers)} for c in cases
            ],
        }
        return self.sandbox_for(spec.framework).run(job, buffers)

    def reference(self, exercise: Exercise, seed: int) -> ReferenceRun:
        """Expected outputs for (version, seed), computed once in the sandbox and cached."""
        key = (exercise.version, seed)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][0]
        run = self._run_reference(exercise, seed)
        if run.error is None:
            size = _approx_bytes(run)
            with self._cache_lock:
                if key not in self._cache:
                    self._cache[key] = (run, size)
                    self._cache_bytes += size
                while self._cache and (
                    self._cache_bytes > REFERENCE_CACHE_BYTES
                    or len(self._cache) > REFERENCE_CACHE_ENTRIES
                ):
                    _, (_, dropped) = self._cache.popitem(last=False)
                    self._cache_bytes -= dropped
        return run

    def _run_reference(self, exercise: Exercise, seed: int) -> ReferenceRun:
        spec = exercise.spec
        assert spec.code is not None
        cases = expand_cases(spec)
        known_wrong = {
            s.file: (exercise.file(f"solutions/{s.file}"), s.hint_message)
            for s in spec.solutions
            if s.hint_message
        }
        limits = spec.limits.model_dump()
        # The reference also computes every known-wrong output: give it room for all of them.
        factor = 2 + len(known_wrong)
        limits["wall_seconds"] = min(120.0, limits["wall_seconds"] * factor)
        limits["cpu_seconds"] = min(120.0, limits["cpu_seconds"] * factor)
        job = {
            "kind": "reference",
            "seed": seed,
            "entry_point": spec.code.entry_point,
            "framework": spec.code.framework,
            "cases_source": exercise.file("cases.py"),
            "reference_source": exercise.file("reference.py"),
            "known_wrong": {name: src for name, (src, _) in known_wrong.items()},
            "dim_ranges": {k: list(v) for k, v in spec.dim_ranges().items()},
            "groups": spec.distinct_groups(),
            "limits": limits,
            "cases": [
                {
                    "index": c.index,
                    "name": c.name,
                    "visible": c.visible,
                    "dims": c.dims,
                    "options": c.options,
                }
                for c in cases
            ],
        }
        outcome = self.sandbox_for(spec.code.framework).run(job)
        if outcome.protocol_error:
            return ReferenceRun([], f"reference results unreadable: {outcome.protocol_error}")
        by_index: dict[int, tuple[dict[str, Any], list[bytes]]] = {}
        for header, buffers in outcome.frames:
            if header.get("event") == "case" and isinstance(header.get("index"), int):
                by_index.setdefault(header["index"], (header, buffers))
        result = []
        for case in cases:
            if case.index not in by_index:
                return ReferenceRun(
                    [], f"reference did not finish case {case.name!r}: {_ending(outcome, limits)}"
                )
            header, buffers = by_index[case.index]
            if "error" in header:
                err = header["error"]
                return ReferenceRun(
                    [], f"reference failed on case {case.name!r}: {err.get('traceback') or err}"
                )
            try:
                args = protocol.decode_value(header["args"], buffers)
                expected = protocol.decode_value(header["expected"], buffers)
            except (protocol.ProtocolError, KeyError) as exc:
                return ReferenceRun([], f"reference results unreadable: {exc}")
            result.append(
                ReferenceCase(
                    index=case.index,
                    name=case.name,
                    visible=case.visible,
                    dims=header.get("dims", {}),
                    args=list(args),
                    arg_names=list(header.get("names", [])),
                    expected=expected,
                )
            )
        self._attach_known_wrong(outcome, result, known_wrong)
        return ReferenceRun(result)

    def _attach_known_wrong(
        self,
        outcome: RunOutcome,
        cases: list[ReferenceCase],
        known_wrong: dict[str, tuple[str, str | None]],
    ) -> None:
        """Known-wrong outputs travel as a list beside the list of their names."""
        by_index = {c.index: c for c in cases}
        for header, buffers in outcome.frames:
            case = by_index.get(header.get("index"))  # type: ignore[arg-type]
            node = header.get("known_wrong_list")
            if case is None or not isinstance(node, dict):
                continue
            try:
                values = protocol.decode_value(node, buffers)
            except protocol.ProtocolError:
                continue
            for name, value in zip(header.get("known_wrong_names", []), values, strict=False):
                message = known_wrong.get(name, ("", None))[1]
                if message and value is not None:
                    case.known_wrong[name] = (value, message)

    def _judge(
        self,
        exercise: Exercise,
        seed: int,
        reference: ReferenceRun,
        shown: RunOutcome,
        withheld: RunOutcome | None = None,
        source: str = "",
    ) -> Report:
        """The verdict from the run on the visible cases (`shown`: the only one whose loading
        the student reads about) and the redacted run on the hidden ones (`withheld`, None when
        it did not run: the hidden cases then fail as the first run ended)."""
        spec = exercise.spec
        assert spec.code is not None
        limits = spec.limits
        lines = max(1, len(source.splitlines()))
        checks: list[Check] = []
        warnings: list[str] = []
        first = _read_run(shown, limits.wall_seconds, limits.cpu_seconds)
        frames = [] if shown.protocol_error else shown.frames
        events = {h.get("event") for h, _ in frames}

        def finish(verdict: Verdict, message: str) -> Report:
            passed = sum(c.passed for c in checks)
            total = len(reference.cases)
            score = round(spec.points * passed / total, 6) if total else 0.0
            report = self._report(exercise, seed, verdict, score, message, checks)
            report.warnings = list(dict.fromkeys(warnings))
            return report

        if shown.protocol_error:
            checks.append(
                Check(
                    "results",
                    False,
                    "the results channel was corrupted (file descriptor 3 belongs to the grader)",
                    stage="returns",
                )
            )
            return finish(
                Verdict.RUNTIME_ERROR,
                f"Runtime error: malformed results ({shown.protocol_error})",
            )

        load_error = next((h for h, _ in frames if h.get("event") == "load_error"), None)
        if load_error is not None:
            err = _error_dict(load_error)
            verdict = _error_verdict(err)
            msg = f"your file failed while loading:\n{err.get('traceback', '')}"
            checks.append(
                Check("loads", False, msg, stage="loads", stdout=load_error.get("stdout") or None)
            )
            return finish(verdict, _verdict_sentence(verdict, err))
        if "no_entry" in events:
            header = next(h for h, _ in frames if h.get("event") == "no_entry")
            found = header.get("found")
            msg = (
                f"no function named {spec.code.entry_point}() at module level"
                + (f" ({spec.code.entry_point} is a {found})" if found else "")
                + ": keep the name and signature of the starter"
            )
            checks.append(Check("entry point", False, msg, stage="entry_point"))
            return finish(Verdict.REJECTED, msg)
        if "loaded" not in events:
            msg = first.ending or "the process ended before your file finished loading"
            checks.append(Check("loads", False, msg, stage="loads"))
            return finish(first.ending_verdict, msg)

        second = None
        if withheld is not None:
            second = _read_run(withheld, limits.wall_seconds, limits.cpu_seconds)
            second.problem = _hidden_load_problem(withheld, second, spec.code.entry_point, lines)

        failures: list[Verdict] = []
        names = spec.code.outputs
        for case in reference.cases:
            label = f"case {case.index + 1}: {case.name}"
            run = first if case.visible or second is None else second
            if run.problem is not None:
                msg, verdict = run.problem
                checks.append(Check(label, False, msg, case.visible, stage="loads"))
                failures.append(verdict)
                continue
            if case.index not in run.results:
                msg = run.ending or "the process ended before this case returned"
                checks.append(Check(label, False, msg, case.visible, stage="returns"))
                failures.append(run.ending_verdict)
                continue
            header, buffers = run.results[case.index]
            stdout = (header.get("stdout") or None) if case.visible else None
            if "error" in header:
                err = _error_dict(header)
                line = hidden.safe_line(err.get("lineno"), lines)
                checks.append(
                    Check(
                        label,
                        False,
                        _case_error_message(err, line, case.visible),
                        case.visible,
                        stage="returns",
                        details={"error": err.get("type"), "lineno": line},
                        stdout=stdout,
                    )
                )
                failures.append(_error_verdict(err))
                continue
            try:
                got = protocol.decode_value(header.get("value"), buffers)
            except protocol.ProtocolError as exc:
                # The reason quotes bits of the child's data: only a visible case shows it.
                why = f": {exc}" if case.visible else ""
                checks.append(
                    Check(
                        label,
                        False,
                        f"your return value could not be read{why}",
                        case.visible,
                        stage="type",
                    )
                )
                failures.append(Verdict.RUNTIME_ERROR)
                continue
            ctx = Context(case.dims, case.visible, spec.code.framework, case.known_wrong)
            out = compare(case.expected, got, names, ctx)
            warnings += out.warnings
            details = dict(out.details, dims=case.dims)
            if case.visible:  # the child times itself: for a hidden case, that is any number
                details["seconds"] = header.get("seconds")
                details["inputs"] = _describe_inputs(case)
            checks.append(
                Check(
                    label,
                    out.passed,
                    out.message,
                    case.visible,
                    out.stage,
                    out.hint,
                    details,
                    stdout,
                )
            )
            if not out.passed:
                failures.append(Verdict.REJECTED)

        if not failures:
            return finish(Verdict.ACCEPTED, f"Accepted: all {len(checks)} cases pass.")
        passed = sum(c.passed for c in checks)
        ending = first.ending or (second.ending if second is not None else None)
        for verdict in (Verdict.BANNED_CALL, Verdict.TIMEOUT, Verdict.MEMORY_LIMIT):
            if verdict in failures:
                return finish(verdict, _summary(verdict, passed, len(checks), ending))
        if passed:
            return finish(
                Verdict.PARTIALLY_ACCEPTED,
                _summary(Verdict.PARTIALLY_ACCEPTED, passed, len(checks), ending),
            )
        if Verdict.RUNTIME_ERROR in failures:
            return finish(
                Verdict.RUNTIME_ERROR, _summary(Verdict.RUNTIME_ERROR, passed, len(checks), ending)
            )
        return finish(Verdict.REJECTED, _summary(Verdict.REJECTED, passed, len(checks), ending))


@dataclass
class _Run:
    """One child's results as the judge reads them: its case frames by index, how it ended, and
    for the run on hidden cases, why its file did not load there (then every case fails so)."""

    results: dict[int, tuple[dict[str, Any], list[bytes]]]
    ending: str | None
    ending_verdict: Verdict
    problem: tuple[str, Verdict] | None = None


def _read_run(outcome: RunOutcome, wall: float, cpu: float) -> _Run:
    results: dict[int, tuple[dict[str, Any], list[bytes]]] = {}
    for header, buffers in [] if outcome.protocol_error else outcome.frames:
        if header.get("event") == "case" and isinstance(header.get("index"), int):
            results.setdefault(header["index"], (header, buffers))
    return _Run(
        results,
        _process_ending(outcome.facts, wall, cpu),
        _ending_verdict(outcome.facts, wall, cpu),
    )


def _finished(outcome: RunOutcome) -> bool:
    """Whether a run reached its end ("done"): a child that did not would not have reached the
    hidden cases in a single run either, so they are not run (they fail as it ended)."""
    return not outcome.protocol_error and any(h.get("event") == "done" for h, _ in outcome.frames)


def _hidden_load_problem(
    withheld: RunOutcome, run: _Run, entry_point: str, lines: int
) -> tuple[str, Verdict] | None:
    """The file loaded for the visible cases but not for the hidden ones (its import looked at
    the inputs it was given): said from the redacted frames only (graders/hidden.py)."""
    if withheld.protocol_error:
        return (
            "the results channel was corrupted (file descriptor 3 belongs to the grader)",
            Verdict.RUNTIME_ERROR,
        )
    events = {h.get("event"): h for h, _ in reversed(withheld.frames)}
    if "load_error" in events:
        err = _error_dict(events["load_error"])
        line = hidden.safe_line(err.get("lineno"), lines)
        message = _case_error_message(err, line, visible=False)
        verdict = _error_verdict(err)
        return f"your file failed while loading for the hidden cases: {message}", verdict
    if "no_entry" in events:
        return (
            f"no function named {entry_point}() at module level when your file was loaded for "
            "the hidden cases",
            Verdict.REJECTED,
        )
    if "loaded" not in events:
        return (
            run.ending or "the process ended before your file finished loading",
            run.ending_verdict,
        )
    return None


def _describe_inputs(case: ReferenceCase) -> dict[str, str]:
    shown = {}
    for name, value in zip(case.arg_names, case.args, strict=False):
        if isinstance(value, protocol.Arr):
            shown[name] = f"{value.array.dtype} array of shape {tuple(value.array.shape)}"
        elif isinstance(value, protocol.Scalar):
            shown[name] = repr(value.value)
        else:
            shown[name] = repr(value)[:80]
    return shown


def _error_verdict(err: dict[str, Any]) -> Verdict:
    if err.get("memory"):
        return Verdict.MEMORY_LIMIT
    if err.get("banned"):
        return Verdict.BANNED_CALL
    return Verdict.RUNTIME_ERROR


def _error_dict(header: dict[str, Any]) -> dict[str, Any]:
    err = header.get("error")
    return err if isinstance(err, dict) else {}


def _case_error_message(err: dict[str, Any], line: int | None, visible: bool = True) -> str:
    """How a case's exception reads. For a hidden case, `err` was redacted (graders/hidden.py):
    a type from a fixed list, a checked line, a banned call re-worded; nothing else is left."""
    where = f" at line {line} of your file" if line else ""
    if err.get("memory"):
        return "ran out of memory (MemoryError): the memory limit was reached"
    if err.get("banned"):
        return f"banned call{where}: {err.get('message')}"
    kind = err.get("type")
    if kind in ("SystemExit", "KeyboardInterrupt"):
        return f"your code called exit ({kind}): return the result instead"
    if visible:
        return f"raised {kind}: {err.get('message')}\n{err.get('traceback', '')}".rstrip()
    if kind == "OutputLimitError":
        return KILLED_MESSAGES["output"]
    what = kind or f"an exception of {hidden.OWN_CLASS}"
    return f"raised {what}{where} (a hidden case: its message and traceback are not shown)"


def _verdict_sentence(verdict: Verdict, err: dict[str, Any]) -> str:
    return f"{verdict.label}: {err.get('type')}: {err.get('message')}"


def _process_ending(facts: dict[str, Any], wall: float, cpu: float) -> str | None:
    """How the child ended, from the zygote's facts; None for a normal exit."""
    killed = facts.get("killed_by")
    if killed in KILLED_MESSAGES:
        return KILLED_MESSAGES[killed].format(wall=wall)
    sig = facts.get("signal")
    if sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and (facts.get("cpu_seconds") or 0) >= cpu - 0.05
    ):
        return f"stopped at the CPU time limit of {cpu:g} s (an infinite loop, or too slow?)"
    if sig is not None:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"the process was killed by signal {name}"
    code = facts.get("exit_code")
    if code not in (0, None):
        return f"the process exited with status {code}"
    return None


def _ending_verdict(facts: dict[str, Any], wall: float, cpu: float) -> Verdict:
    if facts.get("killed_by") == "wall":
        return Verdict.TIMEOUT
    sig = facts.get("signal")
    if sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and (facts.get("cpu_seconds") or 0) >= cpu - 0.05
    ):
        return Verdict.TIMEOUT
    return Verdict.RUNTIME_ERROR


def _ending(outcome: RunOutcome, limits: dict[str, float]) -> str:
    return (
        _process_ending(outcome.facts, limits["wall_seconds"], limits["cpu_seconds"]) or "no result"
    )


def _summary(verdict: Verdict, passed: int, total: int, ending: str | None) -> str:
    text = f"{verdict.label}: {passed} of {total} cases pass."
    if ending:
        text += (
            f" The run was {ending}."
            if ending.startswith("stopped")
            else f" {ending[0].upper()}{ending[1:]}."
        )
    return text


_grader: Grader | None = None
_grader_lock = threading.Lock()


def get_grader() -> Grader:
    """The process-wide grader (its zygote starts on first use)."""
    global _grader
    with _grader_lock:
        if _grader is None:
            _grader = Grader()
        return _grader


def _approx_bytes(value: Any) -> int:
    """Roughly what a cached reference run holds: its arrays' bytes, plus a little per object."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 100
    if isinstance(value, protocol.Arr):
        return _approx_bytes(value.array)
    if isinstance(value, ReferenceRun):
        return sum(_approx_bytes(case) for case in value.cases) + 100
    if isinstance(value, ReferenceCase):
        parts = [value.args, value.expected, [v for v, _ in value.known_wrong.values()]]
        return sum(_approx_bytes(part) for part in parts) + 500
    if isinstance(value, dict):
        return sum(_approx_bytes(v) for v in value.values()) + 100
    if isinstance(value, list | tuple):
        return sum(_approx_bytes(v) for v in value) + 50
    return 50
