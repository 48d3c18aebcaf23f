from __future__ import annotations

from django.urls import path

from lti import views

# Under /lti/ (config/urls.py). The first four are what an LMS is configured with.
urlpatterns = [
    path("login/", views.login_view, name="lti-login"),
    path("launch/", views.launch_view, name="lti-launch"),
    path("jwks.json", views.jwks_view, name="lti-jwks"),
    path("enter/<str:secret>/", views.enter_view, name="lti-enter"),
    path("deep-link/", views.pick_view, name="lti-pick"),
    path("setup/", views.setup_view, name="lti-setup"),
    path("courses/<slug:course>/", views.connection_view, name="lti-connection"),
    path("courses/<slug:course>/resend/", views.resend_view, name="lti-resend"),
    path("courses/<slug:course>/roster/<int:pk>/", views.roster_view, name="lti-roster"),
]
