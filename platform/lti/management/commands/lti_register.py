"""`python manage.py lti_register`: register deepgrade's registration in an LMS (docs/lti.md).

Idempotent by (issuer, client id): run it again to change the URLs or add a deployment id.
Prints what the LMS needs from deepgrade (its login, launch and JWKS URLs) when given --site.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lti.services import platform_register


class Command(BaseCommand):
    help = "Register (or update) an LTI 1.3 platform: an LMS deepgrade is installed in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="e.g. 'Moodle of the university'")
        parser.add_argument("--issuer", required=True, help="the platform's issuer (iss)")
        parser.add_argument("--client-id", required=True, help="the client id it gave deepgrade")
        parser.add_argument("--auth-url", required=True, help="OIDC authentication request URL")
        parser.add_argument("--token-url", required=True, help="OAuth2 access token URL")
        parser.add_argument("--jwks-url", required=True, help="the platform's public keyset URL")
        parser.add_argument(
            "--deployment", action="append", default=[], help="a deployment id (repeatable)"
        )
        parser.add_argument("--audience", default="", help="token audience, if not the token URL")
        parser.add_argument("--site", default="", help="deepgrade's address, to print its URLs")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["deployment"]:
            raise CommandError("give at least one --deployment: launches from others are refused")
        try:
            platform = platform_register(
                name=options["name"],
                issuer=options["issuer"],
                client_id=options["client_id"],
                auth_login_url=options["auth_url"],
                auth_token_url=options["token_url"],
                key_set_url=options["jwks_url"],
                deployment_ids=options["deployment"],
                auth_audience=options["audience"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        deployments = ", ".join(platform.deployments.values_list("deployment_id", flat=True))
        self.stdout.write(f"registered {platform} with deployments {deployments}")
        site = options["site"].rstrip("/")
        if site:
            self.stdout.write(f"  login URL:  {site}/lti/login/")
            self.stdout.write(f"  launch URL: {site}/lti/launch/  (also the deep linking URL)")
            self.stdout.write(f"  JWKS URL:   {site}/lti/jwks.json")
