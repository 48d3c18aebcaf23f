"""Drawing a math instance: the code that runs in the "sympy" sandbox for `instance` jobs.

`instance(meta_json, reference_source, solutions_json)` draws an instance's parameters from the
seed (exercise.toml [params], or reference.py's `params(rng)`), computes the reference's
`answer(**params)` and each declared mistake's value, redraws while a mistake equals the answer
(an instance that cannot tell a mistake from the answer is degenerate), and produces the typed
text of the exercise's solutions/*.py for this instance. The trusted side sends the job
(graders.math.grade) and keeps what comes back (docs/architecture.md, "Instances and seeds").
"""

from __future__ import annotations

import copy
import json
import math
import traceback
from typing import Any

import numpy as np

from graders.math.check import as_expected, parse_answer, same
from graders.math.templates import CHOICE_TYPES, fill

MAX_DRAWS = 200


def _plain(value: Any, depth: int = 0) -> Any:
    """NumPy scalars and arrays, tuples -> JSON-able Python values; anything else is refused."""
    if depth > 6:
        raise ValueError("value nested too deeply")
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not finite: {value}")
        return value
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return _plain(tolist(), depth + 1)
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if hasattr(value, "__float__") and hasattr(value, "__index__"):
        return int(value)
    if hasattr(value, "__float__"):
        return _plain(float(value), depth + 1)
    raise ValueError(f"cannot use a value of type {type(value).__name__}")


def _draw_one(rng: Any, name: str, decl: Any) -> Any:
    if isinstance(decl, list):
        return int(rng.integers(decl[0], decl[1] + 1))
    if "choices" in decl:
        options = decl["choices"]
        return options[int(rng.integers(len(options)))]
    exclude = decl.get("exclude", [])
    if "matrix" in decl:
        low, high = decl.get("range", [-3, 3])
        for _ in range(1000):
            m = rng.integers(low, high + 1, size=tuple(decl["matrix"]))
            flat = m.ravel().tolist()
            if any(v in exclude for v in flat) or len(set(flat)) == 1:
                continue
            if decl.get("not_symmetric") and (m == m[::-1, ::-1]).all():
                continue
            return m.tolist()
        raise ValueError(f"params.{name}: no matrix fits its constraints in 1000 draws")
    low, high = decl["range"]
    for _ in range(1000):
        if isinstance(low, int) and isinstance(high, int):
            value = int(rng.integers(low, high + 1))
        else:
            value = round(float(rng.uniform(low, high)), int(decl.get("decimals", 2)))
        if value not in exclude:
            return value
    raise ValueError(f"params.{name}: every value of the range is excluded")


def _int_scalar(decl: Any) -> bool:
    if isinstance(decl, list):
        return True
    if "choices" in decl:
        return all(isinstance(v, int) for v in decl["choices"])
    if "range" in decl and "matrix" not in decl:
        return all(isinstance(v, int) for v in decl["range"])
    return False


def draw_params(rng: Any, decls: dict[str, Any], distinct: Any) -> dict[str, Any] | None:
    """One draw from the declared ranges; None if it breaks distinctness (draw again)."""
    values = {name: _draw_one(rng, name, decl) for name, decl in decls.items()}
    groups = distinct
    if groups is None:
        groups = [[n for n, d in decls.items() if _int_scalar(d)]]
    for group in groups:
        drawn = [values[n] for n in group]
        if len(set(drawn)) != len(drawn):
            return None
    return values


def make_instance(
    meta: dict[str, Any], reference: str, solutions: dict[str, str]
) -> dict[str, Any]:
    """Draw a non-degenerate instance and compute everything that depends on it."""
    ns: dict[str, Any] = {"__name__": "reference"}
    exec(compile(reference, "reference.py", "exec"), ns)  # instructor code, in the sandbox
    answer = ns.get("answer")
    if not callable(answer):
        return {"error": "reference.py must define answer(**params) returning the expected answer"}
    custom = ns.get("params")
    accept = ns.get("accept")
    kind = meta["type"]
    rng = np.random.default_rng(int(meta["seed"]))
    for draw in range(1, MAX_DRAWS + 1):
        if callable(custom):
            params = custom(rng)
            if not isinstance(params, dict):
                return {"error": "reference.py: params(rng) must return a dict"}
        elif meta.get("params"):
            params = draw_params(rng, meta["params"], meta.get("distinct"))
            if params is None:
                continue
        else:
            params = {}
        params = {str(k): _plain(v) for k, v in params.items()}
        if callable(accept) and not accept(**copy.deepcopy(params)):
            continue
        expected = _plain(answer(**copy.deepcopy(params)))
        mistakes: list[dict[str, Any]] = []
        for index, mistake in enumerate(meta.get("mistakes", [])):
            if "function" in mistake:
                func = ns.get(mistake["function"])
                if not callable(func):
                    return {"error": f"reference.py has no function {mistake['function']}()"}
                value = _plain(func(**copy.deepcopy(params)))
                if value is not None:
                    mistakes.append({"index": index, "value": value})
            elif "answer" in mistake:
                text, _ = fill(mistake["answer"], params)
                mistakes.append({"index": index, "text": text})
        if kind not in CHOICE_TYPES and _degenerate(kind, expected, mistakes, meta):
            continue
        texts: dict[str, Any] = {}
        for name, source in solutions.items():
            try:
                sns: dict[str, Any] = {"__name__": "solution"}
                exec(compile(source, name, "exec"), sns)
                texts[name] = {"text": str(sns["answer"](**copy.deepcopy(params)))}
            except Exception as exc:
                texts[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        return {
            "params": params,
            "expected": expected,
            "mistakes": mistakes,
            "solutions": texts,
            "draws": draw,
        }
    return {
        "error": f"no usable instance in {MAX_DRAWS} draws: every draw was degenerate (a declared "
        "mistake gave the expected answer) or broke distinctness or accept(); widen [params]"
    }


def _degenerate(kind: str, expected: Any, mistakes: list[dict[str, Any]], meta: dict) -> bool:
    """A draw is degenerate when a declared mistake gives the expected answer (the mistake
    would pass), or when two mistakes give the same answer (the hint would be ambiguous)."""
    seen = [as_expected(kind, expected, meta)]
    for mistake in mistakes:
        if "value" in mistake:
            other = as_expected(kind, mistake["value"], meta)
        else:
            try:
                other = parse_answer(kind, mistake["text"], meta)
            except ValueError:
                continue
        if any(same(kind, other, earlier, meta, quick=True) for earlier in seen):
            return True
        seen.append(other)
    return False


def instance(meta_json: str, reference: str, solutions_json: str) -> str:
    """Sandbox entry point: the instance for meta["seed"], as JSON."""
    try:
        result = make_instance(json.loads(meta_json), reference, json.loads(solutions_json))
    except Exception as exc:
        trace = "".join(traceback.format_exception(exc))[-1500:]
        result = {"error": f"reference.py failed: {type(exc).__name__}: {exc}\n{trace}"}
    return json.dumps(result)
