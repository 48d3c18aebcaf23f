"""Reviews of a graded submission (platform/reviews): line comments, rubric points in the
effective score (submissions/scores.py), regrade requests and their answers, and who may see
and do what (a student: their own; an instructor: their courses'; anyone else a 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from gradebook.selectors import gradebook_for
from reviews.models import LineComment, RegradeRequest
from reviews.services import ReviewInvalid, regrade_request_create
from submissions.models import RubricItem, RubricMark, Submission
from submissions.scores import effective_scores, student_result
from tests.platform.conftest import Bank, People, assignment
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(submission: Submission) -> str:
    return f"/submissions/{submission.pk}/"


def review(submission: Submission, what: str) -> str:
    return f"/submissions/{submission.pk}/review/{what}/"


@pytest.fixture
def work(people: People, exercises: Bank) -> Submission:
    return graded(people.alice, exercises.code, 7.0)


def test_rubric_points_are_added_to_the_effective_score_with_their_reason(
    people: People, exercises: Bank, work: Submission
) -> None:
    carol = as_user(people.carol)
    response = carol.post(
        review(work, "rubric/items"), {"name": "clear variable names", "points": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#rubric")

    found = effective_scores([work])[work.pk]
    assert found.score == 8.0
    assert found.reason == "8/10: +1 rubric: 'clear variable names'"
    # The gradebook and the student's result: the same score, from the same rules.
    assert student_result(assignment=assignment(exercises), student=people.alice).score == 8.0
    book = gradebook_for(assignment(exercises).course)
    row = next(r for r in book.rows if r.student.pk == people.alice.pk)
    assert [c.score for c in row.cells if c.slug == "double-it"] == [8.0]
    # Shown to the student on the submission page.
    html = as_user(people.alice).get(page(work)).content.decode()
    assert "clear variable names" in html and "+1 rubric" in html


def test_rubric_points_never_pass_the_maximum_and_the_item_is_reusable(
    people: People, exercises: Bank, work: Submission
) -> None:
    carol = as_user(people.carol)
    carol.post(review(work, "rubric/items"), {"name": "elegant", "points": "5"})
    assert effective_scores([work])[work.pk].score == 10.0  # 7 + 5, clamped to 10
    other = graded(people.bob, exercises.code, 4.0)
    item = RubricItem.objects.get(name="elegant")
    response = carol.post(review(other, "rubric"), {"items": [str(item.pk)]})
    assert response.status_code == 302
    assert effective_scores([other])[other.pk].score == 9.0
    # Unticking all removes the points.
    carol.post(review(other, "rubric"), {})
    assert effective_scores([other])[other.pk].score == 4.0
    assert not RubricMark.objects.filter(submission=other).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "points": "1"}, "write the item"),
        ({"name": "ok", "points": "lots"}, "the points is a number"),
        ({"name": "ok", "points": "nan"}, "the points is a number"),
    ],
)
def test_a_bad_rubric_item_is_a_400_keeping_what_was_typed(
    people: People, work: Submission, fields: dict[str, str], message: str
) -> None:
    response = as_user(people.carol).post(review(work, "rubric/items"), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("’", "'") and f'value="{fields["points"]}"' in html


def test_a_line_comment_is_shown_beside_its_line_to_the_student(
    people: People, work: Submission
) -> None:
    response = as_user(people.carol).post(review(work, "comments"), {"line": "1", "body": "why?"})
    assert response.status_code == 302 and response["Location"].endswith("#line-1")
    html = as_user(people.alice).get(page(work)).content.decode()
    line = html.split('id="line-1"', 1)[1].split("</li>", 1)[0]
    assert "why?" in line and "carol" in line


@pytest.mark.parametrize("line", ["0", "9999", "x", ""])
def test_a_comment_on_no_such_line_is_a_400_keeping_the_comment(
    people: People, work: Submission, line: str
) -> None:
    response = as_user(people.carol).post(review(work, "comments"), {"line": line, "body": "kept"})
    assert response.status_code == 400
    assert "the line is a number from 1 to" in response.content.decode()
    assert "kept</textarea>" in response.content.decode()
    assert not LineComment.objects.exists()


def test_only_the_courses_instructors_review_and_only_the_author_asks(
    people: People, work: Submission
) -> None:
    # dave teaches another course, bob is a classmate, alice the author: none may comment or
    # give points; a 404, as for the submission itself.
    for user in (people.dave, people.bob, people.alice):
        client = as_user(user)
        assert client.post(review(work, "comments"), {"line": "1", "body": "x"}).status_code == 404
        assert (
            client.post(review(work, "rubric/items"), {"name": "x", "points": "1"}).status_code
            == 404
        )
    for user in (people.dave, people.bob, people.carol):
        assert as_user(user).post(review(work, "request"), {"reason": "x"}).status_code == 404
    assert not LineComment.objects.exists() and not RubricItem.objects.exists()
    assert not RegradeRequest.objects.exists()


def test_a_student_sees_only_their_own_comments_and_requests(
    people: People, exercises: Bank, work: Submission
) -> None:
    LineComment.objects.create(submission=work, line=1, body="secret remark", author=people.carol)
    regrade_request_create(submission=work, student=people.alice, reason="my private reason")
    bob = as_user(people.bob)
    assert bob.get(page(work)).status_code == 404
    bobs = graded(people.bob, exercises.code, 3.0)
    html = bob.get(page(bobs)).content.decode()
    assert "secret remark" not in html and "my private reason" not in html
    assert "my private reason" not in bob.get("/courses/ml101/").content.decode()


def test_the_request_lifecycle(people: People, exercises: Bank, work: Submission) -> None:
    alice, carol = as_user(people.alice), as_user(people.carol)
    # Empty reason: a 400.
    assert alice.post(review(work, "request"), {"reason": "  "}).status_code == 400
    response = alice.post(review(work, "request"), {"reason": "test 3 is wrong"})
    assert response.status_code == 302
    # One open request per submission.
    again = alice.post(review(work, "request"), {"reason": "again please"})
    assert again.status_code == 400 and "already open" in again.content.decode()
    assert "again please</textarea>" in again.content.decode()
    req = RegradeRequest.objects.get()
    # The queue, linked from the gradebook; only the course's instructors see it.
    assert 'href="/teach/ml101/requests/"' in carol.get("/teach/ml101/gradebook/").content.decode()
    queue = carol.get("/teach/ml101/requests/").content.decode()
    assert "alice" in queue and f"#{work.pk}" in queue
    for user in (people.alice, people.dave):
        assert as_user(user).get("/teach/ml101/requests/").status_code == 404
        assert as_user(user).get(f"/teach/ml101/requests/{req.pk}/").status_code == 404
    assert as_user(people.dave).get(f"/teach/cv201/requests/{req.pk}/").status_code == 404
    detail = carol.get(f"/teach/ml101/requests/{req.pk}/").content.decode()
    assert "test 3 is wrong" in detail
    # The override and its audit log are on the student's gradebook page: linked.
    assert (
        f"/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/#override" in detail
    )
    # A bad answer: a 400 keeping the text.
    bad = carol.post(f"/teach/ml101/requests/{req.pk}/", {"status": "maybe", "answer": "kept"})
    assert bad.status_code == 400 and "kept</textarea>" in bad.content.decode()
    ok = carol.post(f"/teach/ml101/requests/{req.pk}/", {"status": "accepted", "answer": "fixed"})
    assert ok.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.answer, req.answered_by) == ("accepted", "fixed", people.carol)
    # Answered once only.
    twice = carol.post(f"/teach/ml101/requests/{req.pk}/", {"status": "declined", "answer": "no"})
    assert twice.status_code == 400
    # The student: a notice on the course home linking to the answer on the submission page.
    home = alice.get("/courses/ml101/").content.decode()
    assert "regrade-notices" in home and f"/submissions/{work.pk}/#regrade-requests" in home
    assert "fixed" in alice.get(page(work)).content.decode()
    # Answered: a new request may be filed.
    assert alice.post(review(work, "request"), {"reason": "one more"}).status_code == 302


def test_no_request_for_a_practice_run(people: People, exercises: Bank) -> None:
    run = graded(people.alice, exercises.code, 7.0, mode=Submission.Mode.PRACTICE)
    with pytest.raises(ReviewInvalid):
        regrade_request_create(submission=run, student=people.alice, reason="x")
    assert as_user(people.alice).post(review(run, "request"), {"reason": "x"}).status_code == 400


def test_accepting_a_request_sets_the_score_from_its_page(
    people: People, exercises: Bank, work: Submission
) -> None:
    assignment(exercises)
    alice, carol = as_user(people.alice), as_user(people.carol)
    assert alice.post(review(work, "request"), {"reason": "case 2 is right"}).status_code == 302
    req = RegradeRequest.objects.get()
    url = f"/teach/ml101/requests/{req.pk}/"
    assert 'name="score"' in carol.get(url).content.decode()
    # A score with a declined request, or out of range: a 400 keeping what was typed, nothing
    # stored (neither the answer nor a score).
    for status, score in (("declined", "9"), ("accepted", "11"), ("accepted", "lots")):
        bad = carol.post(url, {"status": status, "answer": "kept answer", "score": score})
        assert bad.status_code == 400 and "kept answer</textarea>" in bad.content.decode()
        req.refresh_from_db()
        assert req.status == "open" and not people.alice.score_overrides.exists()
    ok = carol.post(url, {"status": "accepted", "answer": "case 2 was right", "score": "9.5"})
    assert ok.status_code == 302
    req.refresh_from_db()
    override = people.alice.score_overrides.get()
    assert req.status == "accepted" and override.score == 9.5 and override.previous == 7.0
    assert override.created_by == people.carol and "case 2 was right" in override.reason
    result = student_result(assignment=assignment(exercises), student=people.alice)
    assert result.score == 9.5 and result.is_overridden
