"""The gradebook's pages: the table, the CSV export, the exercise statistics and who sees them."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from courses.models import Course
from courses.services import enrolment_ensure
from gradebook.charts import bar_chart
from gradebook.views import csv_safe
from submissions.models import Submission
from tests.platform.conftest import (
    CORRECT_CODE,
    WRONG_CODE,
    Bank,
    People,
    assignment,
    make_submission,
)
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db


def cell_html(page: str, student: str, slug: str) -> str:
    row = re.search(rf'<tr data-student="{student}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {student}"
    cell = re.search(rf'<td data-exercise="{slug}"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert cell, f"no cell {slug} for {student}"
    return cell.group(1)


# -- the table ------------------------------------------------------------------------------------
def test_the_gradebook_shows_scores_attempts_lateness_and_pending(
    carol: Client, people: People, exercises: Bank
) -> None:
    row = assignment(exercises)
    row.due_at = timezone.now() - timedelta(days=5)
    row.save()
    graded(people.alice, exercises.code, 4.0, at=row.due_at - timedelta(days=1))
    graded(people.alice, exercises.code, 10.0, at=row.due_at + timedelta(hours=30))  # 2 d: 8
    make_submission(people.bob, exercises.code, status=Submission.Status.QUEUED)

    page = carol.get("/teach/ml101/gradebook/").content.decode()

    assert '<table id="gradebook"' in page
    alice = cell_html(page, "alice", "double-it")
    assert (
        '<span class="score">8</span> / 10' in alice
        and "2 attempts" in alice
        and "late 2 d" in alice
    )
    assert f'href="/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/"' in alice
    bob = cell_html(page, "bob", "double-it")
    assert "pending" in bob and "0 / 10" not in bob
    assert "–" in cell_html(page, "alice", "count-params")
    assert 'href="/teach/ml101/gradebook/exercises/double-it/"' in page  # column header
    assert 'id="gradebook-csv"' in page
    assert 'href="/teach/ml101/gradebook/export.csv"' in page


def test_the_gradebook_costs_a_bounded_number_of_queries(
    carol: Client, people: People, exercises: Bank, django_assert_max_num_queries: object
) -> None:
    course = Course.objects.get(slug="ml101")
    for n in range(30):
        student = user_create(username=f"s{n:02d}", password="pass-pass-123")
        enrolment_ensure(course=course, user=student)
        for score in (2.0, 10.0):
            graded(student, exercises.code, score)
        graded(student, exercises.math, 1.0)
        make_submission(student, exercises.math, status=Submission.Status.QUEUED)

    with django_assert_max_num_queries(10):  # type: ignore[operator]
        page = carol.get("/teach/ml101/gradebook/")

    assert page.content.decode().count("<tr data-student=") == 32


# -- the CSV ------------------------------------------------------------------------------------
def test_the_csv_has_one_row_per_student_with_the_pages_numbers(
    carol: Client, people: People, exercises: Bank
) -> None:
    User.objects.filter(pk=people.alice.pk).update(
        first_name="Alice", last_name="Liddell", email="alice@example.org"
    )
    graded(people.alice, exercises.code, 7.5)
    graded(people.alice, exercises.code, 2.0)
    graded(people.alice, exercises.math, 2.0)
    make_submission(people.bob, exercises.code, status=Submission.Status.QUEUED)

    response = carol.get("/teach/ml101/gradebook/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="ml101-gradebook-{today}.csv"'
    )
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    assert header == [
        "username",
        "name",
        "email",
        "double-it score",
        "double-it attempts",
        "double-it days late",
        "double-it set by hand",
        "count-params score",
        "count-params attempts",
        "count-params days late",
        "count-params set by hand",
        "total",
    ]
    by_user = {row[0]: row for row in rows}
    assert by_user["alice"] == [
        "alice",
        "Alice Liddell",
        "alice@example.org",
        *("7.5", "2", "0", ""),
        *("2", "1", "0", ""),
        "9.5",
    ]
    assert by_user["bob"] == ["bob", "", "", "pending", "1", "0", "", "", "0", "0", "", "0"]
    assert len(rows) == 2


def test_the_csv_defuses_spreadsheet_formulas(
    carol: Client, people: People, exercises: Bank
) -> None:
    course = Course.objects.get(slug="ml101")
    mallory = user_create(username="-mallory", password="pass-pass-123")
    User.objects.filter(pk=mallory.pk).update(
        first_name='=HYPERLINK("http://evil.example","x")', last_name="", email="@evil"
    )
    enrolment_ensure(course=course, user=mallory)

    rows = list(csv.reader(io.StringIO(carol.get("/teach/ml101/gradebook/export.csv").text)))

    mallory_row = next(row for row in rows if "mallory" in row[0])
    assert mallory_row[:3] == ["'-mallory", '\'=HYPERLINK("http://evil.example","x")', "'@evil"]
    assert [csv_safe(text) for text in ("+1", "\t=1", "alice", "a=b")] == [
        "'+1",
        "'\t=1",
        "alice",
        "a=b",
    ]


# -- one exercise's statistics --------------------------------------------------------------------
def test_the_exercise_statistics_count_tries_solves_and_failures(
    carol: Client, people: People, exercises: Bank
) -> None:
    course = Course.objects.get(slug="ml101")
    carl = user_create(username="carl", password="pass-pass-123")
    enrolment_ensure(course=course, user=carl)
    fail = {
        "checks": [
            {"name": "small example", "passed": False, "hint": "off by a factor 2"},
            {"name": "hidden big", "passed": False, "hint": None},
            {"name": "shape", "passed": True, "hint": "not shown: passed"},
        ]
    }
    graded(people.alice, exercises.code, 0.0, report=fail)
    graded(people.alice, exercises.code, 10.0)  # solved on attempt 2
    for _ in range(3):
        graded(people.bob, exercises.code, 0.0, report=fail)
    graded(people.bob, exercises.code, 10.0)  # solved on attempt 4
    make_submission(carl, exercises.code, status=Submission.Status.QUEUED)

    page = carol.get("/teach/ml101/gradebook/exercises/double-it/").content.decode()

    assert "<h1>Double it: statistics</h1>" in page
    assert re.search(r'data-stat="students">3<', page)
    assert re.search(r'data-stat="tried">3 <small>100% of students', page)
    assert re.search(r'data-stat="solved">2 <small>67% of students, 67% of those who tried', page)
    assert re.search(r'data-stat="median-attempts">3<', page)  # median of 2 and 4
    assert re.search(r'data-stat="mean-attempts">3<', page)
    assert re.search(r'data-stat="pending">1<', page)
    checks = page[page.index('id="failing-checks"') : page.index('id="common-hints"')]
    assert re.search(r"small example</th><td>4<", checks)
    assert re.search(r"hidden big</th><td>4<", checks) and "shape" not in checks
    hints = page[page.index('id="common-hints"') : page.index('id="verdicts"')]
    assert re.search(r"off by a factor 2</th><td>4<", hints) and "not shown" not in hints
    verdicts = page[page.index('id="verdicts"') :]
    assert re.search(r"Wrong answer</th><td>4<", verdicts)
    assert re.search(r"Accepted</th><td>2<", verdicts)
    # The charts: inline SVG, labelled, with the numbers as a table; nothing from elsewhere.
    assert page.count('<svg viewBox="0 0 520 220"') == 2
    assert '<title id="score-chart-title">' in page
    assert "100: 2" in page  # the description: both solvers in the top bin
    assert re.search(r'<th scope="row">100</th><td>2</td>', page)
    assert re.search(r'<th scope="row">4</th><td>1</td>', page)  # one solver needed 4
    assert "<script" not in page.split('id="main"')[1]


def test_statistics_of_an_exercise_nobody_tried(carol: Client, exercises: Bank) -> None:
    page = carol.get("/teach/ml101/gradebook/exercises/count-params/").content.decode()

    assert re.search(r'data-stat="tried">0 <small>0% of students', page)
    assert "No one has solved it yet" in page
    assert "disabled>Regrade against the current version" in page


def test_an_exercise_not_in_the_course_is_not_found(carol: Client, exercises: Bank) -> None:
    assert carol.get("/teach/ml101/gradebook/exercises/no-such/").status_code == 404


def test_a_bar_chart_scales_to_its_tallest_bar() -> None:
    chart = bar_chart(
        chart_id="c", title="T", x_label="x", y_label="y", data=[("a", 4), ("b", 0), ("c", 2)]
    )

    heights = [float(bar.height) for bar in chart.bars]
    assert heights[0] == chart.baseline - chart.top and heights[1] == 0
    assert heights[2] == pytest.approx(heights[0] / 2)
    assert chart.description == "y by x: a: 4; b: 0; c: 2"


# -- a student's submissions --------------------------------------------------------------------
def test_a_cell_opens_the_students_submissions_of_that_exercise(
    carol: Client, people: People, exercises: Bank
) -> None:
    first = graded(people.alice, exercises.code, 0.0, code=WRONG_CODE)
    best = graded(people.alice, exercises.code, 10.0, code=CORRECT_CODE)
    practice = graded(people.alice, exercises.code, 10.0, mode="practice", attempt=None)
    graded(people.alice, exercises.math, 2.0)
    other = graded(people.bob, exercises.code, 10.0)

    url = f"/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/"
    page = carol.get(url).content.decode()

    for submission in (first, best, practice):
        assert f'href="/submissions/{submission.pk}/"' in page
    assert f'href="/submissions/{other.pk}/"' not in page
    assert len(re.findall(r'href="/submissions/\d+/"', page)) == 3  # math: another page
    assert re.search(rf"#{best.pk}</a> <span class=\"tag\">best", page)
    assert carol.get(f"/submissions/{best.pk}/").status_code == 200  # carol may open it
    not_a_student = f"/teach/ml101/gradebook/students/{people.dave.pk}/exercises/double-it/"
    assert carol.get(not_a_student).status_code == 404
