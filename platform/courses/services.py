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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from catalog.models import AlertResolution, Exercise, ExerciseAlert
from core.errors import DomainError
from courses.models import (
    Assignment,
    Course,
    Enrolment,
    Extension,
    Invitation,
    new_invite_code,
)
from courses.selectors import alert_open_in, students_of
from courses.time import canonical_zone_name, deadline_text, local_instant

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
    # "line 3: ..." remarks on rows that were used (a username read in its normal form).
    notes: list[str] = field(default_factory=list)


CSV_MAX_ROWS = 5000
# An upload larger than this is refused before it is read: 5,000 rows of username, e-mail and
# names fit in well under 1 MiB.
CSV_MAX_BYTES = 1024 * 1024


def enrol_from_csv(*, course: Course, text: str, invited_by: User | None = None) -> CsvEnrolResult:
    """Enrol the students of a CSV file: a header with `username` and optionally `email`,
    `first_name`, `last_name`. Unknown usernames become new student accounts with a random
    first password (shown once to the instructor), which the student must change at their first
    sign-in. Usernames follow accounts/usernames.py: "Bob" is the existing "bob", a look-alike
    is refused on its line. An existing account is only *invited*: it
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
    from accounts.services import AccountError, user_create
    from accounts.usernames import lookalike_problem, normalise, username_key

    typed = (row.get("username") or "").strip()
    if not typed:
        result.errors.append(f"line {number}: no username")
        return
    # The username rules of accounts/usernames.py, as for every account: stored in NFKC form
    # (ｂｏｂ is bob), refused when it mixes look-alike alphabets.
    username = normalise(typed)
    problem = lookalike_problem(username)
    if problem:
        result.errors.append(f"line {number}: {problem}")
        return
    if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        result.errors.append(
            f"line {number}: {typed[:40]!r} is not a valid username "
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
    if typed != username:
        result.notes.append(f"line {number}: {typed!r} is read as {username!r}")
    user = User.objects.filter(username_key=username_key(username)).first()
    if user is not None and user.username.casefold() != username.casefold():
        # Not the same name in another case: a look-alike of it, which no account may have.
        result.errors.append(
            f"line {number}: {username!r} looks like the existing account {user.username!r}: "
            "check the spelling (an existing account is invited under its own name)"
        )
        return
    if user is not None and user.username != username:
        result.notes.append(f"line {number}: {username!r} is the account {user.username!r}")
    if user is None:
        password = secrets.token_urlsafe(9)
        try:
            user = user_create(
                username=username,
                password=password,
                role=User.Role.STUDENT,
                email=email,
                first_name=(row.get("first_name") or "").strip()[:150],
                last_name=(row.get("last_name") or "").strip()[:150],
                # The instructor sees this password: the student replaces it at first sign-in.
                must_change_password=True,
            )
        except AccountError as exc:  # e.g. made by another upload a moment ago
            result.errors.append(f"line {number}: {exc.message}")
            return
        result.created.append((user.username, password))
    elif Enrolment.objects.filter(course=course, user=user).exists():
        result.already.append(user.username)
        return
    else:
        Invitation.objects.get_or_create(
            course=course, user=user, defaults={"invited_by": invited_by}
        )
        result.invited.append(user.username)
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
    feedback_release: str,
    solution_policy: str,
    solution_after_attempts: int,
    scores_released_at: datetime | None = None,
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
    if feedback_release not in Assignment.FeedbackRelease.values:
        errors["feedback_release"] = f"unknown feedback release {feedback_release!r}"
    if solution_after_attempts < 0:
        errors["solution_after_attempts"] = "the number of attempts cannot be negative"
    if due_at is not None and timezone.is_naive(due_at):
        errors["due_at"] = "the due date needs a time zone"
    if scores_released_at is not None and timezone.is_naive(scores_released_at):
        errors["scores_released_at"] = "the release date needs a time zone"
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
        feedback_release=feedback_release,
        solution_policy=solution_policy,
        solution_after_attempts=solution_after_attempts,
        scores_released_at=scores_released_at,
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


# -- time zone ---------------------------------------------------------------------------------
@transaction.atomic
def course_time_zone_set(*, course: Course, time_zone: str) -> Course:
    """Set the course's time zone (an IANA name, spelled as the tz database does: "europe/paris"
    is taken as Europe/Paris). Deadlines are instants: none moves, they show in the new zone.
    CourseError for a name the tz database does not know."""
    name = canonical_zone_name(time_zone)
    if name is None:
        shown = time_zone.strip()[:64]
        raise CourseError(
            f"unknown time zone {shown!r}: use an IANA name such as Europe/Paris, "
            "America/New_York, Asia/Kolkata or UTC"
        )
    course.time_zone = name
    course.save(update_fields=["time_zone"])
    return course


# -- extensions and accommodations -------------------------------------------------------------
EXTRA_ATTEMPTS_MAX = 100
REASON_MAX = 500


@transaction.atomic
def extension_grant(
    *,
    course: Course,
    student: User,
    assignment: Assignment | None,
    due_at: datetime | None,
    extra_attempts: int,
    reason: str,
    created_by: User | None,
) -> Extension:
    """Give `student` another deadline and/or extra graded attempts on `assignment` (None: on
    every assignment of the course), replacing the extension they had there. How extensions
    apply is courses/rules.py: a deadline only ever moves later, extra attempts add up.

    CourseError, with a message for the instructor, when it would change nothing or does not
    fit the assignment (a deadline before its own, attempts on an unlimited one).
    """
    if not Enrolment.objects.filter(
        course=course, user=student, role=Enrolment.Role.STUDENT
    ).exists():
        raise CourseError(f"{student.username} is not a student of this course")
    if assignment is not None and assignment.course_id != course.pk:
        raise CourseError("that assignment is not in this course")
    if not 0 <= extra_attempts <= EXTRA_ATTEMPTS_MAX:
        raise CourseError(f"extra attempts are a number from 0 to {EXTRA_ATTEMPTS_MAX}")
    if due_at is not None and timezone.is_naive(due_at):
        raise CourseError("the new deadline needs a time zone")
    if due_at is None and extra_attempts == 0:
        raise CourseError("give a new deadline, extra attempts, or both: this changes nothing")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise CourseError(f"the reason is {len(reason)} characters long; at most {REASON_MAX}")
    if assignment is not None:
        title = assignment.exercise.title
        if due_at is not None and assignment.due_at is None:
            raise CourseError(f"“{title}” has no deadline: there is none to extend")
        if due_at is not None and assignment.due_at is not None and due_at <= assignment.due_at:
            own = deadline_text(assignment.due_at, course)
            raise CourseError(
                f"the new deadline is not after “{title}”'s own ({own}): an extension only "
                "moves a deadline later"
            )
        if extra_attempts and assignment.max_attempts is None:
            raise CourseError(f"“{title}” allows unlimited attempts already: none to add")
    # One per (student, assignment or all): a new grant replaces the old one, and its date and
    # author are the new grant's.
    Extension.objects.filter(course=course, student=student, assignment=assignment).delete()
    return Extension.objects.create(
        course=course,
        student=student,
        assignment=assignment,
        due_at=due_at,
        extra_attempts=extra_attempts,
        reason=reason,
        created_by=created_by,
    )


@transaction.atomic
def extension_remove(*, course: Course, pk: int) -> bool:
    """Take back an extension of the course; False if it is gone already (a second click)."""
    deleted, _ = Extension.objects.filter(course=course, pk=pk).delete()
    return deleted > 0


@dataclass
class ExtensionCsvResult:
    granted: list[str] = field(default_factory=list)  # "alice: all assignments"
    errors: list[str] = field(default_factory=list)  # "line 3: ..."


EXTENSION_CSV_COLUMNS = ("username", "due_at", "extra_attempts")


def _csv_deadline(text: str, course: Course) -> datetime | None:
    """A CSV's due_at: empty, or a date and time on the course's clock ("2030-12-07 18:50"),
    or with an explicit offset ("2030-12-07T18:50+01:00"). ValueError saying what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not a date and time: write it as 2030-12-07 18:50"
        ) from None
    if len(text) <= 10:  # a date alone would be midnight: rarely what is meant
        raise ValueError(f"{text!r} has no time of day: write it as {text} 23:59, for example")
    if timezone.is_aware(parsed):
        return parsed
    return local_instant(parsed, course)


