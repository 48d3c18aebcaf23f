"""What runs inside the hardened child: load code, call it on each case, write result frames.

Everything here runs next to untrusted code, which may have replaced any function or module
it can reach. So nothing the child writes is believed: the trusted side only accepts frames as
data (graders.protocol) and decides the verdict itself. This module's job is to give an honest
student precise feedback, not to enforce anything.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from graders import protocol
from graders.instances import case_rng, draw_dims
from graders.sandbox import module_case

RESULT_FD = 3
STDOUT_CAP = 16 * 1024  # per case, what a student sees of their own prints
TRACEBACK_CAP = 4000


PRINT_LIMIT = 8 << 20


class OutputLimitError(Exception):
    """Raised by print() once a run has printed more than PRINT_LIMIT characters."""


class BannedCallError(Exception):
    """Raised by the stubs that replace banned functions and modules at run time."""


class CappedText(io.TextIOBase):
    """sys.stdout/sys.stderr: keeps the first STDOUT_CAP characters of each case's prints."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0
        self.total = 0
        self.flooded = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        self.total += len(text)
        if self.total > PRINT_LIMIT:
            # Harmless to us (only STDOUT_CAP is kept), but a flood is a bug worth naming; the
            # flag stays set, so catching the error does not save the case (see run_student).
            self.flooded = True
            raise OutputLimitError(f"your code printed more than {PRINT_LIMIT >> 20} MB")
        room = STDOUT_CAP - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... ({self.dropped} more characters not shown)"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


def send(header: dict[str, Any], values: dict[str, Any] | None = None) -> None:
    buffers: list[bytes] = []
    for key, value in (values or {}).items():
        header[key] = protocol.encode_value(value, buffers)
    protocol.write_all(RESULT_FD, protocol.encode_frame(header, buffers))


def describe_error(exc: BaseException, filename: str) -> dict[str, Any]:
    """The exception as the student should see it: only frames of their own file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    if len(text) > TRACEBACK_CAP:
        text = text[: TRACEBACK_CAP // 2] + "\n...\n" + text[-TRACEBACK_CAP // 2 :]
    return {
        "type": type(exc).__name__,
        "memory": isinstance(exc, MemoryError),
        "banned": isinstance(exc, BannedCallError),
        "message": str(exc)[:500],
        "traceback": text,
        "lineno": frames[-1].lineno if frames else _syntax_error_line(exc, filename),
    }


def _syntax_error_line(exc: BaseException, filename: str) -> int | None:
    """The line of a syntax error in the file itself (no frame of the file exists then); any
    other exception's `lineno` attribute would be whatever its class says."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno
    return None


# -- banned functions and modules ------------------------------------------------------------


def _banned_stub(name: str) -> Callable[..., Any]:
    def stub(*_args: Any, **_kwargs: Any) -> Any:
        raise BannedCallError(f"{name} is not allowed in this exercise")

    stub.__name__ = name.rsplit(".", 1)[-1]
    return stub


def _guarded_import(
    banned_modules: frozenset[str], real_import: Callable[..., Any]
) -> Callable[..., Any]:
    """builtins.__import__ that refuses banned modules, whether loaded already or not.

    Wrapping the import statement costs nothing up front; dropping torch's ~1000 entries from
    sys.modules instead would cost milliseconds of copy-on-write faults in every child.
    """

    def is_banned(name: str) -> bool:
        return any(name == m or name.startswith(m + ".") for m in banned_modules)

    def guarded(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        if level == 0 and name:
            if is_banned(name):
                raise BannedCallError(f"importing {name} is not allowed in this exercise")
            for item in fromlist or ():
                if isinstance(item, str) and is_banned(f"{name}.{item}"):
                    raise BannedCallError(
                        f"importing {name}.{item} is not allowed in this exercise"
                    )
        return real_import(name, globals, locals, fromlist, level)

    return guarded


def apply_bans(banned: list[str]) -> None:
    """Make banned names fail at run time. `banned` holds dotted names from the trusted side,
    already normalised (np -> numpy): modules cannot be imported, functions and submodules
    reachable as attributes are replaced by stubs."""
    modules: set[str] = set()
    for name in banned:
        owner_name, _, attr = name.rpartition(".")
        owner = _resolve(owner_name) if owner_name else None
        target = getattr(owner, attr, None) if owner is not None else None
        if target is None or isinstance(target, type(sys)):
            modules.add(name)
            if owner is not None and target is not None:  # torch.nn.functional on torch.nn
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(owner, attr, _BannedModule(name))
            continue
        stub = _banned_stub(name)
        try:
            setattr(owner, attr, stub)
        except (AttributeError, TypeError):
            modules.add(name)
            continue
        # The same function is reachable where it is defined (numpy._core.numeric.convolve):
        # replace it in every loaded module of that package that exposes the very same object.
        top = owner_name.split(".")[0]
        for mod_name, mod in list(sys.modules.items()):
            if (mod_name == top or mod_name.startswith(top + ".")) and getattr(
                mod, attr, None
            ) is target:
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(mod, attr, stub)
    if modules:
        builtins.__import__ = _guarded_import(frozenset(modules), builtins.__import__)


class _BannedModule:
    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str) -> Any:
        raise BannedCallError(f"{self._name} is not allowed in this exercise")


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    obj = sys.modules.get(parts[0])
    for part in parts[1:]:
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


# -- running code --------------------------------------------------------------------------


