"""Who may change an exercise: its owners (the author who first published it, the co-owners they
add) and staff; folder exercises are staff's only. Everyone else gets a 404 on every path that
writes an exercise or shows its files, and may copy it to a new exercise of their own instead.

Over HTTP, as the instructors would: carol publishes an exercise of her own; dave, an instructor
of another course, must not be able to change what carol's students see, nor download her
reference and hidden cases.
"""

from __future__ import annotations

import importlib
import io
import tomllib
import zipfile

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from authoring.models import ExerciseDraft, Publication
from authoring.services import draft_publish
from catalog.models import Exercise
from tests.platform.authoring.conftest import mark_validated, new_draft, signed_in
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db

SLUG = "carols-relu"


@pytest.fixture
def carols(people: People) -> Exercise:
    """A web exercise carol wrote and published."""
    draft = mark_validated(new_draft(people.carol, slug=SLUG, title="Carol's ReLU"))
    return draft_publish(draft=draft, user=people.carol).exercise


def _state(exercise: Exercise) -> tuple[object, ...]:
    exercise.refresh_from_db()
    version = exercise.current_version
    assert version is not None
    return (exercise.current_version_id, version.statement, exercise.versions.count())


def _version_url(exercise: Exercise) -> str:
    assert exercise.current_version is not None
    return reverse(
        "authoring-export-version", args=[exercise.slug, exercise.current_version.version]
    )


