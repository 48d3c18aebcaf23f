"""What each name of a function holds, as far as its syntax tells: a size, a scalar, an array.

The operators need it to make plausible mistakes only: a size is swapped with a sibling size (the
kernel's height for its width, never a batch of images for a stride), a factor is called a
*scale* when it is a scalar, and an array argument stands in for another array. It is a guess
from assignments, annotations and loops, never run; a wrong guess only makes a mutant that the
cases kill at once or that `validate --mutants` reports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

INT_FUNCS = frozenset({"len", "int", "round"})
SCALAR_FUNCS = frozenset({"sqrt", "float", "exp", "log", "abs", "pi"})


@dataclass
class Names:
    """The names of one function (its nested functions included) by what they hold."""

    params: list[str] = field(default_factory=list)
    ints: set[str] = field(default_factory=set)  # sizes, indices, counts
    scalars: set[str] = field(default_factory=set)  # ints and float numbers
    loop: set[str] = field(default_factory=set)  # loop variables and what is computed from them
    arrays: set[str] = field(default_factory=set)  # everything else that is assigned
    functions: set[str] = field(default_factory=set)
    # local -> the argument it is a function of (t = np.tanh(x): {"x"})
    sources: dict[str, set[str]] = field(default_factory=dict)

    @property
    def array_params(self) -> list[str]:
        return [p for p in self.params if p in self.arrays]


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def is_shape(node: ast.AST) -> bool:
    """`x.shape` or `x.shape[i]` (or `x.size(i)`)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr == "shape"


def is_int(node: ast.AST, names: Names) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id in names.ints
    if isinstance(node, ast.Subscript) and is_shape(node):
        return True
    if isinstance(node, ast.Call):
        return _call_name(node) in INT_FUNCS
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return is_int(node.operand, names)
    if isinstance(node, ast.BinOp) and isinstance(
        node.op, ast.Add | ast.Sub | ast.Mult | ast.FloorDiv | ast.Mod
    ):
        return is_int(node.left, names) and is_int(node.right, names)
    return False


def is_scalar(node: ast.AST, names: Names) -> bool:
    """A number that is not an array: a constant, a size, sqrt(d), 1.0 / sqrt(d)..."""
    if is_int(node, names):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, float)
    if isinstance(node, ast.Name):
        return node.id in names.scalars
    if isinstance(node, ast.Call):
        return _call_name(node) in SCALAR_FUNCS and all(is_scalar(a, names) for a in node.args)
    if isinstance(node, ast.UnaryOp):
        return is_scalar(node.operand, names)
    if isinstance(node, ast.BinOp):
        return is_scalar(node.left, names) and is_scalar(node.right, names)
    return False


def _uses(node: ast.AST, wanted: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in wanted for n in ast.walk(node))


def analyse(func: ast.FunctionDef | ast.Module) -> Names:
    """The names of `func` (a module: its top-level code). Two passes, so that a size computed
    from another size assigned later in the text (rare) is still a size."""
    names = Names()
    if isinstance(func, ast.FunctionDef):
        args = func.args.posonlyargs + func.args.args + func.args.kwonlyargs
        for arg in args:
            names.params.append(arg.arg)
            annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
            if annotation == "int":
                names.ints.add(arg.arg)
                names.scalars.add(arg.arg)
            elif annotation == "float":
                names.scalars.add(arg.arg)
            else:
                names.arrays.add(arg.arg)
    for _ in range(2):
        for node in ast.walk(func):
            if isinstance(node, ast.FunctionDef) and node is not func:
                names.functions.add(node.name)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                if isinstance(node.iter, ast.Call) and _call_name(node.iter) == "range":
                    names.ints.add(node.target.id)
                    names.scalars.add(node.target.id)
                    names.loop.add(node.target.id)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                _assigned(node.targets[0], node.value, names)
    names.arrays -= names.scalars | names.functions
    return names


def _assigned(target: ast.expr, value: ast.expr, names: Names) -> None:
    if isinstance(target, ast.Tuple):
        from_shape = isinstance(value, ast.Attribute) and value.attr == "shape"
        for item in target.elts:
            if isinstance(item, ast.Name):
                if from_shape:
                    names.ints.add(item.id)
                    names.scalars.add(item.id)
                elif item.id not in names.scalars:
                    names.arrays.add(item.id)
        return
    if not isinstance(target, ast.Name):
        return
    name = target.id
    if (
        isinstance(value, ast.Call)
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id in names.params
    ):
        names.sources.setdefault(name, set()).add(value.args[0].id)
    if is_int(value, names):
        names.ints.add(name)
        names.scalars.add(name)
        if _uses(value, names.loop):
            names.loop.add(name)
    elif is_scalar(value, names):
        names.scalars.add(name)
    elif name not in names.scalars:
        names.arrays.add(name)


# Letters that name the two sides of one thing: height and width, query and key lengths, the
# two indices of a double loop, the input and output channels.
CONFUSABLE = frozenset(
    frozenset(pair)
    for pair in ("HW", "hw", "TS", "ij", "rs", "ab", "CF", "qk", "mn", "xy", "uv", "12", "oi")
)


def siblings(a: str, b: str) -> bool:
    """Two sizes easily mistaken for each other: the same name but for one pair of letters
    that name two sides of one thing (H and W, HH and WW, pool_h and pool_w, Tq and Tk, k1
    and k2), or, in longer names, any one pair of letters (H_out and W_out)."""
    if a == b or len(a) != len(b):
        return False
    pairs = {frozenset((x, y)) for x, y in zip(a, b, strict=True) if x != y}
    if len(pairs) != 1:
        return False
    return next(iter(pairs)) in CONFUSABLE or len(a) > 2
