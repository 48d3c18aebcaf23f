"""The mutants' outputs on an instance's cases, computed in the sandbox in one batched run.

Mutants are the exercise's own reference with a mistake in it: trusted code, but code, so they
run where the reference runs (docs/architecture.md#the-reference-run). One "reference" job
carries every mutant the way it carries the known-wrong solutions: the child draws each case's
inputs from the seed and calls the reference and each mutant on them; the outputs come back as
data. A mutant that raises comes back as None. A run that does not finish (a mutant looping or
exhausting the limits) is split in two and each half run again on the cases it did not finish,
down to the single mutant that cannot finish a case: it is marked `UNFINISHED` there.

Only what differs from the expected output is kept (`wrong_outputs`): a hint needs a mutant's
output only where that mutant is wrong, and `validate --mutants` only which mutants are wrong
where. A mutant of an nn.Module exercise's reference is a class: the child builds it, loads the
reference's parameter values into it and returns its output and gradients, as for a known-wrong
solution (graders/sandbox/module_case.py), and they are compared as a student's
(graders/modules.py, `compare_values`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from graders import jobs, modules, protocol
from graders.compare import Context, compare
from graders.instances import expand_cases
from graders.reference import ReferenceCase
from graders.schema import ModuleSpec

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.mutation.generate import Mutant
    from graders.sandbox.controller import Sandbox


class _Unfinished:
    """The output of a mutant that did not finish a case (killed at the limits)."""

    def __repr__(self) -> str:
        return "UNFINISHED"


UNFINISHED: Any = _Unfinished()
# Mutants per run: their outputs come back as one list per case, and the protocol caps a list
# (graders/protocol.py, MAX_SEQUENCE).
BATCH = 128
# Limits of a batched run: the exercise's own per run, plus a little per mutant and case. The
# mutants of the bank's references take milliseconds each; these only bound a runaway one.
SECONDS_PER_CALL = 0.05


def wrong_outputs(
    sandbox: Sandbox,
    exercise: Exercise,
    seed: int,
    mutants: list[Mutant],
    indices: list[int],
    split: bool = True,
) -> dict[int, dict[str, Any]]:
    """For each case of `indices`: mutant id -> its output, for the mutants whose output the
    comparison rejects there (None: it raised; UNFINISHED: it did not finish). Without `split`,
    the cases a run does not finish are left out rather than run again by halves: grading a
    submission spends one run on its hint, never a series."""
    spec = exercise.spec
    assert spec.code is not None
    by_index = {c.index: c for c in expand_cases(spec)}
    cases = [by_index[i] for i in indices if i in by_index]
    outputs: Outputs = {}
    for start in range(0, len(mutants), BATCH):
        batch = mutants[start : start + BATCH]
        _merge(outputs, _outputs(sandbox, exercise, seed, batch, cases, split))
    framework, names = spec.code.framework, spec.code.outputs
    return {
        index: keep_wrong(expected, values, names, Context(dims, False, framework), module)
        for index, (expected, dims, values, module) in outputs.items()
        if expected is not None  # the reference itself failed there: nothing to compare with
    }


# How a module exercise's case compares a module's values: its layout and [code.module].
ModuleCase = tuple[modules.Layout, ModuleSpec]


def keep_wrong(
    expected: Any,
    values: dict[str, Any],
    names: list[str],
    ctx: Context,
    module: ModuleCase | None = None,
) -> dict[str, Any]:
    """The outputs (mutant id -> output) that the comparison rejects on a case, as it would a
    student's; raising (None) and unfinished ones included. With `module`, each output is a
    module's values (graders/modules.py, `compare_values`)."""

    def rejected(value: Any) -> bool:
        if module is not None:
            layout, spec = module
            return modules.compare_values(layout, expected, value, spec, ctx) is not None
        return not compare(expected, value, names, ctx).passed

    with np.errstate(all="ignore"):  # a mutant's output may overflow what compare computes
        return {
            mutant_id: value
            for mutant_id, value in values.items()
            if value is None or value is UNFINISHED or rejected(value)
        }


# case index -> (expected, dims, mutant id -> output, how a module exercise compares them)
Outputs = dict[int, tuple[Any, dict[str, int], dict[str, Any], ModuleCase | None]]


def _merge(into: Outputs, more: Outputs) -> None:
    """Add the outputs of more mutants; a case's expected output is taken from a run that has
    one (a run whose single mutant never finished has none)."""
    for index, (expected, dims, values, module) in more.items():
        before = into.get(index)
        if before is None or before[0] is None:
            into[index] = (expected, dims, {**(before[2] if before else {}), **values}, module)
        else:
            before[2].update(values)


def _outputs(
    sandbox: Sandbox,
    exercise: Exercise,
    seed: int,
    mutants: list[Mutant],
    cases: list[Any],
    split: bool = True,
) -> Outputs:
    """case index -> (expected, dims, mutant id -> output, module comparison), for the cases
    the run finished; the others run again with half the mutants each."""
    if not cases:
        return {}
    spec = exercise.spec
    assert spec.code is not None
    module = spec.code.module
    limits = spec.limits.model_dump()
    calls = (1 + len(mutants)) * len(cases)
    limits["wall_seconds"] = min(120.0, limits["wall_seconds"] + SECONDS_PER_CALL * calls)
    limits["cpu_seconds"] = min(120.0, limits["cpu_seconds"] + SECONDS_PER_CALL * calls)
    job = jobs.reference_job(
        seed=seed,
        entry_point=spec.code.entry_point,
        framework=spec.code.framework,
        cases_source=exercise.file("cases.py"),
        reference_source=exercise.file("reference.py"),
        known_wrong={m.id: m.source for m in mutants},
        dim_ranges=spec.dim_ranges(),
        groups=spec.distinct_groups(),
        limits=limits,
        cases=cases,
        module=modules.job_config(module, names=False) if module else None,
    )
    outcome = sandbox.run(job)
    done: Outputs = {}
    frames = {} if outcome.protocol_error else jobs.case_frames(outcome.frames)
    for case in cases:
        frame = frames.get(case.index)
        if frame is None:
            continue
        header, buffers = frame
        if "error" in header:  # the reference (or cases.py) failed: no mutant can be judged
            done[case.index] = (None, {}, {}, None)
            continue
        try:
            expected = protocol.decode_value(header["expected"], buffers)
            values = protocol.decode_value(header["known_wrong_list"], buffers)
            compared = None
            if module is not None:  # the reference's parameters are among the case's args
                args = protocol.decode_value(header["args"], buffers)
                found = ReferenceCase(
                    case.index, case.name, False, {}, list(args), list(header["names"]), expected
                )
                compared = (modules.Layout.of(found, module), module)
        except (protocol.ProtocolError, KeyError, TypeError):
            continue
        by_id = dict(zip(header.get("known_wrong_names", []), values, strict=False))
        done[case.index] = (expected, header.get("dims", {}), by_id, compared)
    missing = [c for c in cases if c.index not in done]
    if not split:
        return done
    if missing and len(mutants) > 1:
        half = len(mutants) // 2
        for part in (mutants[:half], mutants[half:]):
            _merge(done, _outputs(sandbox, exercise, seed, part, missing))
    elif missing:
        for case in missing:
            done[case.index] = (None, {}, {mutants[0].id: UNFINISHED}, None)
    return done
