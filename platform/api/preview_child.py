"""The answer preview's reader: a process of its own that parses typed math answers with the
engine's parser and gives back their LaTeX (api/preview.py starts it and talks to it).

One JSON request per line on stdin, `{"type", "answer", "variables"}`; one JSON reply per line
on stdout: `{"ok": true, "latex", "understood"}` or `{"ok": false, "message", "column"}`. The
parser (graders/math/parse.py, through graders.math.check.parse_answer, the grader's own entry)
builds SymPy objects from a whitelist and runs nothing of an exercise, but SymPy evaluates
what it builds: a few characters of nested powers, `((sqrt(3)^999)^999)^99`, keep it computing
for a minute. So it runs here, where every request has a CPU limit of its own and the web
process stops waiting (and kills it) after a wall-clock limit, never in the web process itself.

Run as `python -I preview_child.py`: the interpreter's environment and the caller's folders are
ignored; the repository's root is put on the path for `graders`.
"""

from __future__ import annotations

import json
import re
import resource
import sys
from pathlib import Path
from typing import Any

CPU_SECONDS = 5  # per request; the web process gives up (and kills this process) sooner
MEMORY_BYTES = 1024 * 2**20  # the whole process: SymPy loaded is about 150 MB of it
MAX_LATEX = 20_000  # characters of LaTeX sent back (an array of 400 entries fits)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import sympy

    from graders.math import check, parse

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    check.parse_answer("symbolic", "a sigma(2x + 1)", {})  # load what parsing needs, once
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        _limit_cpu()
        try:
            request = json.loads(line)
            reply = read(request, check, parse, sympy)
        except MemoryError:
            reply = {"ok": False, "message": "This answer is too large to show.", "column": None}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _limit_cpu() -> None:
    """At most CPU_SECONDS more of CPU for this request (SIGXCPU ends the process), even if
    the web process that asked is gone and nobody would kill this one."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def read(request: dict[str, Any], check: Any, parse: Any, sympy: Any) -> dict[str, Any]:
    kind, text = str(request["type"]), str(request["answer"])
    meta = {"variables": list(request.get("variables") or [])}
    try:
        value = check.parse_answer(kind, text, meta)
    except parse.ParseError as exc:
        message, column = locate(str(exc), text, kind, parse)
        return {"ok": False, "message": check._sentence(message), "column": column}
    except (ValueError, OverflowError, RecursionError):
        # SymPy refusing what it built (an integer too long to print, say).
        return {"ok": False, "message": "This answer is too large to show.", "column": None}
    try:
        latex = to_latex(kind, value, sympy)
        understood = check.understood(kind, value, meta)
    except (ValueError, OverflowError, RecursionError):
        return {"ok": False, "message": "This answer is too large to show.", "column": None}
    if len(latex) > MAX_LATEX:
        return {"ok": False, "message": "This answer is too long to show.", "column": None}
    return {"ok": True, "latex": latex, "understood": understood[:MAX_LATEX]}


def to_latex(kind: str, value: Any, sympy: Any) -> str:
    if kind == "symbolic":
        return str(sympy.latex(value))
    if kind == "numeric":
        return str(sympy.latex(value.expr))
    if kind == "array":
        rows = value.rows()
        body = r" \\ ".join(" & ".join(sympy.latex(n.expr) for n in row) for row in rows)
        return r"\begin{bmatrix} " + body + r" \end{bmatrix}"
    if kind == "shape":
        sizes = [str(size) for size in value]
        return r"\left(" + r",\ ".join(sizes) + ("," if len(sizes) == 1 else "") + r"\right)"
    raise ValueError(f"no preview for answers of type {kind!r}")


_POSITION = re.compile(r"position (\d+)")
_AT_THE_END = ("at the end", "ends too early")


def locate(message: str, text: str, kind: str, parse: Any) -> tuple[str, int | None]:
    """The message, and the column of `text` (from 1) where the parser stopped, if it says.

    The parser counts in the text it read: after the part before one '=' was dropped
    (`f'(x) = 3x`), and after look-alikes were replaced (`π` is `pi`, `²` is `^2`). The
    position is mapped back to the text as typed, in the message too, so that both agree
    with the caret the page draws. An array's or a shape's messages count within one entry
    ("row 2, entry 3 ...") and name no column.
    """
    if kind not in ("symbolic", "numeric"):
        return message, None
    offset, read = 0, text
    if text.count("=") == 1:
        offset = text.index("=") + 1
        read = text[offset:]
    if any(words in message for words in _AT_THE_END):
        return message, len(text.rstrip()) + 1
    match = _POSITION.search(message)
    if match is None:
        return message, None
    where: list[int] = []  # for each character the parser saw, the one typed
    for i, ch in enumerate(read):
        where += [i] * len(parse.UNICODE.get(ch, ch))
    index = int(match.group(1)) - 1
    column = offset + (where[index] if index < len(where) else len(read)) + 1
    return message[: match.start(1)] + str(column) + message[match.end(1) :], column


if __name__ == "__main__":
    main()
