from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.engine import Grader
from graders.exercise import Exercise, load_exercise


@pytest.fixture(scope="session")
def grader() -> Iterator[Grader]:
    """One grader (and its zygotes) for the whole session, as a worker process has."""
    g = Grader()
    yield g
    g.close()


@pytest.fixture(scope="session")
def sigmoid() -> Exercise:
    return load_exercise("sigmoid-backward")


SIGMOID_OK = """
import numpy as np

def sigmoid_backward(x, dout):
    s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return dout * s * (1.0 - s)
"""


@pytest.fixture
def write_exercise(tmp_path: Path):
    """Write a small exercise folder from a dict of files; returns the loaded Exercise."""

    def write(files: dict[str, str], slug: str = "tiny-double") -> Exercise:
        folder = tmp_path / "backprop" / slug
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return load_exercise(folder)

    return write
