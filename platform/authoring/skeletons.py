"""The files a new draft starts from: a small exercise that already validates.

Code exercises come from the engine's own skeleton (`graders.scaffold`, what `python -m graders
new` writes), so the web and the command line start authors from the same place; the torch
variant swaps the code files for their torch equivalents. The engine scaffolds code only, so the
math skeletons (one per answer type) live here. Every skeleton is checked by the test suite to
load, and by `tests/platform/authoring` with the real engine to get its declared verdicts.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from graders.exercise import ExerciseError
from graders.scaffold import scaffold

FRAMEWORKS = ("numpy", "torch")
ANSWER_TYPES = ("numeric", "array", "shape", "symbolic", "choice", "multi_choice")


class SkeletonError(Exception):
    """The slug or topic cannot make an exercise folder (the message says why)."""


def skeleton_files(
    *, slug: str, title: str, topic: str, kind: str, framework: str = "numpy", answer_type: str = ""
) -> dict[str, str]:
    """Every file of a new exercise (relative path -> text), ready to validate."""
    if kind == "code":
        if framework not in FRAMEWORKS:
            raise SkeletonError(f"framework must be one of {', '.join(FRAMEWORKS)}")
        files = _code_files(slug=slug, topic=topic)
        if framework == "torch":
            files = _as_torch(files, slug)
    elif kind == "math":
        if answer_type not in MATH_SKELETONS:
            raise SkeletonError(f"answer type must be one of {', '.join(ANSWER_TYPES)}")
        files = _math_files(slug=slug, topic=topic, answer_type=answer_type)
    else:
        raise SkeletonError("kind must be code or math")
    return _with_title(files, title)


def _code_files(*, slug: str, topic: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="deepgrade-skeleton-") as tmp:
        try:
            folder = scaffold(f"{topic}/{slug}", root=Path(tmp))
        except ExerciseError as exc:
            raise SkeletonError(str(exc)) from None
        return {
            path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }


def _with_title(files: dict[str, str], title: str) -> dict[str, str]:
    """Put the author's title in exercise.toml (a TOML string) and the statement's heading.

    JSON's string escapes are a subset of TOML's basic-string escapes, so json.dumps gives a
    valid TOML string whatever the title holds (quotes, backslashes).
    """
    out = dict(files)
    toml_lines = out["exercise.toml"].splitlines(keepends=True)
    out["exercise.toml"] = "".join(
        f"title = {json.dumps(title)}\n" if line.startswith("title = ") else line
        for line in toml_lines
    )
    heading, _, rest = out["statement.md"].partition("\n")
    if heading.startswith("# "):
        out["statement.md"] = f"# {title}\n{rest}"
    return out


def _entry_point(slug: str) -> str:
    return slug.replace("-", "_")  # what graders.scaffold names the function


TORCH_REFERENCE = """import torch


def {func}(x: torch.Tensor, dout: torch.Tensor) -> torch.Tensor:
    # The gradient flows only where the input was positive.
    return dout * (x > 0)
"""

TORCH_STARTER = '''import torch


def {func}(x, dout):
    """x, dout: float64 tensors of shape (N, D). Return dx, a tensor of shape (N, D)."""
    raise NotImplementedError("write the backward pass")
'''

TORCH_CORRECT = """import torch


def {func}(x, dout):
    return torch.where(x > 0, dout, torch.zeros_like(dout))
"""

TORCH_BUGGY = """import torch


def {func}(x, dout):
    return (x > 0).to(dout.dtype)
