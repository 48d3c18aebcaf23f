"""The schema of `exercise.toml`, strict (`extra="forbid"`), with errors an author can act on."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Topic = Literal["backprop", "convolution", "attention"]
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


ModuleCompared = Literal["output", "input_grads", "parameter_grads", "parameter_count"]
MODULE_COMPARED: tuple[str, ...] = get_args(ModuleCompared)


class FusedParameter(Strict):
    """One parameter of the student's module may hold several of the reference's, concatenated
    along `dim` (a fused q/k/v projection); `name` is the name the statement gives it."""

    parts: list[str] = Field(min_length=2)
    dim: int = 0
    name: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> FusedParameter:
        if len(set(self.parts)) != len(self.parts):
            raise ValueError("fused: a part is listed twice")
        return self


class ModuleSpec(Strict):
    """An nn.Module exercise (graders/modules.py): the entry point is a class; each case's
    make_inputs() gives its constructor's and forward()'s arguments and the output's gradient."""

    init: list[str] = Field(
        default_factory=list, description="make_inputs() keys passed to the constructor, in order"
    )
    forward: list[str] = Field(
        min_length=1, description="make_inputs() keys passed to forward(), in order"
    )
    upstream: str = Field(default="dout", description="make_inputs() key: d loss / d output")
    fused: list[FusedParameter] = Field(default_factory=list)
    compare: list[ModuleCompared] = Field(
        default_factory=lambda: list(MODULE_COMPARED), min_length=1
    )

    @model_validator(mode="after")
    def _consistent(self) -> ModuleSpec:
        keys = [*self.init, *self.forward, self.upstream]
        if len(set(keys)) != len(keys):
            raise ValueError("module: init, forward and upstream must name different inputs")
        if "output" not in self.compare:
            raise ValueError('module.compare must include "output"')
        return self


class CodeSpec(Strict):
    entry_point: str
    framework: Literal["numpy", "torch"] = "numpy"
    outputs: list[str] = Field(default_factory=lambda: ["out"], min_length=1)
    banned: list[str] = Field(default_factory=list)
    allowed: list[str] = Field(
        default_factory=list,
        description="names removed from the framework's default ban list",
    )
    module: ModuleSpec | None = Field(
        default=None, description="the entry point is an nn.Module class (graders/modules.py)"
    )

    @field_validator("entry_point")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENT.match(value):
            raise ValueError(f"{value!r} is not a Python identifier; use e.g. 'conv2d_forward'")
        return value

    @model_validator(mode="after")
    def _module_is_torch(self) -> CodeSpec:
        if self.module is not None and self.framework != "torch":
            raise ValueError('[code.module] needs framework = "torch"')
        return self


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
    mutation: str | None = Field(
        default=None,
        description="the mutation family whose hint this buggy solution must get, or \"none\" "
        "(docs/exercise-format.md#mutants); unset: it must get no mutation hint",
    )

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


MUTANT_ID = re.compile(r"^[a-z-]+@\d+:\d+(\+\d+:\d+)*(/\S+)?$")
FAMILY = re.compile(r"^[a-z]+(-[a-z]+)*$")


class MutantsSpec(Strict):
    """`[mutants]` (docs/exercise-format.md#mutants): the mutants of the reference that no valid
    input tells apart from it, each with why; and hint texts per mutation family or mutant id
    ("" gives no hint for it)."""

    equivalent: dict[str, str] = Field(default_factory=dict, description="mutant id -> why")
    hints: dict[str, str] = Field(default_factory=dict, description="family or mutant id -> text")

    @model_validator(mode="after")
    def _well_formed(self) -> MutantsSpec:
        for mutant_id, why in self.equivalent.items():
            if not MUTANT_ID.match(mutant_id):
                raise ValueError(
                    f"mutants.equivalent: {mutant_id!r} is not a mutant id (family@line:col/..., "
                    "as `python -m graders validate --mutants` prints it)"
                )
            if not why.strip() or "\n" in why.strip():
                raise ValueError(f"mutants.equivalent.{mutant_id!r}: give a one-line reason")
        for key in self.hints:
            if not (FAMILY.match(key) or MUTANT_ID.match(key)):
                raise ValueError(f"mutants.hints: {key!r} is neither a family nor a mutant id")
        return self


class Mistake(Strict):
    """A common wrong answer of a math exercise, and the hint to show when a student gives it."""

    answer: str | None = Field(
        default=None, description="the wrong answer as typed; {{P}} fills in a parameter"
    )
    function: str | None = Field(
        default=None, description="a function of reference.py computing it from the params"
    )
    choice: str | None = Field(default=None, description="an option id picked wrongly")
    missing: str | None = Field(default=None, description="a right option id left out")
    hint: str = Field(min_length=3)

    @model_validator(mode="after")
    def _one_kind(self) -> Mistake:
        given = [k for k in ("answer", "function", "choice", "missing") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "a mistake needs exactly one of answer, function, choice or missing "
                f"(got {', '.join(given) or 'none'}), and a hint"
            )
        if self.function is not None and not IDENT.match(self.function):
            raise ValueError(f"mistake function {self.function!r} is not a Python identifier")
        return self


MATH_FUNCTIONS = (
    "exp", "log", "ln", "sqrt", "tanh", "sinh", "cosh", "sin", "cos", "tan", "abs", "sigma",
)  # fmt: skip
CHOICE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


