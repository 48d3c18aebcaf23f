"""Helpers for the authoring tests: drafts made through the services, queued validations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import User
from authoring.folder import files_hash
from authoring.models import ExerciseDraft
from authoring.services import draft_create
from catalog.models import Exercise


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The draft ids whose validation would be published to the broker (nothing is sent).

    The test's transaction never commits, so the on-commit publication runs at once here
    (test_validation checks that it really waits for the commit).
    """
    queued: list[int] = []
    monkeypatch.setattr("authoring.services.enqueue_validation", queued.append)
    immediate = SimpleNamespace(atomic=transaction.atomic, on_commit=lambda fn, robust: fn())
    monkeypatch.setattr("authoring.services.transaction", immediate)
    return queued


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_draft(author: User, slug: str = "relu-backward", **fields: str) -> ExerciseDraft:
    """A draft of a new numpy code exercise, from the skeleton."""
    arguments = {"title": "ReLU backward", "topic": "backprop", "kind": "code", **fields}
    return draft_create(author=author, slug=slug, **arguments)


def mark_validated(draft: ExerciseDraft) -> ExerciseDraft:
    """What the worker stores when the draft's current files pass validation."""
    draft.validation_state = ExerciseDraft.State.OK
    draft.validated_hash = draft.ok_hash = files_hash(draft.files)
    draft.save()
    return draft


def owned_by(exercise: Exercise, *owners: User) -> Exercise:
    """Make `exercise` a web exercise owned by `owners` (as if one of them published it)."""
    from catalog.models import ExerciseOwner

    Exercise.objects.filter(pk=exercise.pk).update(source=Exercise.Source.WEB)
    for owner in owners:
        ExerciseOwner.objects.get_or_create(exercise=exercise, user=owner)
    exercise.refresh_from_db()
    return exercise
