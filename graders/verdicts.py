"""Verdicts of code runs: which one wins, and how a run's end and a case's error are worded.

Everything here reads the trusted side's own facts (how the zygote saw a child end) or error data
that graders/hidden.py has already redacted for hidden cases; nothing the child says about itself
can make a verdict better (docs/architecture.md, "Verdicts").
"""

from __future__ import annotations

import signal
from typing import Any

from graders import hidden
from graders.report import Verdict

# When the cases of one submission fail in different ways, the first of these that applies is
# the verdict (docs/architecture.md, "Verdicts"). PARTIALLY_ACCEPTED applies when at least one
# case passed; every other entry when at least one case failed so.
VERDICT_ORDER = (
    Verdict.BANNED_CALL,
    Verdict.TIMEOUT,
    Verdict.MEMORY_LIMIT,
    Verdict.PARTIALLY_ACCEPTED,
    Verdict.RUNTIME_ERROR,
    Verdict.REJECTED,
)

# How a run's end is worded for the student; the keys are the trusted side's own facts.
KILLED_MESSAGES = {
    "wall": "stopped at the time limit of {wall:g} s (an infinite loop, or too slow?)",
    "output": "stopped: it printed more than 8 MB (an output flood)",
    "results_size": "stopped: it returned more than 256 MB of data",
}
CORRUPTED_CHANNEL = "the results channel was corrupted (file descriptor 3 belongs to the grader)"


def overall_verdict(failures: list[Verdict], passed: int) -> Verdict:
    """The verdict of a submission whose cases failed with `failures` (one per failing case)
    while `passed` cases passed."""
    if not failures:
        return Verdict.ACCEPTED
    found = set(failures)
    if passed:
        found.add(Verdict.PARTIALLY_ACCEPTED)
    return next((v for v in VERDICT_ORDER if v in found), Verdict.REJECTED)


def error_verdict(err: dict[str, Any]) -> Verdict:
    if err.get("memory"):
        return Verdict.MEMORY_LIMIT
    if err.get("banned"):
        return Verdict.BANNED_CALL
    return Verdict.RUNTIME_ERROR


def error_dict(header: dict[str, Any]) -> dict[str, Any]:
    err = header.get("error")
    return err if isinstance(err, dict) else {}


def case_error_message(err: dict[str, Any], line: int | None, visible: bool = True) -> str:
    """How a case's exception reads. For a hidden case, `err` was redacted (graders/hidden.py):
    a type from a fixed list, a checked line, a banned call re-worded; nothing else is left."""
    where = f" at line {line} of your file" if line else ""
    if err.get("memory"):
        return "ran out of memory (MemoryError): the memory limit was reached"
    if err.get("banned"):
        return f"banned call{where}: {err.get('message')}"
    kind = err.get("type")
    if kind in ("SystemExit", "KeyboardInterrupt"):
        return f"your code called exit ({kind}): return the result instead"
    if visible:
        return f"raised {kind}: {err.get('message')}\n{err.get('traceback', '')}".rstrip()
    if kind == "OutputLimitError":
        return KILLED_MESSAGES["output"]
    what = kind or f"an exception of {hidden.OWN_CLASS}"
    return f"raised {what}{where} (a hidden case: its message and traceback are not shown)"


def verdict_sentence(verdict: Verdict, err: dict[str, Any]) -> str:
    return f"{verdict.label}: {err.get('type')}: {err.get('message')}"


def _out_of_cpu(facts: dict[str, Any], cpu: float) -> bool:
    sig = facts.get("signal")
    return sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and (facts.get("cpu_seconds") or 0) >= cpu - 0.05
    )


def process_ending(facts: dict[str, Any], wall: float, cpu: float) -> str | None:
    """How the child ended, from the zygote's facts; None for a normal exit."""
    killed = facts.get("killed_by")
    if killed in KILLED_MESSAGES:
        return KILLED_MESSAGES[killed].format(wall=wall)
    if _out_of_cpu(facts, cpu):
        return f"stopped at the CPU time limit of {cpu:g} s (an infinite loop, or too slow?)"
    sig = facts.get("signal")
    if sig is not None:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"the process was killed by signal {name}"
    code = facts.get("exit_code")
    if code not in (0, None):
        return f"the process exited with status {code}"
    return None


def ending_verdict(facts: dict[str, Any], wall: float, cpu: float) -> Verdict:
    if facts.get("killed_by") == "wall" or _out_of_cpu(facts, cpu):
        return Verdict.TIMEOUT
    return Verdict.RUNTIME_ERROR


def summary(verdict: Verdict, passed: int, total: int, ending: str | None) -> str:
    text = f"{verdict.label}: {passed} of {total} cases pass."
    if ending:
        text += (
            f" The run was {ending}."
            if ending.startswith("stopped")
            else f" {ending[0].upper()}{ending[1:]}."
        )
    return text
