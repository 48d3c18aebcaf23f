from __future__ import annotations

from django.contrib import admin

from catalog.models import Exercise, ExerciseVersion


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "topic", "kind", "points", "source", "is_public", "is_active")
    list_filter = ("topic", "kind", "is_active")
    search_fields = ("slug", "title")
    # Everything comes from the files (a folder, or the authoring pages): edit them, not this.
    readonly_fields = (
        "slug",
        "title",
        "topic",
        "kind",
        "points",
        "difficulty",
        "minutes",
        "order",
        "requires",
        "topic_rank",
        "current_version",
        "is_active",
        "created_at",
        "updated_at",
    )


@admin.register(ExerciseVersion)
class ExerciseVersionAdmin(admin.ModelAdmin):
    list_display = ("exercise", "version", "created_at")
    list_filter = ("exercise__topic",)
    readonly_fields = (
        "exercise",
        "version",
        "files",
        "statement",
        "starter",
        "entry_point",
        "answer_type",
        "created_at",
    )
