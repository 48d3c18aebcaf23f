from __future__ import annotations

from django import forms
from submissions.models import Submission


class SubmissionForm(forms.Form):
    """The content's size and kind are checked by the service (one place for pages and API)."""

    code = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    answer = forms.CharField(required=False, strip=True)
    mode = forms.ChoiceField(
        choices=Submission.Mode.choices, initial=Submission.Mode.GRADED, widget=forms.RadioSelect
    )
