"""Helpers for checking reference implementations against outside oracles.

The references in `exercises/` are what every student is graded against, so they are checked
here against PyTorch and against central-difference numerical gradients (see
docs/architecture.md#checking-the-exercises-themselves).
These helpers import the exercise files directly (trusted code, test process only).
"""

from __future__ import annotations

import functools
import importlib.util
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import numpy as np

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def load_module(topic: str, slug: str, name: str = "reference") -> ModuleType:
    """Import `exercises/<topic>/<slug>/<name>.py` as a fresh module."""
    path = EXERCISES / topic / slug / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_oracle_{slug}_{name}".replace("-", "_"), path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of sum(f(x) * dout) with respect to x, in float64.

    `f` must not keep references to `x`: x is perturbed in place, one element at a time.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        plus = np.sum(f(x) * dout)
        x[idx] = old - h
        minus = np.sum(f(x) * dout)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def assert_close(
    got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6, atol: float = 1e-8
) -> None:
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"shape {got.shape} != {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def instances(topic: str, slug: str, seed: int) -> Iterator[tuple[str, dict[str, int], dict]]:
    """(case name, dims, inputs) of every case, drawn exactly as the engine draws them."""
    from graders.exercise import load_exercise
    from graders.instances import case_rng, draw_dims, expand_cases

    spec = load_exercise(EXERCISES / topic / slug).spec
    cases = load_module(topic, slug, "cases")
    for case in expand_cases(spec):
        rng = case_rng(seed, case.index)
        accept = getattr(cases, "accept", None)
        dims = draw_dims(
            rng, spec.dim_ranges(), spec.distinct_groups(), case.dims, accept, case.options
        )
        inputs = cases.make_inputs(case_rng(seed, case.index, 1), dict(dims), dict(case.options))
        yield case.name, dims, inputs


@functools.cache
def exercise_toml(topic: str, slug: str) -> dict:
    with open(EXERCISES / topic / slug / "exercise.toml", "rb") as f:
        return tomllib.load(f)


def call_like_engine(fn: Callable, inputs: dict, framework: str = "numpy") -> object:
    """Call as the engine does: positionally, on private copies; tensors for torch exercises."""
    from graders.sandbox.child import prepare_args

    return fn(*prepare_args(list(inputs.values()), framework))
