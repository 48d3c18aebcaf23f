"""Sign-up through a course's invite link: a new account that joins the course.

Without an e-mail domain on the course, the account is made at once and joins (`signup_join`).
With one (`Course.signup_domain`), the typed address is only a claim: the sign-up waits, with
its password already hashed, until its owner opens the link mailed to that address
(`signup_pending_create`, `signup_confirm`); nothing is created before, so an account cannot
join by typing someone else's address at the domain. A waiting sign-up lives in the cache
(Redis in production) for SIGNUP_CONFIRM_SECONDS; lost or expired, it is simply made again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import transaction

from accounts.models import User
from accounts.services import AccountError, user_create
from courses.models import Course
from courses.services import CourseError, enrolment_join

SIGNUP_CONFIRM_SECONDS = 24 * 3600


def _ascii_domain(domain: str) -> str:
    """A domain in the form it is compared in: lower case, IDNA (xn--) for non-ASCII names."""
    domain = domain.strip().lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def email_domain(address: str) -> str:
    return _ascii_domain(address.rpartition("@")[2])


def signup_domain_problem(course: Course, email: str) -> str | None:
    """Why `email` cannot make a new account through `course`'s link, or None."""
    domain = course.signup_domain
    if not domain or email_domain(email) == domain:
        return None
    return (
        f"This course accepts new accounts with an address at {domain} only (not at "
        f"{email_domain(email) or 'another domain'}): use your {domain} address, or sign in "
        "if you have an account already."
    )


@transaction.atomic
def course_signup_domain_set(*, course: Course, domain: str) -> str:
    """Set (or clear, with "") the e-mail domain new accounts need to join `course` by its link.

    "@Uni.Example" is stored as "uni.example". CourseError for what is not a domain name.
    """
    cleaned = _ascii_domain(domain.strip().lstrip("@"))
    if cleaned:
        try:
            DomainNameValidator(accept_idna=True)(cleaned)
        except ValidationError:
            raise CourseError(
                f"{domain.strip()[:80]!r} is not a domain name: write the part after the @ "
                "of your students' addresses, e.g. uni.example (or leave it empty)"
            ) from None
    course.signup_domain = cleaned
    course.save(update_fields=["signup_domain"])
    return cleaned


def _open_course(invite_code: str) -> Course:
    course = Course.objects.filter(invite_code=invite_code, invite_open=True).first()
    if course is None:
        raise CourseError("this invite link is not valid (any more): ask your instructor")
    return course


@transaction.atomic
def signup_join(
    *, invite_code: str, username: str, email: str, password: str = "", password_hash: str = ""
) -> tuple[User, Course]:
    """Create a student account and enrol it through the invite link, in one transaction.

    CourseError if the link is closed; AccountError (with the field to fix) if the account
    cannot be made, the address's domain included. A course with an e-mail domain calls this
    only once the address is confirmed (`signup_confirm`).
    """
    course = _open_course(invite_code)
    problem = signup_domain_problem(course, email)
    if problem:
        raise AccountError(problem, field="email")
    user = user_create(
        username=username, email=email, password=password or None, password_hash=password_hash
    )
    return user, enrolment_join(user=user, invite_code=invite_code)


@dataclass(frozen=True)
class PendingSignup:
    course_id: int
    username: str
    email: str
    password_hash: str


def _cache_key(token: str) -> str:
    # The token itself is never a key: whoever can list the cache's keys cannot confirm.
    return "signup:" + hashlib.sha256(token.encode()).hexdigest()


def signup_pending_create(*, course: Course, username: str, email: str, password: str) -> str:
    """Keep a sign-up until its address is confirmed; returns the token for the mailed link."""
    problem = signup_domain_problem(course, email)
    if problem:
        raise AccountError(problem, field="email")
    token = secrets.token_urlsafe(32)
    pending = PendingSignup(course.pk, username, email, make_password(password))
    cache.set(_cache_key(token), pending.__dict__, timeout=SIGNUP_CONFIRM_SECONDS)
    return token


def signup_pending_get(*, course: Course, token: str) -> PendingSignup | None:
    """The waiting sign-up of this link, or None (expired, used, or for another course)."""
    data: dict[str, Any] | None = cache.get(_cache_key(token))
    if not data or data.get("course_id") != course.pk:
        return None
    return PendingSignup(**data)


def signup_confirm(*, invite_code: str, token: str) -> tuple[User, Course]:
    """Make the account of a confirmed sign-up and enrol it (`signup_join`).

    CourseError if the link expired or was used, or the invite link was closed meanwhile;
    AccountError if the username was taken meanwhile (the sign-up is then dropped: the person
    signs up again with another name).
    """
    course = _open_course(invite_code)
    pending = signup_pending_get(course=course, token=token)
    if pending is None:
        raise CourseError(
            "this confirmation link has expired or was used already: sign up again with the "
            "invite link"
        )
    try:
        user, course = signup_join(
            invite_code=invite_code,
            username=pending.username,
            email=pending.email,
            password_hash=pending.password_hash,
        )
    finally:
        # Used once, whatever happened: a second click must not make a second attempt.
        cache.delete(_cache_key(token))
    return user, course
