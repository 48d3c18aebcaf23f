"""Who may author: instructors and staff; a draft is its author's (and staff's), nobody else's.

Students get 404 on every page and action under /teach/exercises/, an instructor gets 404 on
another's draft (a 403 would confirm it exists), anonymous visitors are sent to sign in, and
nothing changes for any of them.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from authoring.models import ExerciseDraft
from catalog.models import Exercise
from tests.platform.authoring.conftest import mark_validated, new_draft, signed_in
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


def _draft_urls(draft: ExerciseDraft) -> tuple[list[str], list[str]]:
    """(GET urls, POST urls) that act on one draft."""
    pk = [draft.pk]
    return (
        [
            reverse("authoring-edit", args=pk),
            reverse("authoring-status", args=pk),
            reverse("authoring-export", args=pk),
        ],
        [
            reverse("authoring-edit", args=pk),
            reverse("authoring-validate", args=pk),
            reverse("authoring-publish", args=pk),
            reverse("authoring-delete", args=pk),
        ],
    )


@pytest.fixture
def carols_draft(people: People, exercises: Bank) -> ExerciseDraft:
    return mark_validated(new_draft(people.carol, slug="carols-exercise"))


def _all_urls(draft: ExerciseDraft, exercises: Bank) -> tuple[list[str], list[str]]:
    version = exercises.code.current_version
    assert version is not None
    gets, posts = _draft_urls(draft)
    gets += [
        reverse("authoring-list"),
        reverse("authoring-new"),
        reverse("authoring-history", args=["double-it"]),
        reverse("authoring-edit-exercise", args=["double-it"]),
        reverse("authoring-export-version", args=["double-it", version.version]),
    ]
    posts += [
        reverse("authoring-new"),
        reverse("authoring-preview"),
        reverse("authoring-edit-exercise", args=["double-it"]),
    ]
    return gets, posts


# Everything any of the POST endpoints would act on.
FORM = {
    "file:statement.md": "# Defaced\n",
    "statement": "x",
    "kind": "code-numpy",
    "slug": "sneaky",
    "title": "Sneaky",
    "topic": "backprop",
}


def _snapshot() -> tuple[object, ...]:
    drafts = [(d.pk, d.files, d.validation_state) for d in ExerciseDraft.objects.order_by("pk")]
    return (drafts, list(Exercise.objects.values_list("slug", "current_version")))


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_students_get_404_everywhere(
    people: People, exercises: Bank, carols_draft: ExerciseDraft, who: str
) -> None:
    client = signed_in(getattr(people, who))
    gets, posts = _all_urls(carols_draft, exercises)
    before = _snapshot()
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, FORM).status_code == 404, url
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(
    people: People, exercises: Bank, carols_draft: ExerciseDraft
) -> None:
    client = Client()
    sign_in = reverse("login")
    gets, posts = _all_urls(carols_draft, exercises)
    before = _snapshot()
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(sign_in), url
    for url in posts:
        response = client.post(url, FORM)
        assert response.status_code == 302 and response["Location"].startswith(sign_in), url
    assert _snapshot() == before


def test_an_instructor_gets_404_on_anothers_draft(
    people: People, carols_draft: ExerciseDraft
) -> None:
    client = signed_in(people.dave)
    gets, posts = _draft_urls(carols_draft)
    before = _snapshot()
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, FORM).status_code == 404, url
    assert _snapshot() == before
    page = client.get(reverse("authoring-list")).content.decode()
    assert "carols-exercise" not in page


def test_an_instructor_works_on_their_own_drafts(people: People, validations: list[int]) -> None:
    client = signed_in(people.dave)
    draft = new_draft(people.dave)
    gets, _ = _draft_urls(draft)
    for url in gets:
        assert client.get(url).status_code == 200, url
    assert f'href="{gets[0]}"' in client.get(reverse("authoring-list")).content.decode()
    response = client.post(reverse("authoring-validate", args=[draft.pk]))
    assert response.status_code == 302
    assert validations == [draft.pk]
    assert client.post(reverse("authoring-delete", args=[draft.pk])).status_code == 302
    assert not ExerciseDraft.objects.exists()


def test_staff_open_and_publish_every_draft(people: People, carols_draft: ExerciseDraft) -> None:
    client = signed_in(people.erin)
    gets, _ = _draft_urls(carols_draft)
    for url in gets:
        assert client.get(url).status_code == 200, url
    assert "carols-exercise" in client.get(reverse("authoring-list")).content.decode()
    client.post(reverse("authoring-publish", args=[carols_draft.pk]))
    assert Exercise.objects.filter(slug="carols-exercise", source="web").exists()


@pytest.mark.parametrize("url", ["authoring-list", "authoring-new"])
def test_pages_have_one_heading_and_load_nothing_from_elsewhere(people: People, url: str) -> None:
    page = signed_in(people.carol).get(reverse(url)).content.decode()
    assert page.count("<h1") == 1
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
