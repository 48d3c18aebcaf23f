"""A course's time zone: deadlines are entered and shown in it, with the zone named.

Deadlines are stored as instants (aware datetimes, UTC in the database). A course's instructor
types "18:50" in the course's zone (an IANA name such as Europe/Paris), and every page shows
the deadline back in that zone with its abbreviation ("Mon 7 Dec, 18:50 CET"), whatever the
site's TIME_ZONE and whoever reads it. Days late are counted on the course's clock as well
(courses/rules.py), so a deadline at 18:50 moves neither across a change to or from summer time.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone


@functools.lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name this machine knows (its tz database)."""
    return frozenset(zoneinfo.available_timezones())


def canonical_zone_name(name: str) -> str | None:
    """`name` as the tz database spells it ("europe/paris" -> "Europe/Paris"), or None when
    no zone has that name."""
    name = name.strip()
    names = zone_names()
    if name in names:
        return name
    folded = [known for known in names if known.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


@functools.lru_cache(maxsize=256)
def zone_named(name: str) -> tzinfo:
    """The zone of that name; the site's zone when it is unknown here (a name stored by a
    machine whose tz database had it): a page must render, in a zone it names."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def zone_of(where: Any) -> tzinfo:
    """The zone of a course, of anything with a `zone` (courses.rules.StudentRules), or of a
    zone name."""
    if isinstance(where, tzinfo):
        return where
    if isinstance(where, str):
        return zone_named(where)
    zone = getattr(where, "zone", None)
    if isinstance(zone, tzinfo):
        return zone
    return zone_named(getattr(where, "time_zone", "") or settings.TIME_ZONE)


def in_course_zone(course: Any, when: datetime) -> datetime:
    """`when` on the course's clock (an aware datetime in its zone)."""
    return when.astimezone(zone_of(course))


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation at that moment ("CET", "CEST"); a zone without one gets its
    offset ("UTC-03" rather than the tz database's bare "-03")."""
    name = local.tzname() or ""
    if name[:1] in "+-" and name:
        return f"UTC{name}"
    return name


def deadline_text(when: datetime | None, where: Any, *, now: datetime | None = None) -> str:
    """ "Mon 7 Dec, 18:50 CET" in the zone of `where` (a course, a StudentRules, a name); the
    year is added when it is not the current one. "" for no deadline."""
    if when is None:
        return ""
    local = in_course_zone(where, when)
    this_year = in_course_zone(where, now or timezone.now()).year
    year = "" if local.year == this_year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M} {abbreviation(local)}"


def local_days_after(when: datetime, where: Any, days: int) -> datetime:
    """The instant `days` calendar days after `when` on the course's clock: 18:50 stays 18:50
    across a change of summer time (the day between is 23 or 25 hours long)."""
    zone = zone_of(where)
    wall = when.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=zone)


def local_instant(wall: datetime, where: Any) -> datetime:
    """The instant a clock in the course's zone shows as `wall` (a naive datetime).

    ValueError when that time does not exist there (skipped when summer time starts) or
    happens twice (when it ends): a deadline must name one instant, so the person is asked to
    pick another time rather than be given a guess.
    """
    zone = zone_of(where)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    # In a gap the clock never shows `wall`: the round trip through UTC lands elsewhere.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip it when summer "
            "time starts): choose another time"
        )
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M} happens twice in {zone} (the clocks go back when summer "
            "time ends): choose another time"
        )
    return first
