"""Instructors' course management pages, under /teach/.

Every course page starts with `course_get_for_instructor`: a 404 for anyone who does not teach
the course (its students included; a 403 would confirm that it exists). Writes go through
courses.services, and only by POST; each POST redirects back (post/redirect/get) except the
CSV upload, whose answer holds the new accounts' first passwords and is shown exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.forms import (
    ALL_ASSIGNMENTS,
    AssignmentForm,
    CourseCreateForm,
    CourseTimeZoneForm,
    CsvEnrolForm,
    ExtensionCsvForm,
    ExtensionForm,
    SignupDomainForm,
)
from courses.models import Course
from courses.selectors import (
    alert_get_for_course,
    alerts_for_course,
    assignment_in,
    assignment_table,
    assignments_of,
    course_get_for_instructor,
    course_summaries_for,
    exercise_get_for,
    extensions_of,
    instructors_of,
    students_of,
)
from courses.services import (
    AssignmentInvalid,
    CourseError,
    CsvEnrolResult,
    ExtensionCsvResult,
    alert_resolve,
    assignment_set_published,
    assignment_update,
    course_create,
    course_time_zone_set,
    enrol_from_csv,
    enrolment_remove,
    extension_grant,
    extension_remove,
    extensions_from_csv,
    invite_code_reset,
    invite_link_set_open,
)
from courses.signup import course_signup_domain_set
from courses.time import zone_names


def invite_url(request: HttpRequest, course: Course) -> str:
    """The absolute address students open to join `course`."""
    return request.build_absolute_uri(reverse("course-join", kwargs={"code": course.invite_code}))


def _sentence(message: str) -> str:
    """A service's message ("the CSV needs ...") as a sentence on its own."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _back_to_course(course: Course, section: str) -> HttpResponse:
    return redirect(reverse("teach-course", kwargs={"course": course.slug}) + f"#{section}")


@never_cache
@login_required
def teach_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_create = user.is_instructor or user.is_platform_staff
    summaries = course_summaries_for(user)
    if not (may_create or summaries):
        raise Http404("students teach no course")
    form = CourseCreateForm()
    status = 200
    if request.method == "POST":
        if not may_create:
            raise Http404("only instructors create courses")
        form = CourseCreateForm(request.POST)
        if form.is_valid():
            try:
                course = course_create(instructor=user, **form.cleaned_data)
            except CourseError as exc:
                form.add_error("slug", _sentence(exc.message))
            else:
                messages.success(request, f"Course “{course.title}” created: you teach it.")
                return redirect("teach-course", course=course.slug)
        status = 400
    context = {"summaries": summaries, "form": form, "may_create": may_create}
    return render(request, "courses/teach_home.html", context, status=status)


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    csv_form: CsvEnrolForm | None = None,
    csv_result: CsvEnrolResult | None = None,
    zone_form: CourseTimeZoneForm | None = None,
    signup_form: SignupDomainForm | None = None,
    extension_form: ExtensionForm | None = None,
    extension_csv_form: ExtensionCsvForm | None = None,
    extension_csv_result: ExtensionCsvResult | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "zone_form": zone_form or CourseTimeZoneForm(initial={"time_zone": course.time_zone}),
        "signup_form": signup_form
        or SignupDomainForm(initial={"signup_domain": course.signup_domain}),
        "zone_names": sorted(zone_names()),
        "extension_form": extension_form or _extension_form(course),
        "extension_csv_form": extension_csv_form or ExtensionCsvForm(),
        "extension_csv_result": extension_csv_result,
        "extensions": extensions_of(course),
        "course": course,
        "invite_url": invite_url(request, course),
        "csv_form": csv_form or CsvEnrolForm(),
        "csv_result": csv_result,
        "students": students_of(course),
        "instructors": instructors_of(course),
        "topics": assignment_table(course=course, user=request.user),
        "alerts": alerts_for_course(course),
    }
    return render(request, "courses/course.html", context, status=status)


@never_cache
@login_required
def teach_course(request: HttpRequest, course: str) -> HttpResponse:
    return _course_page(request, course_get_for_instructor(user=request.user, slug=course))


