"""Static checks: precise messages before anything runs."""

from __future__ import annotations

import pytest

from graders.codecheck import banned_names, check_source

NUMPY_BANS = banned_names("numpy", [])
TORCH_BANS = banned_names("torch", [])


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("import torch\n", "torch"),
        ("import torch.nn.functional as F\n", "torch"),
        ("from scipy import signal\n", "scipy"),
        ("from scipy.signal import convolve2d\n", "scipy"),
        ("import numpy as np\ny = np.convolve([1], [1])\n", "numpy.convolve"),
        ("import numpy\ny = numpy.correlate([1], [1])\n", "numpy.correlate"),
        ("from numpy import convolve\n", "numpy.convolve"),
        ("import ctypes\n", "ctypes"),
        ("import subprocess\n", "subprocess"),
        ("x = eval('1')\n", "eval"),
        ("__import__('os')\n", "__import__"),
    ],
)
def test_banned_in_numpy_exercises(source, needle):
    problem = check_source(source, "solution.py", NUMPY_BANS)
    assert problem is not None and problem.verdict == "banned_call"
    assert needle in problem.message and "line" in problem.message


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ny = torch.nn.functional.scaled_dot_product_attention\n",
        "import torch.nn.functional as F\ny = F.scaled_dot_product_attention\n",
        "import torch\nm = torch.nn.MultiheadAttention(4, 2)\n",
        "import torch\ng = torch.autograd.grad\n",
        "def f(t):\n    t.backward()\n",
    ],
)
def test_banned_in_torch_exercises(source):
    problem = check_source(source, "solution.py", TORCH_BANS)
    assert problem is not None and problem.verdict == "banned_call"


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nimport math\ndef f(x):\n    return np.tanh(x) + math.pi\n",
        "import numpy as np\nfrom numpy.lib.stride_tricks import sliding_window_view\n",
        "import numpy as np\ny = np.einsum('ij->j', np.ones((2, 2)))\n",
    ],
)
def test_honest_code_passes(source):
    assert check_source(source, "solution.py", NUMPY_BANS) is None


def test_torch_allowed_in_torch_exercises():
    assert (
        check_source(
            "import torch\ny = torch.softmax(torch.ones(2), 0)\n", "solution.py", TORCH_BANS
        )
        is None
    )


def test_syntax_error_has_line_and_caret_text():
    problem = check_source("def f(x)\n    return x\n", "solution.py", NUMPY_BANS)
    assert problem.verdict == "syntax_error" and problem.lineno == 1
    assert "line 1" in problem.message and "def f(x)" in problem.message


def test_oversized_and_null_bytes():
    assert check_source("x = 1\n" * 20000, "solution.py", []).verdict == "syntax_error"
    assert check_source("x = '\0'\n\0", "solution.py", []).verdict == "syntax_error"


def test_allowed_list_lifts_a_default_ban():
    assert "numpy.correlate" not in banned_names("numpy", [], allowed=["np.correlate"])
    assert "numpy.pad" in banned_names("numpy", ["np.pad"])
