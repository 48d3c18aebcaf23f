"""The mutants of a reference: every operator at every place, and a few mistakes made together.

`generate(source)` parses the reference (trusted code; nothing is run here), visits each node
with what the operators need to know about it, and makes one mutant per (place, mistake). The
same mistake made at every place it can be made (`axis=-1` → `axis=-2` in the max and in the sum
of a softmax: the softmax over another axis), and one size written for others on one line (a
window taken as `stride` rows and `stride` columns), are mutants too: students make a mistake
consistently more often than once.

Each mutant has a stable id: its family and where it is (`axis@17:40/axis=-2`), the same for the
same reference. An exercise names mutants by id to declare them equivalent or to give one its
own hint (docs/exercise-format.md#mutants).
"""

from __future__ import annotations

import ast
import copy
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graders.mutation import operators as ops
from graders.mutation.names import Names, analyse, initialiser, members_of

PathStep = tuple[str, int | None]
Path = tuple[PathStep, ...]
MAX_ID_LABEL = 24  # characters of the "after" text kept in an id


@dataclass(frozen=True)
class Site:
    """One change: where (1-based line and column in the reference) and what became what."""

    line: int
    col: int
    before: str
    after: str


@dataclass(frozen=True)
class Mutant:
    id: str
    family: str
    sites: tuple[Site, ...]
    source: str

    @property
    def description(self) -> str:
        """`axis=-1` → `axis=-2` in line 23 (the reference's own text: for authors only)."""
        changes = dict.fromkeys(f"`{s.before}` → `{s.after}`" for s in self.sites)
        lines = sorted({s.line for s in self.sites})
        where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
        return f"{'; '.join(changes)} in {where}"


@dataclass
class _Edit:
    family: str
    path: Path
    new: ast.AST | list[ast.stmt]
    site: Site

    @property
    def combinable(self) -> bool:
        return not isinstance(self.new, list)


@dataclass
class _Visit:
    """The state of the walk: the current function's names and the edits found so far."""

    torch: bool
    sigmoid: str | None
    names: Names
    edits: list[_Edit] = field(default_factory=list)
    windows: set[int] = field(default_factory=set)  # id() of names that are a slice's width
    owners: set[int] = field(default_factory=set)  # id() of names whose .shape is read


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _children(node: ast.AST) -> Iterator[tuple[str, int | None, ast.AST]]:
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield name, i, item
        elif isinstance(value, ast.AST):
            yield name, None, value


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


SKIPPED_FIELDS = frozenset({"annotation", "returns", "decorator_list", "defaults", "kw_defaults"})
KEYWORD_AREAS = ops.AXIS_KEYWORDS | ops.KEEPDIMS_KEYWORDS | {"dtype", "axes", "indexing", "ddof"}


def _child_area(parent: ast.AST, name: str, index: int | None, area: str) -> str:
    """The area of a child: index plumbing stays plumbing; a call's arguments take the call's."""
    if isinstance(parent, ast.Subscript) and name == "slice":
        return "slice"
    if isinstance(parent, ast.Call) and name in ("args", "keywords"):
        # np.zeros(...), x.reshape(...), range(...); not a function of the reference's own
        # that happens to share a name (a `split` of heads is no np.split).
        called = ops.call_name(parent)
        if isinstance(parent.func, ast.Name) and called not in ops.RANGES:
            called = ""
        if called in ops.RANGES:
            return "range"
        if called == "at" and name == "args" and index == 2:
            return area  # np.add.at(array, index, values): the values are values
        if called in ops.STRUCTURAL:
            return "shape"
    if isinstance(parent, ast.keyword) and parent.arg in KEYWORD_AREAS:
        return "keyword"
    return area


