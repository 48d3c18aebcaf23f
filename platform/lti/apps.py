from __future__ import annotations

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (LMS integration)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The receivers that turn score changes into sends to the LMS (lti/receivers.py).
        from lti import receivers  # noqa: F401
