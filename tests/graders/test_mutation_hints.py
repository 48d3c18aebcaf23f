"""Hints named after mutants (graders/mutation/hints.py): which mutant, on which cases, in which
words; and, for the exercises of the bank, that each known buggy solution gets the mutation
hint its exercise.toml declares, or none."""

from __future__ import annotations

import numpy as np
import pytest

from graders.compare import Context
from graders.exercise import load_exercise
from graders.mutation.generate import Mutant, Site
from graders.mutation.hints import DEFAULT_TEXTS, select, text_for
from graders.mutation.run import UNFINISHED, keep_wrong
from graders.protocol import Arr

rng = np.random.default_rng(3)
EXPECTED = [Arr(rng.standard_normal((3, 4))) for _ in range(4)]


def mutant(mutant_id: str, family: str, sites: int = 1) -> Mutant:
    return Mutant(mutant_id, family, tuple(Site(1, 1, "a", "b") for _ in range(sites)), "")


AXIS = mutant("axis@3:5/axis=0", "axis")
SCALE = mutant("scale@4:9", "scale")


def test_a_mutant_right_on_a_case_is_not_kept_there() -> None:
    values = {
        "same": Arr(EXPECTED[0].array * (1 + 1e-9)),
        "other": Arr(EXPECTED[0].array * 2),
        "raised": None,
        "slow": UNFINISHED,
    }
    kept = keep_wrong(EXPECTED[0], values, ["out"], Context())
    assert set(kept) == {"other", "raised", "slow"}


def test_the_hint_lists_the_cases_that_support_it_and_no_other() -> None:
    wrong_0 = Arr(EXPECTED[0].array * 2)
    wrong_2 = Arr(EXPECTED[2].array * 2)
    student = {0: (wrong_0, EXPECTED[0]), 1: (Arr(EXPECTED[1].array + 1), EXPECTED[1]),
               2: (wrong_2, EXPECTED[2])}  # fmt: skip
    # On case 1 the mutant gives the expected output (it is not among the wrong ones there):
    # the student's failure there has another cause, and case 1 is not named.
    wrong = {0: {SCALE.id: wrong_0}, 1: {}, 2: {SCALE.id: wrong_2}}
    hint = select(student, wrong, [SCALE], {})
    assert hint is not None
    assert hint.cases == (0, 2) and hint.family == "scale"
    assert hint.text == DEFAULT_TEXTS["scale"]


def test_a_mutant_that_gives_another_wrong_output_on_a_failed_case_is_refuted() -> None:
    wrong_0 = Arr(EXPECTED[0].array * 2)
    student = {0: (wrong_0, EXPECTED[0]), 1: (Arr(EXPECTED[1].array * 3), EXPECTED[1])}
    wrong = {0: {SCALE.id: wrong_0}, 1: {SCALE.id: Arr(EXPECTED[1].array * 2)}}
    assert select(student, wrong, [SCALE], {}) is None
    # A mutant that raises where the student returned something is refuted too.
    assert select(student, {0: {SCALE.id: wrong_0}, 1: {SCALE.id: None}}, [SCALE], {}) is None


def test_outputs_wrong_only_by_nan_or_all_zeros_name_nothing() -> None:
    nan = EXPECTED[0].array.copy()
    nan[0] = np.nan  # right elsewhere: an overflow, whatever caused it
    student = {0: (Arr(nan), EXPECTED[0])}
    assert select(student, {0: {SCALE.id: Arr(nan.copy())}}, [SCALE], {}) is None
    zeros = Arr(np.zeros((3, 4)))
    assert select({0: (zeros, EXPECTED[0])}, {0: {SCALE.id: zeros}}, [SCALE], {}) is None
    # A wrong shape is evidence, even empty (x[pad:-pad] with pad = 0).
    empty = Arr(np.zeros((3, 0)))
    crop = mutant("slice-from-end@5:5", "slice-from-end")
    hint = select({0: (empty, EXPECTED[0])}, {0: {crop.id: empty}}, [crop], {})
    assert hint is not None and hint.family == "slice-from-end"


def test_the_exercise_words_by_mutant_then_family_and_silence() -> None:
    texts = {"axis": "as if the softmax ran over the queries, not the keys"}
    assert text_for(AXIS, texts) == texts["axis"]
    assert text_for(AXIS, {**texts, AXIS.id: "this one"}) == "this one"
    assert text_for(SCALE, texts) == DEFAULT_TEXTS["scale"]
    wrong_0 = Arr(EXPECTED[0].array * 2)
    student = {0: (wrong_0, EXPECTED[0])}
    both = {0: {AXIS.id: wrong_0, SCALE.id: wrong_0}}
    # Equal evidence: the family listed first wins (axis before scale)...
    assert select(student, both, [SCALE, AXIS], texts).text == texts["axis"]
    # ...unless its text is "", which gives no hint for it.
    assert select(student, both, [SCALE, AXIS], {**texts, "axis": ""}).family == "scale"


