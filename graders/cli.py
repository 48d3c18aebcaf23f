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
        "--seed", type=int, default=None, help="instance seed (repository exercises); default 0"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    # Without the repository (docs/offline.md): a student bundle, or the site itself.
    p.add_argument(
        "--bundle", metavar="PATH", help="grade against a student bundle (its visible cases)"
    )
    p.add_argument("--remote", metavar="URL", help="have the site grade it, as a practice run")
    p.add_argument(
        "--token", help="API token for --remote ($DEEPGRADE_TOKEN, ~/.config/deepgrade/token)"
    )
    p.add_argument(
        "--visible-only", action="store_true", help="with --remote: the visible cases only"
    )
    p.add_argument(
        "--submit", action="store_true", help="with --remote: a graded submission (asks first)"
    )
    p.add_argument("--yes", action="store_true", help="with --submit: do not ask")
    p.add_argument("--course", help="with --submit: the course it counts in, if several")

    p = sub.add_parser(
        "bundle", help="make a student bundle: statements, starters, visible cases, no answers"
    )
    p.add_argument(
        "--student", metavar="OUT", required=True, help="the folder to write (new or empty)"
    )
    p.add_argument(
        "exercises", nargs="*", metavar="SLUG", help="slugs, topics or folders (default: all)"
    )
    p.add_argument(
        "--seed", type=int, default=None, help="the practice seed (default 1000, docs/offline.md)"
    )
    p.add_argument(
        "--no-known-bug-hints",
        action="store_true",
        help="leave out the hints for known bugs (the site still gives them)",
    )

    p = sub.add_parser("validate", help="check that exercises get their known verdicts")
    p.add_argument(
        "paths", nargs="*", help="exercise folders, topics or slugs (default: the whole bank)"
    )
    p.add_argument(
        "--seeds", type=int, default=2, help="number of seeds to try per exercise (default 2)"
    )
    p.add_argument(
        "--mutants",
        action="store_true",
        help="also kill every mutant of each reference, and check the buggy solutions' mutation "
        "hints (docs/exercise-format.md#mutants)",
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
        "bundle": cmd_bundle,
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
    if args.bundle or args.remote:
        return check_elsewhere(args)
    for flag in ("submit", "visible_only", "yes", "course", "token"):
        if getattr(args, flag):
            raise UsageError(f"--{flag.replace('_', '-')} goes with --remote URL")
    exercise = load_exercise(args.exercise)
    submission = read_submission(args.file)
    from graders.engine import Grader

    grader = Grader()
    try:
        report = grader.grade(exercise, submission, seed=args.seed or 0)
    finally:
        grader.close()
    if args.json:
        data = report.to_dict()
        data["max_score"] = report.max_score
        print(json.dumps(data, indent=None))
    else:
        print_report(report, exercise.title, Style(sys.stdout))
    return EXIT_ACCEPTED if report.verdict is Verdict.ACCEPTED else EXIT_REJECTED


def read_submission(name: str) -> str:
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


def check_elsewhere(args: argparse.Namespace) -> int:
    """`check --bundle PATH` (offline, a student bundle) or `check --remote URL` (the site)."""
    from graders import bundle, remote

    if args.bundle and args.remote:
        raise UsageError("--bundle grades offline, --remote on the site: give one of them")
    if args.seed is not None:
        raise UsageError("--seed is the bundle's or the site's: leave it out")
    if args.bundle:
        for flag in ("submit", "visible_only", "yes", "course", "token"):
            if getattr(args, flag):
                raise UsageError(f"--{flag.replace('_', '-')} goes with --remote URL")
    submission = read_submission(args.file)
    try:
        if args.bundle:
            from graders.engine import Grader

            found = bundle.load(args.bundle)
            grader = Grader()
            try:
                checked = bundle.grade(found, args.exercise, submission, grader)
            finally:
                grader.close()
            report, title, notes = checked.report, checked.title, checked.notes
        else:
            report, title, notes = _check_remote(args, submission)
    except remote.RemoteError as exc:
        if exc.code == "practice_closed":  # the site's words name its buttons: say ours too
            raise UsageError(
                f"{exc.message}\nFrom here: --visible-only runs the visible cases; --submit makes "
                "a graded attempt."
            ) from None
        raise UsageError(str(exc)) from None
    except bundle.BundleError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({**report.to_dict(), "notes": notes}))
    else:
        s = Style(sys.stdout)
        print_report(report, title, s)
        for note in notes:
            print(s.dim(f"  {note}"))
    return EXIT_ACCEPTED if report.verdict is Verdict.ACCEPTED else EXIT_REJECTED


