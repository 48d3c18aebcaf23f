"""URL map: the pages, the JSON API under /api/v1/, the admin and a health check."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts import token_views
from api.api import api
from pages import views as page_views

urlpatterns = [
    path("", include("pages.urls")),
    path("account/tokens/", token_views.token_list, name="account-tokens"),
    path(
        "account/tokens/<int:pk>/revoke/", token_views.token_revoke, name="account-token-revoke"
    ),
    # Authoring first: "exercises" is a reserved course short name (courses.services).
    path("teach/exercises/", include("authoring.urls")),
    path("teach/<slug:course>/gradebook/", include("gradebook.urls")),
    path("", include("reviews.urls")),
    path("teach/", include("courses.urls")),
    path("api/v1/", api.urls),
    path("lti/", include("lti.urls")),
    path("admin/", admin.site.urls),
    path("healthz", page_views.healthz, name="healthz"),
]
