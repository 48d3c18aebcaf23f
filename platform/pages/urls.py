from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import SignInForm
from pages import accounts, bundles, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "signin/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's auth views under their own names (their templates and e-mails use them).
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("courses/", views.course_list, name="course-list"),
    path("courses/<slug:slug>/", views.course_home, name="course-home"),
    path("courses/<slug:slug>/bundle.zip", bundles.course_bundle, name="course-bundle"),
    path(
        "courses/<slug:slug>/exercises/<slug:exercise>/",
        views.course_exercise,
        name="course-exercise",
    ),
    path(
        "courses/<slug:slug>/exercises/<slug:exercise>/solution/",
        views.solution_open_view,
        name="solution-open",
    ),
    path("join/<str:code>/", views.course_join, name="course-join"),
    path("join/<str:code>/confirm/<str:token>/", accounts.join_confirm, name="course-join-confirm"),
    path("invitations/<int:pk>/", views.invitation_answer_view, name="invitation-answer"),
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise-detail"),
    path("exercises/<slug:slug>/another/", views.exercise_another, name="exercise-another"),
    path("exercises/<slug:slug>/bundle.zip", bundles.exercise_bundle, name="exercise-bundle"),
    path("exercises/<slug:slug>/history/", views.exercise_history, name="exercise-history"),
    path("submissions/", views.my_submissions, name="my-submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/retry/", views.submission_retry_view, name="submission-retry"),
    path("submissions/<int:a>/diff/<int:b>/", views.submission_diff, name="submission-diff"),
    path("help/offline/", views.offline_help, name="offline-help"),
    path(f"downloads/{bundles.WHEEL_NAME}", bundles.graders_wheel, name="graders-wheel"),
]
