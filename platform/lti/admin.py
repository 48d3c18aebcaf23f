"""The LTI registrations in the admin: platforms with their deployments, the keys (never their
private half), and the scores on their way (read-only: sends are the outbox's to change)."""

from __future__ import annotations

from django.contrib import admin

from lti.models import Deployment, Identity, LinkedCourse, Platform, ScoreSend, ToolKey


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "is_active", "created_at")
    inlines = (DeploymentInline,)


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    fields = ("kid", "public_jwk", "created_at", "retired_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False  # `manage.py lti_keys rotate` makes keys


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "issuer", "sub", "created_at")
    search_fields = ("user__username", "sub")
    raw_id_fields = ("user",)


@admin.register(LinkedCourse)
class LinkedCourseAdmin(admin.ModelAdmin):
    list_display = ("title", "platform", "context_id", "course", "roster_synced_at")
    raw_id_fields = ("course",)


@admin.register(ScoreSend)
class ScoreSendAdmin(admin.ModelAdmin):
    list_display = (
        "student",
        "link",
        "status",
        "score_given",
        "attempts",
        "last_error",
        "updated_at",
    )
    list_filter = ("status",)
    readonly_fields = tuple(f.name for f in ScoreSend._meta.fields)

    def has_add_permission(self, request: object) -> bool:
        return False
