"""`python manage.py create_demo_users`: a demo instructor and student in a demo course.

Idempotent. Passwords come from DEMO_PASSWORD if set, else are generated once and kept in
VAR_DIR/demo-credentials.json (mode 0600), so every `make run` prints the same sign-in.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import api_token_create, user_create
from courses.services import assign_all, course_ensure, enrolment_ensure

DEMO_USERS = (("instructor", User.Role.INSTRUCTOR), ("student", User.Role.STUDENT))
DEMO_TOKEN_NAME = "demo token (make run)"


def _passwords() -> dict[str, str]:
    shared = os.environ.get("DEMO_PASSWORD", "")
    if shared:
        return {name: shared for name, _ in DEMO_USERS}
    path = Path(settings.VAR_DIR) / "demo-credentials.json"
    if path.exists():
        stored = json.loads(path.read_text())
        if all(name in stored for name, _ in DEMO_USERS):
            return stored
    passwords = {name: secrets.token_urlsafe(9) for name, _ in DEMO_USERS}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(passwords, handle)
    return passwords


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo instructor and student, enrolled in a demo course that "
        "assigns every exercise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--api-token",
            action="store_true",
            help="also print a fresh API token for the demo student (revoking the previous one)",
        )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        passwords = _passwords()
        course = course_ensure(slug="demo", title="Demo course: deep learning from scratch")
        for username, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(username=username, password=passwords[username], role=role)
            elif not user.check_password(passwords[username]):
                user.set_password(passwords[username])
                user.save(update_fields=["password"])
            enrolment_ensure(course=course, user=user, role=role)
            self.stdout.write(
                f"  {role:<10} username: {username:<10} password: {passwords[username]}"
            )
        # Every exercise of the bank, published without a deadline: the demo is open to try.
        assign_all(course=course)
        if options["api_token"]:
            student = User.objects.get(username="student")
            ApiToken.objects.filter(
                user=student, name=DEMO_TOKEN_NAME, revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            _row, token = api_token_create(user=student, name=DEMO_TOKEN_NAME)
            self.stdout.write(f"  student's API token (Authorization: Bearer ...): {token}")
