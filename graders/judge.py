"""The verdict of a code submission, from the reference run and the student's two runs.

The student's file runs twice (graders.codegrade): on the visible cases (`shown`, the only run
whose loading the student reads about) and, if that run finished, on the hidden ones
(`withheld`, its frames already rebuilt by graders/hidden.py). The judge reads them in stages:
did the file load, what did each case return and how does it compare, which verdict wins
(graders.verdicts.VERDICT_ORDER; docs/architecture.md, "Verdicts").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graders import hidden, jobs, modules, protocol
from graders.compare import MAX_SHOWN_ITEMS, Context, compare, value_preview
from graders.report import Check, Report, Verdict
from graders.verdicts import (
    CORRUPTED_CHANNEL,
    case_error_message,
    ending_verdict,
    error_dict,
    error_verdict,
    overall_verdict,
    process_ending,
    summary,
    verdict_sentence,
)

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.reference import ReferenceCase, ReferenceRun
    from graders.sandbox.controller import RunOutcome
    from graders.schema import CodeSpec, Limits


@dataclass
class _Run:
    """One child's results as the judge reads them: its case frames by index, how it ended, and
    for the run on hidden cases, why its file did not load there (then every case fails so)."""

    results: dict[int, tuple[dict[str, Any], list[bytes]]]
    ending: str | None
    ending_verdict: Verdict
    problem: tuple[str, Verdict] | None = None


@dataclass
class _Tally:
    """What the judge has found so far: one check per case, the failures' verdicts, warnings;
    the checks whose hint names a constant factor, with its label; and, when asked for, the
    student's outputs on the cases whose values are wrong (`wrong_values`, case index ->
    (output, whether the hint names a known-wrong solution)), for the mutants' hints."""

    checks: list[Check]
    failures: list[Verdict]
    warnings: list[str]
    factors: list[tuple[Check, str]] = field(default_factory=list)
    wrong_values: dict[int, tuple[Any, bool]] | None = None


def judge(
    exercise: Exercise,
    seed: int,
    reference: ReferenceRun,
    shown: RunOutcome,
    withheld: RunOutcome | None = None,
    source: str = "",
    wrong_values: dict[int, tuple[Any, bool]] | None = None,
) -> Report:
    """The verdict from the run on the visible cases (`shown`) and the redacted run on the hidden
    ones (`withheld`, None when it did not run: the hidden cases then fail as the first run
    ended). `wrong_values`, when given, receives the student's outputs on the cases whose
    values are wrong (see _Tally)."""
    spec = exercise.spec
    assert spec.code is not None
    limits = spec.limits
    first = _read_run(shown, limits)
    failed = _load_failure(shown, first, spec.code)
    if failed is not None:
        check, verdict, message = failed
        found = _Tally([check], [], [])
        return _report(exercise, seed, reference, found, verdict, message)

    lines = max(1, len(source.splitlines()))
    second = None
    if withheld is not None:
        second = _read_run(withheld, limits)
        second.problem = _hidden_load_problem(withheld, second, spec.code.entry_point, lines)
    found = _Tally([], [], [], wrong_values=wrong_values)
    for case in reference.cases:
        run = first if case.visible or second is None else second
        _judge_case(case, run, spec.code, lines, found)
    _agreeing_factors(found)

    passed = sum(c.passed for c in found.checks)
    verdict = overall_verdict(found.failures, passed)
    if verdict is Verdict.ACCEPTED:
        message = f"Accepted: all {len(found.checks)} cases pass."
    else:
        ending = first.ending or (second.ending if second is not None else None)
        message = summary(verdict, passed, len(found.checks), ending)
    return _report(exercise, seed, reference, found, verdict, message)


def finished(outcome: RunOutcome) -> bool:
    """Whether a run reached its end ("done"): a child that did not would not have reached the
    hidden cases in a single run either, so they are not run (they fail as it ended)."""
    return not outcome.protocol_error and any(h.get("event") == "done" for h, _ in outcome.frames)


def _report(
    exercise: Exercise,
    seed: int,
    reference: ReferenceRun,
    found: _Tally,
    verdict: Verdict,
    message: str,
) -> Report:
    """The report; the score is the share of passing cases among all of the reference's."""
    passed = sum(c.passed for c in found.checks)
    total = len(reference.cases)
    score = round(exercise.spec.points * passed / total, 6) if total else 0.0
    report = Report.new(exercise, seed, verdict, score, message, found.checks)
    report.warnings = list(dict.fromkeys(found.warnings))
    return report


