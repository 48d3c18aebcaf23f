"""What every kind of exercise is graded through: one small interface, one subclass per kind.

`graders.engine.Grader` holds one grader per kind (graders.codegrade.CodeGrader for "code",
graders.math.grade.MathGrader for "math") and hands each exercise to the one of its kind.
A grader owns its sandboxes (docs/architecture.md, "The sandbox") and whatever it caches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from graders.exercise import Exercise
    from graders.report import Report
    from graders.sandbox.controller import Sandbox


class BaseGrader:
    kind: ClassVar[str]

    def grade(
        self, exercise: Exercise, submission: str, *, seed: int, visible_only: bool = False
    ) -> Report:
        """Grade one submission (code, or a typed answer) for the seed's instance."""
        raise NotImplementedError

    def statement(self, exercise: Exercise, seed: int) -> str:
        """The statement a student with this seed reads."""
        return exercise.statement

    def sandboxes(self) -> tuple[Sandbox, ...]:
        raise NotImplementedError

    def start(self) -> None:
        for sandbox in self.sandboxes():
            sandbox.start()

    def close(self) -> None:
        for sandbox in self.sandboxes():
            sandbox.close()
