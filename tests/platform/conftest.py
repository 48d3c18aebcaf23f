"""Shared fixtures for the platform's tests: personas, a tiny exercise bank, a fake grader.

Personas (reused everywhere, as in healthchecks' hc/test.py):
  alice      a student in the course "ml101"
  bob        another student in "ml101" (alice must never see his submissions)
  carol      the instructor of "ml101"
  dave       an instructor of another course (sees nothing of ml101's students)
  erin       platform staff (sees everything)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import User
from accounts.services import user_create
from catalog.models import Exercise
from catalog.services import exercises_sync
from courses.models import Assignment, Course
from courses.selectors import assignment_for
from courses.services import assignment_ensure, course_ensure, enrolment_ensure
from graders.report import Check, Report, Verdict
from submissions.models import Submission

CODE_SLUG = "double-it"
MATH_SLUG = "count-params"

CORRECT_CODE = "def double_it(x):\n    return 2 * x  # correct\n"
WRONG_CODE = "def double_it(x):\n    return x  # wrong\n"


@dataclass
class People:
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User


@pytest.fixture
def people(db: None) -> People:
    ml101 = course_ensure(slug="ml101", title="ML 101")
    other = course_ensure(slug="cv201", title="CV 201")
    alice = user_create(username="alice", password="alice-pass-123", role=User.Role.STUDENT)
    bob = user_create(username="bob", password="bob-pass-123", role=User.Role.STUDENT)
    carol = user_create(username="carol", password="carol-pass-123", role=User.Role.INSTRUCTOR)
    dave = user_create(username="dave", password="dave-pass-123", role=User.Role.INSTRUCTOR)
    erin = user_create(username="erin", password="erin-pass-123", role=User.Role.STAFF)
    for user, course, role in (
        (alice, ml101, User.Role.STUDENT),
        (bob, ml101, User.Role.STUDENT),
        (carol, ml101, User.Role.INSTRUCTOR),
        (dave, other, User.Role.INSTRUCTOR),
    ):
        enrolment_ensure(course=course, user=user, role=role)
    return People(alice, bob, carol, dave, erin)


@pytest.fixture
def carol(client: Any, people: People) -> Any:
    """The test client, signed in as carol (ml101's instructor)."""
    client.force_login(people.carol)
    return client


def run_task(submission_id: int) -> Any:
    """Run the grading task in this process, as a worker would, and return what it returned."""
    from submissions.tasks import grade_submission

    return grade_submission.apply(args=(submission_id,)).get(disable_sync_subtasks=False)


def write_code_exercise(root: Path, *, statement_extra: str = "") -> Path:
    folder = root / "backprop" / CODE_SLUG
    (folder / "solutions").mkdir(parents=True, exist_ok=True)
    (folder / "exercise.toml").write_text(
        textwrap.dedent(
            f"""\
            slug = "{CODE_SLUG}"
            title = "Double it"
            topic = "backprop"
            kind = "code"
            points = 10
            difficulty = 1
            minutes = 5
            order = 1

            [code]
            entry_point = "double_it"
            outputs = ["out"]

            [dims]
            N = [2, 5]

            [[cases]]
            name = "small example"
            visible = true

            [[solutions]]
            file = "correct.py"
            expect = "accepted"
            """
        )
    )
    (folder / "statement.md").write_text(
        "# Double it\n\nReturn $2x$ for an array $x_i$ of shape $(N,)$.\n" + statement_extra
    )
    (folder / "cases.py").write_text(
        "def make_inputs(rng, dims, options):\n    return {'x': rng.standard_normal(dims['N'])}\n"
    )
    (folder / "reference.py").write_text(CORRECT_CODE)
    (folder / "starter.py").write_text("def double_it(x):\n    raise NotImplementedError\n")
    (folder / "solutions" / "correct.py").write_text(CORRECT_CODE)
    return folder


def write_math_exercise(root: Path) -> Path:
    folder = root / "backprop" / MATH_SLUG
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exercise.toml").write_text(
        textwrap.dedent(
            f"""\
            slug = "{MATH_SLUG}"
            title = "Count the parameters"
            topic = "backprop"
            kind = "math"
            points = 2
            order = 2

            [math]
            answer_type = "numeric"
            """
        )
    )
    (folder / "statement.md").write_text("How many parameters has a linear layer $D \\to M$?\n")
    (folder / "reference.py").write_text("ANSWER = 12\n")
    return folder


