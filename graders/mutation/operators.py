"""The mutation operators: each turns one node of a reference into the mistakes students make there.

Our own, small: the usual mutation tools (mutmut, cosmic-ray) change the operators of any Python
package and run its test suite on each mutant; the mistakes of numeric code are of another kind
(`axis=-1` for `axis=1`, a lost `keepdims`, `sqrt(d)` for `d`, a missing transpose, a slice bound
off by one, a mask applied after the softmax), and our "tests" are an instance's cases, run in the
sandbox (docs/architecture.md#mutants).

An operator takes a node and where it stands (`Where`) and returns (family, replacement, label)
triples (`Replacement`).
A family is what the hint names: every mutant of a family makes the same kind of mistake, so its
text (the exercise's or `graders.mutation.hints.DEFAULT_TEXTS`) is true of each of them.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from graders.mutation.names import (
    Names,
    call_name,
    is_int,
    is_scalar,
    is_shape,
    member,
    siblings,
)

# The families, in the order a hint prefers them when mutants of several explain a submission
# equally well: the most specific mistakes first.
FAMILIES = (
    "mask-order",
    "mask-polarity",
    "mask-ignored",
    "mask-fill",
    "slice-from-end",
    "axis",
    "keepdims",
    "scale",
    "transpose",
    "view-order",
    "dimension",
    "in-place",
    "reduction",
    "function",
    "comparison",
    "slice-bound",
    "range-bound",
    "sign",
    "drop-term",
    "drop-factor",
    "drop-call",
    "drop-layer",
    "variable",
    "operator",
    "power",
    "constant",
    "drop-step",
    "flip",
    "dtype",
)

AXIS_KEYWORDS = frozenset({"axis", "dim"})
KEEPDIMS_KEYWORDS = frozenset({"keepdims", "keepdim"})
# Reductions whose positional integer argument is an axis (`x.sum(1)`, `np.max(x, 0)`).
REDUCERS = frozenset(
    {"sum", "mean", "max", "min", "argmax", "argmin", "softmax", "log_softmax", "cumsum", "std",
     "var", "logsumexp", "amax", "amin", "prod", "norm"}
)  # fmt: skip
TRANSPOSERS = frozenset({"swapaxes", "transpose", "permute", "t", "swapdims"})
# Calls whose arguments are sizes, shapes or index plumbing: arithmetic mistakes there only
# crash; sizes in them are still swapped (`dimension`).
STRUCTURAL = frozenset(
    {"zeros", "ones", "empty", "full", "reshape", "view", "repeat", "tile", "pad", "divmod",
     "meshgrid", "broadcast_to", "expand", "einsum", "tensordot", "one_hot", "zeros_like",
     "ones_like", "empty_like", "full_like", "tril", "triu", "eye", "stack", "concatenate", "cat",
     "split", "chunk", "unfold", "flatten", "unsqueeze", "squeeze", "expand_dims", "at"}
) | TRANSPOSERS  # fmt: skip
RANGES = frozenset({"range", "arange"})
ELEMENTWISE = frozenset(
    {"tanh", "exp", "log", "abs", "sin", "cos", "log1p", "expm1", "relu", "gelu"}
)
VIEWS = frozenset({"view", "reshape"})
SQRT = frozenset({"sqrt"})
FLOAT64 = frozenset({"float64", "double"})
KERNEL_NAMES = frozenset({"w", "kernel", "weight", "filters", "filt"})
NEG_INF_TEXTS = frozenset(
    {"-np.inf", "-math.inf", "-torch.inf", "-numpy.inf", "float('-inf')", "-float('inf')",
     "np.NINF", "-np.infty"}
)  # fmt: skip

# (family, replacement, (before, after)): the label says the change in a few characters
# (`axis=-1`, `axis=-2`); empty, the replaced node and its replacement are unparsed instead.
Replacement = tuple[str, ast.AST, tuple[str, str] | None]


@dataclass(frozen=True)
class Where:
    """Where a node stands: its function's names, its area ("value" for arithmetic on values;
    "slice", "range", "shape" or "keyword" for index plumbing) and the module's framework."""

    names: Names
    area: str
    torch: bool
    sigmoid: str | None  # a module-level sigmoid helper's name, for the tanh <-> sigmoid mistake


def _module_call(node: ast.Call) -> bool:
    """`np.f(x, ...)` or `torch.f(x, ...)` (a function of a module), not `x.f(...)` (a method)."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("np", "numpy", "torch", "math", "F")
    )


def _const(value: object) -> ast.expr:
    if isinstance(value, int | float) and value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def number(node: ast.AST) -> int | float | None:
    """The value of a numeric constant (`-1` included), or None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = number(node.operand)
        return -inner if inner is not None else None
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    return None


