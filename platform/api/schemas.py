"""The API's input and output shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict


class ErrorOut(Schema):
    message: str
    code: str


class ExerciseOut(Schema):
    slug: str
    title: str
    topic: str
    kind: str
    points: float
    difficulty: int
    minutes: int
    order: int
    requires: list[str]
    version: str
    # The course that assigns it to the caller (graded submissions count there); None: the
    # exercise is open for practice (self-test) only.
    course: str | None
    due_at: datetime | None
    max_attempts: int | None


class ExerciseDetailOut(ExerciseOut):
    statement: str  # Markdown with $..$ math, for this student's instance
    starter: str
    entry_point: str | None
    answer_type: str | None
    attempts_used: int


class SubmissionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    exercise: str
    code: str | None = None
    answer: str | None = None
    mode: Literal["graded", "practice"] = "graded"
    # Which of the student's courses it counts in, when two assign the same exercise.
    course: str | None = None
    # Practice only: run the visible cases alone.
    visible_only: bool = False


class SubmissionOut(Schema):
    id: int
    url: str
    exercise: str
    version: str
    mode: str
    status: str  # queued | running | done | error
    verdict: str | None  # set once status is done
    verdict_label: str | None
    score: float | None  # the effective score: late penalty and applied regrades included
    max_score: float | None
    raw_score: float | None  # what the grading gave
    score_note: str  # why score differs from raw_score ("" when it does not)
    # Exam mode: when the results open, as text ("Mon 7 Dec, 18:50 CET"); until then verdict,
    # score and report are null (docs/api.md)
    results_withheld_until: str | None = None
    message: str
    attempt: int | None
    seed: int | None  # null on a student's own graded submission (their graded instance)
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    course: str | None
    visible_only: bool
    report: dict[str, Any] | None


class PreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: str  # a typed math answer, as it would be submitted


class PreviewOut(Schema):
    answer_type: str  # symbolic | numeric | array | shape
    ok: bool  # whether the answer can be read
    latex: str | None  # how it is read, as LaTeX (to typeset with KaTeX)
    understood: str | None  # how it is read, in the answer's own syntax
    message: str | None  # why it cannot be read (the grader's message)
    column: int | None  # where in the answer the parser stopped (from 1), when it says