@pytest.fixture
def bank(tmp_path: Path, settings: Any) -> Path:
    """A two-exercise bank in a temporary folder, set as EXERCISES_DIR."""
    root = tmp_path / "exercises"
    write_code_exercise(root)
    write_math_exercise(root)
    settings.EXERCISES_DIR = root
    settings.EXERCISE_CACHE_DIR = tmp_path / "exercise-cache"
    return root


@dataclass
class Bank:
    code: Exercise
    math: Exercise
    root: Path


@pytest.fixture
def exercises(bank: Path, people: People) -> Bank:
    """The bank synced, and both exercises published in ml101 (no deadline, no limits)."""
    exercises_sync(root=bank)
    rows = {e.slug: e for e in Exercise.objects.select_related("current_version")}
    ml101 = Course.objects.get(slug="ml101")
    for exercise in rows.values():
        assignment_ensure(course=ml101, exercise=exercise, published=True)
    return Bank(code=rows[CODE_SLUG], math=rows[MATH_SLUG], root=bank)


def assignment(bank: Bank, which: str = "code", course: str = "ml101") -> Assignment:
    exercise = bank.code if which == "code" else bank.math
    return Assignment.objects.get(course__slug=course, exercise=exercise)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The rate limit counts in the cache, and loaded exercises are cached per process: each
    # test starts with a clean slate.
    from catalog import selectors

    cache.clear()
    selectors._loaded.clear()
    selectors._statements.clear()


@dataclass
class FakeGrader:
    """Stands in for graders.engine's Grader: accepts code containing "correct"."""

    calls: list[tuple[str, str, int, bool]] = field(default_factory=list)  # ..., visible_only
    fail_with: BaseException | None = None
    verdict: Verdict | None = None

    def grade(
        self, exercise: Any, submission: str, *, seed: int, visible_only: bool = False
    ) -> Report:
        self.calls.append((exercise.slug, submission, seed, visible_only))
        if self.fail_with is not None:
            raise self.fail_with
        verdict = self.verdict or (
            Verdict.ACCEPTED if "correct" in submission else Verdict.REJECTED
        )
        passed = verdict is Verdict.ACCEPTED
        return Report(
            exercise=exercise.slug,
            version=exercise.version,
            seed=seed,
            verdict=verdict,
            score=exercise.points if passed else 0.0,
            max_score=exercise.points,
            message="All checks passed." if passed else "1 of 1 checks failed.",
            checks=[
                Check(
                    name="small example",
                    passed=passed,
                    message="ok" if passed else "values differ: max abs error 1.0",
                    hint=None if passed else "off by a factor 2",
                    details={} if passed else {"expected_shape": [3], "got_shape": [3]},
                )
            ],
        )

    def close(self) -> None:
        pass


@pytest.fixture
def fake_grader(monkeypatch: pytest.MonkeyPatch) -> FakeGrader:
    import graders.engine

    grader = FakeGrader()
    monkeypatch.setattr(graders.engine, "get_grader", lambda: grader)
    return grader


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Records what would be published to the broker, instead of publishing it."""
    calls: list[tuple[int, str]] = []

    def record(submission_id: int, *, queue: str = "grading", counted: bool = False) -> None:
        calls.append((submission_id, queue))

    monkeypatch.setattr("submissions.queue.enqueue_grading", record)
    return calls


def make_submission(
    user: User, exercise: Exercise, *, code: str = CORRECT_CODE, **fields: Any
) -> Submission:
    """A submission row straight in the database (bypasses the service: no rate limit)."""
    from django.utils import timezone

    defaults: dict[str, Any] = {
        "version_id": exercise.current_version_id,
        "mode": Submission.Mode.GRADED,
        "code": code if exercise.kind == "code" else "",
        "answer": "" if exercise.kind == "code" else "12",
        "seed": 1234,
        "attempt": 1,
        "status": Submission.Status.QUEUED,
        "queued_at": timezone.now(),
    }
    if fields.get("verdict") == "accepted" and "score" not in fields:
        # As the engine grades it: accepted is the full score.
        fields = {**fields, "score": exercise.points, "max_score": exercise.points}
    if "course" not in fields and defaults["mode"] == Submission.Mode.GRADED:
        found = assignment_for(user=user, exercise=exercise)
        defaults["course"] = found.course if found else None
    defaults.update(fields)
    return Submission.objects.create(user=user, exercise=exercise, **defaults)