def _walk(node: ast.AST, path: Path, area: str, visit: _Visit) -> None:
    where = ops.Where(visit.names, area, visit.torch, visit.sigmoid)
    for family, new, label in _expression_mutants(node, where, visit):
        before, after = label or (ast.unparse(node), ast.unparse(new))
        site = Site(node.lineno, node.col_offset + 1, _short(before), _short(after))
        visit.edits.append(_Edit(family, path, new, site))
    if isinstance(node, ast.Slice):
        upper = node.upper
        if (
            node.lower is not None
            and isinstance(upper, ast.BinOp)
            and isinstance(upper.op, ast.Add)
            and ast.unparse(upper.left) == ast.unparse(node.lower)
        ):
            visit.windows.add(id(upper.right))
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        visit.owners.add(id(node.value))
    if isinstance(node, ast.UnaryOp) and ops.number(node) is not None:
        return  # `-1` is one number: its `1` is not mutated again
    method = visit.names.members is not None
    for name, index, child in _children(node):
        if name in SKIPPED_FIELDS or isinstance(child, ast.Import | ast.ImportFrom):
            continue
        if _is_docstring(child) or (method and _initialising(node, name, child, visit.names)):
            continue
        child_path = (*path, (name, index))
        if isinstance(child, ast.stmt):
            _statement(child, child_path, visit)
        # A top-level function, or a method of a top-level class (an nn.Module exercise's).
        in_class = isinstance(node, ast.ClassDef) and len(path) == 1
        if isinstance(child, ast.FunctionDef) and (not path or in_class):
            outer = visit.names
            members = members_of(node) if isinstance(node, ast.ClassDef) else None
            visit.names = analyse(child, members)
            _walk(child, child_path, "value", visit)
            visit.names = outer
            continue
        _walk(child, child_path, _child_area(node, name, index, area), visit)


def _initialising(parent: ast.AST, name: str, child: ast.AST, names: Names) -> bool:
    """A parameter's initial values in a method (`uniform_(-bound, bound)`, `bound = ...`):
    never mutated, since the grader loads the reference's values into every module it runs
    (graders/modules.py) and no case could tell such a mutant apart."""
    if initialiser(parent) and name in ("args", "keywords"):
        return True
    return (
        isinstance(child, ast.Assign)
        and all(isinstance(t, ast.Name) and t.id in names.init_only for t in child.targets)
    )


def _expression_mutants(node: ast.AST, where: ops.Where, visit: _Visit) -> list[ops.Replacement]:
    if ops.is_neg_inf(node):
        return ops.constant_mutants(node, where)
    if isinstance(node, ast.Call):
        return ops.call_mutants(node, where) + ops.range_mutants(node)
    if isinstance(node, ast.BinOp):
        return ops.binop_mutants(node, where)
    if isinstance(node, ast.UnaryOp):
        if ops.number(node) is not None:
            return ops.constant_mutants(node, where)
        return ops.unary_mutants(node, where)
    if isinstance(node, ast.Compare):
        return ops.compare_mutants(node, where)
    if isinstance(node, ast.Constant):
        return ops.constant_mutants(node, where)
    if isinstance(node, ast.Slice):
        return ops.slice_mutants(node)
    if isinstance(node, ast.Subscript):
        return ops.shape_mutants(node, where)
    if isinstance(node, ast.Attribute):
        return ops.attribute_mutants(node)
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        if id(node) in visit.owners:  # x.shape: the sizes of another array
            return ops.owner_mutants(node, where)
        window = id(node) in visit.windows
        return ops.name_mutants(node, where, window) + ops.flip_mutants(node, where)
    return []


def _statement(stmt: ast.stmt, path: Path, visit: _Visit) -> None:
    where = ops.Where(visit.names, "value", visit.torch, visit.sigmoid)
    for family, new in ops.statement_mutants(stmt, where):
        shown = ast.fix_missing_locations(ast.Module(copy.deepcopy(new), []))
        after = ast.unparse(shown).replace("\n", "; ") if new else "(left out)"
        site = Site(stmt.lineno, stmt.col_offset + 1, _short(ast.unparse(stmt)), _short(after))
        visit.edits.append(_Edit(family, path, new or [ast.Pass()], site))


# -- masks applied after the softmax --------------------------------------------------------------


