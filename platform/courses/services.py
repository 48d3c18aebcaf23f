"""Writes for courses: creating them, enrolling people, assigning exercises."""

from __future__ import annotations

import csv
import io
import logging
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import User
from catalog.models import AlertResolution, Exercise, ExerciseAlert
from core.errors import DomainError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from courses.models import Assignment, Course, Enrolment, Invitation, new_invite_code
from courses.selectors import alert_open_in

logger = logging.getLogger(__name__)


class CourseError(DomainError):
    """A course action refused, with a message for the person who asked."""


# Short names that would collide with /teach/<name>/ pages of the site itself.
RESERVED_SLUGS = frozenset({"exercises", "new", "join"})


@transaction.atomic
def course_ensure(*, slug: str, title: str) -> Course:
    course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title})
    return course


@transaction.atomic
def course_create(*, title: str, slug: str = "", description: str = "", instructor: User) -> Course:
    """A new course taught by `instructor`. CourseError if the slug is taken or empty."""
    slug = slugify(slug or title)[:50]
    if not slug:
        raise CourseError("give the course a title or a short name made of letters and digits")
    if slug in RESERVED_SLUGS:
        raise CourseError(f"{slug!r} is reserved for the site's own pages: choose another")
    taken = CourseError(f"a course with the short name {slug!r} exists already: choose another")
    if Course.objects.filter(slug=slug).exists():
        raise taken
    try:
        # Two instructors picking the same name at the same moment: the constraint decides.
        with transaction.atomic():
            course = Course.objects.create(slug=slug, title=title.strip(), description=description)
    except IntegrityError:
        raise taken from None
    Enrolment.objects.create(course=course, user=instructor, role=Enrolment.Role.INSTRUCTOR)
    return course


@transaction.atomic
def enrolment_ensure(
    *, course: Course, user: User, role: str = Enrolment.Role.STUDENT
) -> Enrolment:
    """Enrol `user` in `course` with `role` (a user's platform role `staff` enrols as instructor)."""
    course_role = Enrolment.Role.STUDENT if role == User.Role.STUDENT else Enrolment.Role.INSTRUCTOR
    enrolment, created = Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": course_role}
    )
    if not created and enrolment.role != course_role:
        enrolment.role = course_role
        enrolment.save(update_fields=["role"])
    return enrolment


@transaction.atomic
def enrolment_join(*, user: User, invite_code: str) -> Course:
    """The invite link: join the course as a student. An instructor keeps their role."""
    course = Course.objects.filter(invite_code=invite_code, invite_open=True).first()
    if course is None:
        raise CourseError("this invite link is not valid (any more): ask your instructor")
    Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": Enrolment.Role.STUDENT}
    )
    # Joining by the link answers an invitation to the same course.
    Invitation.objects.filter(course=course, user=user).delete()
    return course


@transaction.atomic
def invitation_answer(*, user: User, invitation_id: int, accept: bool) -> Course | None:
    """Accept (join as a student) or decline an invitation addressed to `user`.

    Returns the course, or None when there is no such invitation of theirs (answered already).
    """
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, user=user).first()
    if invitation is None:
        return None
    course = invitation.course
    if accept:
        Enrolment.objects.get_or_create(
            course=course, user=user, defaults={"role": Enrolment.Role.STUDENT}
        )
    invitation.delete()
    return course


@transaction.atomic
def invite_code_reset(*, course: Course) -> str:
    course.invite_code = new_invite_code()
    course.save(update_fields=["invite_code"])
    return course.invite_code


@transaction.atomic
def invite_link_set_open(*, course: Course, is_open: bool) -> None:
    """Open or close the invite link; closing keeps the code, so reopening revives old links
    (reset the code to retire them for good)."""
    course.invite_open = is_open
    course.save(update_fields=["invite_open"])


@transaction.atomic
def enrolment_remove(*, course: Course, user: User) -> bool:
    """Take a student out of the course; False if they were not a student of it.

    Instructors are not removed this way (a course must not lose its teachers by a stray
    click). The student's submissions stay: enrolling them again brings their results back.
    """
    deleted, _ = Enrolment.objects.filter(
        course=course, user=user, role=Enrolment.Role.STUDENT
    ).delete()
    return deleted > 0


@dataclass
class CsvEnrolResult:
    # Existing accounts are invited, never enrolled: they join when their owner accepts.
    invited: list[str] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, first password)
    already: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 3: ..." messages


