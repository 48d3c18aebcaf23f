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


@dataclass(frozen=True)
class Members:
    """What a class's `__init__` stores on `self`: sizes (`self.d_head = d_model // n_heads`)
    and layers (`self.q_proj = nn.Linear(...)`: any class called but nn.Parameter)."""

    self_name: str
    sizes: frozenset[str] = frozenset()
    layers: frozenset[str] = frozenset()


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
    # A method of a class: what its `self` holds (graders/modules.py grades such classes).
    members: Members | None = None
    init_only: set[str] = field(default_factory=set)  # locals that only initialise parameters

    @property
    def array_params(self) -> list[str]:
        return [p for p in self.params if p in self.arrays]


def call_name(node: ast.Call) -> str:
    """The called function's own name: `np.sum(...)`, `x.sum(...)` and `sum(...)` are `sum`."""
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


def member(node: ast.AST, names: Names) -> str | None:
    """The attribute's name of `self.name` in a method, else None."""
    if (
        names.members is not None
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == names.members.self_name
    ):
        return node.attr
    return None


def is_int(node: ast.AST, names: Names) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id in names.ints
    if isinstance(node, ast.Attribute):
        return names.members is not None and member(node, names) in names.members.sizes
    if isinstance(node, ast.Subscript) and is_shape(node):
        return True
    if isinstance(node, ast.Call):
        return call_name(node) in INT_FUNCS
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
        return call_name(node) in SCALAR_FUNCS and all(is_scalar(a, names) for a in node.args)
    if isinstance(node, ast.UnaryOp):
        return is_scalar(node.operand, names)
    if isinstance(node, ast.BinOp):
        return is_scalar(node.left, names) and is_scalar(node.right, names)
    return False


def _uses(node: ast.AST, wanted: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in wanted for n in ast.walk(node))


def analyse(func: ast.FunctionDef | ast.Module, members: Members | None = None) -> Names:
    """The names of `func` (a module: its top-level code; with `members`, a method, whose first
    argument is `self` and no array). Two passes, so that a size computed from another size
    assigned later in the text (rare) is still a size."""
    names = Names(members=members)
    if isinstance(func, ast.FunctionDef):
        args = func.args.posonlyargs + func.args.args + func.args.kwonlyargs
        if members is not None:
            args = args[1:]
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
                if isinstance(node.iter, ast.Call) and call_name(node.iter) == "range":
                    names.ints.add(node.target.id)
                    names.scalars.add(node.target.id)
                    names.loop.add(node.target.id)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                _assigned(node.targets[0], node.value, names)
    names.arrays -= names.scalars | names.functions
    if members is not None:
        names.init_only = _init_only(func)
    return names


# In-place initialisers of a parameter's values (`torch.empty(...).uniform_(-b, b)`), and the
# functions of torch.nn.init.
INITIALISERS = frozenset(
    {"uniform_", "normal_", "fill_", "zero_", "constant_", "ones_", "zeros_", "xavier_uniform_",
     "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_"}
)  # fmt: skip


def initialiser(node: ast.AST) -> bool:
    """A call that sets the initial values of a parameter (its arguments are those values)."""
    return isinstance(node, ast.Call) and call_name(node) in INITIALISERS


def _init_only(func: ast.AST) -> set[str]:
    """The locals of a method that are read only by initialisers (`bound` of `uniform_(-bound,
    bound)`): the grader loads the reference's parameter values into every module it runs
    (graders/modules.py), so a mistake there changes nothing and would only be an equivalent
    mutant."""
    inside: set[int] = set()
    for node in ast.walk(func):
        if initialiser(node):
            assert isinstance(node, ast.Call)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                inside.update(id(n) for n in ast.walk(arg))
    read: dict[str, bool] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read[node.id] = read.get(node.id, True) and id(node) in inside
    return {name for name, only in read.items() if only}


def _assigned(target: ast.expr, value: ast.expr, names: Names) -> None:
    # s, p = self.stride, self.padding: each name its own value. In methods only: a function's
    # `a, b = x, y` stays a tuple of arrays, which the bank's declared mutants of functions
    # (their ids, [mutants.equivalent]) were made with.
    pairs = _pairs(target, value) if names.members is not None else [(target, value)]
    if len(pairs) > 1:
        for item, part in pairs:
            _assigned(item, part, names)
        return
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


def _pairs(target: ast.expr, value: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    if (
        isinstance(target, ast.Tuple)
        and isinstance(value, ast.Tuple)
        and len(target.elts) == len(value.elts)
    ):
        return [p for t, v in zip(target.elts, value.elts, strict=True) for p in _pairs(t, v)]
    return [(target, value)]


def members_of(cls: ast.ClassDef) -> Members | None:
    """What the class's `__init__` stores on `self`; None if the class has no method."""
    methods = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.args.args]
    if not methods:
        return None
    found = Members(methods[0].args.args[0].arg)
    init = next((m for m in methods if m.name == "__init__"), None)
    if init is None:
        return found
    for _ in range(2):  # a size computed from another stored before it
        names = analyse(init, found)
        sizes, layers = set(found.sizes), set(found.layers)
        for node in ast.walk(init):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            for target, value in _pairs(node.targets[0], node.value):
                attr = member(target, names)
                if attr is None:
                    continue
                called = call_name(value) if isinstance(value, ast.Call) else ""
                if is_int(value, names):
                    sizes.add(attr)
                elif called[:1].isupper() and called != "Parameter":
                    layers.add(attr)
        found = Members(found.self_name, frozenset(sizes), frozenset(layers))
    return found
