"""Broken exercise folders fail with a message naming the file, the field and the fix."""

from __future__ import annotations

import pytest

from graders.exercise import ExerciseError, discover, load_exercise
from graders.instances import DrawError, derive_seed, draw_dims, expand_cases
from graders.schema import ExerciseSpec
from tests.graders.test_engine import TINY_TOML

BASE = {
    "statement.md": "Return 2x.",
    "cases.py": "def make_inputs(rng, dims, options):\n    return {'x': rng.standard_normal((2, 3))}\n",
    "reference.py": "def double(x):\n    return 2 * x\n",
    "starter.py": "def double(x):\n    raise NotImplementedError\n",
    "solutions/ok.py": "def double(x):\n    return x + x\n",
}


def files(toml: str) -> dict[str, str]:
    return {"exercise.toml": toml, **BASE}


def test_valid_folder_loads(write_exercise):
    exercise = write_exercise(files(TINY_TOML.format(slug="tiny-double", limits="")))
    assert exercise.slug == "tiny-double" and exercise.entry_point == "double"
    assert len(exercise.version) == 16
    assert "solutions/ok.py" in exercise.files()


def test_unknown_field_names_file_field_and_fix(write_exercise):
    toml = TINY_TOML.format(slug="tiny-double", limits="").replace(
        'kind = "code"', 'kind = "code"\npionts = 3'
    )
    with pytest.raises(ExerciseError) as err:
        write_exercise(files(toml))
    text = str(err.value)
    assert "exercise.toml" in text and "field pionts" in text and "spelling" in text


def test_wrong_literal_and_missing_field(write_exercise):
    toml = TINY_TOML.format(slug="tiny-double", limits="").replace(
        'topic = "backprop"', 'topic = "optics"'
    )
    with pytest.raises(ExerciseError, match="field topic"):
        write_exercise(files(toml))
    toml = TINY_TOML.format(slug="tiny-double", limits="").replace('entry_point = "double"', "")
    with pytest.raises(ExerciseError, match=r"field code\.entry_point: required field is missing"):
        write_exercise(files(toml))


def test_slug_must_match_folder(write_exercise):
    with pytest.raises(ExerciseError, match="differs from the folder name"):
        write_exercise(files(TINY_TOML.format(slug="other-name", limits="")))


def test_missing_solution_file(write_exercise):
    content = files(TINY_TOML.format(slug="tiny-double", limits=""))
    del content["solutions/ok.py"]
    with pytest.raises(ExerciseError, match=r"solutions/ok\.py does not exist"):
        write_exercise(content)


def test_buggy_solution_must_say_which_bug(write_exercise):
    toml = (
        TINY_TOML.format(slug="tiny-double", limits="")
        + '\n[[solutions]]\nfile = "ok.py"\nexpect = "rejected"\n'
    )
    with pytest.raises(ExerciseError, match="bug ="):
        write_exercise(files(toml))


def test_bad_toml_syntax(write_exercise):
    with pytest.raises(ExerciseError, match="not valid TOML"):
        write_exercise(files("slug = \n"))


def test_unknown_slug_is_a_clear_error():
    with pytest.raises(ExerciseError, match="no exercise 'no-such-thing'"):
        load_exercise("no-such-thing")


def test_bank_is_ordered_by_topic_then_order():
    bank = discover()
    topics = [e.topic for e in bank]
    assert topics == sorted(topics, key=["backprop", "convolution", "attention"].index)
    core = {e.slug for e in bank}
    assert {"linear-backward", "conv2d-forward", "scaled-dot-product-attention"} <= core


def test_seeds_are_stable_and_differ_between_students():
    a = derive_seed("alice", "conv2d-forward")
    assert a == derive_seed("alice", "conv2d-forward")
    assert a != derive_seed("bob", "conv2d-forward")
    assert a != derive_seed("alice", "conv2d-forward", salt="1")
    assert 0 <= a < 2**31


def test_dims_are_distinct_in_their_groups_and_reproducible():
    import numpy as np

    ranges = {"N": (2, 4), "C": (2, 4), "H": (5, 9), "W": (5, 9)}
    groups = [["N", "C"], ["H", "W"]]
    for seed in range(50):
        dims = draw_dims(np.random.default_rng(seed), ranges, groups, {})
        assert dims["N"] != dims["C"] and dims["H"] != dims["W"]
        assert dims == draw_dims(np.random.default_rng(seed), ranges, groups, {})


def test_impossible_distinctness_is_reported():
    import numpy as np

    with pytest.raises(DrawError, match="widen the ranges"):
        draw_dims(np.random.default_rng(0), {"A": (2, 2), "B": (2, 2)}, [["A", "B"]], {})


def test_visible_cases_come_first():
    spec = ExerciseSpec.model_validate(
        {
            "slug": "x-y",
            "title": "Xyz",
            "topic": "backprop",
            "kind": "code",
            "code": {"entry_point": "f"},
            "cases": [
                {"name": "hidden"},
                {"name": "shown", "visible": True},
                {"name": "r", "repeat": 2},
            ],
            "solutions": [{"file": "a.py", "expect": "accepted"}],
        }
    )
    cases = expand_cases(spec)
    assert [c.name for c in cases] == ["shown", "hidden", "r #1", "r #2"]
    assert len({c.index for c in cases}) == 4