class MathSpec(Strict):
    """Math answers (numeric, array, shape, symbolic, choice); decided by graders.math.check."""

    answer_type: Literal["numeric", "array", "shape", "symbolic", "choice", "multi_choice"]
    rtol: Annotated[float, Field(ge=0, le=1)] = 1e-6
    # The absolute floor of the tolerance: 0 unless stated, so that rtol keeps its meaning on
    # tiny expected values (docs/exercise-format.md, "Math exercises").
    atol: Annotated[float, Field(ge=0)] = 0.0
    variables: list[str] = Field(
        default_factory=list,
        description="names a symbolic answer may use (default x, y, z, a, b, c, w, t, n)",
    )
    choices: dict[str, str] = Field(default_factory=dict, description="option id -> text")
    shuffle: bool = True
    mistakes: list[Mistake] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> MathSpec:
        choice = self.answer_type in ("choice", "multi_choice")
        if choice:
            if not 2 <= len(self.choices) <= 26:
                raise ValueError(
                    f"a {self.answer_type} answer needs 2 to 26 [math.choices] (id = text)"
                )
            for option_id in self.choices:
                if not CHOICE_ID.match(option_id):
                    raise ValueError(f"choice id {option_id!r}: use letters, digits, '-' or '_'")
        elif self.choices:
            raise ValueError(f"choices are only for choice answers, not {self.answer_type}")
        for m in self.mistakes:
            if (m.choice or m.missing) and not choice:
                raise ValueError("mistakes with choice/missing are for choice answers only")
            if (m.answer is not None or m.function) and choice:
                raise ValueError(
                    'a choice answer\'s mistakes name options: use choice = "id" (picked '
                    'wrongly) or missing = "id" (left out)'
                )
            for option_id in (m.choice, m.missing):
                if option_id is not None and option_id not in self.choices:
                    raise ValueError(f"mistake names option {option_id!r}, which is not a choice")
            if m.missing and self.answer_type != "multi_choice":
                raise ValueError("missing = ... is for multi_choice answers only")
        if self.variables and self.answer_type != "symbolic":
            raise ValueError("variables are only for symbolic answers")
        if len(set(self.variables)) != len(self.variables):
            raise ValueError("variables: a name is listed twice")
        for name in self.variables:
            if not IDENT.match(name) or name in MATH_FUNCTIONS:
                raise ValueError(
                    f"variable {name!r}: use an identifier that is not a function name"
                )
        return self


PARAM_FORMS = (
    "an inclusive range [low, high] of integers, or a table: {range = [low, high]} (ints, or "
    "floats with decimals = N; optional exclude = [...]), {choices = [...]}, or "
    "{matrix = [rows, cols], range = [low, high]} (optional exclude, not_symmetric = true)"
)
PARAM_KEYS = {"range", "exclude", "decimals", "choices", "matrix", "not_symmetric"}


def _check_param(name: str, spec: Any) -> None:
    def bad(why: str = "") -> ValueError:
        return ValueError(f"params.{name} must be {PARAM_FORMS}" + (f": {why}" if why else ""))

    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if not IDENT.match(name) or name in ("choices", "choice"):
        raise ValueError(f"params.{name}: the name must be an identifier other than 'choices'")
    if isinstance(spec, list):
        if len(spec) != 2 or not all(isinstance(b, int) and not isinstance(b, bool) for b in spec):
            raise bad()
        if spec[0] > spec[1]:
            raise bad("low > high")
        return
    if not isinstance(spec, dict):
        raise bad()
    unknown = set(spec) - PARAM_KEYS
    if unknown:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown))}")
    if "choices" in spec:
        if set(spec) != {"choices"}:
            raise bad("choices stands alone")
        options = spec["choices"]
        if not isinstance(options, list) or not options:
            raise bad("choices must be a non-empty list")
        if not all(isinstance(v, str) or number(v) for v in options):
            raise bad("choices must be numbers or strings")
        return
    bounds = spec.get("range")
    if not isinstance(bounds, list) or len(bounds) != 2 or not all(number(b) for b in bounds):
        raise bad("range = [low, high] is required")
    if bounds[0] > bounds[1]:
        raise bad("low > high")
    if not isinstance(spec.get("exclude", []), list):
        raise bad("exclude must be a list")
    if "matrix" in spec:
        shape = spec["matrix"]
        if (
            not isinstance(shape, list)
            or not 1 <= len(shape) <= 2
            or not all(isinstance(d, int) and 1 <= d <= 12 for d in shape)
        ):
            raise bad("matrix = [rows, cols] (or [n]) with sizes 1..12")
        if not all(isinstance(b, int) for b in bounds):
            raise bad("a matrix is drawn from a range of integers")
    elif "not_symmetric" in spec:
        raise bad("not_symmetric is for matrices")
    decimals = spec.get("decimals", 2)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise bad("decimals must be an integer 0..6")


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
    mutants: MutantsSpec = Field(default_factory=MutantsSpec)

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
        if self.kind == "math" and (self.mutants.equivalent or self.mutants.hints):
            raise ValueError("[mutants] is for code exercises (a math exercise has [[math.mistakes]])")
        if self.kind == "code" and self.math is not None:
            raise ValueError('a [math] table is for kind = "math" exercises')
        if self.params and self.kind != "math":
            raise ValueError("[params] is for math exercises; a code exercise declares [dims]")
        for name, spec in self.params.items():
            if name != "distinct":
                _check_param(name, spec)
        groups = self.params.get("distinct")
        if groups is not None:
            if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
                raise ValueError('params.distinct must be a list of groups, e.g. [["N", "C"]]')
            for group in groups:
                for name in group:
                    if name not in self.params or name == "distinct":
                        raise ValueError(
                            f"params.distinct names {name!r}, which is not a parameter"
                        )
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
