"""The grader: one object that owns the three sandboxes and grades every kind of exercise.

A `Grader` holds a `CodeGrader` (the "numpy" and "torch" zygotes, the cache of reference runs)
and a `MathGrader` (the "sympy" zygote, the cache of instances), and hands each exercise to the
one of its kind (graders/base.py). `start()` starts the three zygotes together, so that a worker
pays for them at start-up, not on its first submission; `close()` stops them.

Nothing in graders/ reaches for a grader it was not given: an `Exercise` is data, and whatever
needs a sandbox (grading, a math statement's instance) takes the grader as an argument.
`get_grader()` is the process-wide grader of the platform's worker and web processes, which
take it explicitly where they grade or render a statement.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from graders.base import BaseGrader
from graders.codegrade import CodeGrader
from graders.math.grade import MathGrader
from graders.reference import ReferenceRun
from graders.report import Report, Verdict
from graders.sandbox.controller import Sandbox, SandboxUnavailable

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.math.params import Instance


class Grader:
    """Grades submissions of every kind; owns its sandboxes. Thread-safe; one per process."""

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        torch_sandbox: Sandbox | None = None,
        sympy_sandbox: Sandbox | None = None,
    ) -> None:
        # Each zygote starts on first use, or all three at once with start().
        self.sandbox = sandbox or Sandbox("numpy")
        self.torch_sandbox = torch_sandbox or Sandbox("torch")
        self.sympy_sandbox = sympy_sandbox or Sandbox("sympy")
        self.code = CodeGrader(self.sandbox, self.torch_sandbox)
        self.math = MathGrader(self.sympy_sandbox)
        self.graders: dict[str, BaseGrader] = {g.kind: g for g in (self.code, self.math)}

    def start(self) -> None:
        """Start the three zygotes now (a worker does this at start-up, not on its first job):
        ~3 s, mostly `import torch` and SymPy's warm-up. One after the other, in the caller's
        thread: a zygote dies with the thread that started it (PDEATHSIG, see
        graders/sandbox/zygote.py), so none is started from a thread that ends."""
        for grader in self.graders.values():
            grader.start()

    def close(self) -> None:
        for grader in self.graders.values():
            grader.close()

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
            report = self.graders[exercise.kind].grade(
                exercise, submission, seed=seed, visible_only=visible_only
            )
        except SandboxUnavailable as exc:
            report = Report.new(
                exercise,
                seed,
                Verdict.INTERNAL_ERROR,
                0.0,
                f"Could not be graded: {exc}. Your submission is kept; it will be retried.",
            )
            report.fault = "grader"
        report.timings["total"] = time.perf_counter() - started
        return report

    def statement(self, exercise: Exercise, seed: int) -> str:
        """The statement of the seed's instance (a math exercise fills in its numbers)."""
        return self.graders[exercise.kind].statement(exercise, seed)

    # -- what the graders of each kind know --------------------------------------------------
    def instance(self, exercise: Exercise, seed: int) -> Instance:
        """A math exercise's instance for this seed."""
        return self.math.instance(exercise, seed)

    def reference(self, exercise: Exercise, seed: int) -> ReferenceRun:
        """A code exercise's expected outputs for this seed."""
        return self.code.reference(exercise, seed)

    def banned_for(self, exercise: Exercise) -> list[str]:
        """What a code exercise bans, as the sandbox enforces it."""
        return self.code.banned_for(exercise)


_grader: Grader | None = None
_grader_lock = threading.Lock()


def get_grader() -> Grader:
    """The process-wide grader (its zygotes start on first use, or with start())."""
    global _grader
    with _grader_lock:
        if _grader is None:
            _grader = Grader()
        return _grader
