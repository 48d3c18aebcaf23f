"""Accounts in a real browser (Debian Chromium, Playwright) against the live server.

A student whose account came from the instructor's CSV upload signs in with the first password
and must choose their own before seeing anything else; a newcomer signs up through the invite
link and lands in the course (and, for a course that takes one e-mail domain only, after
opening the link mailed to them). Every page: an h1, every control labelled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import user_create
from courses.models import Course, Enrolment
from courses.services import course_ensure, enrolment_ensure
from tests.e2e.browser import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEACHER_PASSWORD = "e2e-teacher-pass-42"
NEW_PASSWORD = "Lantern-quiet-8172"


@pytest.fixture
def course(monkeypatch: pytest.MonkeyPatch) -> Course:
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are
    # synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    teacher = user_create(
        username="e2e-teacher", password=TEACHER_PASSWORD, role=User.Role.INSTRUCTOR
    )
    row = course_ensure(slug="nn-basics", title="Neural networks, basics")
    enrolment_ensure(course=row, user=teacher, role=User.Role.INSTRUCTOR)
    return row


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def test_a_csv_student_must_change_the_first_password_before_anything_else(
    live_server: Any, browser: Any, course: Course, tmp_path: Path
) -> None:
    base = live_server.url
    errors: list[str] = []

    # The instructor uploads a list and is shown the new account's first password once.
    teacher = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
    teacher.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(teacher, base, "e2e-teacher", TEACHER_PASSWORD)
    teacher.goto(f"{base}/teach/nn-basics/")
    csv_file = tmp_path / "students.csv"
    csv_file.write_text("username,email\nmira,mira@uni.example\n")
    teacher.locator("#csv-enrol input[type=file]").set_input_files(str(csv_file))
    teacher.locator("#csv-enrol button[type=submit]").click()
    teacher.wait_for_selector("#new-accounts")
    row = teacher.locator("#new-accounts tbody tr").first
    assert row.locator("th").inner_text().strip() == "mira"
    first_password = row.locator("code").inner_text().strip()

    # The student signs in with it: every page leads to the password change.
    student = browser.new_context(viewport={"width": 1000, "height": 760}).new_page()
    student.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(student, base, "mira", first_password)
    assert "/account/password/" in student.url
    check_page(student)
    assert student.locator("#password-change-required").is_visible()
    for path in ("/courses/nn-basics/", "/exercises/", "/submissions/"):
        student.goto(base + path)
        assert "/account/password/" in student.url, path
        assert student.locator("#password-change-required").is_visible()
    # The course's own page, where she was going, is where she lands afterwards.
    student.goto(base + "/courses/nn-basics/")
    student.get_by_label("Old password").fill(first_password)
    student.get_by_label("New password", exact=True).fill(first_password)
    student.get_by_label("New password confirmation").fill(first_password)
    student.locator("#change-password").click()
    student.wait_for_selector("text=This is your current password")
    assert "/account/password/" in student.url
    student.get_by_label("Old password").fill(first_password)
    student.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    student.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    student.locator("#change-password").click()
    student.wait_for_url("**/courses/nn-basics/")
    check_page(student)
    assert "Your password is changed" in student.locator(".messages").inner_text()

    # The first password, which the instructor saw, no longer opens the account.
    other = browser.new_context().new_page()
    other.goto(base + "/signin/")
    other.get_by_label("Username").fill("mira")
    other.get_by_label("Password").fill(first_password)
    other.keyboard.press("Enter")
    other.wait_for_selector("text=didn't match")
    assert "/signin/" in other.url
    assert errors == []


def test_a_newcomer_signs_up_through_the_invite_link_and_lands_in_the_course(
    live_server: Any, browser: Any, course: Course
) -> None:
    base = live_server.url
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/join/{course.invite_code}/")
    check_page(page)
    page.get_by_label("Username").fill("noor")
    page.get_by_label("E-mail address").fill("noor@uni.example")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill("a different one")
    page.locator("#create-account").click()
    page.wait_for_selector("text=didn’t match")
    check_page(page)
    # What was typed is still there; only the passwords are to type again.
    assert page.get_by_label("Username").input_value() == "noor"
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.locator("#create-account").click()

    page.wait_for_url("**/courses/nn-basics/")
    check_page(page)
    assert "Welcome, noor" in page.locator(".messages").inner_text()
    assert page.locator("header .who").inner_text().startswith("noor")
    assert Enrolment.objects.filter(
        course=course, user__username="noor", role=Enrolment.Role.STUDENT
    ).exists()
    assert errors == []


def test_with_a_domain_the_newcomer_joins_from_the_mailed_link(
    live_server: Any, browser: Any, course: Course
) -> None:
    course.signup_domain = "uni.example"
    course.save()
    base = live_server.url
    page = browser.new_context(viewport={"width": 1000, "height": 760}).new_page()

    page.goto(f"{base}/join/{course.invite_code}/")
    page.get_by_label("Username").fill("ines")
    page.get_by_label("E-mail address").fill("ines@elsewhere.example")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.locator("#create-account").click()
    page.wait_for_selector("text=with an address at uni.example only")
    page.get_by_label("E-mail address").fill("ines@uni.example")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.locator("#create-account").click()
    page.wait_for_selector("#signup-sent")
    check_page(page)

    [message] = mail.outbox
    link = re.search(r"https?://\S+/confirm/\S+/", message.body)
    assert link and message.to == ["ines@uni.example"]
    page.goto(link.group(0))
    check_page(page)
    page.locator("#confirm-signup").click()
    page.wait_for_url("**/courses/nn-basics/")
    assert page.locator("header .who").inner_text().startswith("ines")
