"""Account pages: the password change and the password reset by e-mail (Django's auth views
with the site's forms and templates), and sign-up through a course's invite link.

Both the sign-up and the reset request are rate-limited per client address (as django-axes
sees it, so a proxy is handled the same way as for sign-ins): each one can send an e-mail or
create an account, which a script must not be able to do in bulk.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.mail import send_mail
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import PasswordChangeForm, SetPasswordForm, SignupForm
from accounts.services import AccountError
from core.errors import http_status
from core.ratelimit import rate_limit_hit
from courses.models import Course
from courses.services import CourseError
from courses.signup import (
    SIGNUP_CONFIRM_SECONDS,
    signup_confirm,
    signup_domain_problem,
    signup_join,
    signup_pending_create,
    signup_pending_get,
)

logger = logging.getLogger(__name__)

# One address's reset e-mails, whatever the client's address: enough for a lost e-mail or two,
# too few to fill someone's inbox.
RESET_PER_ADDRESS = (3, 900)
# The sign-up made here signs in with the model's backend (the password was just set: django-axes
# has nothing to count).
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _limited(request: HttpRequest, what: str, rate: tuple[int, int]) -> int | None:
    """Count one `what` from this client; None if allowed, else the seconds to wait."""
    limit, window = rate
    client = get_client_ip_address(request) or "unknown"
    return rate_limit_hit(f"{what}:ip:{client}", limit=limit, window=window)


def _wait_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _too_many(form: Form, what: str, wait: int) -> None:
    form.add_error(None, f"Too many {what} from your network: try again in {_wait_words(wait)}.")


# -- password change ----------------------------------------------------------------------------
class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user's password change; also where a user with a first password chosen by someone
    else is sent until they change it (accounts.middleware), then on to where they were going."""

    form_class = PasswordChangeForm
    # Not Django's template names: the admin's templates of those names would win.
    template_name = "registration/password_change.html"

    def _next(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return wanted if safe else ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = self._next()
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session signed in
        messages.success(
            self.request,
            "Your password is changed. The previous one no longer works, and other sessions "
            "of your account are signed out.",
        )
        return response

    def get_success_url(self) -> str:
        return self._next() or reverse("home")


# -- password reset -----------------------------------------------------------------------------
class PasswordResetView(auth_views.PasswordResetView):
    """"Forgot your password?": a link by e-mail, valid for PASSWORD_RESET_TIMEOUT seconds and
    once (Django's token changes with the password). The same answer whether or not an account
    has the address, so the page tells nobody who has an account."""

    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_email_subject.txt"

    def form_valid(self, form: Form) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        wait = _limited(self.request, "reset", settings.PASSWORD_RESET_RATE) or rate_limit_hit(
            f"reset:to:{email}", limit=RESET_PER_ADDRESS[0], window=RESET_PER_ADDRESS[1]
        )
        if wait:
            _too_many(form, "password reset requests", wait)
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        # The e-mail names the site as its settings do (Django would use the host name).
        self.extra_email_context = {"site_name": settings.SITE_NAME}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        days = settings.PASSWORD_RESET_TIMEOUT / 86400
        hours = settings.PASSWORD_RESET_TIMEOUT / 3600
        valid_for = (
            f"{days:g} day{'s' if days != 1 else ''}"
            if days >= 1
            else f"{hours:.3g} hour{'s' if hours != 1 else ''}"
        )
        return {**super().get_context_data(**kwargs), "valid_for": valid_for}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_new.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_finished.html"


# -- sign-up through an invite link ---------------------------------------------------------------
def _signup_form(course: Course, data: Any = None) -> SignupForm:
    help_text = (
        f"An address at {course.signup_domain}: this course takes new accounts from "
        f"{course.signup_domain} only. We send a link to it; your account is made when you "
        "open it."
        if course.signup_domain
        else ""
    )
    return SignupForm(
        data,
        email_rule=lambda email: signup_domain_problem(course, email),
        email_help=help_text,
    )


def join_signup(request: HttpRequest, course: Course, code: str) -> HttpResponse:
    """The invite link for someone signed out: sign in, or create an account that joins."""
    form = _signup_form(course, request.POST if request.method == "POST" else None)
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        wait = _limited(request, "signup", settings.SIGNUP_RATE)
        if wait:
            _too_many(form, "sign-ups", wait)
            status, headers = 429, {"Retry-After": str(wait)}
        elif not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                if course.signup_domain:
                    token = signup_pending_create(
                        course=course,
                        username=data["username"],
                        email=data["email"],
                        password=data["password1"],
                    )
                    return _confirmation_sent(request, course, code, token, data)
                user, course = signup_join(
                    invite_code=code,
                    username=data["username"],
                    email=data["email"],
                    password=data["password1"],
                )
            except CourseError as exc:  # the link closed between the page and the click
                return render(request, "pages/join_invalid.html", {"reason": exc.message}, status=404)
            except AccountError as exc:  # e.g. the username taken a moment ago
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = http_status(exc)
            else:
                login(request, user, backend=_BACKEND)
                messages.success(request, f"Welcome, {user.username}: you are in {course.title}.")
                return redirect("course-home", slug=course.slug)
    context = {"course": course, "signup_form": form, "signin_next": request.path}
    response = render(request, "pages/join.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _confirmation_sent(
    request: HttpRequest, course: Course, code: str, token: str, data: dict[str, Any]
) -> HttpResponse:
    link = request.build_absolute_uri(
        reverse("course-join-confirm", kwargs={"code": code, "token": token})
    )
    context = {
        "course": course,
        "username": data["username"],
        "email": data["email"],
        "link": link,
        "hours": SIGNUP_CONFIRM_SECONDS // 3600,
        "site_name": settings.SITE_NAME,
    }
    try:
        send_mail(
            subject=render_to_string("pages/email/signup_confirm_subject.txt", context).strip(),
            message=render_to_string("pages/email/signup_confirm.txt", context),
            from_email=None,
            recipient_list=[data["email"]],
        )
    except Exception:
        # The mail server is down or refuses: say so rather than promise an e-mail that will
        # not come; nothing was created, so trying again later is safe.
        logger.exception("could not send the sign-up confirmation to %s", data["email"])
        form = _signup_form(course, request.POST)
        form.is_valid()
        form.add_error(
            None,
            "We could not send the confirmation e-mail just now: nothing was created. "
            "Try again in a few minutes.",
        )
        context = {"course": course, "signup_form": form, "signin_next": request.path}
        return render(request, "pages/join.html", context, status=503)
    return render(request, "pages/join_check_email.html", context)


def join_confirm(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The link mailed for a sign-up to a course with an e-mail domain. Opening it shows a
    button (mail scanners open links: only the POST makes the account), which makes the
    account, signs it in and enrols it."""
    course = Course.objects.filter(invite_code=code, invite_open=True).first()
    pending = signup_pending_get(course=course, token=token) if course else None
    if request.method != "POST":
        if pending is None:
            return _confirm_failed(request, course, "This confirmation link has expired or was "
                                   "used already: sign up again with the invite link.", 404)
        return render(request, "pages/join_confirm.html", {"course": course, "pending": pending})
    try:
        user, joined = signup_confirm(invite_code=code, token=token)
    except CourseError as exc:
        return _confirm_failed(request, course, exc.message, 404)
    except AccountError as exc:
        return _confirm_failed(request, course, exc.message, http_status(exc))
    login(request, user, backend=_BACKEND)
    messages.success(request, f"Welcome, {user.username}: you are in {joined.title}.")
    return redirect("course-home", slug=joined.slug)


def _confirm_failed(
    request: HttpRequest, course: Course | None, reason: str, status: int
) -> HttpResponse:
    context = {"course": course, "reason": reason[:1].upper() + reason[1:]}
    return render(request, "pages/join_confirm.html", context, status=status)
