"""A report's checks as the pages show them: figures, the heatmap, a visible case's values, the
details as labelled fields, and each hint once.

The report is what `submissions.selectors.report_for_viewer` gave this viewer: this module only
arranges it. Values of a case are in it only for visible cases (graders/judge.py,
`case_values`); a hidden case never shows a table, a heatmap or values, even if a report of an
older version carried some.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

# The figures line under a check: (key, label), shown as numbers.
ERROR_FIGURES = (
    ("max_abs_error", "max abs error"),
    ("max_rel_error", "max rel error"),
    ("abs_error", "abs error"),
    ("rel_error", "rel error"),
)
# Details shown elsewhere on the check (figures, heatmap, values table), not again in "Details".
SHOWN_ABOVE = frozenset(
    {"wrong_count", "share_wrong", "wrong_mask", "values"} | {key for key, _ in ERROR_FIGURES}
)
# What the engine gives for visible cases only (graders/compare.py, graders/judge.py): a hidden
# case's check never shows them, even from a report that carried some.
VISIBLE_ONLY = frozenset({"values", "wrong_mask", "first_wrong_values", "inputs", "seconds"})
DETAIL_LABELS = {
    "output": "output",
    "expected_shape": "expected shape",
    "got_shape": "your shape",
    "shape": "your shape",
    "first_wrong": "first wrong positions",
    "first_wrong_values": "first wrong values",
    "first_nonfinite": "first NaN or Inf at",
    "nan_count": "NaN values",
    "inf_count": "Inf values",
    "dims": "dimensions",
    "seconds": "time of your function",
    "inputs": "inputs",
    "error": "exception",
    "lineno": "line of your file",
    "understood": "your answer, as read",
    "decided_by": "decided by",
    "wrong_entries": "wrong entries",
    "wrong_sizes": "wrong sizes",
}
MAX_TEXT = 300  # characters of one detail's line


@dataclass(frozen=True)
class DetailRow:
    label: str
    lines: list[str]


@dataclass(frozen=True)
class ShownValue:
    """One row of a visible case's table: an input, an expected output, or the student's."""

    name: str
    role: str  # "input", "expected", "yours"
    about: str  # shape and type, e.g. "(2, 3) float64"
    rows: list[list[tuple[str, bool]]] | None = None  # (text, wrong) per entry, small arrays
    text: str = ""  # a scalar's value, a summary of a large array, or a type

    @property
    def heading(self) -> str:
        return {"input": f"{self.name}", "expected": f"{self.name}, expected"}.get(
            self.role, f"{self.name}, yours"
        )


@dataclass
class CheckView:
    """One check of the report and what the page shows of it. `view[key]` (and so `check.key`
    in a template) is the view's own field when it has one, else the check's (name, passed,
    message, visible, hint, stdout...)."""

    check: dict[str, Any]
    number: str  # "case 2" (from the check's name), or the check's name
    figures: list[tuple[str, str]] = field(default_factory=list)
    mask_rows: list[list[bool]] | None = None
    detail_rows: list[DetailRow] = field(default_factory=list)
    values: list[ShownValue] = field(default_factory=list)
    values_caption: str = ""
    hint_label: str = ""  # "Hint" or "Hint (cases 2, 3, 5)"; "" when no hint is shown here
    hint_same_as: str = ""  # the check whose hint this one shares, where it is shown

    def __getitem__(self, key: str) -> Any:
        if key in _VIEW_FIELDS:
            return getattr(self, key)
        return self.check[key]

    @property
    def mask_wrong(self) -> int:
        return sum(map(sum, self.mask_rows)) if self.mask_rows else 0

    @property
    def mask_size(self) -> int:
        return sum(map(len, self.mask_rows)) if self.mask_rows else 0


_VIEW_FIELDS = frozenset(
    {"number", "figures", "mask_rows", "detail_rows", "values", "values_caption"}
    | {"hint_label", "hint_same_as", "mask_wrong", "mask_size"}
)


def report_checks(checks: list[dict[str, Any]]) -> list[CheckView]:
    """Every check's view, each distinct hint shown once: with the first check that has it,
    labelled with every case that has it ("Hint (cases 2, 3, 5)"); the others point to it."""
    views = [check_view(check) for check in checks if isinstance(check, dict)]
    first: dict[str, CheckView] = {}
    sharing: dict[str, list[str]] = {}
    for view in views:
        hint = view.check.get("hint")
        if not hint or not isinstance(hint, str):
            continue
        sharing.setdefault(hint, []).append(view.number)
        if hint in first:
            view.hint_label, view.hint_same_as = "", first[hint].number
        else:
            first[hint] = view
    for hint, view in first.items():
        cases = sharing[hint]
        view.hint_label = "Hint" if len(cases) == 1 else f"Hint ({_cases_words(cases)})"
    return views


def check_view(check: dict[str, Any]) -> CheckView:
    """One check, alone (report_checks groups the hints of several)."""
    name = str(check.get("name") or "")
    match = re.match(r"case (\d+)\b", name)
    view = CheckView(check=check, number=f"case {match.group(1)}" if match else name)
    view.hint_label = "Hint" if check.get("hint") else ""
    details = check.get("details") or {}
    if not isinstance(details, dict):
        view.detail_rows = [DetailRow("details", [_text(details)])]
        return view
    used = set(SHOWN_ABOVE)
    if "expected_shape" in details and "got_shape" in details:
        view.figures.append(("expected shape", _shape(details["expected_shape"])))
        view.figures.append(("your shape", _shape(details["got_shape"])))
        used |= {"expected_shape", "got_shape"}
    if "wrong_count" in details and "share_wrong" in details:
        share = details["share_wrong"]
        percent = f" ({100 * share:.0f}%)" if isinstance(share, int | float) else ""
        view.figures.append(("wrong values", f"{details['wrong_count']}{percent}"))
    for key, label in ERROR_FIGURES:
        if _is_number(details.get(key)):
            view.figures.append((label, f"{details[key]:.3g}"))
    if check.get("visible"):
        view.mask_rows = _mask_rows(details.get("wrong_mask"))
        view.values = _case_values(details.get("values"), details, view.mask_rows)
    else:
        used |= VISIBLE_ONLY
    if view.values:
        used.add("inputs")  # the table shows them, values included
        outputs = sum(v.role == "expected" for v in view.values)
        view.values_caption = (
            f"{view.number[:1].upper()}{view.number[1:]}: its inputs, the expected "
            f"output{'s' if outputs > 1 else ''} and yours"
        )
    view.detail_rows = [
        DetailRow(DETAIL_LABELS.get(key, key.replace("_", " ")), _lines(key, value))
        for key, value in details.items()
        if key not in used and value not in (None, "", [], {})
    ]
    return view


def _cases_words(cases: list[str]) -> str:
    """["case 2", "case 3"] -> "cases 2, 3"; names that are not "case N" are kept whole."""
    numbers = [c.removeprefix("case ") for c in cases]
    if all(c.startswith("case ") for c in cases):
        return "cases " + ", ".join(numbers)
    return ", ".join(cases)


# -- figures and the heatmap ---------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shape(value: Any) -> str:
    if not isinstance(value, list | tuple):
        return _text(value)
    return "(" + ", ".join(str(d) for d in value) + ("," if len(value) == 1 else "") + ")"


def _mask_rows(mask: Any) -> list[list[bool]] | None:
    """The engine's `wrong_mask` (a 1-D or 2-D list of 0/1) as rows of booleans, or None."""
    if not isinstance(mask, list) or not mask:
        return None
    rows = mask if all(isinstance(row, list) for row in mask) else [mask]
    if not all(row and all(isinstance(v, int | bool | float) for v in row) for row in rows):
        return None
    return [[bool(v) for v in row] for row in rows]


