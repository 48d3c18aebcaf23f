"""Writes of the LTI app: a validated launch taken in, tickets, deep-linking responses,
registrations, roster syncs (docs/lti.md).

A launch (lti/launch.py has checked it) is taken in by `launch_accept`, in one transaction:
the user's account (made on first launch), the course (made on the first instructor launch),
the enrolment with the LMS's role, and for a resource link the assignment it opens. The page
the user lands on is then reached through a Ticket: the LMS shows us in a frame, where our
session cookie (SameSite=Lax) is not sent, so the frame gets a one-time link that signs the
user in in a window of its own (docs/lti.md#cookies-and-csrf-in-the-lms-frame).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from accounts.models import User
from catalog.models import Exercise
from core.errors import DomainError
from courses.models import Assignment, Course
from courses.selectors import exercises_visible_to
from courses.services import assignment_ensure
from lti import provision
from lti.launch import LaunchRefused, ValidLaunch, registration_of
from lti.models import Deployment, LinkedCourse, Platform, ResourceLink, Ticket
from lti.outbox import score_changed
from lti.platform_api import PlatformUnavailable, members

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
CONTEXT = CLAIM + "context"
RESOURCE_LINK = CLAIM + "resource_link"
CUSTOM = CLAIM + "custom"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

# The custom parameters of the links deepgrade deep-links: the exercise, and the activity's due
# date, which the LMS substitutes at each launch (LTI 1.3 substitution variable).
CUSTOM_EXERCISE = "deepgrade_exercise"
CUSTOM_DUE = "deepgrade_due_at"
DUE_VARIABLE = "$ResourceLink.submission.endDateTime"

ENTER_TTL = timedelta(minutes=5)
DEEP_LINK_TTL = timedelta(hours=1)


class TicketInvalid(DomainError):
    code = "forbidden"


@dataclass(frozen=True)
class Outcome:
    """What a launch leads to: a page to open as `user`, or the deep-linking picker."""

    user: User
    course: Course
    kind: str  # "resource" or "deep_link"
    assignment: Assignment | None = None
    is_instructor: bool = False
    ticket: str = ""  # the deep-linking picker's ticket


def _person(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: claims.get(k) for k in ("name", "given_name", "family_name", "email")}


@transaction.atomic
def launch_accept(*, launch: ValidLaunch) -> Outcome:
    """Take in a validated launch: account, course, enrolment, and what it opens.

    LaunchRefused (a page for the person) when deepgrade cannot serve it: a role it has no use
    for, a student in a course no instructor has opened yet, a link naming no exercise.
    """
    claims = launch.claims
    message_type = claims.get(MESSAGE_TYPE)
    role = provision.course_role(claims.get(provision.ROLES_CLAIM) or [])
    if role is None:
        raise LaunchRefused(
            "role", "deepgrade opens for the course's instructors and students only."
        )
    if message_type == "LtiDeepLinkingRequest" and role != provision.INSTRUCTOR:
        raise LaunchRefused(
            "role", "only an instructor of the course can add deepgrade activities."
        )
    context = claims.get(CONTEXT) or {}
    if not context.get("id"):
        raise LaunchRefused(
            "no_context", "deepgrade is launched from a course: this launch names none."
        )
    linked = provision.course_for(
        platform=launch.platform,
        context=context,
        deployment_id=launch.deployment_id,
        may_create=role == provision.INSTRUCTOR,
    )
    if linked is None:
        raise LaunchRefused(
            "course_not_ready",
            "your instructor has not opened deepgrade in this course yet: once they have, "
            "this activity works.",
        )
    _remember_services(linked, claims)
    user, _ = provision.user_for(
        issuer=launch.platform.issuer, sub=str(claims["sub"]), person=_person(claims), role=role
    )
    provision.enrol(course=linked.course, user=user, role=role)
    instructor = role == provision.INSTRUCTOR
    if message_type == "LtiDeepLinkingRequest":
        ticket = ticket_issue(
            kind=Ticket.Kind.DEEP_LINK,
            user=user,
            ttl=DEEP_LINK_TTL,
            data={
                "platform": launch.platform.pk,
                "deployment_id": launch.deployment_id,
                "linked_course": linked.pk,
                "settings": claims.get(DEEP_LINKING) or {},
            },
        )
        return Outcome(user, linked.course, "deep_link", is_instructor=True, ticket=ticket)
    assignment = _link_resource(linked, claims, instructor)
    if not instructor:
        # Scores graded before the LMS knew this student (or this link) go back now too.
        score_changed(assignment_id=assignment.pk, student_id=user.pk)
    return Outcome(user, linked.course, "resource", assignment, instructor)


def _remember_services(linked: LinkedCourse, claims: dict[str, Any]) -> None:
    ags = claims.get(AGS) or {}
    nrps = claims.get(NRPS) or {}
    fields = {
        "memberships_url": str(nrps.get("context_memberships_url") or linked.memberships_url),
        "lineitems_url": str(ags.get("lineitems") or linked.lineitems_url),
        "ags_scopes": list(ags.get("scope") or linked.ags_scopes),
        "title": str((claims.get(CONTEXT) or {}).get("title") or linked.title)[:255],
    }
    changed = [name for name, value in fields.items() if getattr(linked, name) != value]
    for name in changed:
        setattr(linked, name, fields[name])
    if changed:
        linked.save(update_fields=changed)


def _link_resource(linked: LinkedCourse, claims: dict[str, Any], instructor: bool) -> Assignment:
    link_claim = claims.get(RESOURCE_LINK) or {}
    custom = claims.get(CUSTOM) or {}
    slug = str(custom.get(CUSTOM_EXERCISE) or "")
    link = (
        ResourceLink.objects.select_related("assignment__exercise")
        .filter(context=linked, resource_link_id=str(link_claim.get("id") or ""))
        .first()
    )
    if link is None:
        exercise = Exercise.objects.filter(slug=slug, is_active=True).first() if slug else None
        if exercise is None:
            raise LaunchRefused(
                "no_exercise",
                "this LMS activity names no deepgrade exercise: add deepgrade activities "
                "through the LMS's content selection (deep linking), which names one.",
            )
        assignment = Assignment.objects.filter(course=linked.course, exercise=exercise).first()
        if assignment is None:
            if not instructor:
                raise LaunchRefused(
                    "not_assigned", "this exercise is not assigned in your course yet."
                )
            assignment = assignment_ensure(course=linked.course, exercise=exercise, published=True)
        link = ResourceLink.objects.create(
            context=linked,
            resource_link_id=str(link_claim.get("id")),
            assignment=assignment,
            title=str(link_claim.get("title") or "")[:255],
        )
    lineitem = str((claims.get(AGS) or {}).get("lineitem") or "")
    if lineitem and lineitem != link.lineitem_url:
        link.lineitem_url = lineitem
        link.save(update_fields=["lineitem_url"])
    due = _due_at(custom.get(CUSTOM_DUE)) if instructor else None
    if due is not None and due != link.assignment.due_at:
        # The LMS is where the instructor sets the activity's due date. Only an instructor's
        # launch sets it: a student's may carry their own extended date (a per-student
        # override in the LMS), which deepgrade's extensions express instead.
        link.assignment.due_at = due
        link.assignment.save(update_fields=["due_at", "updated_at"])
    return link.assignment


def _due_at(value: Any) -> datetime | None:
    """An ISO 8601 date with its zone, as the LMS substitutes it; None when it sent none (an
    unsubstituted variable, an empty value, a date without a zone)."""
    if not isinstance(value, str) or not value or value.startswith("$"):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


# -- tickets -----------------------------------------------------------------------------------
def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ticket_issue(*, kind: str, user: User, ttl: timedelta, data: dict[str, Any]) -> str:
    """A one-time secret for `user`; only its digest is stored."""
    secret = secrets.token_urlsafe(32)
    Ticket.objects.filter(expires_at__lt=timezone.now()).delete()
    Ticket.objects.create(
        digest=_digest(secret), kind=kind, user=user, data=data, expires_at=timezone.now() + ttl
    )
    return secret


def ticket_use(*, secret: str, kind: str) -> Ticket:
    """Spend a ticket: it works once, before it expires. TicketInvalid otherwise."""
    now = timezone.now()
    spent = Ticket.objects.filter(
        digest=_digest(secret), kind=kind, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if spent != 1:
        raise TicketInvalid(
            "this link was used already or has expired: open the activity again from the LMS."
        )
    return Ticket.objects.select_related("user").get(digest=_digest(secret))


def ticket_peek(*, secret: str, kind: str) -> Ticket:
    """A ticket still valid, without spending it (the deep-linking picker shows before it
    posts). TicketInvalid otherwise."""
    ticket = (
        Ticket.objects.select_related("user")
        .filter(digest=_digest(secret), kind=kind, used_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    if ticket is None:
        raise TicketInvalid(
            "this page has expired or was used already: open the selection again from the LMS."
        )
    return ticket


# -- deep linking --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeepLinkResponse:
    return_url: str
    jwt: str
    titles: list[str] = field(default_factory=list)


@transaction.atomic
def deep_link_respond(*, secret: str, slugs: Iterable[str], launch_url: str) -> DeepLinkResponse:
    """Assign the picked exercises in the course (published) and sign the LTI Deep Linking
    response that adds them to the LMS as activities, each with a line item of the exercise's
    points. TicketInvalid when the ticket is spent; DomainError for a pick of nothing or of an
    exercise the instructor may not assign."""
    ticket = ticket_peek(secret=secret, kind=Ticket.Kind.DEEP_LINK)
    wanted = list(dict.fromkeys(s for s in slugs if s))
    if not wanted:
        raise DomainError("tick at least one exercise.")
    exercises = {e.slug: e for e in exercises_visible_to(ticket.user).filter(slug__in=wanted)}
    missing = [s for s in wanted if s not in exercises]
    if missing:
        raise DomainError(f"no such exercise to assign: {', '.join(missing)}")
    ticket_use(secret=secret, kind=Ticket.Kind.DEEP_LINK)
    data = ticket.data
    linked = LinkedCourse.objects.select_related("course", "platform").get(pk=data["linked_course"])
    resources = []
    for slug in wanted:
        exercise = exercises[slug]
        assignment_ensure(course=linked.course, exercise=exercise, published=True)
        resources.append(
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(exercise.title)
            .set_custom_params({CUSTOM_EXERCISE: slug, CUSTOM_DUE: DUE_VARIABLE})
            .set_lineitem(
                LineItem()
                .set_score_maximum(exercise.points)
                .set_label(exercise.title)
                .set_resource_id(slug)
                .set_tag("deepgrade")
            )
        )
    settings = data["settings"]
    link = DeepLink(registration_of(linked.platform), data["deployment_id"], settings)
    return DeepLinkResponse(
        return_url=str(settings["deep_link_return_url"]),
        jwt=link.get_response_jwt(resources),
        titles=[exercises[s].title for s in wanted],
    )


# -- registration --------------------------------------------------------------------------------
@transaction.atomic
def platform_register(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str],
    auth_audience: str = "",
) -> Platform:
    """Register (or update) deepgrade's registration in an LMS, with its deployment ids
    (added to those it had: a deployment is never dropped by a re-run)."""
    platform, _ = Platform.objects.update_or_create(
        issuer=issuer,
        client_id=client_id,
        defaults={
            "name": name,
            "auth_login_url": auth_login_url,
            "auth_token_url": auth_token_url,
            "key_set_url": key_set_url,
            "auth_audience": auth_audience,
            "is_active": True,
        },
    )
    platform.full_clean()
    for deployment_id in deployment_ids:
        Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
    return platform


# -- roster --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RosterResult:
    enrolled: int  # members now enrolled (new or already there)
    new_accounts: int
    skipped: int  # inactive members, roles deepgrade has no use for


def roster_sync(*, linked: LinkedCourse) -> RosterResult:
    """Enrol the LMS course's members (Names and Role Provisioning Services), with their LMS
    role. Members the LMS lists as inactive or deleted are skipped, never unenrolled: their
    work stays in the gradebook. DomainError when the LMS offers no roster or is unreachable."""
    if not linked.memberships_url:
        raise DomainError(
            "the LMS did not offer its roster (Names and Role Provisioning Services) in its "
            "last launch from this course: enable the service for deepgrade in the LMS."
        )
    try:
        listed = members(linked)
    except PlatformUnavailable as error:
        raise DomainError(f"the LMS did not give the roster: {error}") from None
    enrolled = created = skipped = 0
    with transaction.atomic():
        for member in listed:
            role = provision.course_role(member.get("roles") or [])
            if (
                role is None
                or member.get("status", "Active") != "Active"
                or not member.get("user_id")
            ):
                skipped += 1
                continue
            user, new = provision.user_for(
                issuer=linked.platform.issuer,
                sub=str(member["user_id"]),
                person=member,
                role=role,
            )
            provision.enrol(course=linked.course, user=user, role=role)
            enrolled += 1
            created += new
        LinkedCourse.objects.filter(pk=linked.pk).update(roster_synced_at=timezone.now())
    return RosterResult(enrolled, created, skipped)
