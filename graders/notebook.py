"""Grading a function from a Jupyter notebook: `check("conv2d-backward", conv2d_backward)`.

The function object is turned back into a file: its source (inspect), and what it uses from the
notebook, found by reading its code (ast, and the names its bytecode loads): the modules it
uses (`import numpy as np`), library functions imported by name, helper functions defined in
the notebook (their source, and what they use in turn) and plain constants (`EPS = 1e-8`).
Anything else it reads from the notebook (an array, a model, a function nested in another) is
state that the grader cannot receive: `check` says which name and what to do, rather than
shipping a file that fails on the site with a NameError.

That file is graded like any other: offline against a student bundle (graders/bundle.py: the
argument `bundle=`, else $DEEPGRADE_BUNDLE, else the bundle the notebook sits in), or on the
site (`remote=`, graders/remote.py) as a practice run; `submit(...)` makes it a graded
submission. The result shows as HTML in Jupyter (`_repr_html_`: the verdict, a row per case, the
hints, the map of wrong values for visible cases) and as text anywhere else.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import contextlib
import html
import importlib.util
import inspect
import io
import os
import signal
import sys
import sysconfig
import textwrap
import threading
import types
from dataclasses import dataclass, field
from typing import Any

from graders import bundle as bundles
from graders import remote as remote_module
from graders.report import Report, Verdict
from graders.sandbox.controller import SandboxUnavailable

SHIPPED_HEADER = "# Shipped by graders.notebook from your notebook: {name}, and what it uses.\n"
LITERALS = (int, float, complex, str, bytes, bool, type(None))


class ShippingError(Exception):
    """The function cannot be sent to the grader as it is; the message says why and what to do."""


# -- from a function object to a file ----------------------------------------------------------


def _library_dirs() -> list[str]:
    """Where installed modules live: a module from there is imported by the grader too; one
    from anywhere else (a .py beside the notebook) is the student's and must be shipped."""
    dirs = set()
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            path = sysconfig.get_path(key, vars={"base": prefix, "platbase": prefix})
            if path:
                dirs.add(os.path.realpath(path))
    dirs.update(os.path.realpath(p) for p in sys.path if p and "site-packages" in p)
    return sorted(dirs)


def _is_library(module: types.ModuleType | None) -> bool:
    if module is None:
        return False
    filename = getattr(module, "__file__", None)
    if filename is None:  # built-in modules (sys, math on some builds)
        return module.__name__ != "__main__"
    path = os.path.realpath(filename)
    return any(path.startswith(d.rstrip("/") + "/") for d in _library_dirs())


def _code_names(code: types.CodeType) -> set[str]:
    """Every name the code and its nested code objects load by name (globals, attributes)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _definition_time_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the `def` statement itself evaluates: decorators, defaults, annotations."""
    parts: list[ast.AST] = [*node.decorator_list, *node.args.defaults]
    parts += [d for d in node.args.kw_defaults if d is not None]
    args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    args += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
    parts += [a.annotation for a in args if a.annotation is not None]
    if node.returns is not None:
        parts.append(node.returns)
    return {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}


def _literal(value: Any) -> str | None:
    """`value` as Python source, if it is a plain constant that reads back equal."""
    allowed = (*LITERALS, tuple, list, dict, set, frozenset)
    if not isinstance(value, allowed):
        return None
    text = repr(value)
    try:
        return text if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


