"""Forms of the instructors' pages: they parse input; the rules live in courses.services."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from courses.models import Assignment, Course
from courses.services import CSV_MAX_BYTES, EXTRA_ATTEMPTS_MAX, PENALTY_MAX
from courses.time import zone_of


class CourseCreateForm(forms.Form):
    title = forms.CharField(max_length=Course._meta.get_field("title").max_length)
    slug = forms.CharField(
        label="Short name",
        required=False,
        max_length=50,
        help_text="Used in the course's addresses, e.g. ml101. Empty: made from the title.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CsvEnrolForm(forms.Form):
    csv_file = forms.FileField(
        label="CSV file",
        help_text=(
            "A header line with username, and optionally email, first_name, last_name; "
            "then one student per line. UTF-8 text, at most "
            f"{filesizeformat(CSV_MAX_BYTES)}."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_csv_file(self) -> str:
        """The file's text (the form's cleaned value is the decoded text, not the file)."""
        return read_csv_upload(self.cleaned_data["csv_file"])


def read_csv_upload(upload: UploadedFile) -> str:
    """An uploaded CSV file's text, or a ValidationError saying how to fix the file."""
    if upload.size is not None and upload.size > CSV_MAX_BYTES:
        raise forms.ValidationError(
            f"The file is too large: {upload.size:,} bytes, the limit is "
            f"{CSV_MAX_BYTES:,} bytes. Split it into smaller files."
        )
    data = upload.read(CSV_MAX_BYTES + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            'Save it again as "CSV UTF-8" (Excel) or with the character set '
            '"Unicode (UTF-8)" (LibreOffice) and upload it again.'
        ) from exc


class CourseDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown on the course's clock (courses/time.py), not
    the site's: "18:50" typed for a course in Europe/Paris is 18:50 in Paris. A time that does
    not exist there, or happens twice (summer time), is refused with Django's message."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zone: tzinfo = timezone.get_default_timezone()

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(self.zone):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, self.zone)
        return super().prepare_value(value)


def zone_label(course: Course) -> str:
    return str(zone_of(course))


# The box before its label, as people expect of a checkbox (Django's default puts the label first).
CHECKBOX_TEMPLATE = "courses/_checkbox_field.html"


class AssignmentForm(forms.Form):
    """One assignment's rules. Ranges are checked by `assignment_update`; the `min`/`max`
    attributes only help the browser say so early."""

    published = forms.BooleanField(
        required=False,
        template_name=CHECKBOX_TEMPLATE,
        label="Published",
        help_text="Students of the course see it and can submit for a grade.",
    )
    due_at = CourseDateTimeField(required=False, help_text="Empty: no deadline.")
    late_policy = forms.ChoiceField(label="Late submissions", choices=Assignment.LatePolicy.choices)
    penalty_per_day = forms.FloatField(
        label="Penalty per day late (percent)",
        help_text="Only with the penalty policy: each started day late costs this share of the score.",
        widget=forms.NumberInput(attrs={"min": 0, "max": PENALTY_MAX, "step": "any"}),
    )
    max_attempts = forms.IntegerField(
        required=False,
        label="Graded attempts allowed",
        help_text="Empty: unlimited. Practice runs never count.",
        widget=forms.NumberInput(attrs={"min": 1}),
    )
    feedback_release = forms.ChoiceField(
        label="Hidden cases' feedback shown",
        choices=Assignment.FeedbackRelease.choices,
        help_text=(
            "Until then students see only whether each hidden case passed, not its message, so "
            "hidden cases cannot be reverse-engineered from the feedback. A student's extension "
            "moves the deadline for them."
        ),
    )
    scores_released_at = CourseDateTimeField(
        required=False,
        help_text=(
            "Exam mode: until this moment students see that each graded submission was "
            "received, but no score, verdict or check. Empty: results show as soon as graded."
        ),
    )
    solution_policy = forms.ChoiceField(
        label="Worked solution shown", choices=Assignment.SolutionPolicy.choices
    )
    solution_after_attempts = forms.IntegerField(
        label="N (attempts before the worked solution shows)",
        help_text='Used by "once solved, or after N attempts".',
        widget=forms.NumberInput(attrs={"min": 0}),
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A typed "23:59" is read in the course's time zone, and shown in it.
        due_at = self.fields["due_at"]
        assert isinstance(due_at, CourseDateTimeField)
        due_at.zone = zone_of(course)
        due_at.label = f"Due date ({zone_label(course)} time)"
        released = self.fields["scores_released_at"]
        assert isinstance(released, CourseDateTimeField)
        released.zone = zone_of(course)
        released.label = f"Scores hidden until ({zone_label(course)} time)"

    @classmethod
    def initial_for(cls, assignment: Assignment | None) -> dict[str, Any]:
        """The form's values for an assignment (the model's defaults if not assigned yet)."""
        source = assignment or Assignment()
        return {name: getattr(source, name) for name in cls.base_fields}


class CourseTimeZoneForm(forms.Form):
    """The course's time zone; the name is checked by `course_time_zone_set`."""

    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text=(
            "An IANA name such as Europe/Paris, America/New_York or UTC. Deadlines are entered "
            "and shown in it; changing it moves no deadline, it shows them in the new zone."
        ),
        widget=forms.TextInput(attrs={"list": "time-zone-names", "autocomplete": "off"}),
    )


