"""URL map: the pages, the JSON API under /api/v1/, the admin and a health check."""

from __future__ import annotations

from api.api import api
from django.contrib import admin
from django.urls import include, path
from pages import views as page_views

urlpatterns = [
    path("", include("pages.urls")),
    # Authoring first: "exercises" is a reserved course short name (courses.services).
    path("teach/exercises/", include("authoring.urls")),
    path("teach/<slug:course>/gradebook/", include("gradebook.urls")),
    path("teach/", include("courses.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", page_views.healthz, name="healthz"),
]