def load_module(source: str, filename: str, name: str) -> dict[str, Any]:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"__name__": name, "__file__": filename, "__builtins__": builtins}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def prepare_args(args: list[Any], framework: str) -> list[Any]:
    """Fresh copies for each call, nested ones included (students may modify inputs in place);
    tensors for torch exercises."""
    if framework == "torch":
        import torch

        def fresh(a: Any) -> Any:
            if isinstance(a, np.ndarray):
                return torch.from_numpy(np.array(a, copy=True))
            return type(a)(fresh(v) for v in a) if isinstance(a, list | tuple) else a
    else:

        def fresh(a: Any) -> Any:
            if isinstance(a, np.ndarray):
                return np.array(a, copy=True)
            return type(a)(fresh(v) for v in a) if isinstance(a, list | tuple) else a

    return [fresh(a) for a in args]


def plain(value: Any) -> Any:
    """Decoded protocol values (Arr/Scalar) back into what a function receives."""
    if isinstance(value, protocol.Arr):
        return value.array
    if isinstance(value, protocol.Scalar):
        return value.value
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value


def run_student(job: dict[str, Any], cases: list[list[Any]]) -> None:
    filename = job["filename"]
    out = CappedText()
    sys.stdout = sys.stderr = out
    apply_bans(job.get("banned", []))
    try:
        namespace = load_module(job["source"], filename, "solution")
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included: report, then stop
        send({"event": "load_error", "error": describe_error(exc, filename), "stdout": out.take()})
        return
    entry = namespace.get(job["entry_point"])
    if not callable(entry):
        send({"event": "no_entry", "found": type(entry).__name__ if entry is not None else None})
        return
    send({"event": "loaded", "stdout": out.take()})
    if job.get("module") is not None:  # the entry point is a class (graders/modules.py)
        entry = module_case.harness(entry, job["module"])
    for meta, args in zip(job["cases"], cases, strict=True):
        started = time.perf_counter()
        header: dict[str, Any] = {"event": "case", "index": meta["index"]}
        try:
            result = entry(*prepare_args(args, job["framework"]))
            if out.flooded:
                raise OutputLimitError(f"your code printed more than {PRINT_LIMIT >> 20} MB")
            header["seconds"] = time.perf_counter() - started
            header["stdout"] = out.take()
            send(header, {"value": result})
        except BaseException as exc:
            header["seconds"] = time.perf_counter() - started
            header["stdout"] = out.take()
            header["error"] = describe_error(exc, filename)
            send(header)
    send({"event": "done"})


def run_reference(job: dict[str, Any]) -> None:
    """Draw each case's dims and inputs from the seed, and compute expected (and known-wrong)
    outputs. The reference is instructor code: sandboxed too, since instructors make mistakes."""
    sys.stdout = sys.stderr = CappedText()
    cases_ns = load_module(job["cases_source"], "cases.py", "cases")
    reference = load_module(job["reference_source"], "reference.py", "reference")[
        job["entry_point"]
    ]
    make_inputs = cases_ns["make_inputs"]
    accept = cases_ns.get("accept")
    known_wrong: dict[str, Callable[..., Any]] = {}
    for name, source in job.get("known_wrong", {}).items():
        try:
            known_wrong[name] = load_module(source, name, "known_wrong")[job["entry_point"]]
        except BaseException:
            continue  # a broken hint solution only loses its hint
    ranges = {k: tuple(v) for k, v in job["dim_ranges"].items()}
    for meta in job["cases"]:
        header: dict[str, Any] = {"event": "case", "index": meta["index"]}
        try:
            rng = case_rng(job["seed"], meta["index"])
            dims = draw_dims(rng, ranges, job["groups"], meta["dims"], accept, meta["options"])
            inputs = make_inputs(
                case_rng(job["seed"], meta["index"], 1), dict(dims), dict(meta["options"])
            )
            if job.get("module") is not None:  # classes (graders/sandbox/module_case.py)
                args, names, expected, wrong = module_case.reference_case(
                    reference,
                    known_wrong,
                    inputs,
                    job["module"],
                    case_rng(job["seed"], meta["index"], 2),
                    lambda values: prepare_args(values, "torch"),
                )
            else:
                args, names = list(inputs.values()), list(inputs)
                expected = reference(*prepare_args(args, job["framework"]))
                wrong = {}
                for name, fn in known_wrong.items():
                    try:
                        wrong[name] = fn(*prepare_args(args, job["framework"]))
                    except BaseException:
                        wrong[name] = None
            header.update(dims=dims, names=names, known_wrong_names=list(wrong))
            send(
                header,
                {"args": args, "expected": expected, "known_wrong_list": list(wrong.values())},
            )
        except BaseException as exc:
            header["error"] = describe_error(exc, "reference.py") | {
                "traceback": "".join(traceback.format_exception(exc))[-TRACEBACK_CAP:]
            }
            send(header)
    send({"event": "done"})


def run(job: dict[str, Any], cases: list[list[Any]]) -> None:
    try:
        if job["kind"] == "reference":
            run_reference(job)
        else:
            run_student(job, cases)
    except MemoryError:
        # Even reporting may fail here; the trusted side then sees a crash without "done".
        send({"event": "fatal", "error": {"type": "MemoryError", "message": "out of memory"}})
    finally:
        sys.stdout = sys.__stdout__
    # Closing the pipes tells the zygote we are finished before the kernel tears down this
    # process's memory (which takes several ms with torch loaded).
    for fd in (RESULT_FD, 1, 2):
        with contextlib.suppress(OSError):
            os.close(fd)
    os._exit(0)
