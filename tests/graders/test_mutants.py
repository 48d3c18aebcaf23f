"""The mutator (graders/mutation/generate.py, operators.py): each family on a small function,
stable ids, and which mutants an exercise's cases kill (graders/mutation/kill.py)."""

from __future__ import annotations

import ast
import functools
import textwrap

import numpy as np
import pytest

from graders.mutation.generate import Mutant, generate
from graders.mutation.kill import kill_report
from graders.mutation.operators import FAMILIES


@functools.cache
def _generated(source: str) -> tuple[Mutant, ...]:
    return tuple(generate(textwrap.dedent(source)))


def mutants(source: str) -> list[Mutant]:
    return list(_generated(source))


def made(source: str, family: str) -> list[str]:
    """The bodies (unparsed, one line each) of the mutants of one family."""
    return [m.source for m in mutants(source) if m.family == family]


def _flat(code: str) -> str:
    """Code as unparsed lines without their indentation, so that a snippet matches at any depth."""
    return "\n".join(line.strip() for line in code.splitlines())


def has(source: str, family: str, expected: str) -> bool:
    """Whether a mutant of `family` contains `expected` (compared as unparsed code)."""
    want = _flat(ast.unparse(ast.parse(textwrap.dedent(expected))))
    return any(want in _flat(body) for body in made(source, family))


SOFTMAX = """
import numpy as np

def softmax(s: np.ndarray) -> np.ndarray:
    d = s.shape[-1]
    z = s / np.sqrt(d)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
"""


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("axis", "z.max(axis=-2, keepdims=True)"),
        ("axis", "z.max(keepdims=True)"),  # the maximum of the whole array
        ("keepdims", "e / e.sum(axis=-1)"),
        ("scale", "z = s / d"),  # sqrt(d) -> d
        ("scale", "z = s\n"),  # the scale dropped
        ("operator", "z = s * np.sqrt(d)"),
        ("sign", "z = z + z.max(axis=-1, keepdims=True)"),
        ("drop-term", "z = z\n"),
        ("drop-call", "e = z\n"),
        ("reduction", "z.mean(axis=-1, keepdims=True)"),
        ("function", "z.min(axis=-1, keepdims=True)"),
        ("dimension", "d = s.shape[-2]"),
        ("drop-step", "pass"),
    ],
)
def test_each_family_on_a_softmax(family: str, expected: str) -> None:
    assert has(SOFTMAX, family, expected)


def test_the_same_change_everywhere_is_one_mutant_too() -> None:
    # A softmax over another axis changes its maximum and its sum together.
    both = [
        m
        for m in mutants(SOFTMAX)
        if m.family == "axis" and len(m.sites) == 2 and "axis=-2" in m.id
    ]
    assert len(both) == 1
    assert "z.max(axis=-2" in both[0].source and "e.sum(axis=-2" in both[0].source


MASKED = """
import numpy as np

def attend(s, v, mask=None):
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    w = np.exp(s)
    w /= w.sum(axis=-1, keepdims=True)
    return w @ v
"""


def test_mask_families() -> None:
    assert has(MASKED, "mask-polarity", "np.where(mask, -np.inf, s)")
    assert has(MASKED, "mask-fill", "np.where(mask, s, 0.0)")
    assert has(MASKED, "mask-ignored", "if mask is not None:\n    pass")
    # The mask moved after the exponential (the maximum then includes the blocked keys), and
    # after the normalisation (rows that no longer sum to 1).
    assert has(MASKED, "mask-order", "w = np.exp(s)\nif mask is not None:\n    w = np.where(mask, w, 0.0)")
    assert has(
        MASKED,
        "mask-order",
        "w /= w.sum(axis=-1, keepdims=True)\nif mask is not None:\n    w = np.where(mask, w, 0.0)",
    )


def test_mask_order_around_an_inline_torch_softmax() -> None:
    source = """
    import torch

    def attend(s, v, mask=None):
        if mask is not None:
            s = s.masked_fill(~mask, float('-inf'))
        return torch.softmax(s, dim=-1) @ v
    """
    moved = made(source, "mask-order")
    assert any("torch.softmax(s, dim=-1).masked_fill(~mask, 0.0)" in m for m in moved)
    assert any("sum(dim=-1, keepdim=True)" in m for m in moved)  # renormalised
    assert has(source, "mask-polarity", "s.masked_fill(mask, float('-inf'))")


