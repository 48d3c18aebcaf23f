"""Exercise authoring pages, under /teach/exercises/ (who may do what: authoring.selectors).

Views are thin: they read through authoring.selectors and write through authoring.services.
State changes are POSTs only. The web process never runs exercise code: validation is queued
for the worker, and the page follows it through the small JSON status endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from authoring.folder import (
    FILE_HELP,
    WORKED_SOLUTION,
    declared_topic,
    max_file_bytes,
    max_total_bytes,
    ordered_paths,
    statement_body,
    toml_problem,
    zip_folder,
)
from authoring.forms import CopyExerciseForm, NewDraftForm
from authoring.models import ExerciseDraft
from authoring.selectors import (
    author_check,
    draft_get_for_user,
    draft_status,
    drafts_for,
    exercise_get_for_change,
    exercise_get_for_copy,
    exercise_owners,
    exercises_for_authoring,
    may_change_exercise,
    reopenable_draft,
    version_get,
    version_history,
)
from authoring.services import (
    DraftError,
    OwnerError,
    draft_copy_exercise,
    draft_create,
    draft_delete,
    draft_open_for_exercise,
    draft_publish,
    draft_update,
    draft_validate_request,
    exercise_owner_add,
    exercise_owner_remove,
)
from catalog.rendering import render_markdown

FILE_FIELD = "file:"  # the form field of a file is "file:" + its relative path


def author_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the sign-in page), and an author (else 404); never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        author_check(request.user)
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapper))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _edit_url(draft: ExerciseDraft) -> str:
    return reverse("authoring-edit", kwargs={"pk": draft.pk})


# -- lists, new, edit --------------------------------------------------------------------------


@author_required
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "authoring/draft_list.html",
        {
            "drafts": drafts_for(request.user),
            "exercises": exercises_for_authoring(request.user),
        },
    )


@author_required
def draft_new(request: HttpRequest) -> HttpResponse:
    form = NewDraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_create(author=request.user, **form.draft_arguments())
        except DraftError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, "Draft created from the skeleton: it validates as it is.")
            return redirect(_edit_url(draft))
    status = 400 if request.method == "POST" else 200
    return render(request, "authoring/draft_new.html", {"form": form}, status=status)


def _submitted_texts(request: HttpRequest) -> dict[str, str]:
    """The files' texts as the edit form sends them, by relative path."""
    return {
        key.removeprefix(FILE_FIELD): value
        for key, value in request.POST.items()
        if key.startswith(FILE_FIELD)
    }


def _save_from_form(request: HttpRequest, draft: ExerciseDraft) -> list[str]:
    """Save the edit form into the draft; the problems if it could not be saved."""
    try:
        draft_update(
            draft=draft,
            texts=_submitted_texts(request),
            remove=request.POST.getlist("remove"),
            add=request.POST.get("new_solution", ""),
        )
    except DraftError as exc:
        return exc.problems
    return []


def _edit_page(
    request: HttpRequest,
    draft: ExerciseDraft,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    files = dict(draft.files)
    if problems:  # show what was sent, so nothing typed is lost
        files.update(_submitted_texts(request))
    files.setdefault(WORKED_SOLUTION, "")
    rows = [
        {
            "rel": rel,
            "text": files[rel],
            "help": FILE_HELP.get(
                rel, "A known solution: its verdict is declared in exercise.toml's [[solutions]]."
            ),
            "removable": rel.startswith("solutions/"),
            "rows": min(max(files[rel].count("\n") + 2, 6), 40),
        }
        for rel in ordered_paths(files)
    ]
    exercise = draft.exercise
    context = {
        "draft": draft,
        # Links to the exercise's own pages only where they open (owners: selectors).
        "exercise_changeable": exercise is not None and may_change_exercise(request.user, exercise),
        "files": rows,
        "problems": problems or [],
        "status": draft_status(draft, request.user),
        "preview_html": render_markdown(statement_body(files.get("statement.md", ""))),
        "max_file_kib": max_file_bytes() // 1024,
        "max_total_bytes": max_total_bytes(),
    }
    return render(request, "authoring/draft_edit.html", context, status=status)


@author_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = draft_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        problems = _save_from_form(request, draft)
        if problems:
            return _edit_page(request, draft, problems=problems, status=400)
        if problem := toml_problem(draft.files):
            # Kept as typed (it is the author's work); said now rather than at validation.
            messages.warning(
                request,
                f"Saved, but exercise.toml does not parse: {problem}. "
                "Validation reports it until it is fixed.",
            )
        else:
            messages.success(request, "Saved.")
        return redirect(_edit_url(draft))
    return _edit_page(request, draft)


@author_required
def edit_exercise(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: continue the user's draft of the exercise, or offer to start one; POST: start it.

    Owners only (404 for anyone else, who may copy it instead: copy_exercise)."""
    exercise = exercise_get_for_change(user=request.user, slug=slug)
    if request.method == "POST":
        try:
            draft, created = draft_open_for_exercise(author=request.user, exercise=exercise)
        except DraftError as exc:
            messages.error(request, " ".join(exc.problems))
            return redirect("authoring-list")
        if created:
            messages.success(request, "Draft started from the current version's files.")
        return redirect(_edit_url(draft))
    draft = reopenable_draft(user=request.user, exercise=exercise)
    if draft is not None:
        return redirect(_edit_url(draft))
    return render(request, "authoring/edit_exercise.html", {"exercise": exercise})


@author_required
def copy_exercise(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form (a new slug and title); POST: a new draft of the user's from the exercise's
    current version. Any author: the copy is a new exercise, the original stays as it is."""
    exercise = exercise_get_for_copy(user=request.user, slug=slug)
    form = CopyExerciseForm(request.POST or None, exercise=exercise)
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_copy_exercise(
                author=request.user,
                exercise=exercise,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
            )
        except DraftError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                f"Draft started from a copy of “{exercise.title}”: publish it to make it an "
                "exercise of yours.",
            )
            return redirect(_edit_url(draft))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "authoring/copy_exercise.html",
        {"exercise": exercise, "form": form},
        status=status,
    )


