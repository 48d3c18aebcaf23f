"""nn.Module exercises: the student writes a class, the grader maps the reference's parameters
onto it and compares what the two compute (docs/exercise-format.md, "Module exercises").

Each case, in the sandbox (graders/sandbox/module_case.py): the reference class is built with
the case's constructor arguments and its parameters are drawn from the case's seed; the
student's class is built with the same arguments, each of its parameters is matched to the
reference's it stands for (`map_parameters`), loaded with the same values, and both run forward
on the case's inputs and backward from the same upstream gradient. What comes back is data
(graders/protocol.py): the output, the inputs' gradients, each reference parameter's gradient
as the student's module computed it, and the student's parameter table (shapes, and which
reference parameters each one holds).

On the trusted side, `compare_case` checks the parameters first (every reference parameter
found, none extra: the parameter count), then the output, the inputs' gradients and the
parameters' gradients. The mapping rules are pure functions of names and shapes, shared by the
two sides; nothing here imports torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from graders.compare import Context, Outcome, compare_one
from graders.protocol import Arr, Scalar

if TYPE_CHECKING:
    from graders.schema import ModuleSpec

Shape = tuple[int, ...]
# The grader's own backward pass runs in the student's child: autograd cannot be banned there.
GRADER_NEEDS = ("torch.autograd", "torch.Tensor.backward")
MAX_LISTED = 6  # parameters named in one message


class ReferenceCase(Protocol):
    """What is read of a graders.reference.ReferenceCase (which imports this module)."""

    args: list[Any]
    arg_names: list[str]
    expected: Any


@dataclass(frozen=True)
class Fusion:
    """A parameter that may hold several reference parameters, concatenated along `dim`."""

    parts: tuple[str, ...]
    dim: int = 0
    name: str | None = None


def fusions(spec: ModuleSpec) -> list[Fusion]:
    return [Fusion(tuple(f.parts), f.dim, f.name) for f in spec.fused]


def job_config(spec: ModuleSpec, *, names: bool) -> dict[str, Any]:
    """What the child needs to run a case (graders/sandbox/module_case.py). `names`: whether it
    sends the student's parameter names back; never for hidden cases (graders/hidden.py)."""
    return {
        "init": list(spec.init),
        "forward": list(spec.forward),
        "upstream": spec.upstream,
        "fused": [{"parts": list(f.parts), "dim": f.dim, "name": f.name} for f in spec.fused],
        "names": names,
    }


def fusions_from_config(config: dict[str, Any]) -> list[Fusion]:
    return [Fusion(tuple(f["parts"]), int(f["dim"]), f.get("name")) for f in config["fused"]]


# -- the mapping (both sides) ------------------------------------------------------------------


def fused_shape(shapes: Sequence[Shape], dim: int) -> Shape | None:
    """The shape of `shapes` concatenated along `dim`, or None if they cannot be."""
    if not shapes or any(len(s) != len(shapes[0]) for s in shapes):
        return None
    ndim = len(shapes[0])
    if not -ndim <= dim < ndim:
        return None
    axis = dim % ndim
    rest = {s[:axis] + s[axis + 1 :] for s in shapes}
    if len(rest) != 1:
        return None
    first = shapes[0]
    return (*first[:axis], sum(s[axis] for s in shapes), *first[axis + 1 :])


def map_parameters(
    reference: Sequence[tuple[str, Shape]],
    student: Sequence[tuple[str, Shape]],
    fused: Sequence[Fusion] = (),
) -> list[tuple[int, ...]]:
    """For each student parameter, the indices of the reference parameters it holds: one, several
    (a fused parameter, in the order of its parts), or none (an extra parameter).

    The rules, in order, each on what the previous ones left: the same name and shape; a fused
    parameter by its stated name, then by a shape that no other reference parameter has; a
    shape that exactly one reference parameter and one student parameter have.
    """
    held: list[tuple[int, ...]] = [() for _ in student]
    free_ref = set(range(len(reference)))
    free_student = set(range(len(student)))

    def take(j: int, indices: tuple[int, ...]) -> None:
        held[j] = indices
        free_student.discard(j)
        free_ref.difference_update(indices)

    by_name = {name: i for i, (name, _) in enumerate(reference)}
    for j, (name, shape) in enumerate(student):
        i = by_name.get(name)
        if i is not None and i in free_ref and tuple(reference[i][1]) == tuple(shape):
            take(j, (i,))
    groups = []
    for fusion in fused:
        if all(p in by_name for p in fusion.parts):
            indices = tuple(by_name[p] for p in fusion.parts)
            shape = fused_shape([tuple(reference[i][1]) for i in indices], fusion.dim)
            if shape is not None:
                groups.append((fusion, indices, shape))
    for named in (True, False):
        for fusion, indices, shape in groups:
            if not free_ref.issuperset(indices):
                continue
            if not named and any(tuple(reference[i][1]) == shape for i in free_ref):
                continue  # a plain reference parameter has that shape too: names must decide
            found = [
                j
                for j in sorted(free_student)
                if tuple(student[j][1]) == shape and (not named or student[j][0] == fusion.name)
            ]
            if len(found) == 1:
                take(found[0], indices)
    for i in sorted(free_ref):
        shape = tuple(reference[i][1])
        same_ref = [k for k in free_ref if tuple(reference[k][1]) == shape]
        same_student = [j for j in sorted(free_student) if tuple(student[j][1]) == shape]
        if len(same_ref) == 1 and len(same_student) == 1:
            take(same_student[0], (i,))
    return held