# -- stage 1: did the file load (for the visible cases)? -----------------------------------------


def _read_run(outcome: RunOutcome, limits: Limits) -> _Run:
    frames = [] if outcome.protocol_error else outcome.frames
    wall, cpu = limits.wall_seconds, limits.cpu_seconds
    return _Run(
        jobs.case_frames(frames),
        process_ending(outcome.facts, wall, cpu),
        ending_verdict(outcome.facts, wall, cpu),
    )


def _load_failure(
    shown: RunOutcome, first: _Run, code: CodeSpec
) -> tuple[Check, Verdict, str] | None:
    """Why the student's file did not get as far as its first case, if it did not: the check
    that says so, the verdict and the report's message."""
    if shown.protocol_error:
        check = Check("results", False, CORRUPTED_CHANNEL, stage="returns")
        return (
            check,
            Verdict.RUNTIME_ERROR,
            f"Runtime error: malformed results ({shown.protocol_error})",
        )
    frames = shown.frames
    load_error = next((h for h, _ in frames if h.get("event") == "load_error"), None)
    if load_error is not None:
        err = error_dict(load_error)
        verdict = error_verdict(err)
        msg = f"your file failed while loading:\n{err.get('traceback', '')}"
        check = Check("loads", False, msg, stage="loads", stdout=load_error.get("stdout") or None)
        return check, verdict, verdict_sentence(verdict, err)
    no_entry = next((h for h, _ in frames if h.get("event") == "no_entry"), None)
    if no_entry is not None:
        found = no_entry.get("found")
        msg = (
            f"no function named {code.entry_point}() at module level"
            + (f" ({code.entry_point} is a {found})" if found else "")
            + ": keep the name and signature of the starter"
        )
        return Check("entry point", False, msg, stage="entry_point"), Verdict.REJECTED, msg
    if not any(h.get("event") == "loaded" for h, _ in frames):
        msg = first.ending or "the process ended before your file finished loading"
        return Check("loads", False, msg, stage="loads"), first.ending_verdict, msg
    return None


def _hidden_load_problem(
    withheld: RunOutcome, run: _Run, entry_point: str, lines: int
) -> tuple[str, Verdict] | None:
    """The file loaded for the visible cases but not for the hidden ones (its import looked at
    the inputs it was given): said from the redacted frames only (graders/hidden.py)."""
    if withheld.protocol_error:
        return CORRUPTED_CHANNEL, Verdict.RUNTIME_ERROR
    events = {h.get("event"): h for h, _ in reversed(withheld.frames)}
    if "load_error" in events:
        err = error_dict(events["load_error"])
        line = hidden.safe_line(err.get("lineno"), lines)
        message = case_error_message(err, line, visible=False)
        verdict = error_verdict(err)
        return f"your file failed while loading for the hidden cases: {message}", verdict
    if "no_entry" in events:
        return (
            f"no function named {entry_point}() at module level when your file was loaded for "
            "the hidden cases",
            Verdict.REJECTED,
        )
    if "loaded" not in events:
        return (
            run.ending or "the process ended before your file finished loading",
            run.ending_verdict,
        )
    return None


# -- stage 2: each case ------------------------------------------------------------------------


