"""The schema of `exercise.toml`, strict (`extra="forbid"`), with errors an author can act on."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Topic = Literal["backprop", "convolution", "attention"]
VERDICT_NAMES = (
    "accepted",
    "rejected",
    "partially_accepted",
    "syntax_error",
    "runtime_error",
    "timeout",
    "memory_limit",
    "banned_call",
    "invalid_answer",
)
ExpectedVerdict = Literal[
    "accepted",
    "rejected",
    "partially_accepted",
    "syntax_error",
    "runtime_error",
    "timeout",
    "memory_limit",
    "banned_call",
    "invalid_answer",
]
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(Strict):
    wall_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    cpu_seconds: Annotated[float, Field(gt=0, le=120)] = 5.0
    memory_mb: Annotated[int, Field(ge=64, le=8192)] = 512


class CodeSpec(Strict):
    entry_point: str
    framework: Literal["numpy", "torch"] = "numpy"
    outputs: list[str] = Field(default_factory=lambda: ["out"], min_length=1)
    banned: list[str] = Field(default_factory=list)
    allowed: list[str] = Field(
        default_factory=list,
        description="names removed from the framework's default ban list",
    )

    @field_validator("entry_point")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENT.match(value):
            raise ValueError(f"{value!r} is not a Python identifier; use e.g. 'conv2d_forward'")
        return value


class Case(Strict):
    name: str = Field(min_length=1)
    visible: bool = False
    repeat: Annotated[int, Field(ge=1, le=50)] = 1
    dims: dict[str, int] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class Solution(Strict):
    file: str
    expect: ExpectedVerdict | list[ExpectedVerdict]
    bug: str | None = None
    hint: str | None = None
    hint_message: str | None = None

    @property
    def expected(self) -> tuple[str, ...]:
        return (self.expect,) if isinstance(self.expect, str) else tuple(self.expect)

    @model_validator(mode="after")
    def _buggy_ones_say_why(self) -> Solution:
        if "accepted" not in self.expected and not self.bug:
            raise ValueError(
                f'solution {self.file!r} is expected to fail: add bug = "..." saying which bug it shows'
            )
        return self


class MathSpec(Strict):
    """Math answers (numeric, array, shape, symbolic, choice); graded by graders.mathcheck."""

    answer_type: Literal["numeric", "array", "shape", "symbolic", "choice", "multi_choice"]
    rtol: float = 1e-6
    atol: float = 1e-9
    variables: list[str] = Field(default_factory=list)
    choices: dict[str, str] = Field(default_factory=dict)
    mistakes: list[dict[str, Any]] = Field(default_factory=list)


class ExerciseSpec(Strict):
    slug: str
    title: str = Field(min_length=3)
    topic: Topic
    kind: Literal["code", "math"]
    points: Annotated[float, Field(gt=0)] = 10.0
    difficulty: Annotated[int, Field(ge=1, le=5)] = 2
    minutes: Annotated[int, Field(ge=1, le=600)] = 15
    order: int = 100
    requires: list[str] = Field(default_factory=list)
    code: CodeSpec | None = None
    math: MathSpec | None = None
    limits: Limits = Field(default_factory=Limits)
    dims: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    cases: list[Case] = Field(default_factory=list)
    solutions: list[Solution] = Field(default_factory=list)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"{value!r} is not a slug: use lower-case words joined by '-'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExerciseSpec:
        if self.kind == "code":
            if self.code is None:
                raise ValueError('kind = "code" needs a [code] table with entry_point')
            if not self.cases:
                raise ValueError("a code exercise needs at least one [[cases]] entry")
            if not any(c.visible for c in self.cases):
                raise ValueError("mark the first case visible = true so students see an example")
        if self.kind == "math" and self.math is None:
            raise ValueError('kind = "math" needs a [math] table with answer_type')
        distinct = self.dims.get("distinct")
        for name, bounds in self.dims.items():
            if name == "distinct":
                continue
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(isinstance(b, int) for b in bounds)
                or bounds[0] > bounds[1]
            ):
                raise ValueError(f"dims.{name} must be an inclusive range [low, high] of integers")
        if distinct is not None:
            if not isinstance(distinct, list) or not all(isinstance(g, list) for g in distinct):
                raise ValueError(
                    'dims.distinct must be a list of groups, e.g. [["N", "C"], ["H", "W"]]'
                )
            for group in distinct:
                for name in group:
                    if name not in self.dims:
                        raise ValueError(f"dims.distinct names {name!r}, which is not a dimension")
        for case in self.cases:
            for name in case.dims:
                if name not in self.dims:
                    raise ValueError(
                        f"case {case.name!r} fixes dims.{name}, which is not declared under [dims]"
                    )
        if not any("accepted" in s.expected for s in self.solutions) and self.kind == "code":
            raise ValueError('add at least one [[solutions]] entry with expect = "accepted"')
        return self

    def dim_ranges(self) -> dict[str, tuple[int, int]]:
        return {k: (v[0], v[1]) for k, v in self.dims.items() if k != "distinct"}

    def distinct_groups(self) -> list[list[str]]:
        groups = self.dims.get("distinct")
        if groups is None:
            return [list(self.dim_ranges())]
        return [list(g) for g in groups]
