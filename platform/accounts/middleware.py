"""A user whose password was chosen by someone else changes it before anything else.

Accounts made by a CSV upload, by an instructor or in the admin carry `must_change_password`
(accounts.models.User). While it is set, every page of the signed-in user leads to the password
change page (and back to where they were going once it is changed), and the JSON API answers
403 `password_change_required`; a personal API token is refused the same way by
`accounts.selectors.user_for_api_token`. So the first password, which its author saw, opens
nothing but the page that replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services import PasswordChangeRequired

# The pages such a user may still open: the change itself, and signing out.
ALLOWED = frozenset({"password_change", "logout"})


class PasswordChangeRequiredMiddleware:
    """After AuthenticationMiddleware (it reads `request.user`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED and not match.namespace:
            return None
        if match is not None and match.namespace == "api":
            error = PasswordChangeRequired()
            return JsonResponse({"message": error.message, "code": error.code}, status=403)
        target = reverse("password_change")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