def _mask_order_edits(tree: ast.Module, visit: _Visit) -> None:
    """The masking of the scores moved after the softmax: after each later assignment of the
    block (the weights zeroed where blocked, renormalised or not), or around an inline softmax
    call. Made on whole blocks, since a statement leaves one place and goes to another."""
    for owner_path, _, name, block in _blocks(tree, ()):
        for i, stmt in enumerate(block):
            if isinstance(stmt, ast.If) and len(stmt.body) == 1 and _masking(stmt.body[0]):
                guard: ast.expr | None = stmt.test
                masking = stmt.body[0]
            elif _masking(stmt):
                guard, masking = None, stmt
            else:
                continue
            for after in range(i + 1, len(block)):
                for new_block, label in _moved(block, i, after, masking, guard, visit):
                    site = Site(masking.lineno, masking.col_offset + 1,
                                _short(ast.unparse(masking)), _short(label))  # fmt: skip
                    visit.edits.append(
                        _Edit("mask-order", (*owner_path, (name, None)), new_block, site)
                    )


def _blocks(node: ast.AST, path: Path) -> Iterator[tuple[Path, ast.AST, str, list[ast.stmt]]]:
    """Every list of statements (a body, an else branch...) under `node`, with where it is."""
    for name, value in ast.iter_fields(node):
        if not isinstance(value, list):
            continue
        if value and all(isinstance(v, ast.stmt) for v in value):
            yield path, node, name, value
        for i, item in enumerate(value):
            if isinstance(item, ast.stmt | ast.excepthandler):
                yield from _blocks(item, (*path, (name, i)))


def _masking(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and ops.is_masking(stmt.value)
    )


def _zeroed(masking: ast.Assign, value: ast.expr, torch: bool) -> ast.expr:
    """`value` with the blocked positions set to 0, the way `masking` blocks them."""
    call = masking.value
    assert isinstance(call, ast.Call)
    if ops.call_name(call) == "masked_fill":
        func = ast.Attribute(value, "masked_fill", ast.Load())
        return ast.Call(func, [copy.deepcopy(call.args[0]), ast.Constant(0.0)], [])
    condition = copy.deepcopy(call.args[0])
    fill_first = ops.is_neg_inf(call.args[1])  # where(blocked, -inf, s) or where(allowed, s, -inf)
    pair = [ast.Constant(0.0), value] if fill_first else [value, ast.Constant(0.0)]
    lib = "torch" if torch else "np"
    return ast.Call(ast.Attribute(ast.Name(lib, ast.Load()), "where", ast.Load()),
                    [condition, *pair], [])  # fmt: skip


def _renormalised(value: ast.expr, softmax: ast.Call, torch: bool) -> ast.expr:
    axis = next((kw for kw in softmax.keywords if kw.arg in ops.AXIS_KEYWORDS), None)
    axis_value = copy.deepcopy(axis.value) if axis is not None else ast.Constant(-1)
    keywords = [
        ast.keyword("dim" if torch else "axis", axis_value),
        ast.keyword("keepdim" if torch else "keepdims", ast.Constant(True)),
    ]
    total = ast.Call(ast.Attribute(copy.deepcopy(value), "sum", ast.Load()), [], keywords)
    return ast.BinOp(value, ast.Div(), total)


def _guarded(stmt: ast.stmt, guard: ast.expr | None) -> ast.stmt:
    return stmt if guard is None else ast.If(copy.deepcopy(guard), [stmt], [])