WINDOWS = """
import numpy as np

def pool(x: np.ndarray, pool_h: int, pool_w: int, stride: int, pad: int) -> np.ndarray:
    N, C, H, W = x.shape
    H_out = (H - pool_h) // stride + 1
    W_out = (W - pool_w) // stride + 1
    out = np.empty((N, C, H_out, W_out), dtype=np.float64)
    for i in range(H_out):
        for j in range(W_out):
            r, s = i * stride, j * stride
            out[:, :, i, j] = x[:, :, r:r + pool_h, s:s + pool_w].max(axis=(2, 3))
    dx = np.pad(out, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return dx[:, :, pad:pad + H_out, pad:pad + W_out]
"""


def test_sizes_windows_slices_and_ranges() -> None:
    # The window's height as its width, and a window of stride x stride (both sides at once).
    assert has(WINDOWS, "dimension", "x[:, :, r:r + pool_h, s:s + pool_h]")
    assert has(WINDOWS, "dimension", "x[:, :, r:r + stride, s:s + stride]")
    assert has(WINDOWS, "slice-bound", "x[:, :, r:r + pool_h + 1, s:s + pool_w]")
    assert has(WINDOWS, "range-bound", "range(H_out - 1)")
    assert has(WINDOWS, "range-bound", "range(1, H_out + 1)")
    # The crop written pad:-pad on both sides: empty when pad = 0.
    assert has(WINDOWS, "slice-from-end", "dx[:, :, pad:-pad, pad:-pad]")
    assert has(WINDOWS, "dtype", "np.full((N, C, H_out, W_out), np.nan, dtype=np.float32)")
    # A batch is no stride: sizes are swapped with their siblings only.
    assert not has(WINDOWS, "dimension", "r:r + N")


def test_unwritten_entries_of_np_empty_are_nan_in_mutants() -> None:
    # Garbage left by a mutant that skips a row must not be the reference's freed output.
    made = mutants(WINDOWS)
    assert all("np.full(" in m.source and "np.empty" not in m.source for m in made)


def test_arithmetic_families() -> None:
    source = """
    import numpy as np

    def grads(x, dout, w):
        t = np.tanh(x)
        dx = dout * (1.0 - t ** 2) + dout @ w.T
        return dx, (x > 0) * dout
    """
    assert has(source, "power", "1.0 - t")
    assert has(source, "constant", "2.0 - t ** 2")
    assert has(source, "sign", "1.0 + t ** 2")
    assert has(source, "drop-factor", "dx = dout + dout @ w.T")
    assert has(source, "transpose", "dx = dout * (1.0 - t ** 2) + dout @ w")
    assert has(source, "comparison", "(x >= 0) * dout")
    assert has(source, "variable", "(dout > 0) * dout")  # an argument for another
    assert has(source, "variable", "1.0 - x ** 2")  # the argument for the tanh of it
    assert has(source, "flip", "dout @ w[..., ::-1, ::-1].T")


def test_in_place_updates() -> None:
    source = """
    import numpy as np

    def scatter(idx, g, n):
        out = np.zeros((n,))
        np.add.at(out, idx, g)
        out += 1.0
        return out
    """
    assert has(source, "in-place", "out[idx] = g")
    assert has(source, "in-place", "out[idx] += g")  # buffered: repeated indices count once
    assert has(source, "in-place", "out = 1.0")
    assert has(source, "drop-term", "np.add.at(out, idx, g)\npass")


def test_ids_are_stable_unique_and_descriptions_say_the_change() -> None:
    first, second = mutants(SOFTMAX), mutants(SOFTMAX)
    assert [m.id for m in first] == [m.id for m in second]
    assert len({m.id for m in first}) == len(first)
    assert len({m.source for m in first}) == len(first)
    for m in first:
        assert m.family in FAMILIES and m.id.startswith(f"{m.family}@")
        ast.parse(m.source)
    axis = next(m for m in first if m.id == "axis@7:13/axis=-2")
    assert axis.description == "`axis=-1` → `axis=-2` in line 7"


def test_docstrings_annotations_and_defaults_are_left_alone() -> None:
    source = '''
    def f(x: float, eps: float = 1e-5) -> float:
        """x + 1"""
        return x + eps
    '''
    for m in mutants(source):
        assert '"""x + 1"""' in m.source or "'x + 1'" in m.source
        assert "eps: float=1e-05" in m.source.replace(" = ", "=")


