"""The reference run of a code exercise: its job, and the expected outputs read back from it.

The reference (instructor code) runs in the sandbox like a student's file, on inputs that the
exercise's cases.py draws from the seed (docs/architecture.md, "Instances and seeds"), and returns
the inputs and the expected outputs as data. The known-wrong solutions that declare a hint run on
the same inputs in the same child, so that a student's output can be recognised as one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from graders import jobs, modules, protocol
from graders.instances import expand_cases
from graders.verdicts import process_ending

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.sandbox.controller import RunOutcome, Sandbox


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


def run_reference(sandbox: Sandbox, exercise: Exercise, seed: int) -> ReferenceRun:
    """Every case's inputs and expected outputs for this seed, computed in `sandbox`."""
    spec = exercise.spec
    assert spec.code is not None
    cases = expand_cases(spec)
    module = spec.code.module
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
    job = jobs.reference_job(
        seed=seed,
        entry_point=spec.code.entry_point,
        framework=spec.code.framework,
        cases_source=exercise.file("cases.py"),
        reference_source=exercise.file("reference.py"),
        known_wrong={name: src for name, (src, _) in known_wrong.items()},
        dim_ranges=spec.dim_ranges(),
        groups=spec.distinct_groups(),
        limits=limits,
        cases=cases,
        module=modules.job_config(module, names=False) if module else None,
    )
    outcome = sandbox.run(job)
    if outcome.protocol_error:
        return ReferenceRun([], f"reference results unreadable: {outcome.protocol_error}")
    by_index = jobs.case_frames(outcome.frames)
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
    _attach_known_wrong(outcome, result, known_wrong)
    return ReferenceRun(result)


def _attach_known_wrong(
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


def _ending(outcome: RunOutcome, limits: dict[str, float]) -> str:
    return (
        process_ending(outcome.facts, limits["wall_seconds"], limits["cpu_seconds"]) or "no result"
    )


def approx_bytes(value: Any) -> int:
    """Roughly what a cached reference run holds: its arrays' bytes, plus a little per object."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 100
    if isinstance(value, protocol.Arr):
        return approx_bytes(value.array)
    if isinstance(value, ReferenceRun):
        return sum(approx_bytes(case) for case in value.cases) + 100
    if isinstance(value, ReferenceCase):
        parts = [value.args, value.expected, [v for v, _ in value.known_wrong.values()]]
        return sum(approx_bytes(part) for part in parts) + 500
    if isinstance(value, dict):
        return sum(approx_bytes(v) for v in value.values()) + 100
    if isinstance(value, list | tuple):
        return sum(approx_bytes(v) for v in value) + 50
    return 50