@author_required
@require_POST
def draft_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    draft = draft_get_for_user(user=request.user, pk=pk)
    draft_delete(draft=draft)
    messages.success(request, f"Draft of {draft.slug} deleted.")
    return redirect("authoring-list")


# -- preview, validation, publishing -----------------------------------------------------------


@author_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The statement rendered as the student page renders it (sanitised; math for KaTeX)."""
    statement = request.POST.get("statement", "")
    if len(statement.encode("utf-8")) > max_file_bytes():
        return JsonResponse(
            {"error": f"The statement is over {max_file_bytes() // 1024} KiB."}, status=400
        )
    return JsonResponse({"html": render_markdown(statement_body(statement))})


def _status_payload(request: HttpRequest, draft: ExerciseDraft) -> dict[str, object]:
    status = draft_status(draft, request.user)
    html = render_to_string(
        "authoring/_report.html", {"status": status, "draft": draft}, request=request
    )
    return {**status.as_json(), "html": html}


@author_required
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the edit form (if sent with it), then queue a validation in the worker."""
    draft = draft_get_for_user(user=request.user, pk=pk)
    problems = _save_from_form(request, draft)
    if problems:
        if _wants_json(request):
            return JsonResponse({"errors": problems}, status=400)
        return _edit_page(request, draft, problems=problems, status=400)
    try:
        draft = draft_validate_request(draft=draft, user=request.user)
    except DraftError as exc:
        if _wants_json(request):
            return JsonResponse({"errors": exc.problems}, status=409)
        messages.error(request, "Saved, but not validated: " + " ".join(exc.problems))
        return redirect(_edit_url(draft) + "#validation")
    if _wants_json(request):
        return JsonResponse(_status_payload(request, draft), status=202)
    messages.success(request, "Saved; validation queued.")
    return redirect(_edit_url(draft) + "#validation")


@author_required
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    draft = draft_get_for_user(user=request.user, pk=pk)
    return JsonResponse(_status_payload(request, draft))


@author_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = draft_get_for_user(user=request.user, pk=pk)
    try:
        version = draft_publish(draft=draft, user=request.user)
    except DraftError as exc:
        messages.error(request, " ".join(exc.problems))
        return redirect(_edit_url(draft) + "#publishing")
    exercise = version.exercise
    messages.success(
        request, f"Published {exercise.slug} as version {version.version}: it is current now."
    )
    return redirect("authoring-history", slug=exercise.slug)


# -- history and export ------------------------------------------------------------------------


@author_required
@require_GET
def history(request: HttpRequest, slug: str) -> HttpResponse:
    """The exercise's authoring page: its versions (each downloadable) and its owners. Owners
    only: the downloads hold the reference and the hidden cases."""
    exercise = exercise_get_for_change(user=request.user, slug=slug)
    owners = exercise_owners(exercise)
    return render(
        request,
        "authoring/history.html",
        {
            "exercise": exercise,
            "rows": version_history(exercise),
            "draft": reopenable_draft(user=request.user, exercise=exercise),
            "owners": owners,
            "last_owner": len(owners) <= 1,
            "is_web": exercise.source == exercise.Source.WEB,
        },
    )


def _owners_url(slug: str) -> str:
    return reverse("authoring-history", kwargs={"slug": slug}) + "#owners"


@author_required
@require_POST
def owner_add(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = exercise_get_for_change(user=request.user, slug=slug)
    try:
        owner = exercise_owner_add(
            exercise=exercise, username=request.POST.get("username", ""), by=request.user
        )
    except OwnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{owner.user.username} is an owner of “{exercise.title}”.")
    return redirect(_owners_url(exercise.slug))


@author_required
@require_POST
def owner_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    exercise = exercise_get_for_change(user=request.user, slug=slug)
    try:
        exercise_owner_remove(exercise=exercise, user_id=user_id, by=request.user)
    except OwnerError as exc:
        messages.error(request, str(exc))
        return redirect(_owners_url(exercise.slug))
    messages.success(request, "Owner removed.")
    if not may_change_exercise(request.user, exercise):  # they removed themselves
        return redirect("authoring-list")
    return redirect(_owners_url(exercise.slug))


def _zip_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@author_required
@require_GET
def export_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = draft_get_for_user(user=request.user, pk=pk)
    content = zip_folder(draft.files, topic=draft.topic, slug=draft.slug, when=draft.updated_at)
    return _zip_response(content, f"{draft.slug}-draft.zip")


@author_required
@require_GET
def export_version(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Every file of a version (reference, solutions, cases...): owners only."""
    exercise = exercise_get_for_change(user=request.user, slug=slug)
    found = version_get(exercise=exercise, version=version)
    topic = declared_topic(found.files, exercise.topic)
    content = zip_folder(found.files, topic=topic, slug=exercise.slug, when=found.created_at)
    return _zip_response(content, f"{exercise.slug}-{found.version}.zip")
