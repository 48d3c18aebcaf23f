"""`python -m graders`: grade a file offline, validate exercises, scaffold one, benchmark, diagnose.

Exit status of `check`: 0 accepted, 1 any other verdict, 2 usage error or unusable exercise.
With --json, stdout carries exactly one JSON object; the student's own prints are inside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from graders.exercise import ExerciseError, discover, load_exercise
from graders.report import Report, Verdict

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class Style:
    """ANSI colours, only when writing to a terminal (and NO_COLOR is unset)."""

    def __init__(self, stream: Any) -> None:
        self.on = hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its message short
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m graders", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser(
        "check", help="grade one file (code, or a typed math answer) like the site does"
    )
    p.add_argument("exercise", help="a slug (e.g. linear-backward) or an exercise folder")
    p.add_argument(
        "file", help="your solution .py (or, for a math exercise, a file with your answer)"
    )
    p.add_argument(
        "--seed", type=int, default=0, help="instance seed (the site shows yours); default 0"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("validate", help="check that exercises get their known verdicts")
    p.add_argument(
        "paths", nargs="*", help="exercise folders, topics or slugs (default: the whole bank)"
    )
    p.add_argument(
        "--seeds", type=int, default=2, help="number of seeds to try per exercise (default 2)"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("new", help="scaffold a new exercise folder that validates out of the box")
    p.add_argument("name", help="TOPIC/SLUG, e.g. backprop/relu-backward")
    p.add_argument("--kind", choices=["code", "math"], default="code")
    p.add_argument("--root", default=None, help="exercise bank folder (default: exercises/)")

    sub.add_parser("list", help="list the exercises of the bank")

    p = sub.add_parser(
        "bench", help="measure the sandbox overhead against a fresh interpreter per run"
    )
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--baseline-runs", type=int, default=5)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", help="show which sandbox protections this machine provides")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="print the statement of an exercise (of one instance for math)")
    p.add_argument("exercise")
    p.add_argument("--seed", type=int, default=0)

    from graders.math.cli import add_parser as add_compare_parser

    add_compare_parser(sub)

    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    handler = {
        "check": cmd_check,
        "validate": cmd_validate,
        "new": cmd_new,
        "list": cmd_list,
        "bench": cmd_bench,
        "doctor": cmd_doctor,
        "show": cmd_show,
        "compare": cmd_compare,
    }[args.command]
    try:
        return handler(args)
    except (ExerciseError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `python -m graders check ... | head`
        sys.stderr.close()
        return 0


# -- check -----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    exercise = load_exercise(args.exercise)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        submission = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    from graders.engine import Grader

    grader = Grader()
    try:
        report = grader.grade(exercise, submission, seed=args.seed)
    finally:
        grader.close()
    if args.json:
        data = report.to_dict()
        data["max_score"] = report.max_score
        print(json.dumps(data, indent=None))
    else:
        print_report(report, exercise.title, Style(sys.stdout))
    return EXIT_ACCEPTED if report.verdict is Verdict.ACCEPTED else EXIT_REJECTED


def print_report(report: Report, title: str, s: Style) -> None:
    ok = report.verdict is Verdict.ACCEPTED
    head = s.green if ok else (s.yellow if report.verdict is Verdict.PARTIALLY_ACCEPTED else s.red)
    print(f"{s.bold(title)} ({report.exercise}, seed {report.seed})")
    print(head(f"{report.verdict.label}") + f"  score {report.score:g}/{report.max_score:g}")
    if report.message and not ok and all(c.message != report.message for c in report.checks):
        print(report.message)  # unless a check says the very same thing just below
    for check in report.checks:
        mark = s.green("PASS") if check.passed else s.red("FAIL")
        hidden = "" if check.visible else s.dim(" (hidden)")
        print(f"  {mark} {check.name}{hidden}")
        if not check.passed:
            for line in check.message.splitlines():
                print(f"       {line}")
            if check.hint:
                print(s.yellow(f"       hint: {check.hint}"))
        if check.stdout:
            print(s.dim("       your output:"))
            for line in check.stdout.splitlines()[:20]:
                print(s.dim(f"       | {line}"))
    for warning in report.warnings:
        print(s.yellow(f"  note: {warning}"))


# -- validate --------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from graders.engine import Grader
    from graders.validate import validate

    s = Style(sys.stdout)
    grader = Grader()
    try:
        result = validate(args.paths, grader, tuple(range(max(1, args.seeds))))
    finally:
        grader.close()
    topics, kinds = result.counts()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "broken": result.broken,
                    "findings": [f.__dict__ for f in result.findings],
                    "per_topic": dict(topics),
                    "per_answer_type": dict(kinds),
                }
            )
        )
        return 0 if result.ok else 1
    for problem in result.broken:
        print(s.red("BROKEN ") + problem)
    by_exercise: dict[str, list[Any]] = {}
    for f in result.findings:
        by_exercise.setdefault(f.exercise, []).append(f)
    for exercise in result.exercises:
        findings = by_exercise.get(exercise.slug, [])
        bad = [f for f in findings if not f.ok]
        mark = s.green("ok  ") if not bad else s.red("FAIL")
        print(
            f"{mark} {exercise.topic}/{exercise.slug}: {len(findings) - len(bad)}/{len(findings)} verdicts as expected"
        )
        for f in bad:
            print(f"       {f.what}: {f.detail}")
    print()
    print(
        f"{len(result.exercises)} exercises; per topic: "
        + ", ".join(f"{k} {v}" for k, v in sorted(topics.items()))
        + "; per answer type: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    failed = sum(not f.ok for f in result.findings)
    print(
        s.green("all verdicts as expected")
        if result.ok
        else s.red(f"{failed} unexpected verdict(s), {len(result.broken)} broken exercise(s)")
    )
    return 0 if result.ok else 1


# -- the rest --------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from graders.scaffold import scaffold

    folder = scaffold(args.name, kind=args.kind, root=Path(args.root) if args.root else None)
    print(f"created {folder}")
    print(f"next: edit its files, then run: python -m graders validate {folder}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for e in discover():
        kind = e.answer_type or e.kind
        print(f"{e.topic:12} {e.slug:32} {kind:10} {e.title}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from graders.math.cli import cmd_compare as compare

    return compare(args)


def cmd_show(args: argparse.Namespace) -> int:
    from graders.engine import Grader

    exercise = load_exercise(args.exercise)
    grader = Grader()  # a math statement shows its instance, made in the grader's sandbox
    try:
        statement = grader.statement(exercise, args.seed)
    finally:
        grader.close()
    if not statement.lstrip().startswith("# "):  # most statements open with their own title
        print(f"# {exercise.title}\n")
    print(statement)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from graders.bench import format_results, run_benchmark

    results = run_benchmark(runs=args.runs, baseline_runs=args.baseline_runs)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from graders.doctor import diagnose, format_diagnosis

    diagnosis = diagnose()
    print(
        json.dumps(diagnosis, indent=2)
        if args.json
        else format_diagnosis(diagnosis, Style(sys.stdout))
    )
    return 0 if diagnosis["all_blocked"] else 1
