"""`python manage.py lti_keys [rotate]`: deepgrade's LTI signing keys (lti/keys.py).

Without an argument, lists them. `rotate` makes a new signing key; the old one stays in the
JWKS for LTI_KEY_GRACE_DAYS, and keys retired before that are deleted. Rotate on a schedule
(a cron job, e.g. every 90 days) or at once if a private key may have leaked.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lti.keys import key_rotate, signing_key
from lti.models import ToolKey


class Command(BaseCommand):
    help = "List or rotate deepgrade's LTI signing keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "rotate"], default="list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rotate":
            key, deleted = key_rotate()
            self.stdout.write(f"new signing key {key.kid}; {deleted} expired key(s) deleted")
        else:
            signing_key()  # the first one, if none yet
        for key in ToolKey.objects.all():
            state = (
                "signing" if key.retired_at is None else f"retired {key.retired_at:%Y-%m-%d %H:%M}"
            )
            self.stdout.write(f"{key.kid}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")
