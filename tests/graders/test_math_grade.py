"""Math exercises end to end: instances per student, statements, verdicts, validation, schema."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graders.exercise import ExerciseError, load_exercise
from graders.instances import derive_seed
from graders.math import grade as mathgrade
from graders.math import templates
from graders.report import Verdict
from graders.validate import validate_math

SALT = "course-2025"


def seed_of(student: int, slug: str, salt: str = SALT) -> int:
    return derive_seed(f"user:{student}", slug, salt)


def typed_answer(grader: Any, exercise: Any, seed: int) -> str:
    inst = mathgrade.instance(exercise, seed, grader)
    return templates.typed(exercise.answer_type, inst.expected, inst.letters)


# -- instances -------------------------------------------------------------------------------


def test_same_student_same_instance_different_students_different_instances(grader: Any) -> None:
    exercise = load_exercise("conv-output-shape")
    first = mathgrade.render_statement(exercise, seed_of(1, exercise.slug), grader)
    assert mathgrade.render_statement(exercise, seed_of(1, exercise.slug), grader) == first
    statements = {
        mathgrade.render_statement(exercise, seed_of(s, exercise.slug), grader) for s in range(1, 7)
    }
    assert len(statements) >= 5  # six students, (almost surely) six different instances
    assert "{{" not in first and "$K = " in first
    # "Another one" in practice mode: a new salt, a new instance.
    other = mathgrade.render_statement(exercise, seed_of(1, exercise.slug, "practice-2"), grader)
    assert other != first


def test_each_students_correct_answer_is_accepted_and_only_on_their_instance(grader: Any) -> None:
    exercise = load_exercise("conv-output-shape")
    alice, bob = seed_of(1, exercise.slug), seed_of(2, exercise.slug)
    alice_answer, bob_answer = (
        typed_answer(grader, exercise, alice),
        typed_answer(grader, exercise, bob),
    )
    assert alice_answer != bob_answer
    assert grader.grade(exercise, alice_answer, seed=alice).verdict is Verdict.ACCEPTED
    assert grader.grade(exercise, bob_answer, seed=bob).verdict is Verdict.ACCEPTED
    assert grader.grade(exercise, bob_answer, seed=alice).verdict is Verdict.REJECTED


def test_a_stored_seed_reproduces_the_statement_and_the_verdict(grader: Any) -> None:
    exercise = load_exercise("sigmoid-chain-rule")
    seed = seed_of(7, exercise.slug)
    inst = mathgrade.instance(exercise, seed, grader)
    a = inst.params["a"]
    answer = f"sigma({a}x + {inst.params['b']})(1 - sigma({a}x + {inst.params['b']}))"
    before = grader.grade(exercise, answer, seed=seed)
    statement = mathgrade.render_statement(exercise, seed, grader)
    grader.math.cache.clear()  # nothing remembered: everything recomputed
    after = grader.grade(exercise, answer, seed=seed)
    assert mathgrade.render_statement(exercise, seed, grader) == statement
    assert before.verdict is after.verdict is Verdict.REJECTED
    assert (before.message, before.checks[0].hint) == (after.message, after.checks[0].hint)
    assert "Chain rule" in (after.checks[0].hint or "")
    assert before.seed == after.seed == seed and before.version == after.version


def test_custom_params_are_drawn_by_the_reference(grader: Any) -> None:
    exercise = load_exercise("attention-weights-by-hand")
    seen = set()
    for s in range(1, 6):
        inst = mathgrade.instance(exercise, seed_of(s, exercise.slug), grader)
        assert inst.params["d"] in (2, 3)
        assert len(inst.params["Q"]) == 2 and len(inst.params["K"]) == 3
        weights = [w for row in inst.expected for w in row]
        assert max(weights) < 0.9 and min(weights) > 0.03  # never a saturated softmax
        seen.add(str(inst.params["Q"]))
    assert len(seen) >= 4


def test_choice_options_are_shuffled_per_instance_and_keyed_by_id(grader: Any) -> None:
    exercise = load_exercise("why-scale-by-sqrt-d")
    orders = set()
    for s in range(1, 7):
        seed = seed_of(s, exercise.slug)
        inst = mathgrade.instance(exercise, seed, grader)
        orders.add(tuple(o.id for o in inst.options))
        statement = mathgrade.render_statement(exercise, seed, grader)
        for option in inst.options:
            assert f"- **{option.letter}.** {option.text}" in statement
        right = ", ".join(inst.letters[i] for i in ("variance", "saturation"))
        assert grader.grade(exercise, right, seed=seed).verdict is Verdict.ACCEPTED
    assert len(orders) >= 4
    assert "{{" not in statement and f"$d = {inst.params['d']}$" in statement


def test_exercises_without_params_need_no_sandbox_to_render(tmp_path: Any, write_exercise) -> None:
    exercise = write_exercise(
        {
            "exercise.toml": 'slug = "tiny-count"\ntitle = "Count"\ntopic = "backprop"\n'
            'kind = "math"\n[math]\nanswer_type = "numeric"\n',
            "statement.md": "How many? {{nothing}}",
            "reference.py": "def answer():\n    return 12\n",
        },
        slug="tiny-count",
    )
    assert not mathgrade.parametrised(exercise)
    assert mathgrade.render_statement(exercise, 5) == "How many? {{nothing}}"


# -- verdicts --------------------------------------------------------------------------------


def test_verdicts_and_feedback(grader: Any) -> None:
    exercise = load_exercise("conv-by-hand")
    seed = seed_of(3, exercise.slug)
    inst = mathgrade.instance(exercise, seed, grader)
    flipped = next(m["value"] for m in inst.mistakes if m["index"] == 0)
    report = grader.grade(exercise, str(flipped), seed=seed)
    assert report.verdict is Verdict.REJECTED and report.score == 0
    assert "does not flip the kernel" in report.checks[0].hint
    assert "We read your answer as" in report.checks[0].message
    good = grader.grade(exercise, templates.typed("array", inst.expected), seed=seed)
    assert good.verdict is Verdict.ACCEPTED and good.score == exercise.points
    assert good.timings["check"] < 2 and "total" in good.timings


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 5000, "too long"),
        ("[[1, 2], [3]]", "same number of entries"),
        ("import os; os.system('id')", "Expected a matrix"),
    ],
)
def test_unparseable_answers_are_invalid_not_wrong(grader: Any, answer: str, needle: str) -> None:
    exercise = load_exercise("conv-by-hand")
    report = grader.grade(exercise, answer, seed=1)
    assert report.verdict is Verdict.INVALID_ANSWER, report.message
    assert needle in report.message and report.score == 0
    assert report.to_dict()["verdict_label"] == "Answer not understood"


def test_a_failing_reference_is_an_internal_error(grader: Any, write_exercise) -> None:
    exercise = write_exercise(
        {
            "exercise.toml": 'slug = "broken-ref"\ntitle = "Broken"\ntopic = "backprop"\n'
            'kind = "math"\n[math]\nanswer_type = "numeric"\n[params]\nN = [2, 5]\n',
            "statement.md": "N = {{N}}",
            "reference.py": "def answer(N):\n    return 1 / 0\n",
        },
        slug="broken-ref",
    )
    report = grader.grade(exercise, "3", seed=1)
    assert report.verdict is Verdict.INTERNAL_ERROR
    assert "ZeroDivisionError" in " ".join(report.warnings)


def test_an_exercise_whose_mistakes_always_give_the_answer_cannot_draw(
    grader: Any, write_exercise
) -> None:
    exercise = write_exercise(
        {
            "exercise.toml": 'slug = "degenerate"\ntitle = "Degenerate"\ntopic = "backprop"\n'
            'kind = "math"\n[math]\nanswer_type = "numeric"\n'
            '[[math.mistakes]]\nfunction = "same"\nhint = "never distinguishable"\n'
            "[params]\nN = [2, 5]\n",
            "statement.md": "N = {{N}}",
            "reference.py": "def answer(N):\n    return N\n\ndef same(N):\n    return N\n",
        },
        slug="degenerate",
    )
    with pytest.raises(mathgrade.InstanceError, match="no usable instance"):
        mathgrade.instance(exercise, 1, grader)


# -- validate --------------------------------------------------------------------------------

TINY_TOML = """slug = "tiny-math"
title = "Twice N"
topic = "backprop"
kind = "math"

