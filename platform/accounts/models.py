"""Users with a role, and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.usernames import (
    USERNAME_MAX_LENGTH,
    normalise,
    username_key,
    validate_not_lookalike,
)


class User(AbstractUser):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        INSTRUCTOR = "instructor", "Instructor"
        STAFF = "staff", "Staff"

    # Django's username, plus the look-alike rule (accounts/usernames.py): the admin, the
    # createsuperuser command and every full_clean refuse what the site's own forms refuse.
    username = models.CharField(
        "username",
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
        validators=[UnicodeUsernameValidator(), validate_not_lookalike],
        error_messages={"unique": "A user with that username already exists."},
    )
    # The username's key (accounts.usernames.username_key), set on every save: unique, so two
    # names differing only in case or by look-alike letters can never both exist.
    username_key = models.CharField(max_length=USERNAME_MAX_LENGTH, unique=True, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    # Set when someone else chose the password (a CSV upload, an instructor, the admin): until
    # the owner sets their own, every page leads to the password change and the API answers 403
    # `password_change_required` (accounts.middleware, accounts.selectors).
    must_change_password = models.BooleanField(
        default=False,
        help_text="The user must choose a new password at their next sign-in "
        "(set when someone else chose the current one).",
    )

    def clean(self) -> None:
        super().clean()  # NFKC-normalises the username and the e-mail's domain
        if not isinstance(self.username, str):  # a form that refused it already
            return
        self.username = normalise(self.username)
        self.username_key = username_key(self.username)
        # Checked here rather than by the unique column alone: a ModelForm validates only the
        # fields it shows, and the key is not one of them.
        other = User.objects.filter(username_key=self.username_key).exclude(pk=self.pk).first()
        if other is not None:
            raise ValidationError({"username": username_taken_message(self.username, other)})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)

    @property
    def is_instructor(self) -> bool:
        return self.role == self.Role.INSTRUCTOR

    @property
    def is_platform_staff(self) -> bool:
        """Staff of the platform: sees everything. Django superusers count as staff too."""
        return self.role == self.Role.STAFF or self.is_superuser


class ApiToken(models.Model):
    """A personal token for `Authorization: Bearer ...`.

    Only a SHA-256 digest is stored: a leaked database does not leak usable tokens. The prefix
    (the token's first characters) and the name let a user tell their tokens apart on their
    tokens page (/account/tokens/), where they also revoke them. A token past `expires_at` is
    refused (401, saying so); None means it never expires.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, blank=True, help_text="What the token is for, e.g. 'laptop' or 'CI'."
    )
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Refused from this moment on; empty: never expires."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


def username_taken_message(wanted: str, existing: User) -> str:
    """Why `wanted` cannot be a new username: `existing` has the same key."""
    if existing.username == wanted:
        return f"The username {wanted!r} is taken: choose another."
    return (
        f"The username {wanted!r} is taken: it is the same as the existing {existing.username!r} "
        "once upper and lower case and look-alike letters are set aside. Choose another."
    )
