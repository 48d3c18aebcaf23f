"""Helpers for the students' pages tests (the personas and the bank come from the shared conftest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """`signed_in(people.alice)`: the test client, signed in as that user."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Submissions are saved as queued and nothing is published."""
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)


@pytest.fixture
def statement_by_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A math statement that shows its seed, instead of the engine's sandboxed instance: the
    tests then see which instance a page renders without running the engine."""

    class Instance:
        def statement(self, exercise: object, seed: int) -> str:
            return f"Instance numbers: {seed}. How many parameters?"

    monkeypatch.setattr("graders.engine.get_grader", lambda: Instance())
