"""Static checks on a student's file, on the trusted side, before anything runs.

These give fast, precise messages (a syntax error with its line; `np.convolve` on line 12 is not
allowed). They are not the security boundary: the same bans are enforced at run time inside the
sandbox, and the sandbox holds even if both are bypassed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

MAX_SOURCE_BYTES = 64 * 1024
ALIASES = {"np": "numpy", "F": "torch.nn.functional", "nn": "torch.nn"}
# Modules no exercise needs and that open doors (raw memory, the import system, processes).
UNIVERSAL_BANNED = [
    "ctypes", "gc", "importlib", "subprocess", "multiprocessing", "socket", "pickle", "marshal",
    "threading", "_thread", "signal", "resource", "shutil", "pathlib", "urllib", "http", "asyncio",
]  # fmt: skip
BANNED_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint", "globals", "input"}
FRAMEWORK_BANNED = {
    "numpy": ["torch", "scipy", "tensorflow", "jax", "numpy.convolve", "numpy.correlate"],
    "torch": [
        "torch.autograd",
        "torch.Tensor.backward",
        "torch.func",
        "torch.nn.functional.scaled_dot_product_attention",
        "torch.nn.MultiheadAttention",
        "scipy",
        "tensorflow",
        "jax",
    ],
}
# Banned in the student's text only: torch itself runs through these at every call, so they
# cannot be replaced at run time; a student reaching the kernels directly is caught here.
STATIC_ONLY = {"torch": ["torch._C", "torch.ops"]}
WHY = {
    "torch": "this exercise is NumPy from scratch",
    "scipy": "implement it yourself: that is the exercise",
    "numpy.convolve": "write the sliding window yourself",
    "numpy.correlate": "write the sliding window yourself",
    "torch.autograd": "compute the gradient by hand, without autograd",
    "torch.Tensor.backward": "compute the gradient by hand, without autograd",
}


@dataclass(frozen=True)
class StaticProblem:
    verdict: str  # "syntax_error" or "banned_call"
    message: str
    lineno: int | None = None


def normalise(name: str) -> str:
    head, _, rest = name.partition(".")
    head = ALIASES.get(head, head)
    return f"{head}.{rest}" if rest else head


def static_banned_names(framework: str, runtime_bans: list[str]) -> list[str]:
    """What the static check refuses: the run-time bans plus the static-only ones."""
    return [*runtime_bans, *STATIC_ONLY.get(framework, [])]


def banned_names(framework: str, extra: list[str], allowed: list[str] | None = None) -> list[str]:
    """The run-time ban list of an exercise (the universal modules are checked statically)."""
    allowed_set = {normalise(a) for a in allowed or []}
    names = [*FRAMEWORK_BANNED.get(framework, []), *map(normalise, extra)]
    return [n for n in dict.fromkeys(names) if n not in allowed_set]


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _matches(name: str, banned: list[str]) -> str | None:
    for ban in banned:
        if name == ban or name.startswith(ban + "."):
            return ban
    return None


def _defined_elsewhere(path: str, name: str, banned: list[str]) -> str | None:
    """A banned function reached through another module of its package (where it is defined,
    e.g. numpy._core.numeric.convolve for numpy.convolve): the ban it evades, if any."""
    for ban in banned:
        package, _, last = ban.rpartition(".")
        if package and name == last and path.startswith(package.split(".")[0] + "."):
            return ban
    return None


def check_source(source: str, filename: str, banned: list[str]) -> StaticProblem | None:
    """None when the file may run; else the first problem, worded for the student."""
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return StaticProblem(
            "syntax_error", f"the file is larger than {MAX_SOURCE_BYTES // 1024} KiB"
        )
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        text = (exc.text or "").rstrip()
        shown = f"\n    {text}" if text else ""
        return StaticProblem("syntax_error", f"{filename}, {where}: {exc.msg}{shown}", exc.lineno)
    except (ValueError, RecursionError, MemoryError) as exc:
        return StaticProblem("syntax_error", f"{filename}: cannot be parsed ({type(exc).__name__})")

    module_bans = [*banned, *UNIVERSAL_BANNED]
    methods = {b.rsplit(".", 1)[1] for b in banned if ".Tensor." in b}
    aliases: dict[str, str] = {}

    def problem(name: str, node: ast.AST) -> StaticProblem:
        ban = _matches(name, module_bans) or name
        reason = WHY.get(ban) or WHY.get(f"torch.{ban}") or "it is not allowed in this exercise"
        line = getattr(node, "lineno", None)
        return StaticProblem("banned_call", f"line {line}: {name} is banned: {reason}", line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _matches(alias.name, module_bans):
                    return problem(alias.name, node)
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 0 and _matches(base, module_bans):
                return problem(base, node)
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                if node.level == 0 and _matches(full, module_bans):
                    return problem(full, node)
                # from torch.nn.modules.activation import MultiheadAttention
                if ban := _defined_elsewhere(base, alias.name, banned):
                    return problem(ban, node)
                aliases[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                full = aliases.get(head, ALIASES.get(head, head)) + (f".{rest}" if rest else "")
                if _matches(full, banned):
                    return problem(full, node)
                if ban := _defined_elsewhere(full, node.attr, banned):  # numpy._core.numeric
                    return problem(ban, node)
            if node.attr in methods:
                return problem(f"Tensor.{node.attr}", node)
        elif isinstance(node, ast.Name) and node.id in BANNED_BUILTINS:
            return problem(node.id, node)
        elif (
            isinstance(node, ast.Name) and node.id in aliases and _matches(aliases[node.id], banned)
        ):
            return problem(aliases[node.id], node)
    return None
