"""The gradebook pages: thin views over gradebook.selectors (the rules) and gradebook.services.

Every view is for the course's instructors and platform staff only: anyone else gets a 404
from `course_get_for_instructor`, students included (a 403 would confirm the course exists).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.models import Assignment, Course
from courses.selectors import course_get_for_instructor
from courses.time import zone_of
from gradebook.charts import bar_chart
from gradebook.fairness import exercise_fairness
from gradebook.forms import FamilyRescoreForm, ScoreOverrideForm
from gradebook.models import SimilarityCheck
from gradebook.selectors import (
    assignment_get,
    exercise_stats,
    gradebook_for,
    regrade_batch_get,
    regrade_batches_of,
    regrade_preview,
    student_assignment,
    student_get,
)
from gradebook.services import (
    OverrideInvalid,
    RegradeError,
    family_rescore,
    family_rescore_preview,
    regrade_batch_apply,
    regrade_batch_create,
    regrade_batch_discard,
    score_override_create,
)
from gradebook.similarity import exercise_boilerplate, side_by_side, similarity_check_start
from submissions.models import RegradeBatch, Submission
from submissions.rules import solution_opened_at
from submissions.scores import Cell


def _assignment_or_404(course: Course, slug: str) -> Assignment:
    assignment = assignment_get(course=course, slug=slug)
    if assignment is None:
        raise Http404("no such exercise in this course")
    return assignment


def _batch_or_404(course: Course, pk: int) -> RegradeBatch:
    batch = regrade_batch_get(course=course, pk=pk)
    if batch is None:
        raise Http404("no such regrade")
    return batch


@never_cache
@login_required
def gradebook(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    return render(request, "gradebook/gradebook.html", {"book": gradebook_for(row)})


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection): a
# student named "=HYPERLINK(...)" must stay text when the instructor opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def override_note(cell: Cell) -> str:
    """The CSV's mark of a score set by hand: "set by carol on 2030-12-07: <reason>"."""
    override = cell.override
    if override is None:
        return ""
    who = override.created_by.username if override.created_by else "an instructor"
    day = override.created_at.astimezone(zone_of(cell.assignment.course))
    return f"set by {who} on {day:%Y-%m-%d}: {override.reason}"


@login_required
def gradebook_csv(request: HttpRequest, course: str) -> HttpResponse:
    """One row per student: username, name, email, then per published assignment its score
    (empty: nothing sent; "pending": only ungraded submissions; a score set by hand replaces
    the grading's), attempts, days late and the override's note (empty when the grading
    counts), then the total. Same numbers as the page."""
    book = gradebook_for(course_get_for_instructor(user=request.user, slug=course))
    filename = f"{book.course.slug}-gradebook-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)

    def write(cells: Iterable[str]) -> None:
        writer.writerow([csv_safe(cell) for cell in cells])

    header = ["username", "name", "email"]
    for assignment in book.assignments:
        slug = assignment.exercise.slug
        header += [f"{slug} score", f"{slug} attempts", f"{slug} days late", f"{slug} set by hand"]
    write([*header, "total"])
    for row in book.rows:
        line = [row.student.username, row.student.get_full_name(), row.student.email]
        for cell in row.cells:
            if cell.score is not None:
                score = _number(cell.score)
            else:
                score = "pending" if cell.pending else ""
            line += [score, str(cell.attempts), str(cell.days_late), override_note(cell)]
        write([*line, _number(row.total)])
    return response


