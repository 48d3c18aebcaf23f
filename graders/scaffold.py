"""`graders new TOPIC/SLUG`: a new exercise folder that validates before its author edits it.

The skeleton is a small but complete code exercise (ReLU-style elementwise backward), so the
author sees every file in its final form and replaces the content, one `validate` at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

from graders.exercise import EXERCISES_ROOT, TOPIC_ORDER, ExerciseError
from graders.schema import SLUG

TOML = """slug = "{slug}"
title = "{title}"
topic = "{topic}"
kind = "code"
points = 10
difficulty = 2
minutes = 15
order = 100
requires = []

[code]
entry_point = "{func}"
framework = "numpy"
outputs = ["dx"]
banned = []

[limits]
wall_seconds = 10.0
cpu_seconds = 5.0
memory_mb = 512

[dims]
N = [2, 6]
D = [3, 9]

[[cases]]
name = "small example"
visible = true
dims = { N = 2, D = 3 }

[[cases]]
name = "random instance"
repeat = 3

[[solutions]]
file = "correct_where.py"
expect = "accepted"

[[solutions]]
file = "bug_no_upstream.py"
expect = "rejected"
bug = "forgets to multiply by the upstream gradient"
hint = "upstream"
hint_message = "dx must be multiplied by the upstream gradient dout (chain rule)."
"""

STATEMENT = r"""# {title}

Write `{func}(x, dout)` returning `dx`, the gradient of the loss with respect to `x` for
$y = \max(0, x)$ applied elementwise, given the upstream gradient `dout` $= \partial L / \partial y$:

$$\frac{\partial L}{\partial x} = \mathbb{1}[x > 0] \cdot \frac{\partial L}{\partial y}$$

- `x`, `dout`: float64 arrays of shape (N, D); `dx` has the same shape.
- NumPy only, written by you.
"""

CASES = '''import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    """The arguments of one call, in the order of the signature."""
    shape = (dims["N"], dims["D"])
    return {"x": rng.standard_normal(shape), "dout": rng.standard_normal(shape)}
'''

REFERENCE = """import numpy as np


def {func}(x: np.ndarray, dout: np.ndarray) -> np.ndarray:
    # The gradient flows only where the input was positive.
    return dout * (x > 0)
"""

STARTER = '''import numpy as np


def {func}(x, dout):
    """x, dout: arrays of shape (N, D). Return dx, of shape (N, D)."""
    raise NotImplementedError("write the backward pass")
'''

CORRECT = """import numpy as np


def {func}(x, dout):
    return np.where(x > 0, dout, 0.0)
"""

BUGGY = """import numpy as np


def {func}(x, dout):
    return (x > 0).astype(float)
"""


def scaffold(name: str, kind: str = "code", root: Path | None = None) -> Path:
    root = root or EXERCISES_ROOT
    topic, _, slug = name.partition("/")
    if not slug or topic not in TOPIC_ORDER:
        raise ExerciseError(f"name must be TOPIC/SLUG with TOPIC one of {', '.join(TOPIC_ORDER)}")
    if not SLUG.match(slug):
        raise ExerciseError(f"{slug!r} is not a slug: use lower-case words joined by '-'")
    if kind != "code":
        raise ExerciseError("only code exercises can be scaffolded for now")
    folder = root / topic / slug
    if folder.exists():
        raise ExerciseError(f"{folder} already exists")
    func = re.sub(r"\W", "_", slug.replace("-", "_"))
    title = slug.replace("-", " ").capitalize()
    values = {"slug": slug, "topic": topic, "func": func, "title": title}
    files = {
        "exercise.toml": TOML,
        "statement.md": STATEMENT,
        "cases.py": CASES,
        "reference.py": REFERENCE,
        "starter.py": STARTER,
        "solutions/correct_where.py": CORRECT,
        "solutions/bug_no_upstream.py": BUGGY,
    }
    for rel, template in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = template
        for key, value in values.items():  # plain replacement: templates hold code with braces
            text = text.replace("{" + key + "}", value)
        path.write_text(text, encoding="utf-8")
    return folder
