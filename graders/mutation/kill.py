"""Which mutants an exercise's cases kill, seed by seed (`python -m graders validate --mutants`).

A mutant is killed on a seed when the comparison rejects its output on at least one case of that
seed's instance (or it raises, or does not finish): a student who made that mistake fails. It
must be killed on every seed, since every student has their own instance; one that survives a
seed is a gap in the cases (add a case that tells it apart), unless no valid input can tell it
apart from the reference: then the exercise declares it equivalent, with why
(`[mutants.equivalent]`, docs/exercise-format.md#mutants).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graders.instances import expand_cases
from graders.mutation.cache import mutants_of
from graders.mutation.run import wrong_outputs

if TYPE_CHECKING:
    from collections.abc import Callable

    from graders.exercise import Exercise
    from graders.mutation.cache import MutantCache
    from graders.sandbox.controller import Sandbox


@dataclass
class Survivor:
    id: str
    family: str
    description: str
    seeds: list[int]  # the seeds on which no case kills it


@dataclass
class MutantReport:
    generated: int = 0
    killed: int = 0
    equivalent: dict[str, str] = field(default_factory=dict)  # id -> reason (declared, survived)
    survivors: list[Survivor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # declarations that do not hold

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated": self.generated,
            "killed": self.killed,
            "equivalent": self.equivalent,
            "survivors": [s.__dict__ for s in self.survivors],
            "problems": self.problems,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MutantReport:
        return cls(
            data["generated"],
            data["killed"],
            dict(data["equivalent"]),
            [Survivor(**s) for s in data["survivors"]],
            list(data["problems"]),
        )


def kill_report(
    sandbox_for: Callable[[str], Sandbox],
    cache: MutantCache,
    exercise: Exercise,
    seeds: tuple[int, ...],
) -> MutantReport:
    """Every mutant of the exercise graded on every case of each seed's instance (one batched
    sandbox run per seed). The outputs are handed to a grader's mutant cache (`cache`), so that
    grading the exercise's known solutions afterwards runs no mutant again."""
    mutants = mutants_of(exercise)
    declared = exercise.spec.mutants.equivalent
    report = MutantReport(generated=len(mutants))
    code = exercise.spec.code
    if not mutants or code is None:
        return report
    indices = [c.index for c in expand_cases(exercise.spec)]
    names = {c.index: c.name for c in expand_cases(exercise.spec)}
    killed_on: dict[str, dict[int, int]] = {m.id: {} for m in mutants}  # id -> seed -> case
    for seed in seeds:
        wrong = wrong_outputs(sandbox_for(code.framework), exercise, seed, mutants, indices)
        cache.keep(exercise, seed, wrong)
        for index in indices:
            for mutant_id in wrong.get(index, {}):
                killed_on[mutant_id].setdefault(seed, index)
    known = {m.id for m in mutants}
    for mutant in mutants:
        survived = [s for s in seeds if s not in killed_on[mutant.id]]
        if mutant.id in declared:
            if not survived:
                seed, index = next(iter(killed_on[mutant.id].items()))
                report.problems.append(
                    f"{mutant.id} is declared equivalent, but case {index + 1} "
                    f"({names[index]!r}, seed {seed}) kills it: remove the declaration"
                )
            elif len(survived) < len(seeds):
                report.problems.append(
                    f"{mutant.id} is declared equivalent, but some seeds kill it: it is not "
                    f"equivalent; add a case that kills it on seeds {survived} too"
                )
            else:
                report.equivalent[mutant.id] = declared[mutant.id]
        elif survived:
            report.survivors.append(
                Survivor(mutant.id, mutant.family, mutant.description, survived)
            )
        else:
            report.killed += 1
    for mutant_id in declared:
        if mutant_id not in known:
            report.problems.append(
                f"[mutants.equivalent] names {mutant_id}, which is not a mutant of the reference "
                "(did the reference change?)"
            )
    return report
