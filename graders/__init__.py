"""deepgrade's grading engine.

Pure Python, no Django: the web platform, the Celery worker and the offline self-test command
line (`python -m graders check ...`) all grade through it. Student code only ever runs inside
`graders.sandbox`; everything that decides a verdict runs on the trusted side.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
