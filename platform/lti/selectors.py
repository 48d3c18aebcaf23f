"""Reads of the LTI app: an LMS-linked course's connection (its activities and the scores on
their way), and what an administrator pastes into an LMS."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from courses.models import Course
from lti.keys import jwks, public_pem, signing_key
from lti.models import LinkedCourse, Platform, ResourceLink, ScoreSend


@dataclass(frozen=True)
class CourseConnection:
    linked: list[LinkedCourse]
    links: list[ResourceLink]
    sends: list[ScoreSend]  # everything not sent yet (pending, sending, withheld, failed)
    counts: dict[str, int] = field(default_factory=dict)  # status -> how many, all sends

    @property
    def waiting(self) -> int:
        return sum(n for status, n in self.counts.items() if status != ScoreSend.Status.SENT)


def course_connection(course: Course) -> CourseConnection:
    linked = list(LinkedCourse.objects.filter(course=course).select_related("platform"))
    links = list(
        ResourceLink.objects.filter(context__course=course)
        .select_related("assignment__exercise", "context__platform")
        .order_by("assignment__order", "id")
    )
    sends_qs = ScoreSend.objects.filter(link__context__course=course)
    counts = Counter(sends_qs.values_list("status", flat=True))
    unsent = list(
        sends_qs.exclude(status=ScoreSend.Status.SENT)
        .select_related("student", "link__assignment__exercise")
        .order_by("status", "link_id", "student__username")
    )
    return CourseConnection(linked, links, unsent, dict(counts))


def linked_course_get(*, course: Course, pk: int) -> LinkedCourse | None:
    return (
        LinkedCourse.objects.select_related("platform", "course")
        .filter(course=course, pk=pk)
        .first()
    )


def platforms() -> QuerySet[Platform]:
    return Platform.objects.prefetch_related("deployments")


@dataclass(frozen=True)
class ToolSetup:
    """What an LMS administrator types into the LMS (docs/lti.md)."""

    base: str
    login_url: str
    launch_url: str
    jwks_url: str
    public_key: str
    canvas_json: dict[str, object]


def tool_setup(
    *, base: str, login_url: str, launch_url: str, jwks_url: str, title: str
) -> ToolSetup:
    key = signing_key()
    jwks()  # the first key exists from here on
    domain = base.split("://", 1)[-1].split("/", 1)[0]
    scopes = [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
    canvas = {
        "title": title,
        "description": "Deep-learning exercises graded automatically.",
        "oidc_initiation_url": login_url,
        "target_link_uri": launch_url,
        "public_jwk_url": jwks_url,
        "scopes": scopes,
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": domain,
                "privacy_level": "public",
                "settings": {
                    "placements": [
                        {
                            "placement": "assignment_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": launch_url,
                        },
                        {
                            "placement": "link_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": launch_url,
                        },
                    ]
                },
            }
        ],
        "custom_fields": {},
    }
    return ToolSetup(base, login_url, launch_url, jwks_url, public_pem(key), canvas)