def is_neg_inf(node: ast.AST) -> bool:
    """-inf or a stand-in for it (-1e9): the fill of blocked scores."""
    if not isinstance(node, ast.UnaryOp | ast.Call | ast.Attribute | ast.Constant):
        return False
    if isinstance(node, ast.Call) and call_name(node) != "float":
        return False
    text = ast.unparse(node).replace('"', "'")
    if text in NEG_INF_TEXTS:
        return True
    value = number(node)
    return value is not None and value <= -1e8


def _axis_alternatives(k: int) -> list[int]:
    """Neighbouring axes, on the same side of 0 (-1 and 2 may be the same axis of a 3-D array)."""
    if k >= 0:
        return [a for a in (k - 1, k + 1) if a >= 0]
    return [a for a in (k - 1, k + 1) if a < 0]


def _copy(node: ast.AST) -> ast.AST:
    return copy.deepcopy(node)


def _with_keywords(node: ast.Call, keywords: list[ast.keyword]) -> ast.Call:
    new = copy.copy(node)
    new.keywords = keywords
    return new


def _with_args(node: ast.Call, args: list[ast.expr]) -> ast.Call:
    new = copy.copy(node)
    new.args = args
    return new


# -- calls ----------------------------------------------------------------------------------------


def call_mutants(node: ast.Call, where: Where) -> list[Replacement]:
    out: list[Replacement] = []
    name = call_name(node)
    for i, kw in enumerate(node.keywords):
        rest = node.keywords[:i] + node.keywords[i + 1 :]
        said = f"{kw.arg}={ast.unparse(kw.value)}"

        def keyword(value: ast.expr, i: int = i, kw: ast.keyword = kw) -> ast.Call:
            others = node.keywords[:i] + node.keywords[i + 1 :]
            return _with_keywords(node, [*others[:i], ast.keyword(kw.arg, value), *others[i:]])

        if kw.arg in AXIS_KEYWORDS:
            out.append(("axis", _with_keywords(node, rest), (said, "no axis")))
            k = number(kw.value)
            if isinstance(k, int):
                for alt in _axis_alternatives(k):
                    out.append(("axis", keyword(_const(alt)), (said, f"{kw.arg}={alt}")))
            elif isinstance(kw.value, ast.Tuple) and len(kw.value.elts) > 1:
                for j in range(len(kw.value.elts)):
                    elts = kw.value.elts[:j] + kw.value.elts[j + 1 :]
                    fewer = ast.Tuple(elts=elts, ctx=ast.Load())
                    out.append(("axis", keyword(fewer), (said, f"{kw.arg}={ast.unparse(fewer)}")))
        elif kw.arg in KEEPDIMS_KEYWORDS:
            if isinstance(kw.value, ast.Constant) and kw.value.value is True:
                out.append(("keepdims", _with_keywords(node, rest), (said, f"no {kw.arg}")))
        elif kw.arg == "dtype" and ast.unparse(kw.value).split(".")[-1] in FLOAT64:
            text = ast.unparse(kw.value).replace("float64", "float32").replace("double", "float32")
            low = ast.parse(text, mode="eval").body
            out.append(("dtype", keyword(low), (said, f"dtype={text}")))
    if name in REDUCERS:
        first = 1 if _module_call(node) else 0
        for j, arg in enumerate(node.args[first:], start=first):
            k = number(arg)
            if isinstance(k, int):
                for alt in _axis_alternatives(k):
                    args = [*node.args[:j], _const(alt), *node.args[j + 1 :]]
                    label = (f"{name}(..., {k})", f"{name}(..., {alt})")
                    out.append(("axis", _with_args(node, args), label))
    if name in TRANSPOSERS and node.args:
        subject = node.args[0] if _module_call(node) else getattr(node.func, "value", None)
        if subject is not None:
            out.append(("transpose", _copy(subject), None))
    if name in SQRT and len(node.args) == 1:
        out.append(("scale", _copy(node.args[0]), None))
    if name in ELEMENTWISE and len(node.args) == 1 and _module_call(node):
        out.append(("drop-call", _copy(node.args[0]), None))
    if name == "astype" and node.args and ast.unparse(node.args[0]).split(".")[-1] in FLOAT64:
        low = ast.parse(ast.unparse(node.args[0]).replace("float64", "float32"), mode="eval").body
        out.append(("dtype", _with_args(node, [low, *node.args[1:]]), None))
    if name == "double" and isinstance(node.func, ast.Attribute) and not node.args:
        single = ast.Call(ast.Attribute(_copy(node.func.value), "float", ast.Load()), [], [])
        out.append(("dtype", single, None))
    if name == "where" and len(node.args) == 3:
        cond, a, b = node.args
        out.append(("mask-polarity", _with_args(node, [cond, b, a]), None))
    if name == "masked_fill" and len(node.args) == 2:
        cond = node.args[0]
        if not (isinstance(cond, ast.UnaryOp) and isinstance(cond.op, ast.Invert)):
            flipped = ast.UnaryOp(op=ast.Invert(), operand=_copy(cond))
            out.append(("mask-polarity", _with_args(node, [flipped, node.args[1]]), None))
    out += _function_swaps(node, name, where)
    out += _layer_mutants(node, where.names)
    if name in VIEWS and isinstance(node.func, ast.Attribute):
        out += _view_orders(node, where.names)
    if where.sigmoid and name == where.sigmoid and len(node.args) == 1:
        lib = "torch" if where.torch else "np"
        func = ast.Attribute(ast.Name(lib, ast.Load()), "tanh", ast.Load())
        tanh = ast.Call(func, [_copy(node.args[0])], [])
        out.append(("function", tanh, None))
        out.append(("drop-call", _copy(node.args[0]), None))
    return out


