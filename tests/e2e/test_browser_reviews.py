"""Reviews in a real browser (Debian Chromium, Playwright) against the live server: the
instructor comments a line of a graded submission and gives it rubric points; the student sees
both beside the code and in the score, and asks for a regrade; the instructor answers it from
the queue; the student finds the answer on the course home. No worker: the submission is stored
as graded (the grading itself has its own browser tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from catalog.models import Exercise
from courses.models import Course
from courses.services import enrolment_ensure
from submissions.models import Submission
from tests.e2e.browser import check_page
from tests.e2e.conftest import Processes, bank_of, student_in_course
from tests.e2e.test_browser_instructor import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "linear-backward"
STUDENT_PASSWORD = "e2e-review-learner-42"
TEACHER_PASSWORD = "e2e-review-teacher-42"
CODE = "def linear_backward(x, w, b, dout):\n    return dout, w, b\n"


@pytest.fixture
def submission(settings: Any, processes: Processes) -> Submission:
    bank_of(settings, processes, "backprop/" + SLUG)
    student = student_in_course(username="e2e-review-learner", password=STUDENT_PASSWORD)
    teacher = user_create(
        username="e2e-review-teacher", password=TEACHER_PASSWORD, role=User.Role.INSTRUCTOR
    )
    course = Course.objects.get(slug="e2e")
    enrolment_ensure(course=course, user=teacher, role=User.Role.INSTRUCTOR)
    exercise = Exercise.objects.get(slug=SLUG)
    return Submission.objects.create(
        user=student,
        exercise=exercise,
        version_id=exercise.current_version_id,
        course=course,
        mode=Submission.Mode.GRADED,
        code=CODE,
        seed=1,
        attempt=1,
        status=Submission.Status.DONE,
        verdict="rejected",
        score=exercise.points / 2,
        max_score=exercise.points,
        queued_at=timezone.now(),
        finished_at=timezone.now(),
    )


def test_an_instructor_reviews_and_a_student_asks_for_a_regrade(
    live_server: Any,
    submission: Submission,
    browser: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    base, pk = live_server.url, submission.pk
    errors: list[str] = []
    teacher = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
    student = browser.new_context(viewport={"width": 1000, "height": 760}).new_page()
    for page in (teacher, student):
        page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. The instructor comments line 2 and adds a rubric item, which gives the point at once.
    sign_in(teacher, base, "e2e-review-teacher", TEACHER_PASSWORD)
    teacher.goto(f"{base}/submissions/{pk}/")
    check_page(teacher)
    teacher.get_by_label("Line", exact=True).fill("2")
    teacher.get_by_label("Comment", exact=True).fill("This returns the inputs, not gradients.")
    teacher.locator("#comment-add").click()
    teacher.wait_for_selector("#line-2 .line-comment")
    teacher.get_by_label("New item").fill("clear variable names")
    teacher.get_by_label("Points", exact=True).fill("1")
    teacher.locator("#rubric-add").click()
    teacher.wait_for_selector("#rubric-marks")
    check_page(teacher)
    assert teacher.locator("#rubric-form input[name=items]").first.is_checked()

    # 2. The student sees the comment beside line 2 and the point in the score.
    sign_in(student, base, "e2e-review-learner", STUDENT_PASSWORD)
    student.goto(f"{base}/submissions/{pk}/")
    check_page(student)
    assert "not gradients" in student.locator("#line-2").inner_text()
    assert "not gradients" not in student.locator("#line-1").inner_text()
    assert "clear variable names" in student.locator("#rubric-marks").inner_text()
    # The score, with the point and its reason (submissions/scores.py).
    assert "+1 rubric: 'clear variable names'" in student.content()
    assert student.locator("#comment-form").count() == 0  # students do not review
    student.screenshot(path=str(shots / "submission-review.png"), full_page=True)
    # ... and asks for a regrade; an empty reason is refused by the browser (required).
    student.get_by_label("why?").fill("Test 3 expects the transposed shape.")
    student.locator("#request-send").click()
    student.wait_for_selector(".regrade-request[data-status=open]")
    assert student.locator("#request-form").count() == 0  # one open request

    # 3. The instructor finds it in the queue, linked from the gradebook, and answers.
    teacher.goto(f"{base}/teach/e2e/gradebook/")
    teacher.locator("#gradebook-requests").click()
    teacher.wait_for_url("**/teach/e2e/requests/")
    check_page(teacher)
    teacher.locator("tr[data-request] a", has_text="open").click()
    check_page(teacher)
    assert "transposed shape" in teacher.locator("#request-reason").inner_text()
    teacher.get_by_label("Declined").check()
    teacher.get_by_label("Answer to the student").fill("The statement fixes (N, D): see line 2.")
    teacher.locator("#answer-send").click()
    teacher.wait_for_url("**/teach/e2e/requests/")

    # 4. The student: a notice on the course home, the answer on the submission page.
    student.goto(f"{base}/courses/e2e/")
    check_page(student)
    notice = student.locator("#regrade-notices")
    assert "declined" in notice.inner_text()
    notice.get_by_role("link", name="read the answer").click()
    student.wait_for_url(f"**/submissions/{pk}/**")
    assert "fixes (N, D)" in student.locator("#regrade-requests").inner_text()
    student.screenshot(path=str(shots / "submission-answered.png"), full_page=True)
    assert not errors, errors
