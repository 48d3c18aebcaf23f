"""Math templates and typed answers: pure helpers that both sides of the sandbox use.

The trusted side fills statements, hints and solutions with an instance's parameters and types
expected answers the way a student would (graders.math.grade, graders.validate); the "sympy"
child fills declared mistakes while it draws an instance (graders.math.draw). Standard library
only: the web process renders statements with these without loading SymPy.
"""

from __future__ import annotations

import random
import re
from typing import Any

CHOICE_TYPES = ("choice", "multi_choice")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<arg>[A-Za-z0-9_-]+))?\s*"
    r"(?:\|\s*(?P<filter>[a-z]+)\s*)?\}\}"
)
FILTERS = ("list", "matrix", "row", "col", "signed", "abs")


def fmt_number(value: Any) -> str:
    """A parameter or an expected number as people write it: 3, -2, 0.25, 1.5e-05."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def fmt_list(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt_list(v) for v in value) + "]"
    return fmt_number(value)


def fmt_matrix(value: Any, column: bool = False) -> str:
    """LaTeX bmatrix (inside $...$); a 1-D list is a row, or a column with column=True."""
    if value and isinstance(value[0], list | tuple):
        rows = [" & ".join(fmt_number(v) for v in row) for row in value]
    elif column:
        rows = [fmt_number(v) for v in value]
    else:
        rows = [" & ".join(fmt_number(v) for v in value)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def fmt_param(value: Any, filt: str | None) -> str:
    if filt == "signed" and isinstance(value, int | float):
        return f"- {fmt_number(-value)}" if value < 0 else f"+ {fmt_number(value)}"
    if filt == "abs" and isinstance(value, int | float):
        return fmt_number(abs(value))
    if filt == "list" or (filt is None and isinstance(value, list | tuple) and not _is_2d(value)):
        return fmt_list(value)
    if filt in ("matrix", "row", "col") or isinstance(value, list | tuple):
        return fmt_matrix(value, column=filt in ("col", "matrix"))
    return fmt_number(value)


def _is_2d(value: Any) -> bool:
    return bool(value) and isinstance(value[0], list | tuple)


def fill(
    template: str,
    params: dict[str, Any],
    letters: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Replace {{P}}, {{P|filter}}, {{choice:ID}} (the letter of option ID) and `extra` names.

    Returns the text and the placeholders that could not be filled (left as they are)."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, arg, filt = match.group("name"), match.group("arg"), match.group("filter")
        if name == "choice" and arg is not None and letters is not None and arg in letters:
            return letters[arg]
        if arg is None and extra is not None and name in extra and filt is None:
            return extra[name]
        if arg is None and name in params and (filt is None or filt in FILTERS):
            return fmt_param(params[name], filt)
        unknown.append(match.group(0))
        return match.group(0)

    return PLACEHOLDER.sub(replace, template), unknown


def typed(kind: str, value: Any, letters: dict[str, str] | None = None) -> str:
    """The expected answer (as the reference returns it) as a student would type it."""
    if kind in CHOICE_TYPES:
        ids = [value] if isinstance(value, str) else list(value)
        return ", ".join(sorted((letters or {}).get(i, i) for i in ids))
    if kind == "shape":
        sizes = [int(v) for v in value]
        return "(" + ", ".join(map(str, sizes)) + ("," if len(sizes) == 1 else "") + ")"
    if kind == "array":
        return fmt_list(value)
    return fmt_number(value)


def shuffled_options(choices: dict[str, str], seed: int, shuffle: bool = True) -> list[str]:
    """Option ids in the order this instance shows them (deterministic in the seed)."""
    ids = list(choices)
    if shuffle:
        random.Random(f"choices:{seed}").shuffle(ids)
    return ids