def _moved(
    block: list[ast.stmt],
    i: int,
    after: int,
    masking: ast.stmt,
    guard: ast.expr | None,
    visit: _Visit,
) -> Iterator[tuple[list[ast.stmt], str]]:
    assert isinstance(masking, ast.Assign)
    target = masking.targets[0]
    assert isinstance(target, ast.Name)
    later = block[after]
    rest = [copy.deepcopy(s) for j, s in enumerate(block) if j != i]
    at = after - 1  # its index once the masking is gone
    assigned = None
    if isinstance(later, ast.Assign) and len(later.targets) == 1:
        assigned = later.targets[0]
    elif isinstance(later, ast.AugAssign):
        assigned = later.target
    if isinstance(assigned, ast.Name):
        name = assigned.id
        zero = ast.Assign([ast.Name(name, ast.Store())],
                          _zeroed(masking, ast.Name(name, ast.Load()), visit.torch))  # fmt: skip
        label = f"{name} masked after line {later.lineno}"
        yield [*rest[: at + 1], _guarded(zero, guard), *rest[at + 1 :]], label
    for node in ast.walk(later):
        if (
            isinstance(node, ast.Call)
            and ops.call_name(node) == "softmax"
            and any(isinstance(a, ast.Name) and a.id == target.id for a in node.args)
        ):
            for renormalise in (False, True):
                moved = copy.deepcopy(later)
                for inner in ast.walk(moved):
                    for name, index, child in list(_children(inner)):
                        if ast.dump(child) == ast.dump(node):
                            new: ast.expr = _zeroed(masking, copy.deepcopy(node), visit.torch)
                            if renormalise:
                                new = _renormalised(new, node, visit.torch)
                            if guard is not None:
                                new = ast.IfExp(copy.deepcopy(guard), new, copy.deepcopy(node))
                            if index is None:
                                setattr(inner, name, new)
                            else:
                                getattr(inner, name)[index] = new
                label = "softmax masked after" + (", renormalised" if renormalise else "")
                yield [*rest[:at], moved, *rest[at + 1 :]], label
            break


# -- making the mutants -------------------------------------------------------------------------


def _apply(tree: ast.Module, edits: list[_Edit]) -> str | None:
    """The source of `tree` with `edits` made, or None if it is no valid code. The edits are
    made in place and undone after unparsing: copying the whole tree for each of hundreds of
    mutants costs seconds."""
    undo: list[tuple[ast.AST, str, int | None, Any, int]] = []
    try:
        for edit in edits:
            parent: ast.AST = tree
            for name, index in edit.path[:-1]:
                parent = getattr(parent, name) if index is None else getattr(parent, name)[index]
            name, index = edit.path[-1]
            new = copy.deepcopy(edit.new)
            for node in new if isinstance(new, list) else [new]:
                ast.fix_missing_locations(node)
            if index is None:
                undo.append((parent, name, None, getattr(parent, name), 0))
                setattr(parent, name, new)
            elif isinstance(new, list):
                items = getattr(parent, name)
                undo.append((parent, name, index, items[index], len(new)))
                items[index : index + 1] = new
            else:
                items = getattr(parent, name)
                undo.append((parent, name, index, items[index], 1))
                items[index] = new
        source = ast.unparse(tree)
        ast.parse(source)
    except (SyntaxError, ValueError, TypeError, AttributeError):
        return None
    finally:
        for parent, name, index, old, size in reversed(undo):
            if index is None:
                setattr(parent, name, old)
            else:
                getattr(parent, name)[index : index + size] = [old]
    return source


def _disjoint(edits: list[_Edit]) -> bool:
    """No edit inside another, none twice at one place: then they can be made together."""
    paths = sorted(e.path for e in edits)
    return all(b[: len(a)] != a for a, b in itertools.pairwise(paths))


def _compact(text: str) -> str:
    return "".join(text.split())


# Families whose mistakes come in pairs on one line: both sides of a window or a crop.
LINE_GROUPS = frozenset({"dimension", "slice-from-end"})


def _groups(edits: list[_Edit]) -> list[tuple[str, list[_Edit]]]:
    """Mistakes made together, with their family: the same change everywhere it can be made;
    one size written for others on one line (a window of `stride` x `stride`), and everywhere;
    both sides of a crop as `a:-a`; one argument used for another everywhere, its sizes
    included."""
    single = [e for e in edits if e.combinable]
    keyed: dict[tuple[str, ...], list[_Edit]] = defaultdict(list)
    for e in single:
        keyed[("same", e.family, e.site.before, e.site.after)].append(e)
        if e.family in LINE_GROUPS:
            keyed[("line", e.family, str(e.site.line), e.site.after)].append(e)
        if e.family == "dimension":
            keyed[("all", e.family, e.site.after)].append(e)
        swap = _swap(e)
        if swap is not None:  # an argument for another, its sizes included (`x_kv` -> `x_q`)
            keyed[("swap", "variable", *swap)].append(e)
    groups: list[tuple[str, list[_Edit]]] = []
    seen: set[tuple[tuple[Path, str], ...]] = set()
    for key, members in keyed.items():
        if len(members) < 2:
            continue
        if key[0] != "same" and len({m.site.before for m in members}) < 2:
            continue  # the same as the "same change everywhere" group
        made = tuple(sorted((m.path, m.site.after) for m in members))
        if made in seen or not _disjoint(members):
            continue
        seen.add(made)
        groups.append((key[1], members))
    return groups