def _renamed_call(node: ast.Call, new_name: str) -> ast.Call:
    new = copy.copy(node)
    func = copy.copy(node.func)
    if isinstance(func, ast.Attribute):
        func.attr = new_name
    elif isinstance(func, ast.Name):
        func.id = new_name
    new.func = func
    return new


SWAPS: dict[str, tuple[tuple[str, str], ...]] = {
    "sin": (("function", "cos"),),
    "cos": (("function", "sin"),),
    "maximum": (("function", "minimum"),),
    "minimum": (("function", "maximum"),),
    "argmax": (("function", "argmin"),),
    "sum": (("reduction", "mean"),),
    "mean": (("reduction", "sum"),),
    "max": (("reduction", "mean"), ("function", "min")),
    "amax": (("reduction", "mean"),),
    "gelu": (("function", "relu"),),
}


def _function_swaps(node: ast.Call, name: str, where: Where) -> list[Replacement]:
    out: list[Replacement] = []
    if not isinstance(node.func, ast.Attribute):
        return out  # the built-ins max() and sum() of Python lists are left alone
    for family, other in SWAPS.get(name, ()):
        out.append((family, _renamed_call(node, other), (name, other)))
    if name == "tanh" and where.sigmoid and len(node.args) == 1:
        sigmoid = ast.Call(ast.Name(where.sigmoid, ast.Load()), [_copy(node.args[0])], [])
        out.append(("function", sigmoid, None))
    return out


def _layer_mutants(node: ast.Call, names: Names) -> list[Replacement]:
    """A layer of a module left out: `self.out_proj(heads)` → `heads`."""
    members = names.members
    if (
        members is not None
        and member(node.func, names) in members.layers
        and len(node.args) == 1
        and not node.keywords
    ):
        return [("drop-layer", _copy(node.args[0]), None)]
    return []


def _view_orders(node: ast.Call, names: Names) -> list[Replacement]:
    """Two neighbouring sizes of a view swapped, when one of them is a module's own
    (`t.view(B, T, self.n_heads, self.d_head)` → `(..., self.d_head, self.n_heads)`: the heads
    split the wrong way). Sizes read from a shape come in that shape's order; the module's sizes
    (heads, their width) are the ones written in an order of one's own."""
    out: list[Replacement] = []
    args = node.args
    for i in range(len(args) - 1):
        a, b = args[i], args[i + 1]
        if not (is_int(a, names) and is_int(b, names)) or ast.unparse(a) == ast.unparse(b):
            continue
        if member(a, names) is None and member(b, names) is None:
            continue
        swapped = [*args[:i], _copy(b), _copy(a), *args[i + 2 :]]
        label = (f"{ast.unparse(a)}, {ast.unparse(b)}", f"{ast.unparse(b)}, {ast.unparse(a)}")
        out.append(("view-order", _with_args(node, swapped), label))
    return out


def attribute_mutants(node: ast.Attribute) -> list[Replacement]:
    """`x.T` (or `x.mT`) without its transpose."""
    if node.attr in ("T", "mT") and isinstance(node.ctx, ast.Load):
        return [("transpose", _copy(node.value), None)]
    return []


# -- arithmetic -----------------------------------------------------------------------------------


def _factor_family(dropped: ast.AST, names: Names) -> str:
    return "scale" if is_scalar(dropped, names) else "drop-factor"