CSV_MAX_ROWS = 5000
# An upload larger than this is refused before it is read: 5,000 rows of username, e-mail and
# names fit in well under 1 MiB.
CSV_MAX_BYTES = 1024 * 1024


def enrol_from_csv(*, course: Course, text: str, invited_by: User | None = None) -> CsvEnrolResult:
    """Enrol the students of a CSV file: a header with `username` and optionally `email`,
    `first_name`, `last_name`. Unknown usernames become new student accounts with a random
    first password (shown once to the instructor). An existing account is only *invited*: it
    joins when its owner accepts (an instructor must not enrol someone else's account, and then
    read their work, alone). Bad rows are reported, the others kept.
    """
    result = CsvEnrolResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fields = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise CourseError(f"the header line is not valid CSV ({exc})") from exc
    if "username" not in fields:
        raise CourseError(
            "the CSV needs a header line with a 'username' column "
            "(optional: email, first_name, last_name)"
        )
    reader.fieldnames = fields
    rows: Iterable[dict[str, str | None]] = reader
    try:
        for count, row in enumerate(rows, start=1):
            if count > CSV_MAX_ROWS:
                result.errors.append(f"more than {CSV_MAX_ROWS} rows: the rest was not read")
                break
            # The file's own line number (blank lines skipped by the reader still count), as
            # the instructor's spreadsheet or editor shows it.
            _enrol_row(course, reader.line_num, row, result, invited_by)
    except csv.Error as exc:
        # A broken quote or an over-long field: the rows before it are enrolled already.
        result.errors.append(
            f"line {reader.line_num}: not valid CSV ({exc}): the rest was not read"
        )
    return result


@transaction.atomic
def _enrol_row(
    course: Course,
    number: int,
    row: dict[str, str | None],
    result: CsvEnrolResult,
    invited_by: User | None,
) -> None:
    from accounts.services import user_create

    username = (row.get("username") or "").strip()
    if not username:
        result.errors.append(f"line {number}: no username")
        return
    if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        result.errors.append(
            f"line {number}: {username[:40]!r} is not a valid username "
            "(letters, digits and @.+-_ only)"
        )
        return
    email = (row.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(f"line {number}: {email[:60]!r} is not a valid e-mail address")
            return
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(9)
        user = user_create(username=username, password=password, role=User.Role.STUDENT)
        for name in ("email", "first_name", "last_name"):
            value = (row.get(name) or "").strip()
            if value:
                setattr(user, name, value[:150])
        user.save()
        result.created.append((username, password))
    elif Enrolment.objects.filter(course=course, user=user).exists():
        result.already.append(username)
        return
    else:
        Invitation.objects.get_or_create(
            course=course, user=user, defaults={"invited_by": invited_by}
        )
        result.invited.append(username)
        return
    Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"role": Enrolment.Role.STUDENT}
    )


@transaction.atomic
def assignment_ensure(*, course: Course, exercise: Exercise, **rules: object) -> Assignment:
    """Assign `exercise` in `course` (or update its settings if it is assigned already)."""
    assignment, created = Assignment.objects.get_or_create(
        course=course, exercise=exercise, defaults=rules
    )
    if not created and rules:
        for name, value in rules.items():
            setattr(assignment, name, value)
        assignment.save()
    return assignment


@transaction.atomic
def assign_all(*, course: Course, published: bool = True) -> int:
    """Assign every active exercise not yet in the course (the demo course uses this)."""
    have = set(Assignment.objects.filter(course=course).values_list("exercise_id", flat=True))
    new = [
        Assignment(course=course, exercise=exercise, published=published)
        for exercise in Exercise.objects.filter(is_active=True).exclude(pk__in=have)
    ]
    Assignment.objects.bulk_create(new)
    return len(new)


