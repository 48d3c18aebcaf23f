"""deepgrade's grading engine.

Pure Python, no Django: the web platform, the Celery worker and the offline self-test command
line (`python -m graders check ...`) all grade through it. Student code only ever runs inside
`graders.sandbox`; everything that decides a verdict runs on the trusted side.

`graders.engine.Grader` owns the three sandboxes and grades every kind of exercise through one
interface (graders/base.py): `graders.codegrade.CodeGrader` for code (reference runs in
graders/reference.py, the verdict in graders/judge.py and graders/verdicts.py) and
`graders.math.grade.MathGrader` for typed math answers (the graders/math/ package). Jobs for the
sandbox are built in graders/jobs.py. An `Exercise` (graders/exercise.py) is data only.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