def binop_mutants(node: ast.BinOp, where: Where) -> list[Replacement]:
    if where.area != "value":
        return []
    left, right, op = node.left, node.right, node.op
    out: list[Replacement] = []
    if isinstance(op, ast.Add):
        out += [
            ("sign", ast.BinOp(_copy(left), ast.Sub(), _copy(right)), None),
            ("drop-term", _copy(left), None),
            ("drop-term", _copy(right), None),
        ]
    elif isinstance(op, ast.Sub):
        out += [
            ("sign", ast.BinOp(_copy(left), ast.Add(), _copy(right)), None),
            ("sign", ast.BinOp(_copy(right), ast.Sub(), _copy(left)), None),
            ("drop-term", _copy(left), None),
        ]
    elif isinstance(op, ast.Mult):
        out += [
            (_factor_family(right, where.names), _copy(left), None),
            (_factor_family(left, where.names), _copy(right), None),
            ("operator", ast.BinOp(_copy(left), ast.Div(), _copy(right)), None),
        ]
    elif isinstance(op, ast.Div):
        out += [
            (_factor_family(right, where.names), _copy(left), None),
            ("operator", ast.BinOp(_copy(left), ast.Mult(), _copy(right)), None),
        ]
    elif isinstance(op, ast.Pow):
        out.append(("power", _copy(left), None))
    return out


def unary_mutants(node: ast.UnaryOp, where: Where) -> list[Replacement]:
    if isinstance(node.op, ast.Invert | ast.Not):
        return [("mask-polarity", _copy(node.operand), None)]
    negated = isinstance(node.op, ast.USub) and number(node) is None and not is_neg_inf(node)
    if negated and where.area == "value":
        return [("sign", _copy(node.operand), None)]
    return []


COMPARISONS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
}


def compare_mutants(node: ast.Compare, where: Where) -> list[Replacement]:
    if len(node.ops) != 1 or type(node.ops[0]) not in COMPARISONS:
        return []
    return [
        ("comparison", ast.Compare(_copy(node.left), [alt()], [_copy(node.comparators[0])]), None)
        for alt in COMPARISONS[type(node.ops[0])]
    ]


def constant_mutants(node: ast.AST, where: Where) -> list[Replacement]:
    """A number in arithmetic (`-1` as one number); -inf and its stand-ins are mask fills."""
    if is_neg_inf(node):
        return [("mask-fill", ast.Constant(0.0), None)]
    value = number(node)
    if value is None or where.area != "value":
        return []
    if isinstance(value, int):
        alternatives: list[int | float] = [1] if value == 0 else [value - 1, value + 1]
    elif value == 0.0:
        alternatives = [1.0]
    else:
        alternatives = [0.0, value * 2, value / 2]
    return [("constant", _const(a), None) for a in alternatives if a != value]


# -- names --------------------------------------------------------------------------------------


def name_mutants(node: ast.Name, where: Where, window: bool) -> list[Replacement]:
    """A size swapped with a sibling size (`dimension`); an array argument standing in for
    another array (`variable`). `window`: the name is the width of a slice `lo : lo + name`,
    where another size argument (the stride) is a plausible mistake too."""
    names = where.names
    out: list[Replacement] = []
    n = node.id
    if n in names.ints:
        for other in sorted(names.ints):
            if other == n or (other in names.loop) != (n in names.loop):
                continue
            if siblings(n, other) or (window and other in names.params):
                out.append(("dimension", ast.Name(other, ast.Load()), None))
    elif n in names.arrays and where.area == "value":
        # An argument for another argument (dout for x), or for the array a local was computed
        # from (x for t = tanh(x)): not any array for any other, which would be hundreds.
        params = names.array_params
        stand_ins = params if n in params else sorted(names.sources.get(n, set()))
        for other in stand_ins:
            if other != n:
                out.append(("variable", ast.Name(other, ast.Load()), None))
    return out


def owner_mutants(node: ast.Name, where: Where) -> list[Replacement]:
    """`x.shape` read from another array argument (`dimension`)."""
    return [
        ("dimension", ast.Name(other, ast.Load()), (f"{node.id}.shape", f"{other}.shape"))
        for other in where.names.array_params
        if other != node.id and node.id in where.names.arrays
    ]


def shape_mutants(node: ast.AST, where: Where) -> list[Replacement]:
    """`x.shape[i]`: the size of another array argument, or of a neighbouring axis."""
    out: list[Replacement] = []
    if not (isinstance(node, ast.Subscript) and is_shape(node)):
        return out
    k = number(node.slice)
    if isinstance(k, int):
        for alt in _axis_alternatives(k):
            new = _copy(node)
            new.slice = _const(alt)  # type: ignore[attr-defined]
            out.append(("dimension", new, None))
    return out