@dataclass
class _Shipment:
    """What a function needs from the notebook, collected in the order a file must hold it."""

    imports: dict[str, str] = field(default_factory=dict)  # name -> import line
    constants: dict[str, str] = field(default_factory=dict)  # name -> assignment
    definitions: dict[str, str] = field(default_factory=dict)  # function name -> source
    aliases: dict[str, str] = field(default_factory=dict)  # name -> the function it names
    visiting: set[int] = field(default_factory=set)

    def add_function(self, fn: types.FunctionType, used_as: str, by: str | None) -> None:
        name = fn.__name__
        if name in self.definitions or id(fn) in self.visiting:
            if used_as != name:
                self.aliases[used_as] = name
            return
        who = f"{by} uses {used_as}, which" if by else used_as
        if name == "<lambda>":
            raise ShippingError(
                f"{who} is a lambda: define it with def, in a cell of its own, and pass that"
            )
        if fn.__closure__:
            outer = ", ".join(fn.__code__.co_freevars)
            raise ShippingError(
                f"{who} is defined inside another function and uses its variables ({outer}): "
                "define it at the top level of a cell, and pass what it needs as arguments"
            )
        try:
            source = textwrap.dedent(inspect.getsource(fn))
            tree = ast.parse(source)
        except (OSError, TypeError, SyntaxError, IndentationError):
            raise ShippingError(
                f"the source of {name} cannot be found: run the cell that defines it again, "
                "then check again"
            ) from None
        node = next(
            (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None
        )
        if node is None or node.name != name:
            raise ShippingError(
                f"the source of {name} does not start with `def {name}(`: define it with def"
            )
        self.visiting.add(id(fn))
        loaded = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        needed = loaded & (_code_names(fn.__code__) | _definition_time_names(node))
        for used in sorted(needed, key=lambda n: source.find(n)):
            self.add_name(used, fn.__globals__, by=name)
        # After what it uses: a decorator or a default value is evaluated when `def` runs.
        self.definitions[name] = source.rstrip() + "\n"
        if used_as != name:
            self.aliases[used_as] = name

    def add_name(self, name: str, scope: dict[str, Any], by: str) -> None:
        if name in self.imports or name in self.constants or name in self.definitions:
            return
        if name not in scope:
            # A builtin, or a name the notebook does not define (yet): the grader's report
            # says NameError, as it would for a file.
            return
        value = scope[name]
        if name in vars(builtins) and value is vars(builtins)[name]:
            return
        if isinstance(value, types.ModuleType):
            if not _is_library(value):
                raise ShippingError(
                    f"{by} uses {name}, your own module {value.__name__!r}, which the grader "
                    f"cannot import: import the functions you need from it by name "
                    f"(from {value.__name__} import ...), and they are sent with yours"
                )
            module = value.__name__
            line = f"import {module}" if module == name else f"import {module} as {name}"
            self.imports[name] = line
            return
        if isinstance(value, types.FunctionType):
            module = sys.modules.get(value.__module__ or "")
            if _is_library(module) and getattr(module, value.__name__, None) is value:
                self.imports[name] = _from_import(value.__module__, value.__name__, name)
                return
            self.add_function(value, name, by)
            return
        literal = _literal(value)
        if literal is not None:
            self.constants[name] = f"{name} = {literal}"
            return
        importable = _importable_from(value)
        if importable is not None:
            self.imports[name] = _from_import(importable, value.__name__, name)
            return
        kind = type(value).__module__ + "." + type(value).__qualname__
        kind = kind.removeprefix("builtins.")
        what = "a class defined in your notebook" if isinstance(value, type) else f"a {kind}"
        raise ShippingError(
            f"{by} uses {name}, {what} from your notebook's state, which cannot be sent to the "
            f"grader: create it inside {by}, or pass it as an argument (the grader calls your "
            "function with the exercise's arguments only)"
        )

    def render(self, entry_point: str, name: str) -> str:
        parts = [SHIPPED_HEADER.format(name=name)]
        if self.imports:
            parts.append("\n".join(self.imports.values()) + "\n")
        if self.constants:
            parts.append("\n".join(self.constants.values()) + "\n")
        parts += self.definitions.values()
        aliases = dict(self.aliases)
        if name != entry_point:
            aliases[entry_point] = name
        if aliases:
            parts.append("\n".join(f"{a} = {b}" for a, b in aliases.items()) + "\n")
        return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def _from_import(module: str, attribute: str, name: str) -> str:
    if attribute == name:
        return f"from {module} import {attribute}"
    return f"from {module} import {attribute} as {name}"


def _importable_from(value: Any) -> str | None:
    """The installed module `value` can be imported from by its name (a NumPy ufunc, a class of
    a library), or None."""
    attribute = getattr(value, "__name__", None)
    if not isinstance(attribute, str):
        return None
    own = getattr(value, "__module__", None) or ""
    # A C module's public face first: functools.reduce says it is _functools'.
    candidates = [own.lstrip("_"), own, "numpy", "math", "torch"]
    for module_name in candidates:
        module = sys.modules.get(module_name or "")
        if _is_library(module) and getattr(module, attribute, None) is value:
            return module.__name__  # type: ignore[union-attr]
    return None


def extract_source(fn: Any, entry_point: str | None = None) -> str:
    """A file defining `fn` (as `entry_point`, if given) with what it uses from its module."""
    if isinstance(fn, str):
        raise ShippingError("give the function itself (check(slug, my_function)), not a string")
    if not isinstance(fn, types.FunctionType):
        raise ShippingError(
            f'give a function defined with def, not {type(fn).__name__}: check("slug", my_function)'
        )
    shipment = _Shipment()
    shipment.add_function(fn, fn.__name__, None)
    return shipment.render(entry_point or fn.__name__, fn.__name__)


# -- the result --------------------------------------------------------------------------------

VERDICT_COLOURS = {Verdict.ACCEPTED: "#1a7f37", Verdict.PARTIALLY_ACCEPTED: "#9a6700"}


@dataclass
class Result:
    """A report (or why there is none), shown as HTML in Jupyter and as text elsewhere."""

    slug: str
    report: Report | None = None
    title: str = ""
    where: str = ""  # "offline, bundle …" or the site's submission page
    notes: list[str] = field(default_factory=list)
    source: str = ""
    problem: str = ""  # why nothing was graded

    @property
    def verdict(self) -> Verdict | None:
        return self.report.verdict if self.report else None

    @property
    def accepted(self) -> bool:
        return self.report is not None and self.report.accepted

    def __bool__(self) -> bool:
        return self.accepted

    # text, for a terminal or a plain Python console
    def __str__(self) -> str:
        if self.report is None:
            return f"{self.slug}: not graded. {self.problem}"
        from graders.cli import Style, print_report

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            print_report(self.report, self.title or self.slug, Style(None))
        lines = [out.getvalue().rstrip("\n")]
        lines += [f"  note: {note}" for note in self.notes]
        if self.where:
            lines.append(f"  ({self.where})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    # HTML, for Jupyter
    def _repr_html_(self) -> str:
        e = html.escape
        if self.report is None:
            return (
                '<div class="deepgrade-report" style="border-left:4px solid #cf222e;'
                f'padding:.4em .8em"><p><strong>{e(self.slug)}: not graded</strong></p>'
                f"<p>{e(self.problem)}</p></div>"
            )
        r = self.report
        colour = VERDICT_COLOURS.get(r.verdict, "#cf222e")
        parts = [
            f'<div class="deepgrade-report" data-verdict="{e(r.verdict.value)}" '
            f'style="border-left:4px solid {colour};padding:.4em .8em">',
            f'<p><strong style="color:{colour}" class="verdict">{e(r.verdict.label)}</strong>'
            f" &nbsp;score {r.score:g}/{r.max_score:g} &nbsp;·&nbsp; {e(self.title or self.slug)}"
            f" ({e(r.exercise)}, seed {r.seed})</p>",
        ]
        if r.message:
            parts.append(f"<p>{e(r.message)}</p>")
        if r.checks:
            parts.append(
                '<table><thead><tr><th style="text-align:left">Case</th>'
                '<th style="text-align:left">Result</th><th style="text-align:left">What</th>'
                "</tr></thead><tbody>"
            )
            parts += [_check_row(check) for check in r.checks]
            parts.append("</tbody></table>")
        if r.warnings:
            parts.append("<ul>" + "".join(f"<li>{e(w)}</li>" for w in r.warnings) + "</ul>")
        for note in self.notes:
            parts.append(f'<p style="color:#57606a">{e(note)}</p>')
        if self.where:
            parts.append(f'<p style="color:#57606a">{e(self.where)}</p>')
        if self.source:
            parts.append(
                "<details><summary>The file that was graded (line numbers refer to it)</summary>"
                f"<pre>{e(_numbered(self.source))}</pre></details>"
            )
        parts.append("</div>")
        return "".join(parts)


def _numbered(source: str) -> str:
    return "\n".join(f"{i:3} {line}" for i, line in enumerate(source.splitlines(), 1))


def _check_row(check: Any) -> str:
    e = html.escape
    mark = "✓ passed" if check.passed else "✗ failed"
    colour = "#1a7f37" if check.passed else "#cf222e"
    name = e(check.name) + ("" if check.visible else " <em>(hidden)</em>")
    what = "" if check.passed else e(check.message).replace("\n", "<br>")
    if check.hint:
        what += f'<br><strong>Hint:</strong> <span class="hint">{e(check.hint)}</span>'
    mask = check.details.get("wrong_mask") if check.visible and not check.passed else None
    if isinstance(mask, list) and mask:
        what += _heatmap(mask)
    if check.stdout:
        what += f"<details><summary>Printed output</summary><pre>{e(check.stdout)}</pre></details>"
    return (
        f'<tr style="vertical-align:top"><td style="text-align:left">{name}</td>'
        f'<td style="text-align:left;color:{colour}">{mark}</td>'
        f'<td style="text-align:left">{what}</td></tr>'
    )


def _heatmap(mask: list[Any]) -> str:
    """The wrong positions of a small output (1-D or 2-D), red, as the site's report draws them."""
    rows = [row if isinstance(row, list) else [row] for row in mask]
    wrong = sum(bool(v) for row in rows for v in row)
    size = sum(len(row) for row in rows)
    cells = "".join(
        "<tr>"
        + "".join(
            f'<td title="[{i}, {j}] {"wrong" if v else "right"}" style="width:10px;height:10px;'
            f'padding:0;border:1px solid #fff;background:{"#cf222e" if v else "#aceebb"}"></td>'
            for j, v in enumerate(row)
        )
        + "</tr>"
        for i, row in enumerate(rows)
    )
    return (
        '<figure class="heatmap" style="margin:.4em 0"><table style="border-collapse:collapse">'
        f"{cells}</table><figcaption>Where your output differs from the expected one: {wrong} of "
        f"{size} values wrong (red).</figcaption></figure>"
    )


# -- check and submit --------------------------------------------------------------------------

_grader: Any = None
_grader_lock = threading.Lock()


def _offline_grader() -> Any:
    """One grader for the kernel's life: its sandboxes start on the first check, not each."""
    global _grader
    with _grader_lock:
        if _grader is None:
            from graders.engine import Grader

            _grader = Grader()
            atexit.register(_grader.close)
        return _grader


def _start_ignoring_interrupts(sandbox: Any) -> None:
    """Start a zygote that ignores SIGINT. Jupyter interrupts (and shuts down) a kernel with a
    SIGINT to its process group, which would kill the kernel's zygotes with a traceback in the
    server's log; a zygote started while SIGINT is ignored keeps ignoring it (exec keeps an
    ignored signal ignored, and Python then installs no handler), and still dies with the
    kernel (graders/sandbox/zygote.py)."""
    if sandbox.pid is not None or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with contextlib.suppress(SandboxUnavailable):  # grading says so, in the report
            sandbox.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def _bundle_or_none(path: str | os.PathLike[str] | None) -> bundles.Bundle | None:
    where = bundles.find(path)
    if where is None:
        return None
    return bundles.load(where)


def check(
    slug: str,
    fn: Any,
    *,
    bundle: str | os.PathLike[str] | None = None,
    remote: str | bool | None = None,
    token: str | None = None,
    visible_only: bool = False,
) -> Result:
    """Grade `fn` (a function) for the exercise `slug`, as practice.

    Offline against a bundle (`bundle=`, $DEEPGRADE_BUNDLE, or the bundle this notebook is in)
    unless `remote` is given: a site address, or True for $DEEPGRADE_URL or the site the bundle
    came from; the site then runs a practice run (`visible_only=True`: the visible cases alone).
    For a math exercise, pass your answer as a string, with `remote`.
    """
    return _grade(slug, fn, bundle=bundle, remote=remote, token=token, visible_only=visible_only)


def submit(
    slug: str,
    fn: Any,
    *,
    remote: str | bool | None = True,
    token: str | None = None,
    course: str | None = None,
    bundle: str | os.PathLike[str] | None = None,
) -> Result:
    """Send `fn` (or a math answer) to the site as a **graded** submission: it counts as an
    attempt, with the assignment's deadline and attempts. Needs an API token (`token=`,
    $DEEPGRADE_TOKEN, or ~/.config/deepgrade/token) and the site (`remote=`, $DEEPGRADE_URL,
    or the site the bundle came from); `course=` when two of your courses assign it."""
    return _grade(slug, fn, bundle=bundle, remote=remote, token=token, graded=True, course=course)


def _grade(
    slug: str,
    fn: Any,
    *,
    bundle: str | os.PathLike[str] | None,
    remote: str | bool | None,
    token: str | None,
    visible_only: bool = False,
    graded: bool = False,
    course: str | None = None,
) -> Result:
    try:
        found = _bundle_or_none(bundle)
        url = _site(remote, found, graded)
        if url is None:
            if found is None:
                raise bundles.BundleError(
                    'no bundle found: pass bundle="path/to/bundle", set DEEPGRADE_BUNDLE, or '
                    "open this notebook from a bundle's notebooks/ folder; or grade on the site "
                    'with remote="https://your-site/"'
                )
            return _offline(slug, fn, found)
        return _online(
            slug, fn, url, token, visible_only=visible_only, graded=graded, course=course
        )
    except (ShippingError, bundles.BundleError) as exc:
        return Result(slug, problem=str(exc))
    except remote_module.RemoteError as exc:
        # A refusal is the site's word; a missing token or address is ours.
        said = f"the site answered: {exc.message}" if exc.status is not None else exc.message
        if exc.code == "practice_closed":
            said += " Here: check(..., visible_only=True), or submit(...) for a graded attempt."
        return Result(slug, problem=said)


def _site(remote: str | bool | None, found: bundles.Bundle | None, graded: bool) -> str | None:
    if isinstance(remote, str) and remote.strip():
        return remote.strip()
    if remote is False or (remote is None and not graded):
        return None
    url = os.environ.get(remote_module.URL_ENV, "").strip()
    if url:
        return url
    if found is not None and found.site:
        return found.site
    raise remote_module.RemoteError(
        f'which site? pass remote="https://your-site/" or set {remote_module.URL_ENV}'
    )


def _entry_point_of(slug: str, found: bundles.Bundle | None) -> str | None:
    if found is None:
        return None
    try:
        info = found.get(slug).info
    except bundles.BundleError:
        return None
    code = info.get("code")
    return str(code["entry_point"]) if isinstance(code, dict) else None


def _offline(slug: str, fn: Any, found: bundles.Bundle) -> Result:
    item = found.get(slug)
    if item.kind != "code":
        raise bundles.BundleError(
            f"{slug} is a math exercise: its answer is checked on the site: "
            f'check("{slug}", "your answer", remote=True)'
        )
    source = extract_source(fn, _entry_point_of(slug, found))
    grader = _offline_grader()
    framework = (item.info.get("code") or {}).get("framework", "numpy")
    if framework != "torch" or importlib.util.find_spec("torch") is not None:
        _start_ignoring_interrupts(grader.code.sandbox_for(framework))
    checked = bundles.grade(found, slug, source, grader)
    return Result(
        slug,
        checked.report,
        checked.title,
        where=f"offline, bundle {found.path}",
        notes=checked.notes,
        source=source,
    )


def _online(
    slug: str,
    fn: Any,
    url: str,
    token: str | None,
    *,
    visible_only: bool,
    graded: bool,
    course: str | None,
) -> Result:
    client = remote_module.Client(url, remote_module.find_token(token))
    exercise = client.exercise(slug, practice=not graded)
    if exercise.get("kind") == "code":
        content = extract_source(fn, exercise.get("entry_point"))
    elif isinstance(fn, str):
        content = fn
    else:
        raise ShippingError(f"{slug} is a math exercise: pass your answer as a string")
    answer = remote_module.check(
        url,
        client.token,
        slug,
        content,
        graded=graded,
        visible_only=visible_only,
        course=course,
        client=client,
        exercise=exercise,
    )
    mode = "graded submission" if graded else "practice run"
    notes = []
    if answer.submission.get("score_note"):
        notes.append(str(answer.submission["score_note"]))
    return Result(
        slug,
        answer.report,
        answer.title,
        where=f"{mode} on the site: {answer.page}",
        notes=notes,
        source=content if exercise.get("kind") == "code" else "",
    )
