"""The similarity check: token winnowing ranks a renamed, reformatted copy first."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import user_create
from courses.models import Course
from courses.services import enrolment_ensure
from gradebook.models import SimilarityCheck
from gradebook.similarity import rank_pairs, side_by_side, similarity_check_run, tokens
from tests.platform.conftest import Bank, People
from tests.platform.gradebook.conftest import graded

ORIGINAL = '''\
def double_it(x):
    """Twice x, elementwise."""
    result = []
    for index in range(len(x)):
        value = x[index]
        if value is None:
            result.append(0.0)
        else:
            result.append(value * 2)
    return result
'''

# The same program renamed, reformatted, commented and with its docstring changed.
DISGUISED = """\
def double_it(arr):   # my own work

    out=[ ]
    for j in range( len(arr) ):
        v=arr[j]
        if v is None: out.append(0.0)
        else:
            out.append(v*2)

    return out
"""

UNRELATED = [
    "import numpy as np\n\ndef double_it(x):\n    return np.asarray(x) * 2\n",
    "def double_it(x):\n    return [2 * v if v is not None else 0.0 for v in x]\n",
    "def double_it(x):\n    return list(map(lambda v: 0.0 if v is None else v + v, x))\n",
    "def double_it(x):\n    y = x.copy()\n    y *= 2\n    return y\n",
]


def test_renaming_and_reformatting_leave_the_tokens_unchanged() -> None:
    undocumented = ORIGINAL.replace('    """Twice x, elementwise."""\n', "")
    assert [t for t, _ in tokens(undocumented)] == [t for t, _ in tokens(DISGUISED)]


def test_a_disguised_copy_ranks_first_and_unrelated_solutions_low() -> None:
    codes = {1: ORIGINAL, 2: DISGUISED} | {10 + i: code for i, code in enumerate(UNRELATED)}
    pairs = rank_pairs(codes)
    assert (pairs[0].a, pairs[0].b) == (1, 2)
    assert pairs[0].similarity > 0.9
    others = [p.similarity for p in pairs[1:]]
    assert all(s < 0.5 for s in others), others


def test_boilerplate_counts_for_no_pair() -> None:
    from gradebook.similarity import boilerplate

    exclude = boilerplate({"solutions/loop.py": ORIGINAL})
    assert rank_pairs({1: ORIGINAL, 2: DISGUISED}, exclude=exclude) == []


def test_side_by_side_marks_the_shared_lines() -> None:
    view = side_by_side(ORIGINAL, DISGUISED + "\nprint('extra stuff here', 1, 2, 3)\n")
    # Below the docstring (which differs) every line of the copied body is marked.
    assert all(hot for n, _, hot in view.left if n >= 3), view.left
    assert not view.right[-1][2]


def _student(name: str) -> User:
    user = user_create(username=name, password=f"{name}-pass-123", role=User.Role.STUDENT)
    enrolment_ensure(course=Course.objects.get(slug="ml101"), user=user, role=User.Role.STUDENT)
    return user


def test_the_page_runs_the_check_and_shows_the_pair(
    carol: Client, exercises: Bank, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "gradebook.tasks.run_similarity_check.apply_async",
        lambda args, queue: sent.append((args, queue)),
    )
    code = exercises.code
    graded(people.alice, code, code.points, code=ORIGINAL)
    # bob's best counted is his full score, not his later failed try.
    graded(people.bob, code, code.points, code=DISGUISED + "# <script>alert(1)</script>\n")
    graded(people.bob, code, 0.0, code=UNRELATED[0])
    for i, text in enumerate(UNRELATED[1:]):
        graded(_student(f"s{i}"), code, code.points, code=text)
    url = f"/teach/ml101/gradebook/exercises/{code.slug}/similarity/"
    assert "No similarity check" in carol.get(url).content.decode()

    response = carol.post(url)
    assert response.status_code == 302
    check = SimilarityCheck.objects.get()
    assert 'data-status="running"' in carol.get(url).content.decode()
    similarity_check_run(check_id=check.pk)
    check.refresh_from_db()
    assert check.status == "done", check.message
    assert check.compared == 5
    page = carol.get(url).content.decode()
    assert 'data-status="done"' in page
    first = check.pairs[0]
    names = {check.submissions[str(first["a"])], check.submissions[str(first["b"])]}
    assert names == {people.alice.pk, people.bob.pk}

    rows = list(csv.reader(io.StringIO(carol.get(f"{url}{check.pk}/pairs.csv").content.decode())))
    assert rows[1][1:4:2] == ["alice", "bob"]

    pair = carol.get(f"{url}{check.pk}/{first['a']}-{first['b']}/").content.decode()
    assert "<mark>" in pair
    assert "<script>" not in pair and "&lt;script&gt;" in pair
    # Only the check's own submissions: not a way to read any submission by id.
    assert carol.get(f"{url}{check.pk}/{first['a']}-999999/").status_code == 404


def test_only_the_courses_instructors_see_it(
    client: Client, exercises: Bank, people: People
) -> None:
    url = f"/teach/ml101/gradebook/exercises/{exercises.code.slug}/similarity/"
    for who in (people.alice, people.dave):
        client.force_login(who)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not SimilarityCheck.objects.exists()
    check = SimilarityCheck.objects.create(
        course=Course.objects.get(slug="ml101"), exercise=exercises.code
    )
    assert client.get(f"{url}{check.pk}/pairs.csv").status_code == 404
    client.force_login(people.carol)
    assert client.get(f"{url}{check.pk}/pairs.csv").status_code == 200