# -- which mutants the cases kill ---------------------------------------------------------------

EXERCISE = {
    "exercise.toml": """
slug = "tiny-scale"
title = "Scale by a half"
topic = "backprop"
kind = "code"

[code]
entry_point = "half"

[dims]
N = [3, 5]

[[cases]]
name = "example"
visible = true

[[solutions]]
file = "correct.py"
expect = "accepted"
""",
    "statement.md": "Return x / 2.",
    "cases.py": """
import numpy as np

def make_inputs(rng, dims, options):
    return {"x": rng.standard_normal(dims["N"])}
""",
    "reference.py": """
def half(x):
    return 0.5 * (x + 0.0)
""",
    "starter.py": "def half(x):\n    raise NotImplementedError\n",
    "solutions/correct.py": "def half(x):\n    return x / 2\n",
}


def test_survivors_equivalents_and_stale_declarations(grader, write_exercise) -> None:
    exercise = write_exercise(EXERCISE, slug="tiny-scale")
    report = kill_report(grader.code.sandbox_for, grader.code.mutants, exercise, (0, 1))
    # x + 0.0 written x, or x - 0.0, is still 0.5 * x: no input tells them apart. Everything
    # else (0.5 * x + 1.0, x + 0.0, 0.5 / x...) fails a case.
    survivors = {s.id: s for s in report.survivors}
    assert {s.family for s in survivors.values()} == {"drop-term", "sign"}
    assert all(s.seeds == [0, 1] and "line 3" in s.description for s in survivors.values())
    assert report.killed == report.generated - len(survivors) > 3
    declared = "\n[mutants.equivalent]\n" + "".join(
        f'"{mutant_id}" = "adding or subtracting 0.0 changes nothing"\n' for mutant_id in survivors
    ) + '"sign@9:12" = "no such mutant"\n'
    files = dict(EXERCISE, **{"exercise.toml": EXERCISE["exercise.toml"] + declared})
    exercise = write_exercise(files, slug="tiny-scale")
    again = kill_report(grader.code.sandbox_for, grader.code.mutants, exercise, (0, 1))
    assert not again.survivors and set(again.equivalent) == set(survivors)
    assert again.problems == [
        "[mutants.equivalent] names sign@9:12, which is not a mutant of the reference "
        "(did the reference change?)"
    ]


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[mutants.equivalent]\n"axis 23" = "why"\n', "is not a mutant id"),
        ('[mutants.equivalent]\n"axis@23:5" = " "\n', "one-line reason"),
        ('[mutants.hints]\n"Axis!" = "text"\n', "neither a family nor a mutant id"),
    ],
)
def test_the_mutants_table_is_checked(write_exercise, table: str, said: str) -> None:
    from graders.exercise import ExerciseError

    files = dict(EXERCISE, **{"exercise.toml": EXERCISE["exercise.toml"] + "\n" + table})
    with pytest.raises(ExerciseError, match=said):
        write_exercise(files, slug="tiny-scale")


# -- nn.Module references (graders/modules.py) ----------------------------------------------------

MODULE = """
import math

import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        bound = 1 / math.sqrt(d_model)
        self.gain = nn.Parameter(torch.empty(d_model).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, E = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.d_head).transpose(1, 2)
        weights = torch.softmax(q @ q.transpose(-2, -1) / math.sqrt(self.d_head), dim=-1)
        return self.out_proj((weights @ q).transpose(1, 2).reshape(B, T, E)) * self.gain
"""


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("drop-layer", "return (weights @ q).transpose(1, 2).reshape(B, T, E) * self.gain"),
        ("drop-layer", "q = x.view(B, T, self.n_heads, self.d_head).transpose(1, 2)"),
        ("view-order", "self.q_proj(x).view(B, T, self.d_head, self.n_heads)"),
        ("axis", "torch.softmax(q @ q.transpose(-2, -1) / math.sqrt(self.d_head), dim=-2)"),
        ("scale", "q @ q.transpose(-2, -1) / self.d_head"),  # self.d_head is a size: a scale
        ("transpose", "q = self.q_proj(x).view(B, T, self.n_heads, self.d_head)"),
    ],
)
def test_a_class_reference_gets_mutants_of_its_methods(family: str, expected: str) -> None:
    assert has(MODULE, family, expected)