def extensions_from_csv(
    *, course: Course, text: str, created_by: User | None
) -> ExtensionCsvResult:
    """Grant the extensions of a CSV file: a header with username, due_at, extra_attempts and
    optionally exercise (a slug; empty: all assignments) and reason. Each line is granted on
    its own (extension_grant); bad lines are reported with their number, the others kept."""
    result = ExtensionCsvResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fields = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise CourseError(f"the header line is not valid CSV ({exc})") from exc
    if not set(EXTENSION_CSV_COLUMNS) <= set(fields):
        raise CourseError(
            "the CSV needs a header line username,due_at,extra_attempts "
            "(optional: exercise, reason)"
        )
    reader.fieldnames = fields
    students = {user.username: user for user in students_of(course)}
    assignments = {
        a.exercise.slug: a
        for a in Assignment.objects.filter(course=course).select_related("exercise")
    }
    try:
        for count, row in enumerate(reader, start=1):
            if count > CSV_MAX_ROWS:
                result.errors.append(f"more than {CSV_MAX_ROWS} rows: the rest was not read")
                break
            line = reader.line_num
            try:
                granted = _extension_row(course, row, students, assignments, created_by)
            except (CourseError, ValueError) as exc:
                message = exc.message if isinstance(exc, CourseError) else str(exc)
                result.errors.append(f"line {line}: {message}")
            else:
                result.granted.append(granted)
    except csv.Error as exc:
        result.errors.append(
            f"line {reader.line_num}: not valid CSV ({exc}): the rest was not read"
        )
    return result


def _extension_row(
    course: Course,
    row: dict[str, str | None],
    students: dict[str, User],
    assignments: dict[str, Assignment],
    created_by: User | None,
) -> str:
    username = (row.get("username") or "").strip()
    if not username:
        raise CourseError("no username")
    student = students.get(username)
    if student is None:
        raise CourseError(f"{username[:40]!r} is not a student of this course")
    slug = (row.get("exercise") or "").strip()
    assignment = None
    if slug:
        assignment = assignments.get(slug)
        if assignment is None:
            raise CourseError(f"{slug[:60]!r} is not assigned in this course")
    attempts_text = (row.get("extra_attempts") or "").strip() or "0"
    try:
        extra_attempts = int(attempts_text)
    except ValueError:
        raise CourseError(f"extra_attempts {attempts_text[:20]!r} is not a whole number") from None
    extension_grant(
        course=course,
        student=student,
        assignment=assignment,
        due_at=_csv_deadline(row.get("due_at") or "", course),
        extra_attempts=extra_attempts,
        reason=(row.get("reason") or "").strip()[:REASON_MAX],
        created_by=created_by,
    )
    return f"{username}: {assignment.exercise.title if assignment else 'all assignments'}"
