"""What grading produces: a verdict, a score and one check per case, with student-facing text."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # wrong answer
    PARTIALLY_ACCEPTED = "partially_accepted"
    SYNTAX_ERROR = "syntax_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    BANNED_CALL = "banned_call"
    # A math answer that cannot be parsed: a message, not a wrong answer (no attempt used up).
    INVALID_ANSWER = "invalid_answer"
    # An internal fault (the reference crashed, the grader died twice): never blamed on the student.
    INTERNAL_ERROR = "internal_error"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.ACCEPTED: "Accepted",
    Verdict.REJECTED: "Wrong answer",
    Verdict.PARTIALLY_ACCEPTED: "Partially accepted",
    Verdict.SYNTAX_ERROR: "Syntax error",
    Verdict.RUNTIME_ERROR: "Runtime error",
    Verdict.TIMEOUT: "Time limit exceeded",
    Verdict.MEMORY_LIMIT: "Memory limit exceeded",
    Verdict.BANNED_CALL: "Banned function or module",
    Verdict.INVALID_ANSWER: "Answer not understood",
    Verdict.INTERNAL_ERROR: "Could not be graded",
}


@dataclass
class Check:
    """One case (or, for static problems, one stage) and what the student should read about it."""

    name: str
    passed: bool
    message: str
    visible: bool = True
    stage: str = "values"  # loads, entry_point, returns, type, shape, finite, values, ...
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    stdout: str | None = None


@dataclass
class Report:
    exercise: str
    version: str
    seed: int
    verdict: Verdict
    score: float
    max_score: float
    message: str = ""
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # For "could not be graded": whose failure it was. "exercise": the exercise itself (its
    # reference crashed): the same on every retry, and its authors must be told. "grader": the
    # sandbox (a crashed zygote): worth retrying elsewhere. Empty for every real verdict.
    fault: str = ""

    @classmethod
    def new(
        cls,
        exercise: Any,
        seed: int,
        verdict: Verdict,
        score: float,
        message: str,
        checks: list[Check] | None = None,
    ) -> Report:
        """A report about `exercise` (anything with slug, version and points)."""
        return cls(
            exercise=exercise.slug,
            version=exercise.version,
            seed=seed,
            verdict=verdict,
            score=score,
            max_score=exercise.points,
            message=message,
            checks=checks or [],
        )

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED

    def hints(self) -> list[str]:
        return [c.hint for c in self.checks if c.hint]

    def to_dict(self) -> dict[str, Any]:
        """The report as strict JSON data: a non-finite float (a relative error over an expected
        0, a score of a broken case) becomes "inf", "-inf" or "nan", since PostgreSQL's json
        type, like the JSON standard, has no Infinity or NaN and would refuse the whole row."""
        data = finite_json(asdict(self))
        data["verdict"] = self.verdict.value
        data["verdict_label"] = self.verdict.label
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        fields = {k: v for k, v in data.items() if k != "verdict_label"}
        fields["verdict"] = Verdict(fields["verdict"])
        fields["checks"] = [Check(**c) for c in fields.get("checks", [])]
        return cls(**fields)


def finite_json(value: Any) -> Any:
    """`value` (JSON-like data) with every non-finite float written as a string."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    return value