ALL_ASSIGNMENTS = ""


class ExtensionForm(forms.Form):
    """One student's extension: another deadline and/or extra attempts, on one assignment or
    on all of the course's. The rules are checked by `extension_grant`."""

    prefix = "extension"  # its fields' ids stay apart from the other forms of the course page

    student = forms.ChoiceField(label="Student")
    assignment = forms.ChoiceField(label="Assignment", required=False)
    due_at = CourseDateTimeField(
        required=False,
        help_text="Empty: the deadline stays. An extension only moves a deadline later.",
    )
    extra_attempts = forms.IntegerField(
        label="Extra graded attempts",
        min_value=0,
        max_value=EXTRA_ATTEMPTS_MAX,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": EXTRA_ATTEMPTS_MAX}),
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="For the instructors only: the student sees their rules, never why.",
    )

    def __init__(
        self,
        *args: Any,
        course: Course,
        students: list[tuple[int, str]],
        assignments: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", "Choose a student"), *students]
        self.fields["assignment"].choices = [
            (ALL_ASSIGNMENTS, "All of the course's assignments"),
            *assignments,
        ]
        due_at = self.fields["due_at"]
        assert isinstance(due_at, CourseDateTimeField)
        due_at.zone = zone_of(course)
        due_at.label = f"New deadline ({zone_label(course)} time)"


class ExtensionCsvForm(forms.Form):
    prefix = "extensions"  # the enrolment form's file field is "csv_file" too

    csv_file = forms.FileField(
        label="CSV file of extensions",
        help_text=(
            "A header line username,due_at,extra_attempts, optionally exercise and reason; then "
            "one extension per line. due_at is in the course's time zone (2030-12-07 18:50) or "
            "empty; an empty exercise means all of the course's assignments."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_csv_file(self) -> str:
        return read_csv_upload(self.cleaned_data["csv_file"])


class SignupDomainForm(forms.Form):
    """The e-mail domain new accounts need to join by the invite link; checked by
    `courses.signup.course_signup_domain_set`."""

    signup_domain = forms.CharField(
        label="E-mail domain for new accounts",
        required=False,
        max_length=253,
        help_text=(
            "E.g. uni.example: someone without an account can then create one through the "
            "invite link only with an address at exactly this domain, and joins once they open "
            "the link we e-mail to it. Empty: any address, and they join at once. Existing "
            "accounts join with the link as before."
        ),
        widget=forms.TextInput(attrs={"placeholder": "uni.example", "autocomplete": "off"}),
    )