class AssignmentInvalid(CourseError):
    """Settings an assignment cannot have; `errors` maps each bad setting to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


PENALTY_MAX = 100.0  # percent per day: at most the whole score


@transaction.atomic
def assignment_update(
    *,
    course: Course,
    exercise: Exercise,
    published: bool,
    due_at: datetime | None,
    late_policy: str,
    penalty_per_day: float,
    max_attempts: int | None,
    hidden_feedback: bool,
    solution_policy: str,
    solution_after_attempts: int,
) -> Assignment:
    """Set all of an assignment's rules at once, assigning the exercise if it is not yet.

    Validated here, not in a form, so every caller (a page, the API, a script) gets the same
    rules.
    """
    errors: dict[str, str] = {}
    if late_policy not in Assignment.LatePolicy.values:
        errors["late_policy"] = f"unknown late policy {late_policy!r}"
    if not (math.isfinite(penalty_per_day) and 0 <= penalty_per_day <= PENALTY_MAX):
        errors["penalty_per_day"] = "the penalty per day is a percentage from 0 to 100"
    if max_attempts is not None and max_attempts < 1:
        errors["max_attempts"] = "allow at least 1 attempt (leave it empty for no limit)"
    if solution_policy not in Assignment.SolutionPolicy.values:
        errors["solution_policy"] = f"unknown solution policy {solution_policy!r}"
    if solution_after_attempts < 0:
        errors["solution_after_attempts"] = "the number of attempts cannot be negative"
    if due_at is not None and timezone.is_naive(due_at):
        errors["due_at"] = "the due date needs a time zone"
    if errors:
        raise AssignmentInvalid(errors)
    return assignment_ensure(
        course=course,
        exercise=exercise,
        published=published,
        due_at=due_at,
        late_policy=late_policy,
        penalty_per_day=penalty_per_day,
        max_attempts=max_attempts,
        hidden_feedback=hidden_feedback,
        solution_policy=solution_policy,
        solution_after_attempts=solution_after_attempts,
    )


@transaction.atomic
def assignment_set_published(*, course: Course, exercise: Exercise, published: bool) -> Assignment:
    """Publish or unpublish; publishing an exercise not yet assigned assigns it with the
    default rules (no deadline, no attempt limit)."""
    return assignment_ensure(course=course, exercise=exercise, published=published)


@transaction.atomic
def alert_resolve(*, alert: ExerciseAlert, course: Course, user: User) -> bool:
    """Resolve `alert` for `course` only (other courses that assign the exercise still see it);
    False if it was resolved there already (or closed everywhere) since its last occurrence.

    Once every course that assigns the exercise has resolved it, it is closed everywhere
    (`resolved_at`), so the next failure of the version opens a new alert and e-mails the
    instructors again, as a resolved alert always did. Publishing a fixed version resolves
    nothing (catalog.services.exercise_publish_files never did): each course's instructor decides what
    to tell the students who got "could not be graded", then resolves the alert.
    """
    # Locked: two instructors of one course, or the last two courses, resolving at once.
    if ExerciseAlert.objects.select_for_update().filter(pk=alert.pk).first() is None:
        return False
    this_alert = ExerciseAlert.objects.filter(pk=alert.pk)
    if not this_alert.filter(alert_open_in(course)).exists():
        return False
    now = timezone.now()
    AlertResolution.objects.update_or_create(
        alert=alert, course=course, defaults={"resolved_by": user, "resolved_at": now}
    )
    assigning = set(alert.exercise.assignments.values_list("course_id", flat=True))
    resolved = set(
        AlertResolution.objects.filter(
            alert=alert, course_id__in=assigning, resolved_at__gte=F("alert__last_seen")
        ).values_list("course_id", flat=True)
    )
    if assigning <= resolved:
        this_alert.filter(resolved_at__isnull=True).update(resolved_at=now)
    return True


def alert_notify_instructors(*, alert: ExerciseAlert) -> int:
    """E-mail the instructors of every course that assigns the exercise (staff if none).

    Best effort: a mail server that is down must not fail the grading task; the alert is on
    the instructors' course pages anyway. Returns the number of recipients.
    """
    exercise = alert.exercise
    instructors = User.objects.filter(
        enrolments__role=Enrolment.Role.INSTRUCTOR,
        enrolments__course__assignments__exercise=exercise,
    )
    recipients = sorted({u.email for u in instructors if u.email})
    if not recipients:
        recipients = sorted({u.email for u in User.objects.filter(role=User.Role.STAFF) if u.email})
    logger.error(
        "exercise %s (version %s) could not grade a submission: %s",
        exercise.slug,
        alert.version.version,
        alert.message.splitlines()[-1] if alert.message else "",
    )
    if not recipients:
        return 0
    try:
        send_mail(
            subject=f"[{settings.SITE_NAME}] exercise {exercise.slug} cannot grade submissions",
            message=(
                f"The reference of {exercise.slug} (version {alert.version.version}) failed while "
                'grading a student\'s submission. The students see "could not be graded" (no '
                "attempt used) and can retry once a fixed version is published.\n\n"
                f"{alert.message}\n"
            ),
            from_email=None,
            recipient_list=recipients,
            fail_silently=False,
        )
    except Exception:
        logger.exception("could not e-mail the alert about %s", exercise.slug)
        return 0
    return len(recipients)