# -- slices and ranges --------------------------------------------------------------------------


def _plus(node: ast.expr, k: int) -> ast.expr:
    return ast.BinOp(_copy(node), ast.Add() if k > 0 else ast.Sub(), ast.Constant(abs(k)))


def slice_mutants(node: ast.Slice) -> list[Replacement]:
    out: list[Replacement] = []
    for part in ("lower", "upper"):
        bound = getattr(node, part)
        if bound is None:
            continue
        for k in (1, -1):
            new = copy.copy(node)
            setattr(new, part, _plus(bound, k))
            out.append(("slice-bound", new, None))
    lower, upper = node.lower, node.upper
    if (
        lower is not None
        and isinstance(upper, ast.BinOp)
        and isinstance(upper.op, ast.Add)
        and number(lower) is None
        and ast.unparse(upper.left) == ast.unparse(lower)
    ):
        # x[pad : pad + H] written x[pad:-pad]: empty when pad = 0, since -0 is 0.
        new = copy.copy(node)
        new.upper = ast.UnaryOp(ast.USub(), _copy(lower))
        out.append(("slice-from-end", new, None))
    return out


def range_mutants(node: ast.Call) -> list[Replacement]:
    if call_name(node) not in RANGES or not node.args or len(node.args) > 3:
        return []
    out: list[Replacement] = []
    args = node.args
    for j in range(min(len(args), 2)):
        for k in (1, -1):
            moved = [*args[:j], _plus(args[j], k), *args[j + 1 :]]
            out.append(("range-bound", _with_args(node, moved), None))
    if len(args) == 1:  # counted from 1: range(1, n + 1)
        out.append(("range-bound", _with_args(node, [ast.Constant(1), _plus(args[0], 1)]), None))
    elif len(args) == 2:
        shifted = [_plus(args[0], 1), _plus(args[1], 1)]
        out.append(("range-bound", _with_args(node, shifted), None))
    return out


def flip_mutants(node: ast.Name, where: Where) -> list[Replacement]:
    """A convolution kernel used flipped by 180 degrees (a true convolution)."""
    if where.area != "value" or node.id not in KERNEL_NAMES:
        return []
    if node.id not in where.names.array_params:
        return []
    backwards = [ast.Slice(None, None, _const(-1)) for _ in range(2)]
    index = ast.Tuple([ast.Constant(Ellipsis), *backwards], ast.Load())
    flipped = ast.Subscript(ast.Name(node.id, ast.Load()), index, ast.Load())
    return [("flip", flipped, None)]


# -- statements -----------------------------------------------------------------------------------

MASKING_CALLS = frozenset({"where", "masked_fill"})


def is_masking(value: ast.AST) -> bool:
    """`np.where(mask, s, -inf)` or `s.masked_fill(~mask, -inf)`: blocking positions of scores."""
    return (
        isinstance(value, ast.Call)
        and call_name(value) in MASKING_CALLS
        and any(is_neg_inf(a) for a in value.args)
    )


def statement_mutants(stmt: ast.stmt, where: Where) -> list[tuple[str, list[ast.stmt]]]:
    """Mistakes of a whole statement: a step skipped, `+=` written `=`, `np.add.at` written as
    a buffered `+=`. Each replaces the statement by a list of statements (`pass` if empty)."""
    out: list[tuple[str, list[ast.stmt]]] = []
    if isinstance(stmt, ast.AugAssign):
        if isinstance(stmt.op, ast.Add | ast.Sub):
            out.append(("drop-term", []))
            out.append(("in-place", [ast.Assign([_copy(stmt.target)], _copy(stmt.value))]))
        elif isinstance(stmt.op, ast.Mult | ast.Div):
            out.append((_factor_family(stmt.value, where.names), []))
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name) and any(
            isinstance(n, ast.Name) and n.id == target.id for n in ast.walk(stmt.value)
        ):
            out.append(("mask-ignored" if is_masking(stmt.value) else "drop-step", []))
    elif (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and ast.unparse(stmt.value.func) in ("np.add.at", "numpy.add.at")
        and len(stmt.value.args) == 3
    ):
        array, index, values = (_copy(a) for a in stmt.value.args)
        target = ast.Subscript(array, index, ast.Store())
        out.append(("in-place", [ast.Assign([target], values)]))
        out.append(("in-place", [ast.AugAssign(_copy(target), ast.Add(), _copy(values))]))
        out.append(("drop-step", []))
    return out