"""


def _as_torch(files: dict[str, str], slug: str) -> dict[str, str]:
    """The numpy skeleton with torch code: cases.py stays (the engine passes its arrays to the
    student's function as float64 tensors)."""
    toml = files["exercise.toml"]
    if 'framework = "numpy"' not in toml:
        raise SkeletonError("the engine's skeleton changed: no framework line to switch")
    func = _entry_point(slug)
    torch_code = {
        "reference.py": TORCH_REFERENCE,
        "starter.py": TORCH_STARTER,
        "solutions/correct_where.py": TORCH_CORRECT,
        "solutions/bug_no_upstream.py": TORCH_BUGGY,
    }
    out = dict(files)
    out["exercise.toml"] = toml.replace('framework = "numpy"', 'framework = "torch"')
    out["statement.md"] = (
        files["statement.md"]
        .replace("float64 arrays", "float64 tensors")
        .replace(
            "- NumPy only, written by you.", "- Tensor operations, written by you (no autograd)."
        )
    )
    out.update({rel: text.replace("{func}", func) for rel, text in torch_code.items()})
    return out


# -- math skeletons --------------------------------------------------------------------------
# Placeholders {slug} and {topic} are filled by plain replacement (the texts hold LaTeX braces
# and the engine's own {{P}} placeholders, which must stay as they are).

MATH_HEAD = """slug = "{slug}"
title = "Title"
topic = "{topic}"
kind = "math"
points = 5
difficulty = 2
minutes = 10
order = 100
requires = []
"""

MATH_SKELETONS: dict[str, dict[str, str]] = {
    "numeric": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "numeric"
rtol = 0.0                 # |a - r| <= max(atol, rtol*|r|)
atol = 1e-9

[[math.mistakes]]
function = "no_factor_two"
hint = "The derivative of x² is 2x: keep the factor 2."

[params]                   # drawn per student; integer scalars are pairwise distinct
a = [2, 6]
b = { range = [-4, 4], exclude = [0] }
x0 = [1, 5]

[[solutions]]
file = "correct_value.py"
expect = "accepted"

[[solutions]]
file = "correct_expression.txt"
expect = "accepted"

[[solutions]]
file = "wrong_no_factor_two.txt"
expect = "rejected"
bug = "differentiates a x² as a x"
hint = "factor 2"

[[solutions]]
file = "invalid_formula.txt"
expect = "invalid_answer"
bug = "types the formula instead of the number"
""",
        "statement.md": r"""# Title

Let $f(x) = a x^2 + b x$. **Your instance:** $a = {{a}}$, $b = {{b}}$.

Give the number $f'({{x0}})$.

## The math

The derivative of $x^2$ is $2x$ and the derivative is linear, so $f'(x) = 2 a x + b$.

## A worked example (different numbers)

With $a = 1$ and $b = -1$: $f'(3) = 2 \cdot 1 \cdot 3 - 1 = 5$, typed `5` (or `2*3 - 1`).
""",
        "reference.py": '''"""f(x) = a x^2 + b x, so f'(x0) = 2 a x0 + b."""


def answer(a, b, x0):
    return 2 * a * x0 + b


def no_factor_two(a, b, x0):  # a declared mistake: its value gets the mistake's hint
    return a * x0 + b
''',
        "solutions/correct_value.py": "def answer(a, b, x0):\n    return str(2 * a * x0 + b)\n",
        "solutions/correct_expression.txt": "2*{{a}}*{{x0}} + ({{b}})\n",
        "solutions/wrong_no_factor_two.txt": "{{a}}*{{x0}} + ({{b}})\n",
        "solutions/invalid_formula.txt": "2ax + b\n",
    },
    "array": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "array"
rtol = 0.0
atol = 1e-9

[[math.mistakes]]
function = "transposed"
hint = "∂L/∂W has the shape of W (2×3): it is g xᵀ, not x gᵀ."

[params]
x = { matrix = [3], range = [-3, 3], exclude = [0] }
g = { matrix = [2], range = [-3, 3], exclude = [0] }

[[solutions]]
file = "correct_nested.py"
expect = "accepted"

[[solutions]]
file = "correct_rows.py"
expect = "accepted"

[[solutions]]
file = "wrong_transposed.py"
expect = "rejected"
bug = "returns x gᵀ (3×2)"
hint = "shape of W"
""",
        "statement.md": r"""# Title

A linear layer $y = W x$ with $W \in \mathbb{R}^{2 \times 3}$ and $x \in \mathbb{R}^3$ receives
the upstream gradient $g = \partial L / \partial y \in \mathbb{R}^2$.

**Your instance:**

$$x = {{x|col}}, \qquad g = {{g|col}}.$$

Give the matrix $\dfrac{\partial L}{\partial W}$ (2 rows, 3 columns).

## The math

$y_i = \sum_j W_{ij} x_j$, so $\dfrac{\partial L}{\partial W_{ij}} = g_i\,x_j$: the outer
product $g\,x^\top$, with the shape of $W$.

## A worked example (different numbers)

$x = (1, -2, 3)$, $g = (2, -1)$ gives `[[2, -4, 6], [-1, 2, -3]]` (or `2 -4 6; -1 2 -3`).
""",
        "reference.py": '''"""y = W x and g = dL/dy, so dL/dW = g x^T (the shape of W)."""

import numpy as np


def answer(x, g):
    return np.outer(g, x)


def transposed(x, g):
    return np.outer(x, g)
''',
        "solutions/correct_nested.py": (
            "def answer(x, g):\n    return str([[gi * xj for xj in x] for gi in g])\n"
        ),
        "solutions/correct_rows.py": (
            "def answer(x, g):\n"
            '    return "; ".join(" ".join(str(gi * xj) for xj in x) for gi in g)\n'
        ),
        "solutions/wrong_transposed.py": (
            "def answer(x, g):\n    return str([[gi * xj for gi in g] for xj in x])\n"
        ),
    },
    "shape": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "shape"

[[math.mistakes]]
function = "transposed"
hint = "A product of (N, D) and (D, M) keeps the outer sizes: N rows, then M columns."

[params]
N = [2, 64]
D = [2, 64]
M = [2, 64]

[[solutions]]
file = "correct_parens.txt"
expect = "accepted"

[[solutions]]
file = "correct_times.txt"
expect = "accepted"

[[solutions]]
file = "wrong_transposed.txt"
expect = "rejected"
bug = "gives the sizes in the wrong order"
hint = "outer sizes"
""",
        "statement.md": r"""# Title

A batch $X$ of shape $(N, D)$ goes through a linear layer with weights $W$ of shape $(D, M)$.

**Your instance:** $N = {{N}}$, $D = {{D}}$, $M = {{M}}$. What is the shape of $X W$?

## A worked example (different numbers)

$(5, 7)$ times $(7, 3)$ gives $(5, 3)$, typed `(5, 3)` or `5x3`.
""",
        "reference.py": '''"""(N, D) @ (D, M) -> (N, M)."""


def answer(N, D, M):
    return (N, M)


def transposed(N, D, M):
    return (M, N)
''',
        "solutions/correct_parens.txt": "({{N}}, {{M}})\n",
        "solutions/correct_times.txt": "{{N}}x{{M}}\n",
        "solutions/wrong_transposed.txt": "({{M}}, {{N}})\n",
    },
    "symbolic": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "symbolic"
variables = ["x"]

[[math.mistakes]]
function = "no_chain_factor"
hint = "Chain rule: multiply by {{a}}, the derivative of the inner function {{a}}x."

[params]
a = [2, 9]

[[solutions]]
file = "correct_factor_first.txt"
expect = "accepted"

[[solutions]]
file = "correct_product.py"
expect = "accepted"

[[solutions]]
file = "wrong_no_chain_factor.txt"
expect = "rejected"
bug = "forgets the derivative of the inner function"
hint = "chain rule"

[[solutions]]
file = "invalid_unbalanced.txt"
expect = "invalid_answer"
bug = "a parenthesis is never closed"
hint = "parenthesis"
""",
        "statement.md": r"""# Title

**Your instance:** $f(x) = \exp({{a}}x)$.

Give $f'(x)$ as an expression in $x$ (type `exp(...)` for the exponential).

## A worked example (different numbers)

For $g(x) = \exp(-x/2)$: $g'(x) = -\tfrac12 \exp(-x/2)$, typed `-1/2 exp(-x/2)`.
""",
        "reference.py": '''"""f(x) = exp(a x), so f'(x) = a exp(a x) (an expression in the answer grammar)."""


def answer(a):
    return f"{a}*exp({a}*x)"


def no_chain_factor(a):
    return f"exp({a}*x)"
''',
        "solutions/correct_factor_first.txt": "{{a}} exp({{a}}x)\n",
        "solutions/correct_product.py": 'def answer(a):\n    return f"exp({a}*x) * {a}"\n',
        "solutions/wrong_no_chain_factor.txt": "exp({{a}}x)\n",
        "solutions/invalid_unbalanced.txt": "{{a}} exp({{a}}x\n",
    },
    "choice": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "choice"

[math.choices]             # option id = text (Markdown and $math$); shown shuffled per student
sigmoid = "the logistic sigmoid $\\\\sigma$"
tanh = "the hyperbolic tangent $\\\\tanh$"
relu = "ReLU"

[[math.mistakes]]
choice = "tanh"
hint = "The derivative of tanh is 1 − tanh², not φ(1 − φ)."

[[math.mistakes]]
choice = "relu"
hint = "ReLU's derivative is a step (0 or 1), not φ(1 − φ)."

[[solutions]]
file = "correct_letter.txt"
expect = "accepted"

[[solutions]]
file = "wrong_tanh.txt"
expect = "rejected"
bug = "confuses the sigmoid with tanh"
hint = "tanh"
""",
        "statement.md": r"""# Title

Which activation function $\varphi$ satisfies $\varphi'(x) = \varphi(x)\,\bigl(1 - \varphi(x)\bigr)$?
Answer with one letter.

{{choices}}
""",
        "reference.py": '''"""The right option's id (the student types the letter their instance shows it under)."""


def answer():
    return "sigmoid"
''',
        "solutions/correct_letter.txt": "{{choice:sigmoid}}\n",
        "solutions/wrong_tanh.txt": "{{choice:tanh}}\n",
    },
    "multi_choice": {
        "exercise.toml": MATH_HEAD
        + """
[math]
answer_type = "multi_choice"

[math.choices]
linear = "a linear layer $y = Wx + b$"
conv = "a 2-D convolution"
relu = "ReLU"
softmax = "softmax"

[[math.mistakes]]
choice = "relu"
hint = "ReLU is a fixed function: nothing in it is learned."

[[math.mistakes]]
missing = "conv"
hint = "A convolution learns its kernels (and biases)."

[[solutions]]
file = "correct_letters.txt"
expect = "accepted"

[[solutions]]
file = "wrong_with_relu.txt"
expect = "rejected"
bug = "counts ReLU as learnable"
hint = "fixed function"

[[solutions]]
file = "wrong_only_linear.txt"
expect = "rejected"
bug = "forgets the convolution"
hint = "kernels"
""",
        "statement.md": r"""# Title

Which of these have learnable parameters? **Select all that apply**, and answer with their
letters (e.g. `A, C` or `AC`).

{{choices}}
""",
        "reference.py": '''"""The ids of every right option."""


def answer():
    return ["linear", "conv"]
''',
        "solutions/correct_letters.txt": "{{choice:linear}}, {{choice:conv}}\n",
        "solutions/wrong_with_relu.txt": "{{choice:linear}}, {{choice:conv}}, {{choice:relu}}\n",
        "solutions/wrong_only_linear.txt": "{{choice:linear}}\n",
    },
}


def _math_files(*, slug: str, topic: str, answer_type: str) -> dict[str, str]:
    return {
        rel: text.replace("{slug}", slug).replace("{topic}", topic)
        for rel, text in MATH_SKELETONS[answer_type].items()
    }
