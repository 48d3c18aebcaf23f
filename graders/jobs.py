"""The messages that cross the sandbox boundary: one builder per kind of job, one reader of the
frames a child sends back.

A job is the JSON header of the one frame a child receives (graders/protocol.py), its values
encoded into buffers; graders/sandbox/child.py runs it. There are two kinds:

- "student": load `source` as `filename`, call `entry_point` on each case's arguments. Students'
  code runs so, and so do the math checker's jobs (graders.math.grade), the benchmark's and the
  doctor's probe;
- "reference": draw each case's inputs from the seed with the exercise's cases.py, and compute the
  reference's (and each known-wrong solution's) outputs on them (graders.codegrade).

Everything a child writes back is data, never believed (docs/architecture.md, "The sandbox").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from graders import protocol

if TYPE_CHECKING:
    from graders.instances import CaseSpec

Frame = tuple[dict[str, Any], list[bytes]]


def student_job(
    *,
    source: str,
    filename: str,
    entry_point: str,
    framework: str,
    banned: list[str],
    limits: dict[str, Any],
    cases: Iterable[tuple[int, Sequence[Any]]],
    module: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[bytes]]:
    """A "student" job calling `entry_point` on each (index, arguments) of `cases`; with
    `module` (graders.modules.job_config), `entry_point` is an nn.Module class."""
    buffers: list[bytes] = []
    job: dict[str, Any] = {
        "kind": "student",
        "source": source,
        "filename": filename,
        "entry_point": entry_point,
        "framework": framework,
        "banned": banned,
        "limits": limits,
        "cases": [
            {"index": index, "args": protocol.encode_value(list(args), buffers)}
            for index, args in cases
        ],
    }
    if module is not None:
        job["module"] = module
    return job, buffers


def reference_job(
    *,
    seed: int,
    entry_point: str,
    framework: str,
    cases_source: str,
    reference_source: str,
    known_wrong: dict[str, str],
    dim_ranges: dict[str, tuple[int, int]],
    groups: list[list[str]],
    limits: dict[str, Any],
    cases: Iterable[CaseSpec],
    module: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A "reference" job: the inputs and expected outputs of `cases` for this seed (with
    `module`, of an nn.Module exercise: graders/sandbox/module_case.py)."""
    job: dict[str, Any] = {
        "kind": "reference",
        "seed": seed,
        "entry_point": entry_point,
        "framework": framework,
        "cases_source": cases_source,
        "reference_source": reference_source,
        "known_wrong": known_wrong,
        "dim_ranges": {k: list(v) for k, v in dim_ranges.items()},
        "groups": groups,
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
    if module is not None:
        job["module"] = module
    return job


def case_frames(frames: Iterable[Frame]) -> dict[int, Frame]:
    """The "case" frames by their index; a repeated index keeps its first frame."""
    by_index: dict[int, Frame] = {}
    for header, buffers in frames:
        if header.get("event") == "case" and isinstance(header.get("index"), int):
            by_index.setdefault(header["index"], (header, buffers))
    return by_index
