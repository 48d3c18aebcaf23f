"""`from graders.notebook import check`: a function object back into a file, graded, and shown.

The last tests execute real notebooks in a real kernel (nbclient, ipykernel): a function is
defined in one cell and `check(...)` called in the next, against a student bundle.
tests/e2e/test_notebook.py does the same against the live site.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from graders import bundle as bundles
from graders.engine import Grader
from graders.exercise import load_exercise
from graders.notebook import Result, ShippingError, extract_source
from graders.report import Check, Report, Verdict

ROOT = Path(__file__).resolve().parents[2]
SLUG = "linear-backward"


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Import `source` as a module of the student's own (a file outside any library folder),
    as a notebook's functions are."""

    def load(source: str, name: str = "students_work") -> ModuleType:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, loaded)
        spec.loader.exec_module(loaded)
        return loaded

    monkeypatch.syspath_prepend(str(tmp_path))
    return load


WORK = """
import math
import numpy as np
from numpy.linalg import norm
from functools import reduce as fold

EPS = 1e-12
SHAPE = (2, 3)
NAMES = {"dx": 0}
exp = np.exp

def scale(a):
    return np.asarray(a) * (1.0 + EPS * 0) + 0 * norm(a)

def mine(x, w, b, dout, k=SHAPE):
    dx = scale(dout @ w.T) + 0 * exp(0.0) + 0 * math.sqrt(4)
    return dx, x.T @ dout, fold(lambda s, t: s + t, [dout.sum(axis=0)])

also_mine = mine
"""


def test_a_function_is_shipped_with_what_it_uses(module: Callable[[str], ModuleType]) -> None:
    work = module(WORK)
    source = extract_source(work.mine, "linear_backward")
    lines = source.splitlines()
    for line in (
        "import math",
        "import numpy as np",
        "from numpy.linalg import norm",
        "from functools import reduce as fold",
        "from numpy import exp",
        "EPS = 1e-12",
        "SHAPE = (2, 3)",
        "def scale(a):",
        "def mine(x, w, b, dout, k=SHAPE):",
        "linear_backward = mine",
    ):
        assert line in lines, line
    # What it does not use stays in the notebook; helpers come before their user.
    assert "NAMES" not in source and "also_mine" not in source
    assert lines.index("def scale(a):") < lines.index("def mine(x, w, b, dout, k=SHAPE):")
    # The file stands on its own: run where nothing of the notebook exists, it computes the same.
    import numpy as np

    scope: dict[str, Any] = {}
    exec(compile(source, "solution.py", "exec"), scope)
    rng = np.random.default_rng(0)
    x, w, b, dout = rng.random((2, 3)), rng.random((3, 4)), rng.random(4), rng.random((2, 4))
    got, want = scope["linear_backward"](x, w, b, dout), work.mine(x, w, b, dout)
    assert len(got) == len(want) == 3
    assert all(np.allclose(g, v) for g, v in zip(got, want, strict=True))


@pytest.mark.parametrize(
    ("source", "function", "message"),
    [
        (
            "import numpy as np\ndata = np.zeros(3)\ndef f(x):\n    return data * x\n",
            "f",
            "f uses data, a numpy.ndarray from your notebook's state, which cannot be sent",
        ),
        (
            "def outer():\n    k = 2\n    def inner(x):\n        return k * x\n    return inner\n"
            "f = outer()\n",
            "f",
            "inner is defined inside another function and uses its variables (k)",
        ),
        ("f = lambda x: x\n", "f", "is a lambda: define it with def"),
        (
            "class Layer:\n    pass\ndef f(x):\n    return Layer()\n",
            "f",
            "f uses Layer, a class defined in your notebook from your notebook's state",
        ),
        (
            "import helpers_of_mine\ndef f(x):\n    return helpers_of_mine.twice(x)\n",
            "f",
            "your own module 'helpers_of_mine', which the grader cannot import",
        ),
    ],
)
def test_what_cannot_be_shipped_is_named(
    module: Callable[[str, str], ModuleType], source: str, function: str, message: str
) -> None:
    module("def twice(x):\n    return 2 * x\n", "helpers_of_mine")
    work = module(source, "cell")
    with pytest.raises(ShippingError) as caught:
        extract_source(getattr(work, function))
    assert message in str(caught.value)


def test_not_a_function_is_a_message() -> None:
    for value in ("def f(): pass", 3, print):
        with pytest.raises(ShippingError, match="give"):
            extract_source(value)


