"""The LTI pages: the endpoints an LMS calls (login, launch, JWKS), the pages shown in its frame
(open in deepgrade, pick exercises), and the instructors' and administrators' pages.

The login and launch endpoints are CSRF-exempt: they are posted by the LMS's page, and their
forgery protection is the protocol's own (the signed id_token, the nonce and the state cookie,
lti/launch.py). The pages shown in the LMS's frame may be framed by any site (their CSP's
`frame-ancestors *`, no X-Frame-Options): they hold nothing but a one-time ticket, which only
the LMS's own launch produces. Everything else keeps the site's headers
(docs/lti.md#cookies-and-csrf-in-the-lms-frame).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import by_topic
from core.errors import DomainError
from courses.selectors import course_get_for_instructor, exercises_visible_to
from lti import keys, outbox, selectors, services
from lti.launch import LaunchRefused, launch_validate, login_redirect
from lti.models import Ticket

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _frame_policy(*, form_action: str = "") -> str:
    """The site's CSP, framable by any site (and posting to `form_action` too, if given)."""
    parts = []
    for directive in settings.CONTENT_SECURITY_POLICY.split("; "):
        if directive.startswith("frame-ancestors"):
            directive = "frame-ancestors *"
        elif directive.startswith("form-action") and form_action:
            directive = f"form-action 'self' {form_action}"
        parts.append(directive)
    return "; ".join(parts)


def _in_frame(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200, **csp: str
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Content-Security-Policy"] = _frame_policy(**csp)
    response["Cache-Control"] = "no-store"
    return response


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 400 if error.code in ("bad_login", "malformed", "invalid_message") else 403
    return _in_frame(
        request, "lti/refused.html", {"code": error.code, "message": error.message}, status
    )


def _lms_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return csrf_exempt(xframe_options_exempt(never_cache(view)))


def _topics(user: Any) -> list[tuple[str, list[Any]]]:
    """What an instructor may assign, by topic, in the catalog's order."""
    return by_topic(exercises_visible_to(user))


@require_GET
def jwks_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@_lms_endpoint
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    try:
        return login_redirect(request, request.build_absolute_uri(reverse("lti-launch")))
    except LaunchRefused as error:
        return _refused(request, error)


@_lms_endpoint
@require_POST
def launch_view(request: HttpRequest) -> HttpResponse:
    try:
        outcome = services.launch_accept(launch=launch_validate(request))
    except LaunchRefused as error:
        return _refused(request, error)
    if outcome.kind == "deep_link":
        return _in_frame(
            request,
            "lti/pick.html",
            {"ticket": outcome.ticket, "course": outcome.course, "topics": _topics(outcome.user)},
        )
    assert outcome.assignment is not None
    target = reverse(
        "course-exercise",
        kwargs={"slug": outcome.course.slug, "exercise": outcome.assignment.exercise.slug},
    )
    connection = reverse("lti-connection", kwargs={"course": outcome.course.slug})
    if request.headers.get("Sec-Fetch-Dest") == "document":
        # Opened as a page of its own (the LMS's "new window"): our cookies work here.
        login(request, outcome.user, backend=AUTH_BACKEND)
        return redirect(target)
    data = {"next": target, "connection": connection if outcome.is_instructor else ""}
    ticket = services.ticket_issue(
        kind=Ticket.Kind.ENTER, user=outcome.user, ttl=services.ENTER_TTL, data=data
    )
    return _in_frame(
        request,
        "lti/open.html",
        {
            "outcome": outcome,
            "enter": reverse("lti-enter", kwargs={"secret": ticket}),
            "is_instructor": outcome.is_instructor,
        },
    )


@never_cache
@require_GET
def enter_view(request: HttpRequest, secret: str) -> HttpResponse:
    """The one-time link from the LMS's frame: signs in, in a window of our own."""
    try:
        ticket = services.ticket_use(secret=secret, kind=Ticket.Kind.ENTER)
    except DomainError as error:
        return _refused(request, error)
    login(request, ticket.user, backend=AUTH_BACKEND)
    to = ticket.data.get("connection") if request.GET.get("to") == "connection" else ""
    return redirect(to or ticket.data["next"])


@_lms_endpoint
@require_POST
def pick_view(request: HttpRequest) -> HttpResponse:
    secret = request.POST.get("ticket", "")
    try:
        answer = services.deep_link_respond(
            secret=secret,
            slugs=request.POST.getlist("exercise"),
            launch_url=request.build_absolute_uri(reverse("lti-launch")),
        )
    except services.TicketInvalid as error:
        return _refused(request, error)
    except DomainError as error:
        try:
            ticket = services.ticket_peek(secret=secret, kind=Ticket.Kind.DEEP_LINK)
        except DomainError as expired:
            return _refused(request, expired)
        return _in_frame(
            request,
            "lti/pick.html",
            {
                "ticket": secret,
                "error": error.message,
                "topics": _topics(ticket.user),
            },
            status=400,
        )
    target = urlsplit(answer.return_url)
    return _in_frame(
        request,
        "lti/return.html",
        {"answer": answer},
        form_action=f"{target.scheme}://{target.netloc}",
    )


# -- instructors -----------------------------------------------------------------------------
@login_required
@require_GET
def connection_view(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)  # type: ignore[arg-type]
    return render(
        request,
        "lti/connection.html",
        {"course": row, "connection": selectors.course_connection(row)},
    )


@login_required
@require_POST
def roster_view(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)  # type: ignore[arg-type]
    linked = selectors.linked_course_get(course=row, pk=pk)
    if linked is None:
        raise Http404("no such LMS course")
    try:
        result = services.roster_sync(linked=linked)
    except DomainError as error:
        messages.error(request, f"Roster not synced: {error.message}")
    else:
        messages.success(
            request,
            f"Roster synced: {result.enrolled} members enrolled "
            f"({result.new_accounts} new accounts), {result.skipped} skipped.",
        )
    return redirect("lti-connection", course=row.slug)


@login_required
@require_POST
def resend_view(request: HttpRequest, course: str) -> HttpResponse:
    row = course_get_for_instructor(user=request.user, slug=course)  # type: ignore[arg-type]
    ids = [send.pk for send in selectors.course_connection(row).sends]
    count = outbox.sends_retry(send_ids=ids)
    messages.success(request, f"{count} scores will be sent again now.")
    return redirect("lti-connection", course=row.slug)


# -- administrators --------------------------------------------------------------------------
@login_required
@require_GET
def setup_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_platform_staff:  # type: ignore[union-attr]
        raise PermissionDenied
    setup = selectors.tool_setup(
        base=request.build_absolute_uri("/"),
        login_url=request.build_absolute_uri(reverse("lti-login")),
        launch_url=request.build_absolute_uri(reverse("lti-launch")),
        jwks_url=request.build_absolute_uri(reverse("lti-jwks")),
        title=settings.SITE_NAME,
    )
    return render(
        request,
        "lti/setup.html",
        {
            "setup": setup,
            "canvas_json": json.dumps(setup.canvas_json, indent=2),
            "platforms": selectors.platforms(),
        },
    )