def fusion_of(indices: Sequence[int], names: Sequence[str], fused: Sequence[Fusion]) -> Fusion:
    """The fused parameter made of the reference parameters `indices` (more than one)."""
    parts = tuple(names[i] for i in indices)
    for fusion in fused:
        if fusion.parts == parts:
            return fusion
    raise ValueError(f"no fused parameter is made of {', '.join(parts)}")


# -- the trusted side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentParameter:
    """One parameter of the student's module, as its child reported it. `name` is None for a
    hidden case: a name is the student's own text (graders/hidden.py)."""

    name: str | None
    shape: Shape
    holds: tuple[int, ...]


@dataclass(frozen=True)
class Layout:
    """Where a reference case keeps what a module exercise needs: its args are the constructor's
    arguments, forward()'s, the upstream gradient and the reference's parameters, in this order
    (graders/sandbox/module_case.py, `reference_case`); arg_names name each one."""

    names: list[str]
    shapes: list[Shape]
    grad_inputs: list[str]

    @classmethod
    def of(cls, case: ReferenceCase, spec: ModuleSpec) -> Layout:
        n_init, n_forward = len(spec.init), len(spec.forward)
        start = n_init + n_forward + 1
        forward = zip(case.arg_names[n_init:], case.args[n_init : n_init + n_forward], strict=False)
        return cls(
            names=list(case.arg_names[start:]),
            shapes=[_shape_of(v) for v in case.args[start:]],
            grad_inputs=[name for name, value in forward if _is_float_array(value)],
        )

    def output_names(self) -> list[str]:
        """The names of the expected values: the output, then each gradient."""
        return ["out", *(f"{n}.grad" for n in self.grad_inputs), *(f"{n}.grad" for n in self.names)]


def output_names(case: ReferenceCase, spec: ModuleSpec) -> list[str]:
    return Layout.of(case, spec).output_names()


def student_args(case: ReferenceCase, spec: ModuleSpec) -> list[Any]:
    """A case's arguments as the student's child receives them: the reference case's, then the
    names of the reference's parameters (the statement's names: nothing secret)."""
    return [*case.args, list(Layout.of(case, spec).names)]


def _shape_of(value: Any) -> Shape:
    return tuple(int(d) for d in value.array.shape) if isinstance(value, Arr) else ()


def _is_float_array(value: Any) -> bool:
    return isinstance(value, Arr) and value.array.dtype.kind == "f"


def read_parameters(
    node: Any, layout: Layout, fused: Sequence[Fusion], visible: bool
) -> list[StudentParameter]:
    """The student's parameter table, checked: every shape a tuple of sizes, every reference
    parameter held at most once and by a parameter of its shape. Raises ValueError otherwise."""
    if not isinstance(node, tuple | list):
        raise ValueError("the parameter table is not a tuple")
    table: list[StudentParameter] = []
    seen: set[int] = set()
    for row in node:
        if not isinstance(row, tuple | list) or len(row) != 3:
            raise ValueError("a row of the parameter table is not (name, shape, holds)")
        name, shape, holds = row
        shape, holds = _ints(shape), _ints(holds)
        if any(i < 0 or i >= len(layout.names) or i in seen for i in holds):
            raise ValueError("the parameter table names a reference parameter twice or not at all")
        seen.update(holds)
        if len(holds) == 1:
            wanted: Shape | None = layout.shapes[holds[0]]
        elif holds:
            fusion = fusion_of(holds, layout.names, fused)
            wanted = fused_shape([layout.shapes[i] for i in holds], fusion.dim)
        else:
            wanted = shape
        if shape != wanted:
            raise ValueError("a parameter's shape is not that of what it holds")
        shown = name if visible and isinstance(name, str) else None
        table.append(StudentParameter(shown, shape, holds))
    return table