# -- a visible case's values ---------------------------------------------------------------------


def _case_values(
    values: Any, details: dict[str, Any], mask: list[list[bool]] | None
) -> list[ShownValue]:
    """The table's rows: the inputs, then each output expected and yours, side by side. The
    entries of yours that the heatmap marks wrong are marked in the table too."""
    if not isinstance(values, dict):
        return []
    shown = [_shown(item, "input") for item in _items(values.get("inputs"))]
    expected = _items(values.get("expected"))
    yours = {item.get("name"): item for item in _items(values.get("got"))}
    failing = details.get("output")
    for item in expected:
        shown.append(_shown(item, "expected"))
        name = item.get("name")
        if name in yours:
            marks = mask if failing in (None, name) else None
            shown.append(_shown(yours.pop(name), "yours", marks))
    shown += [_shown(item, "yours") for item in yours.values()]  # returned under another name
    return shown


def _items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _shown(item: dict[str, Any], role: str, mask: list[list[bool]] | None = None) -> ShownValue:
    name = str(item.get("name") or "output")
    kind = item.get("kind")
    if kind in ("array", "tensor"):
        shape = item.get("shape") if isinstance(item.get("shape"), list) else []
        about = f"{_shape(shape)} {item.get('dtype', '')}" + (" tensor" if kind == "tensor" else "")
        values = item.get("values")
        if values is not None:
            rows = _matrix(values)
            if rows is not None:
                if mask is not None and [len(r) for r in mask] == [len(r) for r in rows]:
                    rows = [
                        [(text, wrong) for (text, _), wrong in zip(row, marks, strict=True)]
                        for row, marks in zip(rows, mask, strict=True)
                    ]
                return ShownValue(name, role, about, rows=rows)
        return ShownValue(name, role, about, text=_summary(item))
    if kind == "scalar":
        return ShownValue(
            name, role, str(item.get("dtype", "number")), text=_number(item.get("value"))
        )
    if kind in ("tuple", "list"):
        parts = [_brief(part) for part in _items(item.get("items"))]
        length = item.get("length")
        more = ", …" if isinstance(length, int) and length > len(parts) else ""
        return ShownValue(
            name, role, f"{kind} of {length}", text="(" + ", ".join(parts) + more + ")"
        )
    if kind == "none":
        return ShownValue(name, role, "", text="None")
    return ShownValue(name, role, "", text=_text(item.get("type", "a value that cannot be shown")))