[math]
answer_type = "numeric"
rtol = 0.0
atol = 0.0

[[math.mistakes]]
function = "halved"
hint = "You forgot the factor 2."

[params]
N = [3, 9]

[[solutions]]
file = "correct.txt"
expect = "accepted"

[[solutions]]
file = "correct.py"
expect = "accepted"

[[solutions]]
file = "wrong.txt"
expect = "rejected"
bug = "forgets the factor 2"
hint = "factor 2"

[[solutions]]
file = "invalid.txt"
expect = "invalid_answer"
bug = "not a number"
"""


def tiny_files(wrong_expect: str = "rejected") -> dict[str, str]:
    return {
        "exercise.toml": TINY_TOML.replace('expect = "rejected"', f'expect = "{wrong_expect}"'),
        "statement.md": "What is $2N$ for $N = {{N}}$?",
        "reference.py": "def answer(N):\n    return 2 * N\n\ndef halved(N):\n    return N\n",
        "solutions/correct.txt": "2*{{N}}\n",
        "solutions/correct.py": "def answer(N):\n    return f'{N} + {N}'\n",
        "solutions/wrong.txt": "{{N}}\n",
        "solutions/invalid.txt": "two N\n",
    }


def test_validate_math_exercises(grader: Any, write_exercise) -> None:
    exercise = write_exercise(tiny_files(), slug="tiny-math")
    findings = validate_math(grader.math, exercise, (0, 1))
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]
    names = {f.what.split(" (seed")[0] for f in findings}
    assert {"reference answer, typed", "mistake 1", "solutions/correct.txt",
            "solutions/correct.py", "solutions/wrong.txt", "solutions/invalid.txt",
            "statement"} <= names  # fmt: skip


def test_validate_catches_a_wrong_expectation(grader: Any, write_exercise) -> None:
    exercise = write_exercise(tiny_files(wrong_expect="accepted"), slug="tiny-math")
    bad = [f for f in validate_math(grader.math, exercise, (0,)) if not f.ok]
    assert len(bad) == 1 and bad[0].what.startswith("solutions/wrong.txt")
    assert "expected accepted, got rejected" in bad[0].detail


def test_validate_catches_unfilled_placeholders(grader: Any, write_exercise) -> None:
    files = tiny_files()
    files["statement.md"] = "What is $2N$ for $N = {{N}}$ and {{M}}?"
    exercise = write_exercise(files, slug="tiny-math")
    findings = validate_math(grader.math, exercise, (0,))
    assert any("{{M}}" in f.detail for f in findings if not f.ok)


# -- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ('[math]\nanswer_type = "numeric"\n[math.choices]\na = "x"\n', "only for choice answers"),
        ('[math]\nanswer_type = "choice"\n[math.choices]\na = "x"\n', "2 to 26"),
        (
            '[math]\nanswer_type = "numeric"\n[[math.mistakes]]\nanswer = "1"\nfunction = "f"\nhint = "abc"\n',
            "exactly one of answer, function",
        ),
        (
            '[math]\nanswer_type = "choice"\n[math.choices]\na = "x"\nb = "y"\n'
            '[[math.mistakes]]\nchoice = "c"\nhint = "abc"\n',
            "not a choice",
        ),
        ('[math]\nanswer_type = "symbolic"\nvariables = ["x", "exp"]\n', "not a function name"),
        ('[math]\nanswer_type = "numeric"\nvariables = ["x"]\n', "only for symbolic"),
        ('[math]\nanswer_type = "numeric"\n[params]\nN = [5, 2]\n', "low > high"),
        ('[math]\nanswer_type = "numeric"\n[params]\nN = { range = [1, 2], bogus = 1 }\n', "bogus"),
        (
            '[math]\nanswer_type = "numeric"\n[params]\nN = [1, 3]\ndistinct = [["M"]]\n',
            "not a parameter",
        ),
        ('[math]\nanswer_type = "numeric"\nrtol = -1\n', "rtol"),
        ('[math]\nanswer_type = "numbers"\n', "answer_type"),
        ('[math]\nanswer_type = "numeric"\nunknown = 1\n', "unknown field"),
    ],
)
def test_math_schema_errors_name_the_field_and_the_fix(
    write_exercise, extra: str, needle: str
) -> None:
    files = {
        "exercise.toml": 'slug = "bad-math"\ntitle = "Bad"\ntopic = "backprop"\nkind = "math"\n'
        + extra,
        "statement.md": "x",
        "reference.py": "def answer():\n    return 1\n",
    }
    with pytest.raises(ExerciseError) as info:
        write_exercise(files, slug="bad-math")
    assert needle in str(info.value) and "exercise.toml" in str(info.value)


def test_every_math_exercise_of_the_bank_loads_and_covers_every_answer_type() -> None:
    from graders.exercise import EXERCISES_ROOT

    folders = [
        p.parent
        for p in sorted(EXERCISES_ROOT.glob("*/*/exercise.toml"))
        if 'kind = "math"' in p.read_text(encoding="utf-8")
    ]
    math = [load_exercise(folder) for folder in folders]
    assert len(math) >= 12
    topics: dict[str, int] = {}
    for e in math:
        topics[e.topic] = topics.get(e.topic, 0) + 1
        text = e.statement
        assert re.search(r"\]\(\.\./[a-z0-9-]+/\)", text), f"{e.slug}: link another exercise"
        assert "worked example" in text.lower() or "hints for thinking" in text.lower(), e.slug
        assert any("accepted" in s.expected for s in e.spec.solutions)
        assert any("rejected" in s.expected for s in e.spec.solutions)
    assert all(topics[t] >= 4 for t in ("backprop", "convolution", "attention"))
    kinds = {e.answer_type for e in math}
    assert kinds == {"numeric", "array", "shape", "symbolic", "choice", "multi_choice"}