def _result() -> Result:
    report = Report("linear-backward", "v", 1000, Verdict.REJECTED, 0.0, 10.0)
    report.message = "Wrong answer: 0 of 1 cases pass."
    report.checks = [
        Check(
            "case 1: small <example>",
            False,
            "dx: 3 of 4 values are wrong",
            hint="the sign is flipped",
            details={"wrong_mask": [[1, 0], [1, 1]]},
        ),
        Check("case 2: random", True, "ok", visible=False),
    ]
    return Result(SLUG, report, "Backward pass", where="offline", notes=["visible cases only"])


def test_the_report_shows_as_html_in_jupyter_and_as_text_elsewhere() -> None:
    result = _result()
    page = result._repr_html_()
    assert 'data-verdict="rejected"' in page and ">Wrong answer</strong>" in page
    assert "case 1: small &lt;example&gt;" in page and "<example>" not in page
    assert '<span class="hint">the sign is flipped</span>' in page
    assert page.count('title="[') == 4 and "3 of 4 values wrong (red)" in page  # the heatmap
    assert "case 2: random <em>(hidden)</em>" in page
    text = str(result)
    assert "Wrong answer  score 0/10" in text and "hint: the sign is flipped" in text
    assert "note: visible cases only" in text and "<" not in text.replace("<example>", "")
    assert not result and not result.accepted
    failed = Result(SLUG, problem="no bundle found")
    assert "not graded" in failed._repr_html_() and "no bundle found" in str(failed)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, grader: Grader) -> Path:
    built = bundles.build(
        grader, [bundles.Entry(load_exercise(SLUG), bundles.OFFLINE_PRACTICE_SEED)]
    )
    return bundles.write_folder(built, tmp_path_factory.mktemp("nb") / "bundle")


def _execute(notebook: Any, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run every cell in a fresh kernel started in `folder`, as Jupyter would."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the engine, for the kernel
    monkeypatch.delenv("DEEPGRADE_BUNDLE", raising=False)
    monkeypatch.delenv("DEEPGRADE_URL", raising=False)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    return client.execute()


def _html(cell: Any) -> str:
    return "".join(
        out.get("data", {}).get("text/html", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("execute_result", "display_data")
    )


CORRECT = """\
import numpy as np

def summed(a, axis):
    return a.sum(axis=axis)

def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, summed(dout, 0)
"""
WRONG = """\
def linear_backward(x, w, b, dout):
    return -(dout @ w.T), x.T @ dout, dout.sum(axis=0)
"""


@pytest.mark.slow
def test_a_real_notebook_checks_a_function_against_a_bundle(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from graders.notebook import check"),
        nbformat.v4.new_code_cell(CORRECT),
        nbformat.v4.new_code_cell(f'check("{SLUG}", linear_backward, bundle={str(made)!r})'),
        nbformat.v4.new_code_cell(WRONG),
        nbformat.v4.new_code_cell(f'check("{SLUG}", linear_backward, bundle={str(made)!r})'),
        nbformat.v4.new_code_cell(
            "state = np.ones(3)\ndef leaky(x, w, b, dout):\n    return state\n"
            f'check("{SLUG}", leaky, bundle={str(made)!r})'
        ),
    ]
    done = _execute(nb, tmp_path, monkeypatch)
    accepted, wrong, leaky = _html(done.cells[2]), _html(done.cells[4]), _html(done.cells[5])
    assert 'data-verdict="accepted"' in accepted and ">Accepted</strong>" in accepted
    assert "case 1: small example" in accepted and "def summed(a, axis):" in accepted
    assert 'data-verdict="rejected"' in wrong and ">Wrong answer</strong>" in wrong
    assert "the sign is flipped" in wrong and 'class="heatmap"' in wrong
    assert "not graded" in leaky and "leaky uses state, a numpy.ndarray" in leaky


@pytest.mark.slow
def test_the_bundles_own_notebook_finds_its_bundle(
    made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = made / "notebooks"
    nb = nbformat.read(folder / "backprop.ipynb", as_version=4)
    nbformat.validate(nb)
    sources = [cell.source for cell in nb.cells]
    assert f'check("{SLUG}", linear_backward)' in sources  # no path: the bundle it is in
    done = _execute(nb, folder, monkeypatch)
    checked = next(c for c in done.cells if c.source == f'check("{SLUG}", linear_backward)')
    html = _html(checked)
    # The starter raises NotImplementedError: the report says so, from this bundle.
    assert 'data-verdict="runtime_error"' in html and "NotImplementedError" in html
    assert f"offline, bundle {made}" in html
    assert json.loads((made / "bundle.json").read_text())["exercises"][0]["slug"] == SLUG
