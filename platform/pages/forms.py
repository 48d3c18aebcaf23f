from __future__ import annotations

from typing import Any

from django import forms

from graders.math.templates import LETTERS
from submissions.models import Submission

# What the exercise page's buttons ask for (the button's `name="mode"` value). "practice" is
# "Run visible tests" for code and "Check (practice)" for math; "practice-all" runs every case
# of a code exercise, offered only where nothing is graded (pure self-test).
RUN_GRADED, RUN_PRACTICE, RUN_PRACTICE_ALL = "graded", "practice", "practice-all"


class SubmissionForm(forms.Form):
    """The content's size and kind are checked by the service (one place for pages and API)."""

    # A NUL cannot be stored (PostgreSQL refuses it in text); Django's own message does not say
    # where it is, and a browser shows it as nothing at all.
    code = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea,
        error_messages={
            "null_characters_not_allowed": "Your code contains a NUL character (\\x00, shown "
            "as � or nothing), which cannot be saved: delete it and send again."
        },
    )
    answer = forms.CharField(
        required=False,
        strip=True,
        error_messages={
            "null_characters_not_allowed": "Your answer contains a NUL character (\\x00), "
            "which cannot be saved: delete it and send again."
        },
    )
    mode = forms.ChoiceField(
        choices=(
            (RUN_GRADED, "Submit (graded)"),
            (RUN_PRACTICE, "Practice: the visible tests, or check a math answer"),
            (RUN_PRACTICE_ALL, "Practice: every test"),
        ),
        initial=RUN_GRADED,
    )

    def __init__(self, *args: Any, choice: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A multiple-choice question: the page sends ticked boxes (name="choice", one letter
        # each) instead of a typed answer (pages/math_answer.py).
        self.choice = choice

    def ticked(self) -> list[str]:
        """The letters ticked in the posted form (the page shows them ticked again)."""
        getlist = getattr(self.data, "getlist", None)
        return [str(v) for v in getlist("choice")] if getlist else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.choice:
            return cleaned
        ticked = self.ticked()
        if len(ticked) > len(LETTERS) or any(len(v) != 1 or v not in LETTERS for v in ticked):
            raise forms.ValidationError("Tick the options listed above (their letters only).")
        if ticked:
            # The answer text the grader reads, as a student would type it: "A, C".
            cleaned["answer"] = ", ".join(sorted(set(ticked)))
        elif not cleaned.get("answer"):
            raise forms.ValidationError("Tick an option before sending your answer.")
        return cleaned

    def run(self, *, is_code: bool) -> tuple[str, bool]:
        """(submission mode, visible_only) for the button pressed. Call after is_valid()."""
        chosen = self.cleaned_data["mode"]
        if chosen == RUN_GRADED:
            return Submission.Mode.GRADED, False
        return Submission.Mode.PRACTICE, is_code and chosen == RUN_PRACTICE
