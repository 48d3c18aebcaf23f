"""Template filters for deadlines in a course's time zone (courses/time.py).

{% load course_time %}
{{ assignment.due_at|deadline:course }}        Mon 7 Dec, 18:50 CET
{{ rules.due_at|deadline:rules }}              the same, for a student's own rules
{{ assignment.due_at|course_iso:course }}      2030-12-07T18:50:00+01:00 (for <time>)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from courses.time import deadline_text, in_course_zone

register = template.Library()


@register.filter
def deadline(when: datetime | None, where: Any) -> str:
    return deadline_text(when, where) if isinstance(when, datetime) else ""


@register.filter
def course_iso(when: datetime | None, where: Any) -> str:
    return in_course_zone(where, when).isoformat() if isinstance(when, datetime) else ""
