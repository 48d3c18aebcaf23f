"""Forms of the instructors' pages: they parse input; the rules live in courses.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from courses.models import Assignment, Course
from courses.services import CSV_MAX_BYTES, PENALTY_MAX


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
        upload: UploadedFile = self.cleaned_data["csv_file"]
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
    due_at = forms.DateTimeField(
        required=False,
        help_text="Empty: no deadline.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
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
    hidden_feedback = forms.BooleanField(
        required=False,
        template_name=CHECKBOX_TEMPLATE,
        label="Show the hidden cases' feedback before the deadline",
        help_text=(
            "Unticked: before the deadline students see only whether each hidden case passed, "
            "not its message, so hidden cases cannot be reverse-engineered from the feedback."
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The course's time zone is the site's: a typed "23:59" is read in it, and shown in it.
        self.fields["due_at"].label = f"Due date ({timezone.get_current_timezone_name()} time)"

    @classmethod
    def initial_for(cls, assignment: Assignment | None) -> dict[str, Any]:
        """The form's values for an assignment (the model's defaults if not assigned yet)."""
        source = assignment or Assignment()
        return {name: getattr(source, name) for name in cls.base_fields}