@login_required
@require_POST
def invite_open(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    is_open = request.POST.get("open") == "1"
    invite_link_set_open(course=row, is_open=is_open)
    if is_open:
        messages.success(request, "The invite link is open: anyone signed in who has it can join.")
    else:
        messages.success(request, "The invite link is closed: nobody can join with it.")
    return _back_to_course(row, "invite")


@login_required
@require_POST
def invite_reset(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    invite_code_reset(course=row)
    messages.success(request, "New invite link made: the old one no longer works.")
    return _back_to_course(row, "invite")


@never_cache
@login_required
@require_POST
def enrol_csv(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    return _csv_upload(
        request,
        row,
        CsvEnrolForm(request.POST, request.FILES),
        lambda text: enrol_from_csv(course=row, text=text, invited_by=request.user),
        form_name="csv_form",
        result_name="csv_result",
    )


def _csv_upload(
    request: HttpRequest,
    row: Course,
    form: CsvEnrolForm | ExtensionCsvForm,
    read: Callable[[str], object],
    *,
    form_name: str,
    result_name: str,
) -> HttpResponse:
    """Both CSV uploads of the course page: a bad or refused file comes back with its form and
    the reason (400); a file that was read shows its result (the bad lines listed in it)."""
    if not form.is_valid():
        return _course_page(request, row, status=400, **{form_name: form})
    try:
        result = read(form.cleaned_data["csv_file"])
    except CourseError as exc:
        form.add_error("csv_file", _sentence(exc.message))
        return _course_page(request, row, status=400, **{form_name: form})
    return _course_page(request, row, **{result_name: result})


@login_required
@require_POST
def student_remove(request: HttpRequest, course: str, user_id: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    student = students_of(row).filter(pk=user_id).first()
    if student is None:  # removed already (a second click), or never a student here
        messages.info(request, "That person is not a student of this course (any more).")
    else:
        enrolment_remove(course=row, user=student)
        messages.success(
            request,
            f"{student.username} is no longer a student of {row.title}. Their submissions are "
            "kept: enrolling them again brings their results back.",
        )
    return _back_to_course(row, "students")


@never_cache
@login_required
def assignment_edit(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    exercise = exercise_get_for(request.user, slug)
    assignment = assignment_in(course=row, exercise=exercise)
    form = AssignmentForm(initial=AssignmentForm.initial_for(assignment), course=row)
    status = 200
    if request.method == "POST":
        form = AssignmentForm(request.POST, course=row)
        if form.is_valid():
            try:
                assignment_update(course=row, exercise=exercise, **form.cleaned_data)
            except AssignmentInvalid as exc:
                for name, message in exc.errors.items():
                    form.add_error(name, _sentence(message))
            else:
                messages.success(request, f"Saved the rules of “{exercise.title}”.")
                return _back_to_course(row, "assignments")
        status = 400
    context = {"course": row, "exercise": exercise, "assignment": assignment, "form": form}
    return render(request, "courses/assignment.html", context, status=status)


@login_required
@require_POST
def assignment_publish(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    exercise = exercise_get_for(request.user, slug)
    published = request.POST.get("published") == "1"
    assignment_set_published(course=row, exercise=exercise, published=published)
    if published:
        messages.success(request, f"“{exercise.title}” is published: students can see it.")
    else:
        messages.success(request, f"“{exercise.title}” is unpublished: students no longer see it.")
    return _back_to_course(row, "assignments")


@login_required
@require_POST
def alert_mark_resolved(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    alert = alert_get_for_course(course=row, pk=pk)
    if alert is None:
        raise Http404("no such alert in this course")
    if alert_resolve(alert=alert, course=row, user=request.user):
        messages.success(request, f"The alert about “{alert.exercise.title}” is resolved.")
    else:
        messages.info(request, f"The alert about “{alert.exercise.title}” was resolved already.")
    return _back_to_course(row, "alerts")


@login_required
@require_POST
def signup_domain_set(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    form = SignupDomainForm(request.POST)
    if form.is_valid():
        try:
            domain = course_signup_domain_set(course=row, domain=form.cleaned_data["signup_domain"])
        except CourseError as exc:
            form.add_error("signup_domain", _sentence(exc.message))
        else:
            messages.success(
                request,
                f"New accounts need an address at {domain} to join by the link."
                if domain
                else "New accounts can join by the link with any e-mail address.",
            )
            return _back_to_course(row, "invite")
    return _course_page(request, row, signup_form=form, status=400)


@login_required
@require_POST
def time_zone_set(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    form = CourseTimeZoneForm(request.POST)
    if form.is_valid():
        try:
            course_time_zone_set(course=row, time_zone=form.cleaned_data["time_zone"])
        except CourseError as exc:
            form.add_error("time_zone", _sentence(exc.message))
        else:
            messages.success(request, f"Deadlines are now entered and shown in {row.time_zone}.")
            return _back_to_course(row, "time-zone")
    # The zone is unchanged; the form keeps what was typed, with the reason by it.
    return _course_page(request, row, zone_form=form, status=400)


def _extension_form(course: Course, data: Any = None) -> ExtensionForm:
    students = [
        (str(person.pk), f"{person.username} ({person.get_full_name()})".replace(" ()", ""))
        for person in students_of(course)
    ]
    assignments = [(str(a.pk), a.exercise.title) for a in assignments_of(course)]
    return ExtensionForm(data, course=course, students=students, assignments=assignments)


@never_cache
@login_required
@require_POST
def extension_create(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    form = _extension_form(row, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        student = students_of(row).get(pk=int(data["student"]))
        assignment = (
            None
            if data["assignment"] == ALL_ASSIGNMENTS
            else assignments_of(row).get(pk=int(data["assignment"]))
        )
        try:
            extension_grant(
                course=row,
                student=student,
                assignment=assignment,
                due_at=data["due_at"],
                extra_attempts=data["extra_attempts"],
                reason=data["reason"],
                created_by=request.user,
            )
        except CourseError as exc:
            form.add_error(None, _sentence(exc.message))
        else:
            on = assignment.exercise.title if assignment else "all assignments"
            messages.success(request, f"Extension saved for {student.username} ({on}).")
            return _back_to_course(row, "extensions")
    return _course_page(request, row, extension_form=form, status=400)


@never_cache
@login_required
@require_POST
def extension_upload(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    return _csv_upload(
        request,
        row,
        ExtensionCsvForm(request.POST, request.FILES),
        lambda text: extensions_from_csv(course=row, text=text, created_by=request.user),
        form_name="extension_csv_form",
        result_name="extension_csv_result",
    )


@login_required
@require_POST
def extension_delete(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    if extension_remove(course=row, pk=pk):
        messages.success(request, "Extension removed: the student's rules are the course's again.")
    else:
        messages.info(request, "That extension was removed already.")
    return _back_to_course(row, "extensions")
