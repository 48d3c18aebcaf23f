"""`python manage.py create_api_token USER [--name NAME] [--days N]`: print a new personal API
token for USER. The user sees it, with its name and expiry, on /account/tokens/ (and revokes it
there)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import api_token_create
from core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token (Authorization: Bearer ...) for a user and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="command line", help="a label to tell tokens apart (default: %(default)s)"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="valid for this many days (1-3650); without it the token never expires",
        )

    def handle(self, *args: object, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is deactivated")
        try:
            row, token = api_token_create(user=user, name=options["name"], days=options["days"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        # The token alone on stdout, so that `TOKEN=$(python manage.py create_api_token bob)`
        # works; the advice goes to stderr.
        self.stdout.write(token)
        expiry = f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "never expires"
        self.stderr.write(
            f"Token “{row.name}” ({expiry}). Shown once; store it now. "
            "Use it as: Authorization: Bearer <token>. Listed and revoked on /account/tokens/."
        )
