"""Accounts, courses and enrolments made from what an LMS says (a launch, a roster).

- An LMS user is an Identity `(issuer, sub)`: the same person launching again, from any course
  of that LMS, is the same account. A new one gets a username of their own (from their e-mail
  or name, plus a few characters of a hash of the identity, so that no LMS user can take the
  name of an existing account) and no password: they come in through the LMS.
- Roles: the LMS's Instructor, Teaching Assistant, Content Developer and Administrator of the
  course teach it here; a Learner is a student. Anyone else (a Mentor, a guest) is refused.
  An account's site-wide role only ever rises (student -> instructor), never falls: teaching
  one course does not stop a user studying in another, and staff stay staff.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from pylti1p3.roles import DesignerRole, StudentRole, TeacherRole, TeachingAssistantRole

from accounts.models import User
from accounts.services import AccountError, user_create
from courses.models import Course, Enrolment
from courses.services import RESERVED_SLUGS, enrolment_ensure
from lti.models import Identity, LinkedCourse, Platform

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
INSTRUCTOR, STUDENT = "instructor", "student"


def course_role(roles: Sequence[str]) -> str | None:
    """INSTRUCTOR, STUDENT or None (a role deepgrade has no use for) from LTI role URIs."""
    body = {ROLES_CLAIM: list(roles)}
    if any(r(body).check() for r in (TeacherRole, TeachingAssistantRole, DesignerRole)):
        return INSTRUCTOR
    if StudentRole(body).check():
        return STUDENT
    return None


def _usernames(issuer: str, sub: str, person: Mapping[str, Any]) -> tuple[str, str]:
    """A readable username ("alice-3f9a2c") and, should it be taken, one that cannot be."""
    email = str(person.get("email") or "")
    base = email.split("@", 1)[0] or str(person.get("name") or "") or "lti"
    base = re.sub(r"[^a-z0-9._-]+", "-", slugify(base)).strip("-._")[:40] or "lti"
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()
    return f"{base}-{digest[:6]}", f"lti-{digest[:20]}"


def user_for(*, issuer: str, sub: str, person: Mapping[str, Any], role: str) -> tuple[User, bool]:
    """The account of the LMS user `(issuer, sub)`, made on first sight; (user, created).

    `person`: the LMS's name claims (name, given_name, family_name, email), which refresh the
    account's names each time, since the LMS is where people correct them.
    """
    names = {
        "first_name": str(person.get("given_name") or "")[:150],
        "last_name": str(person.get("family_name") or "")[:150],
        "email": str(person.get("email") or "")[:254],
    }
    identity = Identity.objects.select_related("user").filter(issuer=issuer, sub=sub).first()
    created = identity is None
    if identity is None:
        identity = _identity_create(issuer, sub, person, role, names)
    user = identity.user
    changed = [name for name, value in names.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, names[name])
    if role == INSTRUCTOR and user.role == User.Role.STUDENT:
        user.role = User.Role.INSTRUCTOR
        changed.append("role")
    if changed:
        user.save(update_fields=changed)
    return user, created


def _identity_create(
    issuer: str, sub: str, person: Mapping[str, Any], role: str, names: dict[str, str]
) -> Identity:
    username, fallback = _usernames(issuer, sub, person)
    site_role = User.Role.INSTRUCTOR if role == INSTRUCTOR else User.Role.STUDENT
    try:
        with transaction.atomic():
            try:
                user = user_create(username=username, role=site_role, **names)
            except AccountError:
                # The name is taken (or refused): the hash alone is a fresh name.
                user = user_create(username=fallback, role=site_role, **names)
            return Identity.objects.create(issuer=issuer, sub=sub, user=user)
    except (IntegrityError, AccountError):
        # A second launch of the same new user at the same moment made it first.
        return Identity.objects.select_related("user").get(issuer=issuer, sub=sub)


def course_for(
    *,
    platform: Platform,
    context: Mapping[str, Any],
    deployment_id: str,
    may_create: bool,
) -> LinkedCourse | None:
    """The deepgrade course of an LMS course (context); made when `may_create` (an instructor
    launched) and there is none yet. None: not linked, and this launch may not link it."""
    context_id = str(context.get("id") or "")
    linked = (
        LinkedCourse.objects.select_related("course")
        .filter(platform=platform, context_id=context_id)
        .first()
    )
    if linked is not None or not may_create:
        return linked
    title = str(context.get("title") or context.get("label") or "LMS course")[:200]
    digest = hashlib.sha256(f"{platform.pk}\n{context_id}".encode()).hexdigest()[:6]
    stem = slugify(str(context.get("label") or title))[:40].strip("-") or "lms"
    slug = f"{stem}-{digest}" if stem not in RESERVED_SLUGS else f"lms-{digest}"
    try:
        with transaction.atomic():
            course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title})
            return LinkedCourse.objects.create(
                platform=platform,
                context_id=context_id,
                course=course,
                deployment_id=deployment_id,
                title=title,
            )
    except IntegrityError:
        # Two instructors' first launches at once: the other one linked it.
        return LinkedCourse.objects.select_related("course").get(
            platform=platform, context_id=context_id
        )


def enrol(*, course: Course, user: User, role: str) -> Enrolment:
    """Enrol as the LMS says; platform staff keep teaching wherever they are enrolled."""
    if user.is_platform_staff:
        role = INSTRUCTOR
    return enrolment_ensure(
        course=course,
        user=user,
        role=User.Role.INSTRUCTOR if role == INSTRUCTOR else User.Role.STUDENT,
    )