def _matrix(values: Any) -> list[list[tuple[str, bool]]] | None:
    """Values of a 0-, 1- or 2-D array as rows of (text, wrong=False); None if malformed."""
    if not isinstance(values, list):
        return [[(_number(values), False)]]
    if all(isinstance(row, list) for row in values) and values:
        if any(isinstance(v, list) for row in values for v in row):
            return None
        return [[(_number(v), False) for v in row] for row in values]
    if any(isinstance(v, list) for v in values):
        return None
    return [[(_number(v), False) for v in values]]


def _summary(item: dict[str, Any]) -> str:
    parts = [f"{label} {_number(item.get(label))}" for label in ("min", "max", "mean")]
    if item.get("min") is None:
        parts = ["no finite values"]
    for key, what in (("nan_count", "NaN"), ("inf_count", "Inf")):
        if item.get(key):
            parts.append(f"{item[key]} {what}")
    return ", ".join(parts)


def _brief(item: dict[str, Any]) -> str:
    kind = item.get("kind")
    if kind in ("array", "tensor"):
        shape = item.get("shape") if isinstance(item.get("shape"), list) else []
        return f"{kind} of shape {_shape(shape)}"
    if kind == "scalar":
        return _number(item.get("value"))
    if kind == "none":
        return "None"
    return _text(item.get("type", kind))


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return {"nan": "NaN"}.get(str(value), "Inf" if value > 0 else "−Inf")
        return f"{value:.4g}"
    if value in ("nan", "inf", "-inf"):
        return {"nan": "NaN", "inf": "Inf", "-inf": "−Inf"}[value]
    return _text(value)


# -- the details, as labelled lines ---------------------------------------------------------------


def _lines(key: str, value: Any) -> list[str]:
    """One detail as lines of text, in the words of the page rather than JSON."""
    if key in ("first_wrong", "first_nonfinite") and isinstance(value, list):
        return [", ".join(_shape(i) for i in value[:20])]
    if key == "first_wrong_values" and isinstance(value, list):
        return [
            f"at {_shape(v.get('index', []))}: expected {_number(v.get('expected'))}, "
            f"yours {_number(v.get('got'))}"
            for v in value[:20]
            if isinstance(v, dict)
        ]
    if key == "dims" and isinstance(value, dict):
        return [", ".join(f"{k} = {_number(v)}" for k, v in value.items())]
    if key == "seconds" and _is_number(value):
        return [f"{value:.3g} s"]
    if key == "inputs" and isinstance(value, dict):
        return [f"{k}: {_text(v)}" for k, v in list(value.items())[:20]]
    if key in ("expected_shape", "got_shape", "shape"):
        return [_shape(value)]
    if key == "wrong_entries" and isinstance(value, list):
        return ["; ".join(_entry(i) for i in value[:20] if isinstance(i, list))]
    if key == "wrong_sizes" and isinstance(value, list):
        return [", ".join(_text(i) for i in value[:20])]
    if _is_number(value):
        return [_number(value)]
    if isinstance(value, str):
        return [_text(value)]
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return [", ".join(_text(v) for v in value[:20])]
    if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()):
        return [f"{k}: {_text(v)}" for k, v in list(value.items())[:20]]
    return [_text(json.dumps(value, separators=(", ", ": "), default=str))]


def _entry(index: list[Any]) -> str:
    """A math answer's wrong entry (0-based in the report) as the student counts: from 1."""
    if len(index) == 2 and all(isinstance(i, int) for i in index):
        return f"row {index[0] + 1}, column {index[1] + 1}"
    if len(index) == 1 and isinstance(index[0], int):
        return f"entry {index[0] + 1}"
    return _shape(index)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
