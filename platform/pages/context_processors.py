from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    # `site_title` is what the pages are titled with: Django's auth views (sign-in, password
    # change and reset) put the request's host name in `site_name`, over this one.
    return {"site_name": settings.SITE_NAME, "site_title": settings.SITE_NAME}