def test_more_supporting_cases_win() -> None:
    a, b = Arr(EXPECTED[0].array * 2), Arr(EXPECTED[1].array * 2)
    student = {0: (a, EXPECTED[0]), 1: (b, EXPECTED[1])}
    wrong = {0: {AXIS.id: a, SCALE.id: a}, 1: {SCALE.id: b}}
    assert select(student, wrong, [AXIS, SCALE], {}).family == "scale"


# -- grading: the hint in a report ------------------------------------------------------------

EXERCISE = {
    "exercise.toml": """
slug = "tiny-colsum"
title = "Column sums"
topic = "backprop"
kind = "code"

[code]
entry_point = "colsum"

[dims]
N = [3, 5]
D = [6, 8]

[[cases]]
name = "example"
visible = true

[[cases]]
name = "hidden"
repeat = 2

[[cases]]
name = "a zero matrix"
options = { zeros = true }

[[solutions]]
file = "correct.py"
expect = "accepted"

[mutants.hints]
axis = "The sums look taken over the wrong axis: sum each column, over the rows (axis 0)."
""",
    "statement.md": "Return x.sum(axis=0).",
    "cases.py": """
import numpy as np

def make_inputs(rng, dims, options):
    x = rng.standard_normal((dims["N"], dims["D"]))
    return {"x": 0 * x if options.get("zeros") else x}
""",
    "reference.py": """
import numpy as np

def colsum(x):
    return x.sum(axis=0, keepdims=True)[0]
""",
    "starter.py": "def colsum(x):\n    raise NotImplementedError\n",
    "solutions/correct.py": "def colsum(x):\n    return x.sum(axis=0)\n",
}


def test_a_report_names_the_mutant_once_on_its_cases(grader, write_exercise) -> None:
    exercise = write_exercise(EXERCISE, slug="tiny-colsum")
    report = grader.grade(exercise, "def colsum(x):\n    return x.mean(axis=0)\n", seed=0)
    hinted = [c for c in report.checks if c.hint]
    text = "A reduction looks like the wrong one (a mean for a sum, or the other way round)."
    assert {c.hint for c in hinted} == {text}
    # The visible case and both hidden ones, not the zero matrix, whose mean is its sum.
    assert [c.name.split(":")[0] for c in hinted] == ["case 1", "case 2", "case 3"]
    assert report.checks[3].passed
    assert "mutants" in report.timings


def test_a_correct_submission_runs_no_mutant(grader, write_exercise) -> None:
    exercise = write_exercise(EXERCISE, slug="tiny-colsum")
    report = grader.grade(exercise, EXERCISE["solutions/correct.py"], seed=0)
    assert report.accepted and "mutants" not in report.timings


def test_the_exercise_words_reach_a_hidden_case(grader, write_exercise) -> None:
    exercise = write_exercise(EXERCISE, slug="tiny-colsum")
    rows = "def colsum(x):\n    return x.sum(axis=1, keepdims=True)[0]\n"
    report = grader.grade(exercise, rows, seed=1)
    hidden = [c for c in report.checks if not c.visible]
    assert len(hidden) == 3 and not any(c.passed for c in hidden)
    text = "The sums look taken over the wrong axis: sum each column, over the rows (axis 0)."
    assert all(c.hint == text for c in report.checks)
    assert all("values" not in c.details and "inputs" not in c.details for c in hidden)


# -- the bank's known buggy solutions ---------------------------------------------------------

# The exercises the mutation hints were made for: the NumPy and PyTorch siblings of attention and
# of the cross-entropy, the windows and crops of convolution, the eps of batch norm. Every
# exercise of the bank is checked the same way by `python -m graders validate --mutants`.
SLUGS = (
    "scaled-dot-product-attention",
    "sdpa-torch",
    "mha-torch",
    "cross-entropy-torch",
    "maxpool2d-forward",
    "conv2d-backward",
    "batchnorm-backward",
    "linear-backward",
)


def _buggy() -> list[tuple[str, str, str]]:
    found = []
    for slug in SLUGS:
        for sol in load_exercise(slug).spec.solutions:
            if "accepted" not in sol.expected:
                found.append((slug, sol.file, sol.mutation or "none"))
    return found


@pytest.mark.parametrize(("slug", "file", "declared"), _buggy())
def test_each_known_buggy_solution_gets_its_declared_mutation_hint(
    grader, slug: str, file: str, declared: str
) -> None:
    exercise = load_exercise(slug)
    texts: dict[str, set[str]] = {}
    for m in grader.code.mutants.hinting(exercise):
        texts.setdefault(text_for(m, exercise.spec.mutants.hints), set()).add(m.family)
    report = grader.grade(exercise, exercise.file(f"solutions/{file}"), seed=0)
    given = set().union(*(texts.get(c.hint or "", set()) for c in report.checks))
    assert given == (set() if declared == "none" else {declared})
