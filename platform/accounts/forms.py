"""Account forms: Django's own (auth.forms), with the site's rules added.

- The password forms end a pending forced change (`must_change_password`) through
  `accounts.services.password_set`, and refuse the current password as the new one: a first
  password chosen by someone else must really be replaced.
- The admin's forms start a forced change: a password chosen by staff is someone else's choice.
- The sign-in form reads a username as its account's (`Bob`, `ｂｏｂ` sign in as `bob`: one
  account per key, accounts/usernames.py), before the password is checked or a failure counted,
  so that the lock-out after failed attempts counts every spelling of one account together.
- The sign-up form checks the username rules of accounts/usernames.py (through the model's
  validators and `User.clean`) and, when a course asks for it, the e-mail's domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import password_set
from accounts.usernames import username_key

SAME_PASSWORD = "This is your current password: choose a new one."


class SignInForm(auth_forms.AuthenticationForm):
    def clean_username(self) -> str:
        typed = self.cleaned_data.get("username", "")
        # An unknown name stays as typed: the failure is then counted for it, as for any name.
        stored = (
            User.objects.filter(username_key=username_key(typed))
            .values_list("username", flat=True)
            .first()
        )
        return stored or typed


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and cleaned.get("old_password") == new:
            self.add_error("new_password1", SAME_PASSWORD)
        return cleaned

    def save(self, commit: bool = True) -> User:
        password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The last step of a password reset by e-mail."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        # Resetting to the password someone else chose would keep it known to them.
        if new and self.user.check_password(new):
            self.add_error("new_password1", SAME_PASSWORD)
        return cleaned

    def save(self, commit: bool = True) -> User:
        password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's "add user": the person must replace the password staff typed."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.must_change_password = user.has_usable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "set password" for a user: they must replace it at their next sign-in."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.must_change_password = user.has_usable_password()
        if commit:
            user.save()
        return user


class SignupForm(auth_forms.UserCreationForm):
    """A new account: username, e-mail, password twice (Django's password validators).

    Only validates; the account is created by a service, which checks every rule again (two
    sign-ups racing for one username). `email_rule` is the caller's extra rule for the address
    (a course's e-mail domain): it returns why an address is refused, or None.
    """

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="Where a password reset is sent.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(
        self,
        *args: Any,
        email_rule: Callable[[str], str | None] | None = None,
        email_help: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.email_rule = email_rule
        self.fields["username"].help_text = (
            "Letters, digits and @ . + - _ (150 at most), in one alphabet. Upper and lower case "
            "do not make another name: Ann and ann are the same."
        )
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        if email_help:
            self.fields["email"].help_text = email_help

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        problem = self.email_rule(email) if self.email_rule else None
        if problem:
            raise ValidationError(problem)
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account already uses this address: sign in with it (or reset its password "
                "from the sign-in page), then open the invite link again."
            )
        return email
