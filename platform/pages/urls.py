from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from pages import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", auth_views.LoginView.as_view(), name="login"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise-detail"),
    path("submissions/", views.my_submissions, name="my-submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/retry/", views.submission_retry_view, name="submission-retry"),
]
