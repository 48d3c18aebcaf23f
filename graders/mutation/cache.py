"""The mutants of each exercise version, and their wrong outputs per (version, seed, case), kept.

A grader process generates an exercise version's mutants once, and computes their outputs on a
case only when a submission fails that case: a correct submission costs nothing, and the next
wrong submission of the same student (the same seed) reuses what the first one computed. Outputs
are kept by bytes, like the reference runs (graders/codegrade.py).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graders.mutation.generate import Mutant, generate
from graders.mutation.hints import MutationHint, select, text_for
from graders.mutation.run import wrong_outputs
from graders.reference import approx_bytes

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.sandbox.controller import Sandbox

log = logging.getLogger(__name__)

OUTPUT_CACHE_BYTES = 64 * 2**20
VERSIONS_KEPT = 256


def mutants_of(exercise: Exercise) -> list[Mutant]:
    """Every mutant of the exercise's reference, a function or an nn.Module class (none for a
    math exercise, or for an exercise of a student bundle, which holds no reference:
    docs/offline.md)."""
    if exercise.spec.code is None:
        return []
    if not exercise.has_file("reference.py"):  # a student bundle holds no reference
        return []
    return generate(exercise.file("reference.py"))


class MutantCache:
    """Thread-safe; one per CodeGrader."""

    def __init__(self, sandbox_for: Callable[[str], Sandbox]) -> None:
        self._sandbox_for = sandbox_for
        self._lock = threading.Lock()
        self._mutants: OrderedDict[str, list[Mutant]] = OrderedDict()
        self._outputs: OrderedDict[tuple[str, int, int], tuple[dict[str, Any], int]] = (
            OrderedDict()
        )
        self._bytes = 0

    def hinting(self, exercise: Exercise) -> list[Mutant]:
        """The mutants that may name a mistake: not declared equivalent, not silenced."""
        with self._lock:
            if exercise.version in self._mutants:
                self._mutants.move_to_end(exercise.version)
                return self._mutants[exercise.version]
        spec = exercise.spec.mutants
        try:
            made = mutants_of(exercise)
        except (SyntaxError, ValueError, RecursionError):  # the reference's problem, told by validate
            log.exception("mutants of %s could not be made", exercise.slug)
            made = []
        kept = [m for m in made if m.id not in spec.equivalent and text_for(m, spec.hints)]
        with self._lock:
            self._mutants[exercise.version] = kept
            while len(self._mutants) > VERSIONS_KEPT:
                self._mutants.popitem(last=False)
        return kept

    def wrong(
        self, exercise: Exercise, seed: int, indices: list[int], mutants: list[Mutant]
    ) -> dict[int, dict[str, Any]]:
        """Case index -> mutant id -> output, for the mutants wrong on that case (run in the
        sandbox for the cases not kept yet, all of them in one run)."""
        found: dict[int, dict[str, Any]] = {}
        with self._lock:
            for index in indices:
                key = (exercise.version, seed, index)
                if key in self._outputs:
                    self._outputs.move_to_end(key)
                    found[index] = self._outputs[key][0]
        missing = [i for i in indices if i not in found]
        if missing and mutants:
            code = exercise.spec.code
            assert code is not None
            sandbox = self._sandbox_for(code.framework)
            computed = wrong_outputs(sandbox, exercise, seed, mutants, missing, split=False)
            with self._lock:
                for index, outputs in computed.items():
                    size = approx_bytes(list(outputs.values())) + 200
                    key = (exercise.version, seed, index)
                    if key not in self._outputs:
                        self._outputs[key] = (outputs, size)
                        self._bytes += size
                while self._outputs and self._bytes > OUTPUT_CACHE_BYTES:
                    _, (_, dropped) = self._outputs.popitem(last=False)
                    self._bytes -= dropped
            found.update(computed)
        return found

    def keep(self, exercise: Exercise, seed: int, wrong: dict[int, dict[str, Any]]) -> None:
        """Keep outputs computed elsewhere (`validate --mutants` computes every mutant on every
        case), as far as the hinting mutants go."""
        ids = {m.id for m in self.hinting(exercise)}
        with self._lock:
            for index, outputs in wrong.items():
                kept = {k: v for k, v in outputs.items() if k in ids}
                key = (exercise.version, seed, index)
                if key not in self._outputs:
                    size = approx_bytes(list(kept.values())) + 200
                    self._outputs[key] = (kept, size)
                    self._bytes += size
            while self._outputs and self._bytes > OUTPUT_CACHE_BYTES:
                _, (_, dropped) = self._outputs.popitem(last=False)
                self._bytes -= dropped

    def hint(
        self, exercise: Exercise, seed: int, student: dict[int, tuple[Any, Any]]
    ) -> MutationHint | None:
        """The mutant hint for a submission's outputs on its failed cases (case index ->
        (output, expected output)), if one explains them."""
        mutants = self.hinting(exercise)
        if not mutants or not student:
            return None
        wrong = self.wrong(exercise, seed, sorted(student), mutants)
        return select(student, wrong, mutants, exercise.spec.mutants.hints)