@login_required
def gradebook_exercise(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    stats = exercise_stats(assignment=assignment)
    context = {
        "course": row,
        "assignment": assignment,
        "exercise": assignment.exercise,
        "stats": stats,
        "score_chart": bar_chart(
            chart_id="score-chart",
            title="Best score per student",
            x_label="score, % of the maximum",
            y_label="students",
            data=stats.score_bins,
        ),
        "attempts_chart": bar_chart(
            chart_id="attempts-chart",
            title="Graded attempts each student needed to solve it",
            x_label="attempts",
            y_label="students",
            data=stats.attempt_bins,
        ),
        "batches": regrade_batches_of(course=row, exercise=assignment.exercise),
        "fairness": exercise_fairness(assignment=assignment),
    }
    return render(request, "gradebook/exercise.html", context)


@never_cache
@login_required
def gradebook_family_rescore(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """A family of instances (?parameter=&value=, from the fairness table): its students and
    their results, and the form that re-scores them (score overrides, never lowering)."""
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    points = assignment.exercise.points
    source = request.POST if request.method == "POST" else request.GET
    initial = {"score": points, **{k: source.get(k, "") for k in ("parameter", "value")}}
    form = FamilyRescoreForm(request.POST or None, initial=initial, points=points)
    parameter, value = initial["parameter"], initial["value"]
    if not parameter or not value:
        raise Http404("no such family")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = family_rescore(
                    assignment=assignment,
                    parameter=data["parameter"],
                    value=data["value"],
                    score=data["score"],
                    reason=data["reason"],
                    created_by=request.user,
                )
            except OverrideInvalid as exc:
                form.add_error(exc.field, exc.message[:1].upper() + exc.message[1:] + ".")
            else:
                messages.success(
                    request,
                    f"Family {parameter} = {value}: {len(made)} score"
                    f"{'' if len(made) == 1 else 's'} set by hand (see each student's audit log).",
                )
                return redirect(reverse("gradebook-exercise", args=[row.slug, slug]) + "#fairness")
        status = 400
    score = form.cleaned_data.get("score", points) if form.is_bound and form.is_valid() else points
    changes = family_rescore_preview(
        assignment=assignment, parameter=parameter, value=value, score=score
    )
    context = {
        "course": row,
        "assignment": assignment,
        "parameter": parameter,
        "value": value,
        "changes": changes,
        "form": form,
    }
    return render(request, "gradebook/family_rescore.html", context, status=status)


@never_cache
@login_required
def gradebook_student_exercise(
    request: HttpRequest, course: str, student: int, slug: str
) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    person = student_get(course=row, pk=student)
    if person is None:
        raise Http404("no such student in this course")
    form = ScoreOverrideForm(points=assignment.exercise.points)
    status = 200
    if request.method == "POST":
        form = ScoreOverrideForm(request.POST, points=assignment.exercise.points)
        if form.is_valid():
            data = form.cleaned_data
            try:
                score_override_create(
                    assignment=assignment,
                    student=person,
                    score=None if data["clear"] else data["score"],
                    reason=data["reason"],
                    created_by=request.user,
                )
            except OverrideInvalid as exc:
                form.add_error(exc.field, exc.message[:1].upper() + exc.message[1:] + ".")
            else:
                done = "cleared: the grading counts again" if data["clear"] else "set"
                messages.success(request, f"{person.username}'s score is {done}.")
                return redirect(request.path + "#override")
        status = 400
    found = student_assignment(assignment=assignment, student=person)
    context = {
        "course": row,
        "assignment": assignment,
        "student": person,
        "cell": found.cell,
        "rules": found.rules,
        "extensions": found.extensions,
        "overrides": found.overrides,
        "submissions": found.submissions,
        "solution_opened_at": solution_opened_at(user=person, exercise=assignment.exercise),
        "form": form,
    }
    return render(request, "gradebook/student_exercise.html", context, status=status)


@login_required
@require_POST
def gradebook_regrade_create(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    try:
        batch = regrade_batch_create(
            course=row, exercise=assignment.exercise, requested_by=request.user
        )
    except RegradeError as exc:
        messages.error(request, f"Nothing regraded: {exc.message}.")
        return redirect("gradebook-exercise", course=row.slug, slug=slug)
    return redirect("gradebook-regrade", course=row.slug, pk=batch.pk)


@never_cache
@login_required
def gradebook_regrade(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    # ?never_lower=1 previews the apply option; once applied, the batch's own choice shows.
    batch = _batch_or_404(row, pk)
    asked = None if batch.applied_at else request.GET.get("never_lower") == "1"
    preview = regrade_preview(batch=batch, never_lower=asked)
    return render(request, "gradebook/regrade.html", {"course": row, "preview": preview})


@login_required
@require_POST
def gradebook_regrade_apply(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    return _regrade_decision(
        request,
        course,
        pk,
        partial(regrade_batch_apply, never_lower=request.POST.get("never_lower") == "on"),
        done="Applied: the gradebook now uses the new scores.",
        already="This regrade was applied already.",
        refused="Not applied",
    )


@login_required
@require_POST
def gradebook_regrade_discard(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    return _regrade_decision(
        request,
        course,
        pk,
        regrade_batch_discard,
        done="Discarded: the gradebook keeps the old scores.",
        already="This regrade was discarded already.",
        refused="Not discarded",
    )


def _regrade_decision(
    request: HttpRequest,
    course: str,
    pk: int,
    decide: Callable[..., bool],
    *,
    done: str,
    already: str,
    refused: str,
) -> HttpResponse:
    """Apply or discard a batch (`decide`), say what happened, back to its preview."""
    row = course_get_for_instructor(user=request.user, slug=course)
    batch = _batch_or_404(row, pk)
    try:
        if decide(batch=batch):
            messages.success(request, done)
        else:
            messages.info(request, already)
    except RegradeError as exc:
        messages.error(request, f"{refused}: {exc.message}.")
    return redirect("gradebook-regrade", course=row.slug, pk=batch.pk)


# -- similarity of the students' final code (gradebook.similarity) --------------------------------


def _check_or_404(course: Course, assignment: Assignment, pk: int) -> SimilarityCheck:
    check = SimilarityCheck.objects.filter(
        pk=pk, course=course, exercise=assignment.exercise
    ).first()
    if check is None:
        raise Http404("no such similarity check")
    return check


def _similarity_rows(check: SimilarityCheck) -> list[dict[str, Any]]:
    """The stored pairs with their students (whoever's submission it is, now)."""
    ids = {pk for pair in check.pairs for pk in (pair["a"], pair["b"])}
    owners = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "user__username"))
    return [
        {
            **pair,
            "student_a": owners.get(pair["a"], "?"),
            "student_b": owners.get(pair["b"], "?"),
            "similarity": max(pair["share_a"], pair["share_b"]),
        }
        for pair in check.pairs
    ]


@never_cache
@login_required
def gradebook_similarity(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """The latest check's ranking (GET), or a new check on the low-priority queue (POST)."""
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    if request.method == "POST":
        similarity_check_start(assignment=assignment, requested_by=request.user)
        messages.info(request, "Similarity check queued: this page shows it when it is done.")
        return redirect("gradebook-similarity", course=row.slug, slug=slug)
    check = SimilarityCheck.objects.filter(course=row, exercise=assignment.exercise).first()
    context = {
        "course": row,
        "assignment": assignment,
        "exercise": assignment.exercise,
        "check": check,
        "rows": _similarity_rows(check) if check else [],
    }
    return render(request, "gradebook/similarity.html", context)


@login_required
def gradebook_similarity_csv(request: HttpRequest, course: str, slug: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)
    check = _check_or_404(row, _assignment_or_404(row, slug), pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{row.slug}-{slug}-similarity-{check.pk}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "rank",
            "student a",
            "submission a",
            "student b",
            "submission b",
            "similarity",
            "share of a",
            "share of b",
            "shared fingerprints",
        ]
    )
    for rank, pair in enumerate(_similarity_rows(check), start=1):
        writer.writerow(
            [
                str(rank),
                csv_safe(pair["student_a"]),
                pair["a"],
                csv_safe(pair["student_b"]),
                pair["b"],
                f"{pair['similarity']:.3f}",
                f"{pair['share_a']:.3f}",
                f"{pair['share_b']:.3f}",
                pair["shared"],
            ]
        )
    return response


@never_cache
@login_required
def gradebook_similarity_pair(
    request: HttpRequest, course: str, slug: str, pk: int, a: int, b: int
) -> HttpResponse:
    """Two submissions side by side, the lines of shared fingerprints marked. Only a pair of
    the check's own submissions: not a way to read any submission by its id."""
    row = course_get_for_instructor(user=request.user, slug=course)
    assignment = _assignment_or_404(row, slug)
    check = _check_or_404(row, assignment, pk)
    if str(a) not in check.submissions or str(b) not in check.submissions:
        raise Http404("not a pair of this check")
    subs = Submission.objects.select_related("user").in_bulk([a, b])
    if a not in subs or b not in subs:
        raise Http404("no such submission")
    view = side_by_side(
        subs[a].code, subs[b].code, exclude=exercise_boilerplate(assignment.exercise, window=1)
    )
    context = {
        "course": row,
        "assignment": assignment,
        "exercise": assignment.exercise,
        "check": check,
        "left": subs[a],
        "right": subs[b],
        "view": view,
    }
    return render(request, "gradebook/similarity_pair.html", context)