def _ints(node: Any) -> Shape:
    if not isinstance(node, tuple | list):
        raise ValueError("expected a tuple of integers")
    values = []
    for item in node:
        value = item.value if isinstance(item, Scalar) else item
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("expected a tuple of integers")
        values.append(value)
    return tuple(values)


def parameter_problem(
    layout: Layout, table: list[StudentParameter], count_compared: bool = True
) -> Outcome | None:
    """Why the student's parameters are not the reference's, if they are not: each reference
    parameter without a counterpart and, when the count is compared, each extra one, by shape."""
    missing = [i for i in range(len(layout.names)) if not any(i in p.holds for p in table)]
    extra = [p for p in table if not p.holds] if count_compared else []
    if not missing and not extra:
        return None
    ours = sum(math.prod(p.shape) for p in table)
    theirs = sum(math.prod(s) for s in layout.shapes)
    lines = [
        f"your module has {ours:,} parameters in {_tensors(len(table))}; the reference has "
        f"{theirs:,} in {_tensors(len(layout.names))}."
    ]
    if missing:
        listed = ", ".join(
            f"{layout.names[i]} of shape {_shape_text(layout.shapes[i])}"
            for i in missing[:MAX_LISTED]
        )
        more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        lines.append(f"Missing (no parameter of yours stands for them): {listed}{more}.")
    if extra:
        listed = ", ".join(_student_text(p) for p in extra[:MAX_LISTED])
        more = f" and {len(extra) - MAX_LISTED} more" if len(extra) > MAX_LISTED else ""
        lines.append(f"Extra (the reference has nothing like them): {listed}{more}.")
    return Outcome(
        False,
        "parameters",
        " ".join(lines),
        _parameter_hint(layout, missing, [p for p in table if not p.holds]),
        {"your_parameter_count": ours, "expected_parameter_count": theirs},
    )


def _parameter_hint(
    layout: Layout, missing: list[int], extra: list[StudentParameter]
) -> str | None:
    """What the shapes say about the mismatch: parameters of one shape that only names could
    tell apart, or a parameter stored with its axes in another order."""
    for i in missing:
        shape = layout.shapes[i]
        alike = [p for p in extra if p.shape == shape]
        if alike:
            wanted = [layout.names[k] for k in missing if layout.shapes[k] == shape]
            yours = [p.name for p in alike if p.name]
            mine = f" (yours: {', '.join(yours[:MAX_LISTED])})" if yours else ""
            return (
                f"several parameters have the shape {_shape_text(shape)}{mine}: only their names "
                f"tell them apart; name them {', '.join(wanted[:MAX_LISTED])} as the statement says"
            )
    for i in missing:
        shape = layout.shapes[i]
        for p in extra:
            if p.shape != shape and sorted(p.shape) == sorted(shape):
                return (
                    f"a parameter of shape {_shape_text(p.shape)} has the size of "
                    f"{layout.names[i]} with its axes in another order: store it as "
                    f"{_shape_text(shape)}, the layout the statement gives"
                )
    if missing and not extra and all(layout.names[i].rpartition(".")[2] == "bias" for i in missing):
        return "every missing parameter is a bias: are your layers built with bias=False?"
    return None


def _tensors(n: int) -> str:
    return f"{n} tensor{'s' if n != 1 else ''}"


def _shape_text(shape: Shape) -> str:
    return str(tuple(shape))


def _student_text(p: StudentParameter) -> str:
    named = f" ({p.name})" if p.name else ""
    return f"a parameter of shape {_shape_text(p.shape)}{named}"


def compare_case(
    case: ReferenceCase, got: Any, spec: ModuleSpec, ctx: Context
) -> tuple[Outcome, Any]:
    """The student's results on one case against the reference's, in stages: parameters, output,
    the inputs' gradients, the parameters' gradients. Also returns the student's values without
    the parameter table (what the report shows of a visible case)."""
    layout = Layout.of(case, spec)
    names = layout.output_names()
    expected = case.expected
    if (
        not isinstance(expected, tuple)
        or len(expected) != len(names)
        or not isinstance(got, tuple)
        or len(got) != len(names) + 1
    ):
        return _unreadable("its results do not have the expected parts"), got
    values = got[:-1]
    try:
        table = read_parameters(got[-1], layout, fusions(spec), ctx.visible)
    except ValueError as exc:
        return _unreadable(str(exc) if ctx.visible else ""), values
    problem = parameter_problem(layout, table, "parameter_count" in spec.compare)
    if problem is None:
        problem = compare_values(layout, expected, values, spec, ctx)
    if problem is not None:
        return problem, values
    return Outcome(True, "values", _passed_message(layout, spec, table)), values


