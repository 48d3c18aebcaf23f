"""Calls to an LMS's services, through pylti1p3: Assignment and Grade Services (a score to a
line item) and Names and Role Provisioning Services (a course's members).

The library signs the OAuth2 client assertion with our key and asks the platform's token
endpoint for an access token (client credentials), then calls the service with it. Failures
are sorted here for the callers: `PlatformUnavailable` is worth retrying (the LMS is down, slow,
or says so with a 5xx or 429), `PlatformRefused` is not (a 4xx: the line item is gone, the
tool's access was revoked; sending the same request again changes nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from lti.launch import http_session, registration_of
from lti.models import LinkedCourse, ResourceLink

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RETRY_STATUSES = frozenset({408, 425, 429})


class PlatformUnavailable(Exception):
    """The LMS could not be reached or asked us to come back later: retry."""


class PlatformRefused(Exception):
    """The LMS answered with a refusal that a retry will not change."""


@dataclass(frozen=True)
class ScoreToSend:
    user_id: str  # the student's `sub` at the platform
    score_given: float | None  # None: clear the score (nothing graded counts any more)
    score_maximum: float
    timestamp: datetime
    comment: str = ""


def _connector(linked: LinkedCourse) -> ServiceConnector:
    return ServiceConnector(registration_of(linked.platform), http_session())


@contextmanager
def _sorted_errors(action: str) -> Iterator[None]:
    """Turns the library's and requests' errors into the two of this module."""
    try:
        yield
    except requests.RequestException as error:
        raise PlatformUnavailable(f"{action}: {type(error).__name__}") from error
    except LtiServiceException as error:
        status = error.response.status_code
        text = f"{action}: HTTP {status} {error.response.text[:200]}"
        if status >= 500 or status in RETRY_STATUSES:
            raise PlatformUnavailable(text) from error
        raise PlatformRefused(text) from error
    except (LtiException, ValueError, KeyError) as error:
        raise PlatformRefused(f"{action}: {error}") from error


def score_send(link: ResourceLink, score: ScoreToSend) -> None:
    """POST one score to the link's line item (AGS). PlatformUnavailable / PlatformRefused."""
    linked = link.context
    if not link.lineitem_url:
        raise PlatformRefused("the LMS gave this activity no line item (is it graded in the LMS?)")
    grade = (
        Grade()
        .set_user_id(score.user_id)
        .set_score_maximum(score.score_maximum)
        .set_timestamp(score.timestamp.isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed" if score.score_given is not None else "Initialized")
        .set_grading_progress("FullyGraded" if score.score_given is not None else "NotReady")
    )
    if score.score_given is not None:
        grade.set_score_given(score.score_given)
    if score.comment:
        grade.set_comment(score.comment)
    scopes = list(linked.ags_scopes) or [SCORE_SCOPE]
    service = AssignmentsGradesService(
        _connector(linked),
        {"scope": scopes, "lineitem": link.lineitem_url},  # type: ignore[typeddict-item]
    )
    with _sorted_errors("sending the score"):
        service.put_grade(grade)


def members(linked: LinkedCourse) -> list[dict[str, Any]]:
    """Every member of the LMS course, all pages (NRPS)."""
    service = NamesRolesProvisioningService(
        _connector(linked), {"context_memberships_url": linked.memberships_url}
    )
    with _sorted_errors("reading the roster"):
        return list(service.get_members())
