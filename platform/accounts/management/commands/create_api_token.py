"""`python manage.py create_api_token USER`: print a new personal API token for USER."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token (Authorization: Bearer ...) for a user and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to tell tokens apart")

    def handle(self, *args: object, **options: str) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is deactivated")
        _row, token = api_token_create(user=user, name=options["name"])
        # The token alone on stdout, so that `TOKEN=$(python manage.py create_api_token bob)`
        # works; the advice goes to stderr.
        self.stdout.write(token)
        self.stderr.write("Shown once; store it now. Use it as: Authorization: Bearer <token>")
