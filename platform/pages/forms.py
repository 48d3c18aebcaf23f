from __future__ import annotations

from django import forms
from submissions.models import Submission

# What the exercise page's buttons ask for (the button's `name="mode"` value). "practice" is
# "Run visible tests" for code and "Check (practice)" for math; "practice-all" runs every case
# of a code exercise, offered only where nothing is graded (pure self-test).
RUN_GRADED, RUN_PRACTICE, RUN_PRACTICE_ALL = "graded", "practice", "practice-all"


class SubmissionForm(forms.Form):
    """The content's size and kind are checked by the service (one place for pages and API)."""

    code = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    answer = forms.CharField(required=False, strip=True)
    mode = forms.ChoiceField(
        choices=(
            (RUN_GRADED, "Submit (graded)"),
            (RUN_PRACTICE, "Practice: the visible tests, or check a math answer"),
            (RUN_PRACTICE_ALL, "Practice: every test"),
        ),
        initial=RUN_GRADED,
    )

    def run(self, *, is_code: bool) -> tuple[str, bool]:
        """(submission mode, visible_only) for the button pressed. Call after is_valid()."""
        chosen = self.cleaned_data["mode"]
        if chosen == RUN_GRADED:
            return Submission.Mode.GRADED, False
        return Submission.Mode.PRACTICE, is_code and chosen == RUN_PRACTICE
