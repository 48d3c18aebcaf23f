from __future__ import annotations

from django.contrib import admin

from courses.models import Course, Enrolment


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "time_zone", "created_at")
    search_fields = ("slug", "title")
    inlines = (EnrolmentInline,)
