"""Server-rendered pages for students: thin views over the services and selectors."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Exercise
from catalog.rendering import render_markdown
from catalog.selectors import statement_html, topic_title
from core.errors import http_status
from courses.selectors import (
    assignment_for,
    assignments_of,
    course_get_for_member,
    exercise_get_for,
    exercises_by_topic_for,
    invitations_for,
    is_instructor_of,
)
from courses.services import CourseError, enrolment_join, invitation_answer
from pages.accounts import join_signup
from pages.exercise_page import ExercisePage, exercise_page_for
from pages.forms import SubmissionForm
from pages.math_answer import PREVIEWED_TYPES, answer_options, is_choice
from pages.report_view import check_view as check_view  # one check, alone (tests use it)
from pages.report_view import report_checks
from pages.selectors import (
    SOLVED,
    assignment_rows,
    assignments_by_exercise,
    course_for_invite,
    course_summaries,
    courses_taught_list,
    is_member,
    single_course_of,
    topics_of,
    whats_due,
)
from submissions.create import practice_instance_next, submission_create, submission_retry
from submissions.errors import RateLimited, SubmissionError, TooManyInstances
from submissions.models import Submission
from submissions.rules import solution_open, worked_solution_for
from submissions.selectors import (
    best_scores_for_student,
    report_for_viewer,
    submission_get_for_user,
    submission_list_for_student,
    submissions_for_viewer,
)


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" (and signing in, LOGIN_REDIRECT_URL) leads: instructors and staff to their
    courses under /teach/; a student to their only course, else to the list of courses."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_instructor or request.user.is_platform_staff:
        return redirect("teach-home")
    only = single_course_of(request.user)
    return redirect("course-home", slug=only.slug) if only else redirect("course-list")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links: send them to the static icon (its
    URL carries the file's hash, so the redirect is temporary; it may be cached for a day)."""
    response = redirect(static("pages/favicon.ico"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# -- courses ------------------------------------------------------------------------------------
@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    context = {
        "summaries": course_summaries(user=request.user),
        "taught": courses_taught_list(request.user),
        "invitations": invitations_for(request.user),
    }
    return render(request, "pages/course_list.html", context)


@login_required
def course_home(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_get_for_member(user=request.user, slug=slug)
    rows = assignment_rows(user=request.user, course=course)
    context = {
        "course": course,
        "topics": topics_of(rows),
        "due": whats_due(rows),
        "solved": sum(row.status == SOLVED for row in rows),
        "total": len(rows),
        "teaches": is_instructor_of(request.user, course),
    }
    return render(request, "pages/course_home.html", context)


@require_POST
@login_required
def invitation_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    course = invitation_answer(user=request.user, invitation_id=pk, accept=accept)
    if course is None:
        messages.info(request, "That invitation was answered already.")
    elif accept:
        messages.success(request, f"Welcome to {course.title}.")
        return redirect("course-home", slug=course.slug)
    else:
        messages.info(request, f"You declined the invitation to {course.title}.")
    return redirect("course-list")


def course_join(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link: a page with the course's title and a Join button (joining is a POST);
    signed out, a sign-in link and a form that creates an account which joins."""
    course = course_for_invite(code)
    if course is None:
        return render(request, "pages/join_invalid.html", status=404)
    if not request.user.is_authenticated:
        return join_signup(request, course, code)
    if request.method == "POST":
        try:
            course = enrolment_join(user=request.user, invite_code=code)
        except CourseError as exc:  # closed between the page and the click
            return render(request, "pages/join_invalid.html", {"reason": exc.message}, status=404)
        messages.success(request, f"Welcome to {course.title}.")
        return redirect("course-home", slug=course.slug)
    context = {"course": course, "already": is_member(request.user, course)}
    return render(request, "pages/join.html", context)


# -- exercises ----------------------------------------------------------------------------------
@login_required
def exercise_list(request: HttpRequest) -> HttpResponse:
    """The self-test catalog: every exercise the user may open, and where it is assigned."""
    best = best_scores_for_student(user=request.user)
    assigned = assignments_by_exercise(request.user)
    topics = [
        (
            title,
            [(exercise, best.get(exercise.pk), assigned.get(exercise.pk)) for exercise in items],
        )
        for title, items in exercises_by_topic_for(request.user)
    ]
    return render(request, "pages/exercise_list.html", {"topics": topics})


@login_required
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The self-test page: practice any exercise the user may see, on their practice instance."""
    exercise = exercise_get_for(request.user, slug)
    return _exercise_response(request, exercise_page_for(user=request.user, exercise=exercise))


@login_required
def course_exercise(request: HttpRequest, slug: str, exercise: str) -> HttpResponse:
    """An exercise as the course assigns it; instructors also preview unpublished ones."""
    course = course_get_for_member(user=request.user, slug=slug)
    teaches = is_instructor_of(request.user, course)
    rules = (
        assignments_of(course, published_only=not teaches)
        .filter(exercise__slug=exercise, exercise__current_version__isnull=False)
        .first()
    )
    if rules is None:
        raise Http404("not assigned in this course")
    page = exercise_page_for(user=request.user, exercise=rules.exercise, course=course, rules=rules)
    return _exercise_response(request, page)


def _exercise_response(request: HttpRequest, page: ExercisePage) -> HttpResponse:
    exercise, user = page.exercise, request.user
    version = exercise.current_version
    recent = submissions_for_viewer(
        submission_list_for_student(user=user, exercise=exercise)[:5], user
    )
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        form = SubmissionForm(request.POST, choice=is_choice(version))
        if not form.is_valid():
            status = 400
        elif refusal := page.blocked.get(form.cleaned_data["mode"]):
            # Refused by the rules, as the API refuses it (403), with the form kept as typed.
            form.add_error(None, refusal)
            status = 403
        else:
            mode, visible_only = form.run(is_code=page.is_code)
            try:
                submission = submission_create(
                    user=user,
                    exercise=exercise,
                    code=form.cleaned_data["code"] if page.is_code else None,
                    answer=None if page.is_code else form.cleaned_data["answer"],
                    mode=mode,
                    course=page.submit_course,
                    visible_only=visible_only,
                )
            except SubmissionError as exc:
                form.add_error(None, exc.message)
                status = http_status(exc)
                if isinstance(exc, RateLimited):
                    headers["Retry-After"] = str(exc.retry_after)
            else:
                return redirect("submission-detail", pk=submission.pk)
    else:
        last_code = recent[0].code if recent and recent[0].code else ""
        form = SubmissionForm(initial={"code": last_code or version.starter})
    solution = worked_solution_for(user=user, exercise=exercise, assignment=page.graded_in)
    context = {
        "page": page,
        "exercise": exercise,
        "topic_title": topic_title(exercise.topic),
        "statement": statement_html(version, page.seed),
        "form": form,
        "recent": recent,
        "solution": solution,
        # Rendered only when available: a hidden solution never reaches the page.
        "solution_html": render_markdown(solution.markdown)
        if solution.available and solution.markdown
        else "",
        # A math answer: the options to tick (multiple choice), or a live preview of the box.
        "choice_options": answer_options(version, page.seed) if not page.is_code else [],
        "preview_answer": not page.is_code and version.answer_type in PREVIEWED_TYPES,
    }
    response = render(request, "pages/exercise_detail.html", context, status=status)
    for name, value in headers.items():
        response.headers[name] = value
    return response


@require_POST
@login_required
def solution_open_view(request: HttpRequest, slug: str, exercise: str) -> HttpResponse:
    """Open the worked solution at the cost of the graded attempts (after the page's warning)."""
    course = course_get_for_member(user=request.user, slug=slug)
    found = exercise_get_for(request.user, exercise)
    assignment = assignment_for(user=request.user, exercise=found, course=course)
    solution = worked_solution_for(user=request.user, exercise=found, assignment=assignment)
    if assignment is not None and solution.costs_attempts:
        solution_open(user=request.user, assignment=assignment)
        messages.info(
            request, "The worked solution is open: your graded attempts on this exercise are over."
        )
    elif not solution.available:
        messages.error(request, solution.reason)
    back = reverse("course-exercise", kwargs={"slug": course.slug, "exercise": found.slug})
    return redirect(back + "#worked-solution")


@require_POST
@login_required
def exercise_another(request: HttpRequest, slug: str) -> HttpResponse:
    """Self-test: move on to a new practice instance (the graded instance never changes)."""
    exercise = exercise_get_for(request.user, slug)
    try:
        number = practice_instance_next(user=request.user, exercise=exercise)
    except TooManyInstances as exc:
        context = {"exercise": exercise, "message": exc.message}
        response = render(
            request, "pages/too_many_instances.html", context, status=http_status(exc)
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    what = "new numbers" if exercise.kind == Exercise.Kind.MATH else "new random test cases"
    messages.info(request, f"Practice instance #{number}: {what}.")
    return redirect("exercise-detail", slug=exercise.slug)


# -- history and diff ---------------------------------------------------------------------------
@login_required
def exercise_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The user's own submissions of an exercise (every mode and course), newest first."""
    picked = _picked_pair(request)
    if picked:
        return redirect("submission-diff", a=picked[0], b=picked[1])
    mine = submission_list_for_student(user=request.user).filter(exercise__slug=slug)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    page.object_list = submissions_for_viewer(page.object_list, request.user)
    # No submission yet: the exercise must still be one the user may open.
    exercise = page[0].exercise if page.object_list else exercise_get_for(request.user, slug)
    return render(request, "pages/exercise_history.html", {"exercise": exercise, "page": page})


def _picked_pair(request: HttpRequest) -> tuple[int, int] | None:
    try:
        return int(request.GET["a"]), int(request.GET["b"])
    except (KeyError, ValueError):
        return None


@login_required
def submission_diff(request: HttpRequest, a: int, b: int) -> HttpResponse:
    old = submission_get_for_user(user=request.user, submission_id=a)
    new = submission_get_for_user(user=request.user, submission_id=b)
    submissions_for_viewer([old, new], request.user)
    lines = diff_lines(_content(old), _content(new), f"#{old.pk}", f"#{new.pk}")
    context = {
        "old": old,
        "new": new,
        "lines": lines,
        "added": sum(kind == "add" for kind, _ in lines),
        "removed": sum(kind == "del" for kind, _ in lines),
    }
    return render(request, "pages/submission_diff.html", context)


def _content(submission: Submission) -> str:
    return submission.code or submission.answer


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs; kind: head, hunk, add, del or same.
    The template escapes every line: a submission is untrusted text."""
    kinds = {"+": "add", "-": "del", " ": "same", "@": "hunk"}
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=3
    )
    lines = []
    for number, line in enumerate(diff):
        kind = "head" if number < 2 else kinds.get(line[:1], "same")
        lines.append((kind, line))
    return lines


# -- submissions --------------------------------------------------------------------------------
@never_cache
@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for_user(user=request.user, submission_id=pk)
    submissions_for_viewer([submission], request.user)
    report = report_for_viewer(submission, request.user) or {}
    context = {
        "submission": submission,
        "report": report,
        "checks": report_checks(report.get("checks", [])),
        "is_owner": submission.user_id == request.user.pk,
    }
    return render(request, "pages/submission_detail.html", context)


@require_POST
@login_required
def submission_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for_user(user=request.user, submission_id=pk)
    allowed = submission.user_id == request.user.pk or request.user.is_platform_staff
    if allowed and submission_retry(submission=submission):
        messages.info(request, "Queued again, against the exercise's current version.")
    return redirect("submission-detail", pk=pk)


@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(submission_list_for_student(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    page.object_list = submissions_for_viewer(page.object_list, request.user)
    return render(request, "pages/my_submissions.html", {"page": page})


# -- help ---------------------------------------------------------------------------------------
def offline_help(request: HttpRequest) -> HttpResponse:
    """How to grade a file on one's own machine with the same engine (no sign-in needed)."""
    return render(request, "pages/offline_help.html")
