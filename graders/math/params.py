"""What the trusted side knows of a math exercise's instances without running anything.

An instance is what a seed makes of an exercise (docs/architecture.md, "Instances and seeds"):
the parameters (drawn from exercise.toml [params], or by reference.py's `params(rng)`), the
expected answer, the values of the declared mistakes, the order of the options of a
multiple-choice question, and the typed text of the solutions/*.py answers. Drawing one runs the
reference, so it happens in the "sympy" sandbox (graders.math.draw, sent by graders.math.grade);
this module holds the data it comes back as, and what needs no drawing: whether an exercise has
parameters at all, the order of its options, and its statement once the numbers are known.

Standard library only: the web process imports it (submissions.rules asks `parametrised`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graders.math.templates import LETTERS, fill, shuffled_options

if TYPE_CHECKING:
    from graders.exercise import Exercise


class InstanceError(Exception):
    """The exercise could not make this instance (the reference failed): never the student's fault."""


@dataclass(frozen=True)
class Option:
    letter: str
    id: str
    text: str


@dataclass(frozen=True)
class Instance:
    """One seed's version of a math exercise."""

    seed: int
    params: dict[str, Any]
    expected: Any
    mistakes: list[dict[str, Any]] = field(default_factory=list)  # {"index", "value" | "text"}
    solutions: dict[str, dict[str, str]] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    draws: int = 1

    @property
    def letters(self) -> dict[str, str]:
        """Option id -> the letter this instance shows it under."""
        return {o.id: o.letter for o in self.options}


def has_custom_params(exercise: Exercise) -> bool:
    """Whether reference.py defines params(rng) (read with ast: nothing is executed here)."""
    try:
        tree = ast.parse(exercise.file("reference.py"))
    except SyntaxError:
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == "params" for n in tree.body)


def parametrised(exercise: Exercise) -> bool:
    return bool(exercise.spec.params) or has_custom_params(exercise)


def options_for(
    exercise: Exercise, seed: int, params: dict[str, Any] | None = None
) -> list[Option]:
    spec = exercise.spec.math
    if spec is None or not spec.choices:
        return []
    ids = shuffled_options(spec.choices, seed, spec.shuffle)
    return [
        Option(LETTERS[i], option_id, fill(spec.choices[option_id], params or {})[0])
        for i, option_id in enumerate(ids)
    ]


def options_markdown(options: list[Option]) -> str:
    return "\n".join(f"- **{o.letter}.** {o.text}" for o in options)


def fill_statement(
    statement: str, params: dict[str, Any], options: list[Option]
) -> tuple[str, list[str]]:
    """The statement with {{P}} placeholders filled and the options listed (at {{choices}}, or
    at the end); and the placeholders that had no value."""
    extra = {}
    if options:
        extra["choices"] = options_markdown(options)
        if "{{choices}}" not in statement.replace(" ", ""):
            statement = statement.rstrip() + "\n\n{{choices}}\n"
    return fill(statement, params, extra=extra)
