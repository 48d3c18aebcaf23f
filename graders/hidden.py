"""What the trusted side keeps of a run on hidden cases: data it can check, never student text.

The README promises that hidden cases stay hidden: their inputs never leave the worker. A child
that holds hidden inputs can put them in any text it produces: an exception's message or
traceback, its prints, the name of a class it defines, a frame it forges on the results channel
(everything a child writes is untrusted, see graders/sandbox/child.py). So the engine runs the
hidden cases in a child of their own (graders/codegrade.py, `CodeGrader.grade`), and
`redact_outcome` rebuilds that run's frames from an allowlist before anything reads them:

- an error keeps its exception type only if it is a built-in, NumPy, PyTorch or sandbox class
  (`SHOWN_EXCEPTIONS`), the line in the student's file only if it is one (1..number of lines),
  the memory/banned flags, and a banned call's message only if it names a ban of this exercise;
- a returned value keeps its numbers, shapes and allowlisted dtypes (the protocol checks them);
  type names it carries (an unsupported object, an ndarray subclass) are shown only if they are
  built-in or NumPy names;
- prints, stderr, warnings, tracebacks, messages and the child's own timing are dropped.

The report can then only say things about a hidden case that are made of trusted text and
numbers: what the comparison computes (shapes, error figures, hints), a type from a fixed list and
a line number. Those numbers remain a narrow channel; free text does not.
"""

from __future__ import annotations

import builtins
import re
from typing import Any

import numpy as np

from graders import protocol
from graders.sandbox.controller import RunOutcome

