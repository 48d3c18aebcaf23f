"""The course page's invite link, CSV enrolment and student list."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from courses.models import Course, Enrolment
from courses.services import CSV_MAX_BYTES, CourseError, enrolment_join
from tests.platform.conftest import People

pytestmark = pytest.mark.django_db


def ml101() -> Course:
    return Course.objects.get(slug="ml101")


def students() -> set[str]:
    return set(
        ml101()
        .enrolments.filter(role=Enrolment.Role.STUDENT)
        .values_list("user__username", flat=True)
    )


def upload(client: Client, content: bytes, name: str = "students.csv") -> object:
    return client.post(
        "/teach/ml101/students/upload/", {"csv_file": SimpleUploadedFile(name, content)}
    )


# -- the invite link ---------------------------------------------------------------------------
def test_the_page_shows_the_full_invite_link(carol: Client) -> None:
    html = carol.get("/teach/ml101/").content.decode()
    code = ml101().invite_code
    assert f'id="invite-link" class="invite-link">http://testserver/join/{code}/</code>' in html


def test_a_new_link_retires_the_old_one(carol: Client, people: People) -> None:
    old = ml101().invite_code

    response = carol.post("/teach/ml101/invite/reset/")

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#invite"
    new = ml101().invite_code
    assert new != old
    newcomer = User.objects.create_user("newcomer", password="x")
    with pytest.raises(CourseError):
        enrolment_join(user=newcomer, invite_code=old)
    assert enrolment_join(user=newcomer, invite_code=new) == ml101()
    assert f"/join/{new}/" in carol.get("/teach/ml101/").content.decode()


def test_closing_the_link_stops_joining_and_opening_it_again_revives_it(carol: Client) -> None:
    code = ml101().invite_code
    newcomer = User.objects.create_user("newcomer", password="x")

    carol.post("/teach/ml101/invite/open/", {"open": "0"})

    assert not ml101().invite_open
    assert "closed" in carol.get("/teach/ml101/").content.decode()
    with pytest.raises(CourseError):
        enrolment_join(user=newcomer, invite_code=code)
    carol.post("/teach/ml101/invite/open/", {"open": "1"})
    assert ml101().invite_open
    enrolment_join(user=newcomer, invite_code=code)
    assert "newcomer" in students()


# -- enrolment from a CSV file -------------------------------------------------------------------
def test_csv_enrols_existing_users_and_creates_the_others_showing_passwords_once(
    carol: Client, people: People
) -> None:
    User.objects.create_user("frank", password="frank-pass-123")
    content = (
        "\ufeffUsername,Email,First_Name,Last_Name\r\n"
        "frank,,,\r\n"
        "alice,,,\r\n"
        "zoe,zoe@example.org,Zoé,Ängström\r\n"
    ).encode()

    response = upload(carol, content)

    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1  # the passwords are not cached
    result = response.context["csv_result"]
    # An existing account is invited, not enrolled: it joins when frank accepts.
    assert result.invited == ["frank"]
    assert result.already == ["alice"]
    assert [username for username, _ in result.created] == ["zoe"]
    assert result.errors == []
    assert students() == {"alice", "bob", "zoe"}
    zoe = User.objects.get(username="zoe")
    password = result.created[0][1]
    assert zoe.check_password(password) and zoe.role == User.Role.STUDENT
    assert (zoe.email, zoe.first_name, zoe.last_name) == ("zoe@example.org", "Zoé", "Ängström")
    assert password in response.content.decode()
    assert password not in carol.get("/teach/ml101/").content.decode()  # shown once only


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept(carol: Client) -> None:
    content = (
        b"username,email\nok-one\n\nbad name\n,\nok_two,two@example.org\n"
        + b"x" * 151
        + b"\nmailless,not-an-address\n"
    )

    response = upload(carol, content)

    result = response.context["csv_result"]
    assert sorted(u for u, _ in result.created) == ["ok-one", "ok_two"]
    assert [e.split(":")[0] for e in result.errors] == ["line 4", "line 5", "line 7", "line 8"]
    assert "not a valid username" in result.errors[0]
    assert "no username" in result.errors[1]
    assert "not a valid e-mail address" in result.errors[3]
    assert not User.objects.filter(username="mailless").exists()
    assert 'id="csv-errors"' in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,first_name\nx@example.org,X\n", "needs a header line with a &#x27;username&#x27;"),
        (b"", "The submitted file is empty"),
        (b"\n\n", "needs a header line"),
        ("username\nzoé\n".encode("latin-1"), "not UTF-8 text"),
        (
            b"username\n" + b"a" * CSV_MAX_BYTES,
            "too large: 1,048,585 bytes, the limit is 1,048,576",
        ),
    ],
    ids=["missing-header", "empty", "blank-lines", "latin-1", "oversize"],
)
def test_an_unusable_file_is_refused_with_a_clear_message(
    carol: Client, content: bytes, message: str
) -> None:
    response = upload(carol, content)

    assert response.status_code == 400
    assert response.context["csv_result"] is None
    assert message in response.content.decode()
    assert students() == {"alice", "bob"}
    assert User.objects.count() == 5


def test_a_broken_quote_stops_the_reading_where_it_is(carol: Client) -> None:
    content = b'username\nfirst\n"second\n' + b"x" * 200_000 + b"\n"

    result = upload(carol, content).context["csv_result"]

    assert [u for u, _ in result.created] == ["first"]
    assert len(result.errors) == 1 and "not valid CSV" in result.errors[0]


def test_the_upload_form_has_the_file_input_the_browser_test_uses(carol: Client) -> None:
    html = carol.get("/teach/ml101/").content.decode()
    assert 'id="id_csv_file"' in html and 'enctype="multipart/form-data"' in html


# -- the student list --------------------------------------------------------------------------
def test_the_student_list_and_removing_a_student(carol: Client, people: People) -> None:
    html = carol.get("/teach/ml101/").content.decode()
    assert 'data-student="alice"' in html and 'data-student="bob"' in html
    assert 'data-student="carol"' not in html  # instructors are not students

    response = carol.post(f"/teach/ml101/students/{people.bob.pk}/remove/")

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#students"
    assert students() == {"alice"}
    assert User.objects.filter(username="bob").exists()
    again = carol.post(f"/teach/ml101/students/{people.bob.pk}/remove/", follow=True)
    assert "not a student of this course" in again.content.decode()


def test_an_instructor_cannot_be_removed_as_a_student(carol: Client, people: People) -> None:
    carol.post(f"/teach/ml101/students/{people.carol.pk}/remove/")
    carol.post(f"/teach/ml101/students/{people.dave.pk}/remove/")  # not in the course at all
    assert Enrolment.objects.filter(course__slug="ml101", user=people.carol).exists()
    assert Enrolment.objects.filter(course__slug="cv201", user=people.dave).exists()


def test_an_upload_far_beyond_the_limit_is_refused_before_it_is_read(
    carol: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's own body limit ignores files: it would spool a 2 GB upload to disk before the
    # form could look at its size. The middleware answers 413 from Content-Length alone.
    from django.http import HttpRequest

    def must_not_read(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the body was read")

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", must_not_read)
    settings.MAX_REQUEST_BYTES = 64 * 1024
    response = upload(carol, b"username\n" + b"a" * (65 * 1024))

    assert response.status_code == 413
    assert response["Connection"] == "close"
    page = response.content.decode()
    assert "The request is too large: 65.1\xa0KB; the limit is 64.0\xa0KB" in page
    assert "split into several files" in page
    assert students() == {"alice", "bob"}
