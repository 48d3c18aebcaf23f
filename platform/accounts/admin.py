from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.forms import AdminPasswordChangeForm, AdminUserCreationForm
from accounts.models import ApiToken, User


@admin.register(User)
class DeepgradeUserAdmin(UserAdmin):
    # A password typed here is staff's choice: the person replaces it at their next sign-in
    # (accounts.forms). Usernames follow accounts/usernames.py through the model's validators.
    add_form = AdminUserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "email", "role", "is_active", "must_change_password", "last_login")
    list_filter = ("role", "is_active", "must_change_password")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("deepgrade", {"fields": ("role", "must_change_password")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at"
    )
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    search_fields = ("user__username", "prefix")
