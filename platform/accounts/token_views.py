"""The user's own API tokens, /account/tokens/: create one (shown once), list, revoke.

Thin views over accounts.services (api_token_create, api_token_revoke) and accounts.selectors
(api_tokens_of). Every response of these pages is no-store (config.middleware), the page that
shows a new token included.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import api_tokens_of
from accounts.services import (
    TOKEN_LIFETIMES,
    TOKEN_NAME_MAX_LENGTH,
    api_token_create,
    api_token_revoke,
)
from core.errors import DomainError, NotFound, http_status

NEVER = "never"


def _lifetime_label(days: int | None) -> str:
    if days is None:
        return "Never expires"
    return "1 year" if days == 365 else f"{days} days"


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text="What it is for, e.g. “laptop” or “CI”: the list below shows it.",
    )
    lifetime = forms.ChoiceField(
        label="Expires after",
        choices=[(str(days or NEVER), _lifetime_label(days)) for days in TOKEN_LIFETIMES],
        initial="90",
    )

    def days(self) -> int | None:
        chosen = self.cleaned_data["lifetime"]
        return None if chosen == NEVER else int(chosen)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens and the form; POST: create one and show it, once."""
    form = TokenForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "new_token": None}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row, token = api_token_create(
                    user=request.user, name=form.cleaned_data["name"], days=form.days()
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = http_status(exc)
            else:
                context.update(new_token=token, new_row=row, form=TokenForm())
        else:
            status = 400
    context["tokens"] = api_tokens_of(request.user)
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = api_token_revoke(user=request.user, token_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    messages.success(
        request, f"Token “{row.name or row.prefix + '…'}” revoked: it no longer works."
    )
    return redirect("account-tokens")
