from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import Exercise, ExerciseVersion
from catalog.selectors import engine_exercise
from catalog.services import exercises_sync
from graders.exercise import ExerciseError
from tests.platform.conftest import CODE_SLUG, MATH_SLUG, People, make_submission

pytestmark = pytest.mark.django_db


def test_sync_creates_exercises_with_their_files(bank: Path) -> None:
    result = exercises_sync(root=bank)

    assert sorted(result.created) == sorted([CODE_SLUG, MATH_SLUG])
    code = Exercise.objects.get(slug=CODE_SLUG)
    assert (code.kind, code.topic, code.points, code.order) == ("code", "backprop", 10.0, 1)
    version = code.current_version
    assert version is not None and len(version.version) == 16
    assert set(version.files) >= {"exercise.toml", "statement.md", "reference.py", "starter.py"}
    assert version.entry_point == "double_it"
    assert "raise NotImplementedError" in version.starter


def test_sync_is_idempotent(bank: Path) -> None:
    exercises_sync(root=bank)
    again = exercises_sync(root=bank)

    assert not again.changed
    assert sorted(again.unchanged) == sorted([CODE_SLUG, MATH_SLUG])
    assert ExerciseVersion.objects.count() == 2


def test_a_changed_folder_makes_a_new_version_and_old_submissions_keep_theirs(
    bank: Path, people: People
) -> None:
    exercises_sync(root=bank)
    code = Exercise.objects.get(slug=CODE_SLUG)
    old_version = code.current_version
    submission = make_submission(people.alice, code)

    statement = bank / "backprop" / CODE_SLUG / "statement.md"
    statement.write_text(statement.read_text() + "\nA clarification.\n")
    result = exercises_sync(root=bank)

    code.refresh_from_db()
    submission.refresh_from_db()
    assert result.updated == [CODE_SLUG]
    assert code.current_version != old_version
    assert "clarification" in code.current_version.statement
    assert submission.version == old_version
    assert "clarification" not in submission.version.statement


def test_a_reverted_folder_gets_its_earlier_version_back(bank: Path) -> None:
    exercises_sync(root=bank)
    first = Exercise.objects.get(slug=CODE_SLUG).current_version
    statement = bank / "backprop" / CODE_SLUG / "statement.md"
    original = statement.read_text()
    statement.write_text(original + "\nchanged\n")
    exercises_sync(root=bank)
    statement.write_text(original)
    exercises_sync(root=bank)

    assert Exercise.objects.get(slug=CODE_SLUG).current_version == first
    assert ExerciseVersion.objects.filter(exercise__slug=CODE_SLUG).count() == 2


def test_a_removed_folder_is_retired_not_deleted(bank: Path) -> None:
    exercises_sync(root=bank)
    shutil.rmtree(bank / "backprop" / MATH_SLUG)
    result = exercises_sync(root=bank)

    assert result.retired == [MATH_SLUG]
    assert not Exercise.objects.get(slug=MATH_SLUG).is_active


def test_a_broken_exercise_is_reported_and_left_as_it_was(bank: Path) -> None:
    exercises_sync(root=bank)
    toml = bank / "backprop" / CODE_SLUG / "exercise.toml"
    toml.write_text(toml.read_text().replace('kind = "code"', 'kind = "poetry"'))
    statement = bank / "backprop" / MATH_SLUG / "statement.md"
    statement.write_text("changed\n")

    result = exercises_sync(root=bank)

    assert [Path(path).name for path, _ in result.broken] == [CODE_SLUG]
    assert "exercise.toml" in result.broken[0][1]
    assert result.updated == [MATH_SLUG]  # the others still sync
    code = Exercise.objects.get(slug=CODE_SLUG)
    assert code.is_active and ExerciseVersion.objects.filter(exercise=code).count() == 1


def test_strict_sync_changes_nothing_when_an_exercise_is_broken(bank: Path) -> None:
    exercises_sync(root=bank)
    toml = bank / "backprop" / CODE_SLUG / "exercise.toml"
    toml.write_text(toml.read_text().replace('kind = "code"', 'kind = "poetry"'))
    (bank / "backprop" / MATH_SLUG / "statement.md").write_text("changed\n")

    with pytest.raises(ExerciseError, match=r"exercise\.toml"):
        exercises_sync(root=bank, strict=True)
    assert ExerciseVersion.objects.count() == 2


def test_engine_exercise_loads_an_old_version_from_its_stored_files(bank: Path) -> None:
    exercises_sync(root=bank)
    old_version = Exercise.objects.get(slug=CODE_SLUG).current_version
    statement = bank / "backprop" / CODE_SLUG / "statement.md"
    statement.write_text("rewritten\n")
    exercises_sync(root=bank)

    loaded = engine_exercise(old_version)

    assert loaded.version == old_version.version
    assert "rewritten" not in loaded.statement
    assert "exercise-cache" in str(loaded.path)


def test_sync_exercises_command(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("sync_exercises", "--root", str(bank))
    call_command("sync_exercises", "--root", str(bank))

    out = capsys.readouterr().out
    assert "2 new" in out
    assert "0 new, 0 updated, 2 unchanged" in out


def test_a_web_edited_exercise_keeps_its_web_version_until_its_folder_is_taken(
    bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercises_sync(root=bank)
    code = Exercise.objects.get(slug=CODE_SLUG)
    web_version = code.current_version
    Exercise.objects.filter(pk=code.pk).update(source=Exercise.Source.WEB)
    folder = bank / "backprop" / CODE_SLUG
    (folder / "statement.md").write_text("# Double it\n\nChanged in the folder.\n")
    statement = folder / "statement.md"

    call_command("sync_exercises", "--root", str(bank))
    code.refresh_from_db()
    assert code.current_version_id == web_version.pk and code.is_active
    assert "web-edited" in capsys.readouterr().out

    call_command("sync_exercises", "--root", str(bank), "--take-folder", CODE_SLUG)
    code.refresh_from_db()
    assert code.source == Exercise.Source.FOLDER
    assert code.current_version.statement == statement.read_text()


def test_a_web_exercise_without_a_folder_is_not_retired(bank: Path) -> None:
    exercises_sync(root=bank)
    Exercise.objects.filter(slug=MATH_SLUG).update(source=Exercise.Source.WEB)
    shutil.rmtree(bank / "backprop" / MATH_SLUG)
    result = exercises_sync(root=bank)
    assert MATH_SLUG not in result.retired
    assert Exercise.objects.get(slug=MATH_SLUG).is_active
