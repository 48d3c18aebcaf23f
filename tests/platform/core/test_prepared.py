"""PreparedQuery: a queryset compiled once, run again with new values, equal to the ORM's answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.prepared import PreparedQuery, PreparedQueryError
from courses.models import Assignment, Course, Enrolment

pytestmark = pytest.mark.django_db

STUDENTS = PreparedQuery(
    lambda course_id, role: User.objects.filter(
        enrolments__course_id=course_id, enrolments__role=role
    ).order_by("username"),
    course_id=int,
    role=str,
)


def test_runs_with_each_call_s_values_and_matches_the_orm(people) -> None:
    for course in Course.objects.all():
        for role in (Enrolment.Role.STUDENT, Enrolment.Role.INSTRUCTOR, "nobody"):
            orm = list(
                User.objects.filter(enrolments__course=course, enrolments__role=role).order_by(
                    "username"
                )
            )
            assert STUDENTS.all(course_id=course.pk, role=role) == orm
    ml101 = Course.objects.get(slug="ml101")
    assert [u.username for u in STUDENTS.all(course_id=ml101.pk, role="student")] == [
        "alice",
        "bob",
    ]


def test_compiles_once_and_sends_one_query_per_call(people, monkeypatch) -> None:
    ml101 = Course.objects.get(slug="ml101")
    query = PreparedQuery(lambda pk: Course.objects.filter(pk=pk)[:1], pk=int)
    assert query.first(pk=ml101.pk) == ml101
    # Compiling again would go through the queryset's compiler: forbid it from now on.
    monkeypatch.setattr(
        "django.db.models.sql.query.Query.sql_with_params",
        lambda self: pytest.fail("compiled again"),
    )
    with CaptureQueriesContext(connection) as queries:
        assert query.first(pk=ml101.pk + 10_000) is None
        assert query.first(pk=ml101.pk).slug == "ml101"
    assert len(queries) == 2


def test_model_rows_get_the_backend_s_converters(people) -> None:
    ml101 = Course.objects.get(slug="ml101")
    Course.objects.filter(pk=ml101.pk).update(invite_open=False)
    query = PreparedQuery(lambda pk: Course.objects.filter(pk=pk)[:1], pk=int)
    course = query.first(pk=ml101.pk)
    assert course is not None and course.created_at == ml101.created_at
    # Aware datetimes and real booleans, as the ORM gives them, on SQLite too.
    assert course.created_at.tzinfo is not None
    assert timezone.now() - course.created_at < timedelta(minutes=5)
    assert course.invite_open is False


def test_plain_rows_for_ids(people) -> None:
    ml101 = Course.objects.get(slug="ml101")
    ids = PreparedQuery(
        lambda course_id: Enrolment.objects.filter(course_id=course_id).values_list("user_id"),
        course_id=int,
    )
    assert sorted(r[0] for r in ids.rows(course_id=ml101.pk)) == sorted(
        Enrolment.objects.filter(course=ml101).values_list("user_id", flat=True)
    )


def test_a_constant_equal_to_nothing_in_the_arguments_stays_a_constant(people) -> None:
    # published=True is the query's own constant, not an argument: it must not be replaced.
    query = PreparedQuery(
        lambda course_id: Assignment.objects.filter(course_id=course_id, published=True),
        course_id=int,
    )
    ml101 = Course.objects.get(slug="ml101")
    assert query.all(course_id=ml101.pk) == list(
        Assignment.objects.filter(course=ml101, published=True)
    )


def test_refuses_what_it_cannot_prepare(people) -> None:
    # An argument Django rewrites before it reaches the parameters ("%value%") is not found.
    contains = PreparedQuery(lambda text: User.objects.filter(username__contains=text), text=str)
    with pytest.raises(PreparedQueryError, match="do not reach the SQL parameters"):
        contains.all(text="ali")
    ids = PreparedQuery(lambda pk: Course.objects.filter(pk=pk).values_list("pk"), pk=int)
    with pytest.raises(PreparedQueryError, match="use rows"):
        ids.all(pk=1)
    with pytest.raises(PreparedQueryError, match="only int and str"):
        PreparedQuery(lambda when: Course.objects.filter(created_at=when), when=float)
    with pytest.raises(TypeError, match="expected the arguments"):
        STUDENTS.all(course_id=1)


def test_select_related_defer_and_json_come_back_as_from_the_orm(exercises, people) -> None:
    from submissions.models import Submission
    from tests.platform.conftest import make_submission

    made = make_submission(people.alice, exercises.code)
    Submission.objects.filter(pk=made.pk).update(report={"checks": [{"name": "a", "ok": True}]})
    query = PreparedQuery(
        lambda pk: (
            Submission.objects.select_related("exercise", "version__exercise", "course")
            .defer("version__files")
            .filter(pk=pk)[:1]
        ),
        pk=int,
    )
    orm = (
        Submission.objects.select_related("exercise", "version__exercise", "course")
        .defer("version__files")
        .get(pk=made.pk)
    )
    with CaptureQueriesContext(connection) as queries:
        got = query.first(pk=made.pk)
        assert got is not None
        # Everything selected is there without another query, converted as the ORM does.
        assert got.report == {"checks": [{"name": "a", "ok": True}]} == orm.report
        assert got.queued_at == orm.queued_at and got.queued_at.tzinfo is not None
        assert got.visible_only is False
        assert got.exercise.slug == orm.exercise.slug == "double-it"
        assert got.version.version == orm.version.version
        assert got.version.exercise.kind == "code"
        assert got.course.slug == "ml101"
    assert len(queries) == 1
    assert "files" in got.version.get_deferred_fields()
    assert got.version.files == orm.version.files  # loaded on demand, as a deferred field is


def test_annotations_arrive_as_attributes(exercises, people) -> None:
    from django.db.models import F

    query = PreparedQuery(
        lambda course_id: (
            Assignment.objects.filter(course_id=course_id)
            .annotate(course_slug=F("course__slug"), due=F("due_at"))
            .order_by("pk")
        ),
        course_id=int,
    )
    ml101 = Course.objects.get(slug="ml101")
    Assignment.objects.filter(course=ml101).update(due_at=timezone.now())
    rows = query.all(course_id=ml101.pk)
    assert len(rows) == 2 and {a.course_slug for a in rows} == {"ml101"}
    assert all(a.due.tzinfo is not None for a in rows)  # an annotation is converted too


def test_prepared_update_writes_what_the_orm_reads_back(exercises, people) -> None:
    import uuid

    from core.prepared import PreparedUpdate
    from submissions.models import Submission
    from tests.platform.conftest import make_submission

    made = make_submission(people.alice, exercises.code)
    other = make_submission(people.bob, exercises.code)
    update = PreparedUpdate(
        Submission,
        assign=("status", "claim_token", "started_at", "report", "score"),
        increment=("claim_count",),
        where=("id", "status"),
    )
    token, now = uuid.uuid4(), timezone.now()
    changed = update.run(
        values={
            "status": "running",
            "claim_token": token,
            "started_at": now,
            "report": {"checks": [], "message": "é ok"},
            "score": None,
        },
        increment={"claim_count": 2},
        where={"id": made.pk, "status": "queued"},
    )
    assert changed == 1
    row = Submission.objects.get(pk=made.pk)
    assert (row.status, row.claim_token, row.started_at) == ("running", token, now)
    assert row.report == {"checks": [], "message": "é ok"} and row.score is None
    assert row.claim_count == made.claim_count + 2
    assert Submission.objects.get(pk=other.pk).status == "queued"  # only the row asked for
    # The condition is part of the statement: the same update again finds no queued row.
    values = {"status": "done", "claim_token": None, "started_at": now, "report": {}, "score": 1}
    again = update.run(
        values=values, increment={"claim_count": 1}, where={"id": made.pk, "status": "queued"}
    )
    assert again == 0 and Submission.objects.get(pk=made.pk).status == "running"
    with pytest.raises(TypeError, match="exactly the prepared fields"):
        update.run(values={"status": "x"}, increment={"claim_count": 1}, where={"id": made.pk})
