"""Publishing validated drafts as exercise versions, the version history, and the .zip export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from authoring.models import ExerciseDraft, Publication
from authoring.services import draft_open_for_exercise, draft_publish
from catalog.models import Exercise, ExerciseVersion
from catalog.services import exercises_sync
from courses.selectors import exercises_visible_to as exercise_list
from graders.exercise import load_exercise
from tests.platform.authoring.conftest import mark_validated, new_draft, owned_by, signed_in
from tests.platform.conftest import Bank, People, make_submission

pytestmark = pytest.mark.django_db


def _publish(client: Client, draft: ExerciseDraft) -> str:
    """POST "Publish"; the page it leads to."""
    response = client.post(reverse("authoring-publish", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _engine_version(files: dict[str, str], folder: Path) -> str:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return load_exercise(folder).version


def test_publishing_is_refused_until_the_files_passed_validation(people: People) -> None:
    draft = new_draft(people.dave)
    page = _publish(signed_in(people.dave), draft)
    assert "validate them first" in page
    assert not Exercise.objects.exists()
    assert 'id="publish" aria-describedby="publish-problem" disabled' in page


def test_publishing_is_refused_when_the_files_changed_since_validation(people: People) -> None:
    draft = mark_validated(new_draft(people.dave))
    client = signed_in(people.dave)
    form = {f"file:{rel}": text for rel, text in draft.files.items()}
    form["file:statement.md"] = "# Changed after validation\n"
    client.post(reverse("authoring-edit", args=[draft.pk]), form)

    page = _publish(client, draft)
    assert "The files changed since they passed validation" in page
    assert not Exercise.objects.exists()


def test_publishing_a_new_exercise_creates_it_closed_to_students(
    people: People, tmp_path: Path
) -> None:
    draft = mark_validated(new_draft(people.dave))
    page = _publish(signed_in(people.dave), draft)

    exercise = Exercise.objects.get(slug="relu-backward")
    version = exercise.current_version
    assert version is not None
    assert (exercise.source, exercise.is_public, exercise.kind) == ("web", False, "code")
    assert exercise.title == "ReLU backward"
    assert version.files == draft.files
    assert version.version == _engine_version(draft.files, tmp_path / "backprop" / "relu-backward")
    assert version.entry_point == "relu_backward"
    assert Publication.objects.get().published_by == people.dave
    draft.refresh_from_db()
    assert (draft.exercise, draft.base_version) == (exercise, version)
    # The history page it leads to says who published which version.
    assert version.version in page
    assert "dave" in page
    assert exercise not in exercise_list(people.alice)  # until a course publishes it


def test_publishing_an_edit_keeps_old_submissions_on_their_version(
    people: People, exercises: Bank
) -> None:
    old = exercises.code.current_version
    assert old is not None
    old_files = dict(old.files)
    submission = make_submission(people.alice, exercises.code)
    # A folder exercise: staff's to edit.
    draft, _ = draft_open_for_exercise(author=people.erin, exercise=exercises.code)
    draft.files = {**draft.files, "statement.md": "# Double it\n\nReturn twice $x$.\n"}
    draft.save()
    mark_validated(draft)

    _publish(signed_in(people.erin), draft)

    exercise = Exercise.objects.get(pk=exercises.code.pk)
    new = exercise.current_version
    assert new is not None and new.pk != old.pk
    assert new.statement == "# Double it\n\nReturn twice $x$.\n"
    assert exercise.source == Exercise.Source.WEB
    old.refresh_from_db()
    assert old.files == old_files  # the old version row is untouched
    submission.refresh_from_db()
    assert submission.version_id == old.pk
    # The folder sync now leaves the exercise alone.
    result = exercises_sync(root=exercises.root)
    assert "double-it" in result.web_edited
    exercise.refresh_from_db()
    assert exercise.current_version_id == new.pk


def test_publishing_earlier_files_again_makes_their_version_current(
    people: People, exercises: Bank
) -> None:
    original = exercises.code.current_version
    assert original is not None
    owned_by(exercises.code, people.carol)
    draft, _ = draft_open_for_exercise(author=people.carol, exercise=exercises.code)
    draft.files = {**draft.files, "statement.md": "# Changed\n"}
    draft.save()
    draft_publish(draft=mark_validated(draft), user=people.carol)

    draft.refresh_from_db()  # now based on the version it published
    draft.files = dict(original.files)
    draft.save()
    version = draft_publish(draft=mark_validated(draft), user=people.carol)
    assert version.pk == original.pk
    assert ExerciseVersion.objects.filter(exercise=exercises.code).count() == 2
    assert Publication.objects.filter(version=original).count() == 1


def test_a_draft_cannot_overwrite_a_version_published_after_it_started(
    people: People, exercises: Bank
) -> None:
    owned_by(exercises.code, people.carol)
    carols, _ = draft_open_for_exercise(author=people.carol, exercise=exercises.code)
    erins, _ = draft_open_for_exercise(author=people.erin, exercise=exercises.code)
    erins.files = {**erins.files, "statement.md": "# Erin's\n"}
    erins.save()
    draft_publish(draft=mark_validated(erins), user=people.erin)

    carols.files = {**carols.files, "statement.md": "# Carol's\n"}
    carols.save()
    page = _publish(signed_in(people.carol), mark_validated(carols))
    assert "A newer version of this exercise was published" in page
    exercise = Exercise.objects.get(pk=exercises.code.pk)
    assert exercise.current_version is not None
    assert exercise.current_version.statement == "# Erin's\n"


def test_the_history_lists_every_version_and_who_published_it(
    people: People, exercises: Bank
) -> None:
    owned_by(exercises.code, people.carol)
    draft, _ = draft_open_for_exercise(author=people.carol, exercise=exercises.code)
    draft.files = {**draft.files, "statement.md": "# New\n"}
    draft.save()
    new = draft_publish(draft=mark_validated(draft), user=people.carol)
    old = exercises.code.current_version
    assert old is not None

    page = signed_in(people.erin).get(reverse("authoring-history", args=["double-it"]))
    html = page.content.decode()
    assert html.count('<tr data-version="') == 2
    assert html.index(new.version) < html.index(old.version)  # newest first
    assert "carol," in html and "synced from the folder" in html
    export = reverse("authoring-export-version", args=["double-it", old.version])
    assert export in html


def _zip_members(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_draft_exports_as_a_folder_to_unzip_under_exercises(people: People) -> None:
    draft = new_draft(people.dave)
    response = signed_in(people.dave).get(reverse("authoring-export", args=[draft.pk]))
    assert response["Content-Type"] == "application/zip"
    assert 'filename="relu-backward-draft.zip"' in response["Content-Disposition"]
    members = _zip_members(response.content)
    assert members == {f"backprop/relu-backward/{rel}": text for rel, text in draft.files.items()}


def test_any_version_exports_as_its_folder(people: People, exercises: Bank, tmp_path: Path) -> None:
    version = exercises.code.current_version
    assert version is not None
    client = signed_in(people.erin)  # a folder exercise: staff's
    url = reverse("authoring-export-version", args=["double-it", version.version])
    members = _zip_members(client.get(url).content)
    assert members == {f"backprop/double-it/{rel}": text for rel, text in version.files.items()}

    with zipfile.ZipFile(io.BytesIO(client.get(url).content)) as archive:
        archive.extractall(tmp_path)
    assert load_exercise(tmp_path / "backprop" / "double-it").version == version.version

    missing = reverse("authoring-export-version", args=["double-it", "0" * 16])
    assert client.get(missing).status_code == 404
