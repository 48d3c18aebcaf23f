"""`python -m graders compare`: would this typed answer be accepted for that expected one?

    python -m graders compare {numeric,array,shape,symbolic} ANSWER EXPECTED
        [--rtol R] [--atol A] [--vars NAMES] [--json]

Exit status: 0 equivalent, 1 not equivalent, 2 unparseable (ANSWER or EXPECTED; the message says
which and why) or a usage error. `@FILE` in place of ANSWER or EXPECTED reads it from that file;
`--` before them lets an answer begin with `-`. The answer is decided exactly as a student's is:
by graders.math.check in a child of the "sympy" sandbox, killed at a hard time limit.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

EXIT_EQUIVALENT, EXIT_DIFFERENT, EXIT_UNPARSEABLE = 0, 1, 2
KINDS = ("numeric", "array", "shape", "symbolic")
DEFAULT_RTOL, DEFAULT_ATOL = 1e-6, 0.0  # graders.schema.MathSpec's defaults


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="would ANSWER be accepted for EXPECTED? (exit 0 yes, 1 no, 2 unparseable)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("type", choices=KINDS, help="the answer type")
    p.add_argument("answer", help="the typed answer, or @FILE (put -- first if it starts with -)")
    p.add_argument("expected", help="the expected answer, or @FILE")
    p.add_argument(
        "--rtol", type=float, default=DEFAULT_RTOL, help=f"relative tolerance ({DEFAULT_RTOL:g})"
    )
    p.add_argument(
        "--atol",
        type=float,
        default=DEFAULT_ATOL,
        help=f"absolute floor of the tolerance ({DEFAULT_ATOL:g})",
    )
    p.add_argument(
        "--vars",
        default=None,
        help="comma-separated variable names for symbolic answers (default x,y,z,a,b,c,w,t,n)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


class CompareUsageError(Exception):
    pass


def _read(value: str) -> str:
    if value.startswith("@") and len(value) > 1:
        path = Path(value[1:])
        if not path.is_file():
            raise CompareUsageError(f"{path}: no such file")
        try:
            return path.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError:
            raise CompareUsageError(f"{path}: not UTF-8 text") from None
    return value


def _variables(spec: str | None) -> list[str]:
    if spec is None:
        return []
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise CompareUsageError("--vars needs at least one name, e.g. --vars H,p,k,s")
    from graders.schema import MATH_FUNCTIONS

    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in MATH_FUNCTIONS:
            raise CompareUsageError(
                f"--vars: {name!r} cannot be a variable (use identifiers, not function names)"
            )
    return names


def cmd_compare(args: argparse.Namespace, sandbox: Any = None) -> int:
    """Run the comparison; `sandbox` (a started "sympy" Sandbox) is for callers that run many."""
    from graders.math.grade import compare_texts
    from graders.sandbox.controller import Sandbox, SandboxUnavailable

    try:
        answer, expected = _read(args.answer), _read(args.expected)
        variables = _variables(args.vars)
        if args.rtol < 0 or args.atol < 0:
            raise CompareUsageError("--rtol and --atol must be >= 0")
    except CompareUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNPARSEABLE
    if args.type != "symbolic" and args.vars:
        print("note: --vars applies to symbolic answers only", file=sys.stderr)
    own = sandbox is None
    sandbox = sandbox or Sandbox("sympy")
    started = time.perf_counter()
    try:
        data = compare_texts(
            sandbox,
            args.type,
            answer,
            expected,
            rtol=args.rtol,
            atol=args.atol,
            variables=variables if args.type == "symbolic" else [],
        )
    except SandboxUnavailable as exc:
        print(f"error: the checker could not run: {exc}", file=sys.stderr)
        return EXIT_UNPARSEABLE
    finally:
        if own:
            sandbox.close()
    seconds = time.perf_counter() - started
    return report(data, args.json, seconds)


def report(data: dict[str, Any], as_json: bool, seconds: float) -> int:
    status = data.get("status")
    if status == "accepted":
        code, verdict, line = EXIT_EQUIVALENT, "equivalent", "equivalent"
    elif status == "rejected":
        code, verdict, line = EXIT_DIFFERENT, "not_equivalent", "not equivalent"
    elif status == "invalid":
        code, verdict, line = EXIT_UNPARSEABLE, "unparseable", "ANSWER unparseable"
    elif status == "error":
        code, verdict, line = EXIT_UNPARSEABLE, "unparseable", "EXPECTED unparseable"
    elif status == "timeout":
        code, verdict, line = EXIT_UNPARSEABLE, "undecided", "not decided in time"
    else:
        code, verdict, line = EXIT_UNPARSEABLE, "failed", "the checker failed"
    message = str(data.get("message", ""))
    if status == "error":
        message = message.removeprefix("the expected answer cannot be read: ")
    details = data.get("details") or {}
    if as_json:
        out = {
            "verdict": verdict,
            "exit": code,
            "message": message,
            "hint": data.get("hint"),
            "understood": data.get("understood"),
            "decided_by": details.get("decided_by"),
            "details": {k: v for k, v in details.items() if k != "decided_by"},
            "seconds": round(seconds, 4),
        }
        print(json.dumps(out))
        return code
    print(line)
    if status not in ("accepted",) and message:
        print(f"  {message}")
    if data.get("understood") is not None:
        print(f"  read as: {data['understood']}")
    if data.get("hint"):
        print(f"  hint: {data['hint']}")
    if details.get("decided_by"):
        print(f"  decided by: {details['decided_by']}")
    return code
