"""The live preview of a typed math answer: how the engine's parser reads it, as LaTeX.

`answer_preview` checks what the endpoint `POST /api/v1/exercises/{slug}/preview` is asked
(a math exercise with a typed answer, the answer's size, the user's rate), then has the answer
parsed by the reader process (api/preview_child.py). Nothing is graded, stored or run of the
exercise: the reader only parses, with the same parser and messages as the grader. It is a
process of its own because SymPy evaluates what the parser builds, and a few characters can
keep it busy for minutes (preview_child.py says how): the web process waits at most
PREVIEW_SECONDS, then kills it and starts another for the next request.
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from catalog.models import Exercise
from catalog.selectors import engine_exercise
from core.errors import DomainError
from core.ratelimit import rate_limit_hit
from graders.math.templates import CHOICE_TYPES
from submissions.errors import RateLimited

logger = logging.getLogger(__name__)

CHILD = Path(__file__).resolve().with_name("preview_child.py")
PREVIEW_SECONDS = 2.0  # to read one answer; a longer one is killed with its process
START_SECONDS = 30.0  # to start the reader (it loads SymPy)
WAIT_SECONDS = 5.0  # for the reader while another request of this process uses it
# Per user: a preview follows the typing (debounced by the page), a few a second at most.
PREVIEW_RATE = (120, 60)
TOO_SLOW = "Your answer takes too long to read: write it in a simpler form."


class PreviewRefused(DomainError):
    """Nothing to preview here: not a math exercise, or an answer chosen among options."""

    code = "invalid"


class PreviewTooLarge(DomainError):
    code = "too_large"


class PreviewUnavailable(DomainError):
    """The reader could not be started, or is busy: the page just shows no preview."""

    code = "preview_unavailable"


def answer_preview(*, user: Any, exercise: Exercise, answer: str) -> dict[str, Any]:
    """How `answer` to `exercise` is read: `{"answer_type", "ok", "latex", "understood",
    "message", "column"}` (latex and understood when it can be read; else the parser's message
    and, when it names one, the column of the answer where it stopped, from 1)."""
    version = exercise.current_version
    kind = version.answer_type if exercise.kind == Exercise.Kind.MATH else ""
    if not kind:
        raise PreviewRefused(f"{exercise.slug} is a code exercise: there is no answer to preview")
    if kind in CHOICE_TYPES:
        raise PreviewRefused(
            f"{exercise.slug} is answered by choosing options: there is nothing to preview"
        )
    size, limit = len(answer.encode("utf-8", "surrogatepass")), settings.MAX_ANSWER_BYTES
    if size > limit:
        raise PreviewTooLarge(f"answer is {size} bytes; the limit is {limit} bytes")
    limit_count, window = PREVIEW_RATE
    retry_after = rate_limit_hit(f"preview:{user.pk}", limit=limit_count, window=window)
    if retry_after is not None:
        raise RateLimited(
            f"too many previews: at most {limit_count} per {window} s; "
            f"the preview resumes in {retry_after} s",
            retry_after,
        )
    spec = engine_exercise(version).spec.math
    variables = list(spec.variables) if spec is not None else []
    reply = _reader.read({"type": kind, "answer": answer, "variables": variables})
    return {
        "answer_type": kind,
        "ok": bool(reply.get("ok")),
        "latex": reply.get("latex"),
        "understood": reply.get("understood"),
        "message": reply.get("message"),
        "column": reply.get("column"),
    }


class _Reader:
    """The reader process of this web process: started on first use, one request at a time,
    killed when a request takes longer than PREVIEW_SECONDS (the next one starts another)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def read(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self._lock.acquire(timeout=WAIT_SECONDS):
            raise PreviewUnavailable("the preview is busy: it comes back in a moment")
        try:
            for _ in range(2):  # a reader that died since the last request is started again
                proc = self._started()
                try:
                    assert proc.stdin is not None
                    proc.stdin.write(json.dumps(request).encode() + b"\n")
                    proc.stdin.flush()
                except OSError:
                    self._stop()
                    continue
                line = _read_line(proc, PREVIEW_SECONDS)
                if line is None or not line.strip():
                    # Too slow, or ended (its CPU limit) while reading this very answer.
                    self._stop()
                    return {"ok": False, "message": TOO_SLOW, "column": None}
                return dict(json.loads(line))
            raise PreviewUnavailable("the preview is not available right now")
        finally:
            self._lock.release()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._stop()
        # An empty environment (no secret to inherit), isolated mode, outside the project.
        proc = subprocess.Popen(
            [sys.executable, "-I", str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"LANG": "C.UTF-8", "PATH": os.defpath},
            cwd="/",
            bufsize=0,
        )
        if _read_line(proc, START_SECONDS) != b"ready\n":
            proc.kill()
            proc.wait()
            logger.error("the answer preview's reader did not start")
            raise PreviewUnavailable("the preview is not available right now")
        self._proc = proc
        return proc

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()


def _read_line(proc: subprocess.Popen[bytes], seconds: float) -> bytes | None:
    """One line from the reader within `seconds`; b"" if it ended, None if it is too slow."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + seconds
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b""
        data += chunk
    return data


_reader = _Reader()