def test_a_module_is_no_array_and_its_initial_values_are_left_alone() -> None:
    made_here = mutants(MODULE)
    assert len(made_here) > 10
    for m in made_here:
        # `self` stands for no tensor; a parameter's initial values are overwritten by the
        # reference's in every case, so mutating them would only make equivalent mutants.
        assert "x.q_proj" not in m.source and "self(" not in m.source
        assert "uniform_(-bound, bound)" in m.source
        assert "bound = 1 / math.sqrt(d_model)" in m.source


def test_keep_wrong_compares_a_modules_gradients_too() -> None:
    from graders.compare import Context
    from graders.modules import Layout
    from graders.mutation.run import keep_wrong
    from graders.protocol import Arr
    from graders.schema import ModuleSpec

    rng = np.random.default_rng(0)
    out, x_grad, w_grad = (Arr(rng.standard_normal(shape)) for shape in ((3, 4), (3, 4), (4,)))
    layout = Layout(names=["w"], shapes=[(4,)], grad_inputs=["x"])
    spec = ModuleSpec(init=["d"], forward=["x"])
    values = {
        "right": (out, x_grad, w_grad),
        "w.grad wrong": (out, x_grad, Arr(w_grad.array * 2)),
        "w unused": (out, x_grad, None),
        "out wrong": (Arr(out.array + 1), x_grad, w_grad),
    }
    kept = keep_wrong((out, x_grad, w_grad), values, ["out"], Context(), (layout, spec))
    assert set(kept) == {"w.grad wrong", "w unused", "out wrong"}
    # Only what [code.module] compares: without the parameters' gradients, w's pass.
    output_only = ModuleSpec(init=["d"], forward=["x"], compare=["output", "input_grads"])
    kept = keep_wrong((out, x_grad, w_grad), values, ["out"], Context(), (layout, output_only))
    assert set(kept) == {"out wrong"}


MODULE_EXERCISE = {
    "exercise.toml": """
slug = "tiny-module"
title = "A projection, squared"
topic = "backprop"
kind = "code"

[code]
entry_point = "Block"
framework = "torch"

[code.module]
init = ["d"]
forward = ["x"]
upstream = "dout"

[dims]
N = [3, 5]
D = [2, 4]
distinct = [["N", "D"]]

[[cases]]
name = "example"
visible = true

[[cases]]
name = "random instance"
repeat = 2

[[solutions]]
file = "correct.py"
expect = "accepted"

[mutants.hints]
drop-layer = "proj looks left out: h is proj(x)."
""",
    "statement.md": "h = proj(x); return (h - x) ** 2 * scale + h.",
    "cases.py": """
import numpy as np

def make_inputs(rng, dims, options):
    N, D = dims["N"], dims["D"]
    return {"d": int(D), "x": rng.standard_normal((N, D)), "dout": rng.standard_normal((N, D))}
""",
    "reference.py": """
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.scale = nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.proj(x)
        return (h - x) ** 2 * self.scale + h
""",
    "starter.py": "from torch import nn\n\n\nclass Block(nn.Module):\n    pass\n",
}
MODULE_EXERCISE["solutions/correct.py"] = MODULE_EXERCISE["reference.py"]


def test_module_mutants_are_killed_through_the_module_comparison(grader, write_exercise) -> None:
    exercise = write_exercise(MODULE_EXERCISE, slug="tiny-module")
    report = kill_report(grader.code.sandbox_for, grader.code.mutants, exercise, (0, 1))
    # (x - h) ** 2 is (h - x) ** 2, its gradients included; every other mutant (proj left
    # out, h + x, no square, no scale...) changes the output or a gradient on every seed.
    assert [(s.family, s.description) for s in report.survivors] == [
        ("sign", "`h - x` → `x - h` in line 14")
    ]
    assert report.killed == report.generated - 1 > 5
    # A student who leaves the layer out is told so, in the exercise's words.
    wrong = MODULE_EXERCISE["reference.py"].replace("h = self.proj(x)", "h = x")
    graded = grader.grade(exercise, wrong, seed=0)
    assert graded.verdict.value == "rejected"
    assert {c.hint for c in graded.checks} == {"proj looks left out: h is proj(x)."}
