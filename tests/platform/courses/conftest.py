"""Helpers for the course-management tests: an open alert on an assigned exercise."""

from __future__ import annotations

import pytest

from catalog.models import ExerciseAlert
from catalog.services import exercise_alert_raise
from tests.platform.conftest import Bank


@pytest.fixture
def alert(exercises: Bank) -> ExerciseAlert:
    """The code exercise's reference crashed, three times (assigned in ml101 only)."""
    version = exercises.code.current_version
    assert version is not None
    for _ in range(3):
        found, _created = exercise_alert_raise(
            version=version, message="Traceback ...\nZeroDivisionError: division by zero"
        )
    return found