def compare_values(
    layout: Layout, expected: Any, values: Any, spec: ModuleSpec, ctx: Context
) -> Outcome | None:
    """Why a module's values on a case are not the reference's, or None if they are: the output,
    the inputs' gradients, the parameters' gradients, in this order, as far as `spec.compare`
    asks. `values` are what a module holding the reference's parameters computed: the student's
    once compare_case has checked their parameters, or a mutant's (graders/mutation/run.py)."""
    names = layout.output_names()
    parts = (expected, values)
    if not all(isinstance(v, tuple) and len(v) == len(names) for v in parts):
        return _unreadable("its results do not have the expected parts")
    kinds = (
        ["output"]
        + ["input_grads"] * len(layout.grad_inputs)
        + ["parameter_grads"] * len(layout.names)
    )
    # A parameter without a gradient is evidence only if backward ran (some gradient came back:
    # the child skips backward when the output is not a tensor of the expected shape).
    grads = values[1:]
    ran = any(g is not None for g in grads)
    unused = [
        name
        for name, g in zip(layout.names, grads[len(layout.grad_inputs) :], strict=True)
        if ran and g is None
    ]
    for k, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        if kind not in spec.compare:
            continue
        if kind != "output" and values[k] is None:
            return _no_gradient(name[: -len(".grad")], kind)
        wrong = {
            key: (value[k] if isinstance(value, tuple) and len(value) > k else None, message)
            for key, (value, message) in ctx.known_wrong.items()
        }
        outcome = compare_one(
            expected[k], values[k], name, Context(ctx.dims, ctx.visible, ctx.framework, wrong)
        )
        if not outcome.passed:
            outcome.details["output"] = name
            if kind == "output" and outcome.hint is None and unused:
                outcome.hint = _unused_hint(unused, len(layout.names))
            return outcome
    return None


def _passed_message(layout: Layout, spec: ModuleSpec, table: list[StudentParameter]) -> str:
    checked = []
    if "parameter_count" in spec.compare:
        checked.append(f"the parameter count ({sum(math.prod(p.shape) for p in table):,})")
    checked.append("the output")
    if "input_grads" in spec.compare and layout.grad_inputs:
        checked.append(", ".join(f"{n}.grad" for n in layout.grad_inputs))
    if "parameter_grads" in spec.compare:
        checked.append(f"the gradients of the {len(layout.names)} parameters")
    if len(checked) == 1:
        return f"{checked[0]} matches"
    return f"{', '.join(checked[:-1])} and {checked[-1]} match"


def _unreadable(why: str) -> Outcome:
    return Outcome(
        False,
        "type",
        "your module's results could not be read" + (f": {why}" if why else ""),
    )


def _no_gradient(what: str, kind: str) -> Outcome:
    if kind == "input_grads":
        message = (
            f"no gradient reached the input {what}: the output does not depend on it through "
            "torch operations (.detach(), .data, torch.no_grad() or NumPy cut the graph)"
        )
    else:
        message = (
            f"no gradient reached the parameter {what}: your forward never uses it, or cuts the "
            "graph between it and the output (.detach(), .data, torch.no_grad(), NumPy)"
        )
    return Outcome(False, "gradients", message, hint=f"{what} received no gradient")


def _unused_hint(unused: list[str], total: int) -> str:
    if len(unused) == total:
        return "your forward uses none of the module's parameters: no gradient reached them"
    listed = ", ".join(unused[:MAX_LISTED])
    more = f" and {len(unused) - MAX_LISTED} more" if len(unused) > MAX_LISTED else ""
    them = "it" if len(unused) == 1 else "them"
    return f"your forward never uses {listed}{more}: no gradient reached {them}"


def draw_parameter(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """A reference parameter's value for a case: standard normal, divided by the square root of
    the fan-in (the product of all axes but the first) for matrices and kernels, so that every
    layer's output stays of order 1 and no softmax saturates (docs/architecture.md, "Instances
    and seeds"); vectors (biases, norm scales) are standard normal."""
    values = np.asarray(rng.standard_normal(shape), dtype=np.float64)  # 0-d: an array too
    if len(shape) >= 2:
        values /= math.sqrt(math.prod(shape[1:]))
    return values
