"""Grading code: static checks, the reference run, the student's runs, the verdict.

The trusted side (this module) decides everything from its own facts: the expected outputs it
got from the sandboxed reference, the values the student's child returned as data, and how the
child ended (killed at the wall clock, out of CPU, crashed). Nothing the child says about itself
can make a verdict better.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from graders import codecheck, hidden, jobs, modules
from graders.base import BaseGrader
from graders.judge import finished, judge
from graders.mutation.cache import MutantCache
from graders.reference import ReferenceCase, ReferenceRun, approx_bytes, run_reference
from graders.report import Check, Report, Verdict
from graders.sandbox.controller import RunOutcome, Sandbox, SandboxUnavailable

if TYPE_CHECKING:
    from graders.exercise import Exercise

STUDENT_FILENAME = "solution.py"
# Expected outputs are cached per (version, seed) in each grader process: every student has
# their own seed, so a deadline rush of 500 students needs 500 entries per exercise. Bounded
# by the arrays' bytes (small exercises keep thousands, large ones fewer), not by a count that
# a big class would cycle through, recomputing the reference on nearly every submission.
REFERENCE_CACHE_BYTES = 64 * 2**20
REFERENCE_CACHE_ENTRIES = 20_000
# Failed cases whose outputs the mutants are compared with, to name a mistake (the smallest).
HINT_CASES = 4


class CodeGrader(BaseGrader):
    """Code exercises: one zygote per framework, and the reference runs, cached. Thread-safe."""

    kind = "code"

    def __init__(
        self, sandbox: Sandbox | None = None, torch_sandbox: Sandbox | None = None
    ) -> None:
        # One zygote per framework, each started on first use (see zygote.preload).
        self.sandbox = sandbox or Sandbox("numpy")
        self.torch_sandbox = torch_sandbox or Sandbox("torch")
        self._cache: OrderedDict[tuple[str, int], tuple[ReferenceRun, int]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self.mutants = MutantCache(self.sandbox_for)

    def sandboxes(self) -> tuple[Sandbox, ...]:
        return (self.sandbox, self.torch_sandbox)

    def sandbox_for(self, framework: str) -> Sandbox:
        return self.torch_sandbox if framework == "torch" else self.sandbox

    def banned_for(self, exercise: Exercise) -> list[str]:
        spec = exercise.spec.code
        assert spec is not None
        allowed = [*spec.allowed, *(modules.GRADER_NEEDS if spec.module else ())]
        return codecheck.banned_names(spec.framework, spec.banned, allowed)

    # -- grading -------------------------------------------------------------------------
    def grade(
        self, exercise: Exercise, submission: str, *, seed: int, visible_only: bool = False
    ) -> Report:
        """Grade one file. `visible_only` ("Run visible tests", practice) runs the visible cases
        and nothing else: the report then says nothing about hidden cases, not even how they
        fare."""
        spec = exercise.spec.code
        assert spec is not None
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        banned = self.banned_for(exercise)
        static = codecheck.static_banned_names(spec.framework, banned)
        problem = codecheck.check_source(submission, STUDENT_FILENAME, static)
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
            report = Report.new(exercise, seed, verdict, 0.0, problem.message, [check])
            report.timings.update(timings)
            return report

        t0 = time.perf_counter()
        reference = self.reference(exercise, seed)
        timings["reference"] = time.perf_counter() - t0
        if reference.error:
            report = Report.new(
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
        shown = self._run_student(exercise, submission, banned, visible_cases)
        withheld = None
        if hidden_cases and finished(shown):
            raw = self._run_student(exercise, submission, banned, hidden_cases)
            withheld = hidden.redact_outcome(raw, submission, banned)
        timings["run"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        wrong_values: dict[int, tuple[Any, bool]] = {}
        report = judge(exercise, seed, reference, shown, withheld, submission, wrong_values)
        if visible_only:
            report.message = (
                f"Visible tests only ({not_run} hidden case{'s' if not_run != 1 else ''} not run; "
                f"Submit runs them all). {report.message}"
            )
        timings["compare"] = time.perf_counter() - t0
        if wrong_values:
            t0 = time.perf_counter()
            self._name_mistake(exercise, seed, reference, report, wrong_values)
            timings["mutants"] = time.perf_counter() - t0
        timings["child_wall"] = sum(
            run.facts.get("wall_seconds", 0.0) for run in (shown, withheld) if run is not None
        )
        report.timings.update(timings)
        return report

    def _name_mistake(
        self,
        exercise: Exercise,
        seed: int,
        reference: ReferenceRun,
        report: Report,
        wrong_values: dict[int, tuple[Any, bool]],
    ) -> None:
        """The mutant hint (graders/mutation/hints.py), once, on the cases that support it,
        except where a known-wrong solution's message names the mistake already. Only wrong
        submissions get here: a correct one never runs a mutant. The evidence is taken from the
        failed cases with the smallest inputs (at most HINT_CASES): the same mistake shows on
        them, and the mutants run in milliseconds there rather than seconds on the largest."""
        by_index = {case.index: case for case in reference.cases}
        chosen = sorted(wrong_values, key=lambda i: (approx_bytes(by_index[i].args), i))
        student = {
            index: (wrong_values[index][0], by_index[index].expected)
            for index in chosen[:HINT_CASES]
        }
        try:
            hint = self.mutants.hint(exercise, seed, student)
        except SandboxUnavailable:
            return  # a hint is worth no "could not be graded"
        if hint is None:
            return
        for check, case in zip(report.checks, reference.cases, strict=False):
            if case.index in hint.cases and not wrong_values[case.index][1]:
                check.hint = hint.text

    def _run_student(
        self, exercise: Exercise, source: str, banned: list[str], cases: list[ReferenceCase]
    ) -> RunOutcome:
        """One child that loads the student's file and calls it on `cases`, and only those."""
        spec = exercise.spec.code
        assert spec is not None
        module = spec.module
        job, buffers = jobs.student_job(
            source=source,
            filename=STUDENT_FILENAME,
            entry_point=spec.entry_point,
            framework=spec.framework,
            banned=banned,
            limits=exercise.spec.limits.model_dump(),
            cases=[
                (c.index, modules.student_args(c, module) if module else c.args) for c in cases
            ],
            # The student's parameter names are their text: asked for on visible cases only.
            module=(
                modules.job_config(module, names=all(c.visible for c in cases)) if module else None
            ),
        )
        return self.sandbox_for(spec.framework).run(job, buffers)

    # -- the reference -------------------------------------------------------------------
    def reference(self, exercise: Exercise, seed: int) -> ReferenceRun:
        """Expected outputs for (version, seed), computed once in the sandbox and cached."""
        key = (exercise.version, seed)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][0]
        run = self._run_reference(exercise, seed)
        if run.error is None:
            size = approx_bytes(run)
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
        spec = exercise.spec.code
        assert spec is not None
        return run_reference(self.sandbox_for(spec.framework), exercise, seed)