def _check_remote(args: argparse.Namespace, submission: str) -> tuple[Report, str, list[str]]:
    from graders import remote

    client = remote.Client(args.remote, remote.find_token(args.token))
    exercise = client.exercise(args.exercise, practice=not args.submit)
    if args.submit:
        if args.visible_only:
            raise UsageError("--visible-only is for practice runs, not --submit")
        if not args.yes and not _confirm_graded(args, exercise):
            raise UsageError("not submitted")
    answer = remote.check(
        args.remote,
        client.token,
        args.exercise,
        submission,
        graded=args.submit,
        visible_only=args.visible_only,
        course=args.course,
        client=client,
        exercise=exercise,
    )
    mode = "graded submission" if args.submit else "practice run"
    notes = [f"{mode} on the site: {answer.page}"]
    if answer.submission.get("score_note"):
        notes.append(str(answer.submission["score_note"]))
    return answer.report, answer.title, notes


def _confirm_graded(args: argparse.Namespace, exercise: dict[str, Any]) -> bool:
    """Ask on the terminal before a graded submission; refuse without one (use --yes)."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(
            "--submit makes a graded attempt: it asks first, on a terminal. Without one, add "
            "--yes to submit anyway"
        )
    limit = exercise.get("max_attempts")
    used = exercise.get("attempts_used", 0)
    attempts = f"{used} of {limit} attempts used" if limit else f"{used} attempts so far"
    course = args.course or exercise.get("course") or "your course"
    if exercise.get("kind") == "math":  # its numbers differ between instances
        attempts += "; graded on your own instance: the numbers of its course page"
    sys.stderr.write(
        f"Submit {args.file} as a graded attempt of {args.exercise} in {course} "
        f"({attempts})? [y/N] "
    )
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_bundle(args: argparse.Namespace) -> int:
    """`python -m graders bundle --student OUT [SLUG...]`: a student bundle, on a fixed
    practice seed (graders/bundle.py)."""
    from graders import bundle
    from graders.engine import Grader

    out = Path(args.student)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} exists and is not an empty folder: choose a new one")
    seed = bundle.OFFLINE_PRACTICE_SEED if args.seed is None else args.seed
    exercises = _chosen_exercises(args.exercises)
    grader = Grader()
    try:
        built = bundle.build(
            grader,
            [bundle.Entry(e, seed) for e in exercises],
            known_bug_hints=not args.no_known_bug_hints,
        )
    finally:
        grader.close()
    bundle.write_folder(built, out)
    kept = len(exercises) - len(built.left_out)
    print(f"wrote {out}: {kept} exercise(s) on practice seed {seed}; no answers")
    for problem in built.left_out:
        print(f"left out {problem}", file=sys.stderr)
    print(f"next: python -m graders check SLUG my_solution.py --bundle {out}")
    return 0 if not built.left_out else 1


def _chosen_exercises(names: list[str]) -> list[Any]:
    """Slugs, topics (every exercise of it) or folders; all of the bank for none."""
    from graders.exercise import TOPIC_ORDER

    bank = discover()
    if not names:
        return bank
    chosen: dict[str, Any] = {}
    for name in names:
        if name in TOPIC_ORDER or any(e.topic == name for e in bank):
            chosen.update((e.slug, e) for e in bank if e.topic == name)
        else:
            exercise = load_exercise(name)
            chosen[exercise.slug] = exercise
    return list(chosen.values())


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
    from graders.validate import mutant_lines, mutant_summary, validate

    s = Style(sys.stdout)
    grader = Grader()
    try:
        result = validate(
            args.paths, grader, tuple(range(max(1, args.seeds))), mutants=args.mutants
        )
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
                    "mutants": {k: m.to_dict() for k, m in result.mutants.items()},
                    "coverage": {k: c.__dict__ for k, c in result.coverage.items()},
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
        for line, good in mutant_lines(result, exercise.slug):
            print(f"       {line}" if good else s.red(f"       {line}"))
    print()
    print(
        f"{len(result.exercises)} exercises; per topic: "
        + ", ".join(f"{k} {v}" for k, v in sorted(topics.items()))
        + "; per answer type: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    for line in mutant_summary(result):
        print(line)
    failed = sum(not f.ok for f in result.findings)
    survived = sum(len(m.survivors) + len(m.problems) for m in result.mutants.values())
    print(
        s.green("all verdicts as expected")
        if result.ok
        else s.red(
            f"{failed} unexpected verdict(s), {len(result.broken)} broken exercise(s)"
            + (f", {survived} surviving mutant(s) or wrong declaration(s)" if survived else "")
        )
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