def test_the_author_who_publishes_a_new_exercise_owns_it(people: People, carols: Exercise) -> None:
    assert list(carols.owners.values_list("user__username", flat=True)) == ["carol"]
    page = signed_in(people.carol).get(reverse("authoring-history", args=[SLUG]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-owner="carol"' in html
    assert "The last owner cannot be removed." in html


def test_a_non_owner_gets_404_on_every_path_that_changes_it_or_shows_its_files(
    people: People, carols: Exercise, validations: list[int]
) -> None:
    dave = signed_in(people.dave)
    before = _state(carols)
    edit = reverse("authoring-edit-exercise", args=[SLUG])

    assert dave.get(edit).status_code == 404  # the offer to start a draft
    assert dave.post(edit).status_code == 404  # starting one
    assert not ExerciseDraft.objects.filter(author=people.dave).exists()
    assert dave.get(reverse("authoring-history", args=[SLUG])).status_code == 404
    export = dave.get(_version_url(carols))  # reference, solutions, hidden cases
    assert export.status_code == 404
    assert "application/zip" not in export.get("Content-Type", "")
    add = reverse("authoring-owner-add", args=[SLUG])
    assert dave.post(add, {"username": "dave"}).status_code == 404
    remove = reverse("authoring-owner-remove", args=[SLUG, people.carol.pk])
    assert dave.post(remove).status_code == 404

    assert _state(carols) == before
    assert validations == []
    assert list(carols.owners.values_list("user__username", flat=True)) == ["carol"]


def test_the_list_offers_a_non_owner_a_copy_instead_of_edit(
    people: People, carols: Exercise
) -> None:
    html = signed_in(people.dave).get(reverse("authoring-list")).content.decode()
    row = html[html.index(f'data-exercise="{SLUG}"') :]
    row = row[: row.index("</tr>")]
    assert reverse("authoring-copy-exercise", args=[SLUG]) in row
    assert reverse("authoring-edit-exercise", args=[SLUG]) not in row
    assert f'href="{reverse("authoring-history", args=[SLUG])}"' not in row

    own = signed_in(people.carol).get(reverse("authoring-list")).content.decode()
    own_row = own[own.index(f'data-exercise="{SLUG}"') :]
    assert reverse("authoring-edit-exercise", args=[SLUG]) in own_row[: own_row.index("</tr>")]


def test_a_draft_a_non_owner_started_before_ownership_cannot_be_validated_or_published(
    people: People, carols: Exercise, validations: list[int]
) -> None:
    """Drafts from before this rule: dave opened carol's exercise while anyone could."""
    current = carols.current_version
    assert current is not None
    files = {**current.files, "statement.md": "# Defaced\n"}
    old = mark_validated(
        ExerciseDraft.objects.create(
            author=people.dave,
            exercise=carols,
            base_version=current,
            slug=SLUG,
            topic="backprop",
            files=files,
        )
    )
    before = _state(carols)
    dave = signed_in(people.dave)

    page = dave.get(reverse("authoring-edit", args=[old.pk])).content.decode()
    assert "You are not an owner of “Carol&#x27;s ReLU”" in page
    assert 'id="publish" aria-describedby="publish-problem" disabled' in page

    validate = dave.post(
        reverse("authoring-validate", args=[old.pk]), HTTP_ACCEPT="application/json"
    )
    assert validate.status_code == 409
    assert "not an owner" in validate.json()["errors"][0]
    assert validations == []

    published = dave.post(reverse("authoring-publish", args=[old.pk]), follow=True)
    assert "You are not an owner of" in published.content.decode()
    assert "Ask one of its owners (carol) to add you" in published.content.decode()
    assert _state(carols) == before
    assert not Publication.objects.filter(published_by=people.dave).exists()


def test_a_non_owner_copies_it_and_publishes_the_copy_under_a_new_slug(
    people: People, carols: Exercise
) -> None:
    before = _state(carols)
    dave = signed_in(people.dave)
    copy_url = reverse("authoring-copy-exercise", args=[SLUG])
    assert dave.get(copy_url).status_code == 200

    taken = dave.post(copy_url, {"slug": SLUG, "title": "Mine"})
    assert taken.status_code == 400
    assert "is taken by an exercise" in taken.content.decode()
    bad = dave.post(copy_url, {"slug": "Not A Slug", "title": "Mine"})
    assert bad.status_code == 400
    assert not ExerciseDraft.objects.filter(author=people.dave).exists()

    response = dave.post(copy_url, {"slug": "daves-relu", "title": "Dave's ReLU"})
    draft = ExerciseDraft.objects.get(author=people.dave)
    assert response["Location"] == reverse("authoring-edit", args=[draft.pk])
    assert (draft.slug, draft.exercise, draft.topic) == ("daves-relu", None, "backprop")
    toml = tomllib.loads(draft.files["exercise.toml"])
    assert (toml["slug"], toml["title"]) == ("daves-relu", "Dave's ReLU")
    assert draft.files["statement.md"].startswith("# Dave's ReLU\n")
    assert carols.current_version is not None
    # Carol's answers stay hers: no reference, cases, solutions or worked solution of hers.
    original = carols.current_version.files
    assert draft.files["reference.py"] != original["reference.py"]
    assert "NotImplementedError" in draft.files["reference.py"]
    assert not any(rel.startswith("solutions/") or rel == "cases.py" for rel in draft.files)
    assert draft.files["starter.py"] == original["starter.py"]

    # dave writes his own answers (here: files like carol's), validates and publishes.
    draft.files = {
        **draft.files,
        **{rel: text for rel, text in original.items() if rel not in draft.files},
        "reference.py": original["reference.py"],
    }
    draft.save()
    mark_validated(draft)
    dave.post(reverse("authoring-publish", args=[draft.pk]))
    copy = Exercise.objects.get(slug="daves-relu")
    assert (copy.source, copy.is_public, copy.title) == ("web", False, "Dave's ReLU")
    assert list(copy.owners.values_list("user__username", flat=True)) == ["dave"]
    assert _state(carols) == before  # carol's exercise (and her students' page) unchanged
    assert dave.get(reverse("authoring-history", args=["daves-relu"])).status_code == 200
    assert (
        signed_in(people.carol).get(reverse("authoring-history", args=["daves-relu"])).status_code
        == 404
    )


def test_an_owner_adds_a_co_owner_who_can_then_publish_and_removes_them(
    people: People, carols: Exercise, validations: list[int]
) -> None:
    carol, dave = signed_in(people.carol), signed_in(people.dave)
    edit = reverse("authoring-edit-exercise", args=[SLUG])
    assert dave.post(edit).status_code == 404

    add = reverse("authoring-owner-add", args=[SLUG])
    for username, message in (
        ("nobody", "There is no user &#x27;nobody&#x27;."),
        ("alice", "alice is not an instructor"),
    ):
        assert message in carol.post(add, {"username": username}, follow=True).content.decode()
    response = carol.post(add, {"username": "dave"})
    assert response["Location"] == reverse("authoring-history", args=[SLUG]) + "#owners"
    assert set(carols.owners.values_list("user__username", flat=True)) == {"carol", "dave"}
    assert carols.owners.get(user=people.dave).added_by == people.carol

    started = dave.post(edit)
    draft = ExerciseDraft.objects.get(author=people.dave)
    assert started["Location"] == reverse("authoring-edit", args=[draft.pk])
    form = {f"file:{rel}": text for rel, text in draft.files.items()}
    form["file:statement.md"] = "# Carol's ReLU\n\nDave's clearer statement.\n"
    assert dave.post(reverse("authoring-validate", args=[draft.pk]), form).status_code == 302
    assert validations == [draft.pk]
    mark_validated(ExerciseDraft.objects.get(pk=draft.pk))
    dave.post(reverse("authoring-publish", args=[draft.pk]))
    carols.refresh_from_db()
    assert carols.current_version is not None
    assert "Dave's clearer statement." in carols.current_version.statement
    download = dave.get(_version_url(carols))
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert f"backprop/{SLUG}/reference.py" in archive.namelist()

    # dave removes carol; then nobody can remove dave, the last owner.
    carol.post(reverse("authoring-owner-remove", args=[SLUG, people.dave.pk]))
    assert dave.post(edit).status_code == 404
    assert dave.get(_version_url(carols)).status_code == 404
    carol.post(add, {"username": "dave"})
    dave.post(reverse("authoring-owner-remove", args=[SLUG, people.carol.pk]))
    last = dave.post(reverse("authoring-owner-remove", args=[SLUG, people.dave.pk]), follow=True)
    assert "The last owner cannot be removed" in last.content.decode()
    assert list(carols.owners.values_list("user__username", flat=True)) == ["dave"]


def test_staff_change_every_exercise(people: People, carols: Exercise, exercises: Bank) -> None:
    erin = signed_in(people.erin)
    for slug in (SLUG, "double-it"):
        exercise = Exercise.objects.get(slug=slug)
        assert erin.get(reverse("authoring-history", args=[slug])).status_code == 200
        assert erin.get(_version_url(exercise)).status_code == 200
        started = erin.post(reverse("authoring-edit-exercise", args=[slug]))
        draft = ExerciseDraft.objects.get(author=people.erin, exercise=exercise)
        assert started["Location"] == reverse("authoring-edit", args=[draft.pk])
        draft.files = {**draft.files, "statement.md": f"# {exercise.title}\n\nBy staff.\n"}
        draft.save()
        mark_validated(draft)
        erin.post(reverse("authoring-publish", args=[draft.pk]))
        exercise.refresh_from_db()
        assert exercise.current_version is not None
        assert "By staff." in exercise.current_version.statement
    # Staff editing carol's exercise does not make staff an owner of it.
    assert list(carols.owners.values_list("user__username", flat=True)) == ["carol"]
    erin.post(reverse("authoring-owner-add", args=[SLUG]), {"username": "dave"})
    assert carols.owners.filter(user=people.dave).exists()


def test_folder_exercises_are_staffs_only(people: People, exercises: Bank) -> None:
    from catalog.models import ExerciseOwner

    folder = exercises.code
    assert folder.source == Exercise.Source.FOLDER
    before = _state(folder)
    for who in (people.carol, people.dave):  # carol assigns it in her course: still not hers
        client = signed_in(who)
        assert client.get(reverse("authoring-edit-exercise", args=["double-it"])).status_code == 404
        assert (
            client.post(reverse("authoring-edit-exercise", args=["double-it"])).status_code == 404
        )
        assert client.get(reverse("authoring-history", args=["double-it"])).status_code == 404
        assert client.get(_version_url(folder)).status_code == 404
        assert client.get(reverse("authoring-copy-exercise", args=["double-it"])).status_code == 200
    assert not ExerciseDraft.objects.exists()
    assert _state(folder) == before

    erin = signed_in(people.erin)
    page = erin.get(reverse("authoring-history", args=["double-it"])).content.decode()
    assert "it belongs to platform staff, and has no owners" in page
    refused = erin.post(
        reverse("authoring-owner-add", args=["double-it"]), {"username": "carol"}, follow=True
    )
    assert "comes from a folder in exercises/" in refused.content.decode()
    assert not ExerciseOwner.objects.exists()


def test_the_migration_makes_the_recorded_publishers_owners(
    people: People, carols: Exercise, exercises: Bank
) -> None:
    """What existed before ownership: web exercises and who published them (Publication)."""
    from catalog.models import ExerciseOwner

    ExerciseOwner.objects.all().delete()
    folder_version = exercises.code.current_version
    assert folder_version is not None
    Publication.objects.create(version=folder_version, published_by=people.erin)  # folder now
    assert carols.current_version is not None
    Publication.objects.create(version=carols.current_version, published_by=people.dave)
    Publication.objects.create(version=carols.current_version, published_by=None)

    migration = importlib.import_module("authoring.migrations.0003_publishers_own_web_exercises")
    migration.publishers_become_owners(apps, None)
    migration.publishers_become_owners(apps, None)  # idempotent

    owners = set(ExerciseOwner.objects.values_list("exercise__slug", "user__username"))
    assert owners == {(SLUG, "carol"), (SLUG, "dave")}


def test_pages_of_owners_answer_only_to_authors(
    client: Client, people: People, carols: Exercise
) -> None:
    client.force_login(people.alice)
    for url in (
        reverse("authoring-copy-exercise", args=[SLUG]),
        reverse("authoring-history", args=[SLUG]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("authoring-owner-add", args=[SLUG]), {"username": "alice"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("authoring-copy-exercise", args=[SLUG]), {"slug": "x-y", "title": "xyz"}
        ).status_code
        == 404
    )
    assert not ExerciseDraft.objects.filter(author=people.alice).exists()