# Exception classes whose name may be shown for a hidden case. A class name is text the student
# chooses (`type("Leak_0_49", (Exception,), {})`), so only a fixed list is shown: the name then
# tells which of these few classes it was, never free text. Anything else is reported as "an
# exception of a class of your own". The NumPy and PyTorch names are those a student's code
# meets from the libraries (private ones included: numpy raises _UFuncNoLoopError for a missing
# loop); PyTorch is not imported here, it lives only in the zygote.
LIBRARY_EXCEPTIONS = frozenset(
    {
        "AxisError",
        "ComplexWarning",
        "DTypePromotionError",
        "LinAlgError",
        "TooHardError",
        "UFuncTypeError",
        "_ArrayMemoryError",
        "_UFuncBinaryResolutionError",
        "_UFuncCastingError",
        "_UFuncInputCastingError",
        "_UFuncNoLoopError",
        "_UFuncOutputCastingError",
        "_LinAlgError",
        "OutOfMemoryError",
        # graders/sandbox/child.py's own
        "BannedCallError",
        "OutputLimitError",
    }
)
SHOWN_EXCEPTIONS = LIBRARY_EXCEPTIONS | {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
OWN_CLASS = "a class of your own"
UNNAMED_TYPE = "a value of a type not named for a hidden case"
# Type names of returned values that may be shown: built-in types, numpy's scalar types, and the
# descriptions the protocol itself writes for values that cannot cross (graders/protocol.py,
# `encode_value`), whose only free part is a number or a dtype spelled the way numpy spells it.
BUILTIN_TYPES = frozenset(name for name, value in vars(builtins).items() if isinstance(value, type))
NUMPY_TYPES = frozenset(
    f"numpy.{name}" for name, value in vars(np).items() if isinstance(value, type)
)
PROTOCOL_TYPES = re.compile(
    r"huge int|deeply nested value|str of \d{1,12} characters|(list|tuple) of \d{1,12} items"
    r"|array of dtype [<>|=]?(complex|float|u?int|object|bool|str|bytes|void|datetime|timedelta"
    r"|[USVOMmcfiub])\d{0,6}(\[(Y|M|W|D|h|m|s|ms|us|ns|ps|fs|as|generic)\])?"
)
NUMPY_SUBCLASSES = frozenset({"matrix", "MaskedArray", "memmap", "recarray", "chararray"})
BANNED_MESSAGE = re.compile(r"(?:importing )?(\S{1,200}) is not allowed in this exercise")


def redact_outcome(outcome: RunOutcome, source: str, banned: list[str]) -> RunOutcome:
    """The run on hidden cases as the report may use it: its facts (the trusted side's own), and
    frames rebuilt from checked data only."""
    lines = max(1, len(source.splitlines()))
    if outcome.protocol_error:
        # The error's wording quotes bytes of the child's output: say only that it happened.
        return RunOutcome(facts=outcome.facts, protocol_error="malformed results")
    frames = []
    for header, buffers in outcome.frames:
        kept = _redact_frame(header, lines, banned)
        if kept is not None:
            frames.append((kept, buffers))
    return RunOutcome(facts=outcome.facts, frames=frames)


def _redact_frame(header: dict[str, Any], lines: int, banned: list[str]) -> dict[str, Any] | None:
    event = header.get("event")
    if event in ("loaded", "done"):
        return {"event": event}
    if event == "load_error":
        return {"event": event, "error": redact_error(header.get("error"), lines, banned)}
    if event == "no_entry":
        found = header.get("found")
        return {"event": event, "found": found if found in BUILTIN_TYPES else None}
    index = header.get("index")
    if event != "case" or not isinstance(index, int) or isinstance(index, bool):
        return None
    if "error" in header:
        return {
            "event": event,
            "index": index,
            "error": redact_error(header["error"], lines, banned),
        }
    return {"event": event, "index": index, "value": _redact_value(header.get("value"))}


def redact_error(err: Any, lines: int, banned: list[str]) -> dict[str, Any]:
    """An exception as data that carries no student text: see the module's docstring."""
    err = err if isinstance(err, dict) else {}
    name = err.get("type")
    kept: dict[str, Any] = {
        "type": name if isinstance(name, str) and name in SHOWN_EXCEPTIONS else None,
        "lineno": safe_line(err.get("lineno"), lines),
        "memory": err.get("memory") is True,
        "banned": err.get("banned") is True,
    }
    if kept["banned"]:
        kept["message"] = _banned_message(err.get("message"), banned)
    return kept


def safe_line(value: Any, lines: int) -> int | None:
    """A line of the student's file, or None: any other number is not a line, but data."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= lines:
        return value
    return None


def _banned_message(message: Any, banned: list[str]) -> str:
    """The sandbox's stubs name the ban they enforce (graders/sandbox/child.py); the name is
    re-derived from this exercise's ban list, so the student's text never passes through."""
    match = BANNED_MESSAGE.fullmatch(message) if isinstance(message, str) else None
    if match:
        name = match.group(1)
        bans = [b for b in banned if name == b or name.startswith(b + ".")]
        if bans:
            return f"{max(bans, key=len)} is not allowed in this exercise"
    return "a function or module that is banned in this exercise"


def _redact_value(node: Any, depth: int = 0) -> Any:
    """The value tree with every type name it carries checked; numbers and buffers unchanged.
    Malformed trees are left as they are: decoding then refuses them (graders/protocol.py)."""
    if not isinstance(node, dict) or depth > protocol.MAX_DEPTH:
        return node
    kind = node.get("t")
    if kind == "other":
        name = node.get("type")
        shown = isinstance(name, str) and (
            name in BUILTIN_TYPES
            or name in NUMPY_TYPES
            or PROTOCOL_TYPES.fullmatch(name) is not None
        )
        return {"t": "other", "type": name if shown else UNNAMED_TYPE}
    if kind == "nd" and "subclass" in node:
        subclass = node["subclass"]
        shown = subclass if subclass in NUMPY_SUBCLASSES else f"an array of {OWN_CLASS}"
        return dict(node, subclass=shown)
    if kind in ("tuple", "list") and isinstance(node.get("v"), list):
        return {"t": kind, "v": [_redact_value(v, depth + 1) for v in node["v"]]}
    # "str" values stay: they are compared, never quoted (graders/compare.py names them "str").
    return node
