"""A student's history of one exercise, the diff between two submissions, and the offline page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from pages.views import diff_lines
from tests.platform.conftest import Bank, People, make_submission

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
HISTORY = "/exercises/double-it/history/"


def test_the_history_lists_own_submissions_newest_first_with_mode_and_course(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    first = make_submission(
        people.alice,
        exercises.code,
        code="# first try",
        status="done",
        verdict="rejected",
        score=0.0,
        max_score=10.0,
    )
    second = make_submission(
        people.alice,
        exercises.code,
        code="# practice run",
        mode="practice",
        attempt=None,
        course=None,
        visible_only=True,
    )
    make_submission(people.alice, exercises.math)  # another exercise
    bobs = make_submission(people.bob, exercises.code, code="# bob's secret")

    page = signed_in(people.alice).get(HISTORY).content.decode()

    assert page.count("<h1>") == 1
    assert page.index(f">#{second.pk}</a>") < page.index(f">#{first.pk}</a>")
    assert "# first try" in page and "# practice run" in page and "# bob's secret" not in page
    assert f">#{bobs.pk}</a>" not in page
    assert "ML 101" in page and "self-test" in page and "(visible tests)" in page
    assert "Wrong answer" in page and "0 / 10" in page
    # Two labelled pickers for the diff.
    assert '<label for="compare-a">' in page and '<label for="compare-b">' in page


def test_picking_two_goes_to_their_diff(signed_in: SignIn, exercises: Bank, people: People) -> None:
    response = signed_in(people.alice).get(HISTORY, {"a": "3", "b": "5"})
    assert response.status_code == 302 and response["Location"] == "/submissions/3/diff/5/"


def test_the_history_of_an_exercise_one_cannot_see_is_404(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    alice = signed_in(people.alice)
    assert alice.get("/exercises/nope/history/").status_code == 404
    empty = alice.get(HISTORY)
    assert (
        empty.status_code == 200 and "No submissions of this exercise yet" in empty.content.decode()
    )


def test_the_diff_shows_changes_escaped(signed_in: SignIn, exercises: Bank, people: People) -> None:
    old = make_submission(people.alice, exercises.code, code="def double_it(x):\n    return x\n")
    new = make_submission(
        people.alice,
        exercises.code,
        code="def double_it(x):\n    return 2 * x  # <script>alert(1)</script>\n",
    )

    response = signed_in(people.alice).get(f"/submissions/{old.pk}/diff/{new.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="del">-    return x</span>' in page
    assert (
        '<span class="add">+    return 2 * x  # &lt;script&gt;alert(1)&lt;/script&gt;</span>'
        in page
    )
    assert "<script>alert" not in page
    assert "1 line added" in page and "1 line removed" in page
    same = signed_in(people.alice).get(f"/submissions/{old.pk}/diff/{old.pk}/").content.decode()
    assert "The two are identical." in same


def test_a_diff_with_someone_elses_submission_is_404(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    mine = make_submission(people.alice, exercises.code)
    bobs = make_submission(people.bob, exercises.code, code="# bob's secret")
    alice = signed_in(people.alice)
    assert alice.get(f"/submissions/{mine.pk}/diff/{bobs.pk}/").status_code == 404
    assert alice.get(f"/submissions/{bobs.pk}/diff/{mine.pk}/").status_code == 404
    # Their instructor sees both; an instructor of another course neither.
    assert signed_in(people.carol).get(f"/submissions/{mine.pk}/diff/{bobs.pk}/").status_code == 200
    assert signed_in(people.dave).get(f"/submissions/{mine.pk}/diff/{bobs.pk}/").status_code == 404


def test_diff_lines_kinds() -> None:
    lines = diff_lines("a\nb\nc\n", "a\nB\nc\n", "#1", "#2")
    assert [kind for kind, _ in lines] == ["head", "head", "hunk", "same", "del", "add", "same"]
    assert diff_lines("same", "same", "#1", "#2") == []


def test_the_exercise_page_and_submission_page_link_the_history(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    submission = make_submission(people.alice, exercises.code)
    alice = signed_in(people.alice)
    for url in (
        "/exercises/double-it/",
        "/courses/ml101/exercises/double-it/",
        f"/submissions/{submission.pk}/",
    ):
        assert f'href="{HISTORY}"' in alice.get(url).content.decode(), url


# -- offline -------------------------------------------------------------------------------------
def test_the_offline_page_renders_for_everyone_and_is_linked(
    client: Client, signed_in: SignIn, exercises: Bank, people: People
) -> None:
    page = client.get("/help/offline/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1>") == 1
    for command in (
        'pip install "deepgrade-graders @ http://testserver/downloads/deepgrade_graders-',
        "python -m graders check linear-backward my_solution.py --bundle",
        "python -m graders check linear-backward my_solution.py --remote http://testserver/",
        "from graders.notebook import check, submit",
        "--json",
        "python -m graders compare symbolic",
        "Accepted  score 10/10",
    ):
        assert command in html, command
    assert re.search(r"<th scope=\"row\">2</th>", html)

    alice = signed_in(people.alice)
    exercise_page = alice.get("/exercises/double-it/").content.decode()
    assert 'href="/help/offline/"' in exercise_page
    # The offline command is the bundle's (its practice instance): no seed on the page.
    assert (
        "python -m graders check double-it my_solution.py --bundle deepgrade-double-it.zip"
        in exercise_page
    )
    assert 'href="/exercises/double-it/bundle.zip"' in exercise_page
    assert "--seed" not in exercise_page