def _judge_case(case: ReferenceCase, run: _Run, code: CodeSpec, lines: int, found: _Tally) -> None:
    """One check for `case`, from the run it ran in; a failure's verdict joins `found`."""
    label = f"case {case.index + 1}: {case.name}"
    # An nn.Module exercise's expected values are its output and gradients (graders/modules.py).
    outputs = modules.output_names(case, code.module) if code.module else code.outputs
    # What a visible case shows of itself whatever happens (inputs and expected outputs); a
    # hidden case's details never hold them.
    shown = {"values": case_values(case, outputs)} if case.visible else {}
    if run.problem is not None:
        msg, verdict = run.problem
        found.checks.append(Check(label, False, msg, case.visible, "loads", details=shown))
        found.failures.append(verdict)
        return
    if case.index not in run.results:
        msg = run.ending or "the process ended before this case returned"
        found.checks.append(Check(label, False, msg, case.visible, "returns", details=shown))
        found.failures.append(run.ending_verdict)
        return
    header, buffers = run.results[case.index]
    stdout = (header.get("stdout") or None) if case.visible else None
    if "error" in header:
        err = error_dict(header)
        line = hidden.safe_line(err.get("lineno"), lines)
        found.checks.append(
            Check(
                label,
                False,
                case_error_message(err, line, case.visible),
                case.visible,
                stage="returns",
                details={"error": err.get("type"), "lineno": line, **shown},
                stdout=stdout,
            )
        )
        found.failures.append(error_verdict(err))
        return
    try:
        got = protocol.decode_value(header.get("value"), buffers)
    except protocol.ProtocolError as exc:
        # The reason quotes bits of the child's data: only a visible case shows it.
        why = f": {exc}" if case.visible else ""
        message = f"your return value could not be read{why}"
        found.checks.append(Check(label, False, message, case.visible, "type", details=shown))
        found.failures.append(Verdict.RUNTIME_ERROR)
        return
    ctx = Context(case.dims, case.visible, code.framework, case.known_wrong)
    if code.module is not None:
        out, got = modules.compare_case(case, got, code.module, ctx)
    else:
        out = compare(case.expected, got, code.outputs, ctx)
    found.warnings += out.warnings
    details = dict(out.details, dims=case.dims)
    if case.visible:  # the child times itself: for a hidden case, that is any number
        details["seconds"] = header.get("seconds")
        details["inputs"] = _describe_inputs(case)
        details["values"] = case_values(case, outputs, got)
    check = Check(label, out.passed, out.message, case.visible, out.stage, out.hint, details, stdout)
    found.checks.append(check)
    if out.factor is not None:
        found.factors.append((check, out.factor))
    if not out.passed:
        found.failures.append(Verdict.REJECTED)
        # An nn.Module's `got` is its values without the parameter table: what its mutants
        # return too (graders/mutation/run.py). A parameter problem is no wrong value.
        wrong = out.stage in ("shape", "finite", "values")
        if wrong and found.wrong_values is not None:
            found.wrong_values[case.index] = (got, out.known_hint)


def _agreeing_factors(found: _Tally) -> None:
    """A factor is named only when every case whose output is a constant multiple of the
    expected one shows the same named factor ("1/N" on each, whatever N is there): a ratio of
    2.8 on one case and 5.3 on the next is no missing factor, and neither is a "2" that one
    case shows and the next refutes."""
    if len({label for _, label in found.factors}) > 1:
        for check, _ in found.factors:
            check.hint = None


_NOT_RETURNED = object()


def case_values(
    case: ReferenceCase, outputs: list[str], got: Any = _NOT_RETURNED
) -> dict[str, list[dict[str, Any]]]:
    """A visible case's inputs, expected outputs and (when it returned) the student's, each
    named and bounded in size (graders.compare.value_preview), for the report's table.

    Only for a visible case: its inputs are the student's to see, and its expected values are
    no secret. A hidden case's are never put in a report (tests/graders/test_hidden_feedback.py).
    """
    if not case.visible:
        raise ValueError("a hidden case's inputs and expected values are not shown")
    inputs = [
        {"name": name, **value_preview(value)}
        for name, value in list(zip(case.arg_names, case.args, strict=False))[:MAX_SHOWN_ITEMS]
    ]
    values = {"inputs": inputs, "expected": _named(case.expected, case.expected, outputs)}
    if got is not _NOT_RETURNED:
        values["got"] = _named(got, case.expected, outputs)
    return values


def _named(value: Any, expected: Any, outputs: list[str]) -> list[dict[str, Any]]:
    """`value` as one entry per output, named as the exercise names its outputs, when it has
    as many parts as the expected tuple; else as a single value."""
    if (
        isinstance(expected, tuple)
        and isinstance(value, tuple | list)
        and len(value) == len(expected) == len(outputs)
    ):
        return [
            {"name": name, **value_preview(part)}
            for name, part in list(zip(outputs, value, strict=True))[:MAX_SHOWN_ITEMS]
        ]
    name = outputs[0] if len(outputs) == 1 else "output"
    return [{"name": name, **value_preview(value)}]


def _describe_inputs(case: ReferenceCase) -> dict[str, str]:
    shown = {}
    for name, value in zip(case.arg_names, case.args, strict=False):
        if isinstance(value, protocol.Arr):
            shown[name] = f"{value.array.dtype} array of shape {tuple(value.array.shape)}"
        elif isinstance(value, protocol.Scalar):
            shown[name] = repr(value.value)
        else:
            shown[name] = repr(value)[:80]
    return shown