def _swap(edit: _Edit) -> tuple[str, str] | None:
    """The (argument, stand-in) of an edit that uses one array argument for another: `x` for
    `dout`, or `x.shape` for `dout.shape`."""
    if edit.family == "variable":
        return edit.site.before, edit.site.after
    before, after = edit.site.before, edit.site.after
    if edit.family == "dimension" and before.endswith(".shape") and after.endswith(".shape"):
        return before.removesuffix(".shape"), after.removesuffix(".shape")
    return None


def _mutant_id(family: str, sites: list[Site], label: str) -> str:
    where = "+".join(f"{s.line}:{s.col}" for s in sites)
    return f"{family}@{where}" + (f"/{label}" if label else "")


def _unwritten_is_nan(tree: ast.Module) -> None:
    """`np.empty(...)` becomes `np.full(..., np.nan)` in every mutant: an entry a mutant never
    writes then reads NaN, as garbage should. Left as it is, it would hold whatever the freed
    memory held, often the reference's own output computed just before in the same child, and a
    mutant that skips a row would pass."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if ast.unparse(node.func) not in ("np.empty", "np.empty_like", "numpy.empty"):
            continue
        dtypes = [ast.unparse(k.value) for k in node.keywords if k.arg == "dtype"]
        dtypes += [ast.unparse(a) for a in node.args[1:2]]
        if not node.args or any("float" not in d for d in dtypes):
            continue
        node.func.attr = node.func.attr.replace("empty", "full")
        nan = ast.Attribute(ast.Name("np", ast.Load()), "nan", ast.Load())
        node.args.insert(1, ast.copy_location(nan, node))


def generate(source: str) -> list[Mutant]:
    """Every mutant of `source`, in a stable order, none of them the same code as another or as
    the reference itself."""
    tree = ast.parse(source)
    _unwritten_is_nan(tree)
    torch = any(
        isinstance(n, ast.Import) and any(a.name == "torch" for a in n.names)
        for n in ast.walk(tree)
    )
    sigmoid = next(
        (
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and "sigmoid" in n.name and len(n.args.args) == 1
        ),
        None,
    )
    visit = _Visit(torch=torch, sigmoid=sigmoid, names=analyse(tree))
    _walk(tree, (), "value", visit)
    _mask_order_edits(tree, visit)

    by_place: dict[tuple[str, int, int], list[_Edit]] = defaultdict(list)
    for e in visit.edits:
        by_place[(e.family, e.site.line, e.site.col)].append(e)
    candidates: list[tuple[str, str, list[_Edit]]] = []
    for (family, _, _), edits in by_place.items():
        for k, e in enumerate(edits, start=1):
            label = ""
            if len(edits) > 1:
                after = _compact(e.site.after)
                label = after if len(after) <= MAX_ID_LABEL else str(k)
            candidates.append((_mutant_id(family, [e.site], label), family, [e]))
    for family, members in _groups(visit.edits):
        after = {_compact(m.site.after) for m in members}
        label = next(iter(after)) if len(after) == 1 else ""
        label = label if len(label) <= MAX_ID_LABEL else ""
        candidates.append(
            (_mutant_id(family, [m.site for m in members], label), family, members)
        )

    reference = ast.unparse(tree)
    seen = {reference}
    ids: set[str] = set()
    mutants = []
    for mutant_id, family, edits in candidates:
        made = _apply(tree, edits)
        if made is None or made in seen or mutant_id in ids:
            continue
        seen.add(made)
        ids.add(mutant_id)
        mutants.append(Mutant(mutant_id, family, tuple(e.site for e in edits), made))
    return mutants
