"""A time budget for one SymPy call inside the "sympy" sandbox's child.

SymPy can run for minutes on an ordinary-looking answer (simplify, minimal_polynomial). The
child is killed at a hard limit whatever happens (graders/math/grade.py, CHECK_LIMITS), but a
killed child gives the student "write it in a simpler form" instead of a verdict; a budget lets
the checker give up on one step and decide with what it has (docs/architecture.md, "Deciding").
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class Timeout(BaseException):
    """SIGALRM during a budgeted call; a BaseException so that SymPy's `except Exception` lets it
    by."""


def with_budget(seconds: float, func: Any, *args: Any) -> Any:
    """func(*args), or Timeout after `seconds` of wall time (SIGALRM, so only in the main
    thread; elsewhere the call runs unbudgeted and only the sandbox's hard limit stops it)."""
    if seconds <= 0:
        raise Timeout
    if threading.current_thread() is not threading.main_thread():
        return func(*args)

    def ring(signum: int, frame: Any) -> None:
        raise Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
