"""The gradebook's forms: they parse input; the rules live in gradebook.services."""

from __future__ import annotations

from django import forms

from gradebook.services import OVERRIDE_REASON_MAX


class ScoreOverrideForm(forms.Form):
    """Set a student's score by hand, or clear it (an empty score with "clear")."""

    score = forms.FloatField(
        required=False,
        label="Score",
        widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
    )
    reason = forms.CharField(
        max_length=OVERRIDE_REASON_MAX,
        label="Reason",
        help_text="Kept in the audit log and shown to the student with the score.",
    )
    clear = forms.BooleanField(
        required=False,
        label="Clear the score set by hand: the grading counts again",
    )

    def __init__(self, *args: object, points: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["score"].widget.attrs["max"] = f"{points:g}"
        self.fields["score"].label = f"Score (0 to {points:g})"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("clear") and data.get("score") is None and "score" not in self.errors:
            self.add_error("score", "Give the score, or tick “clear” to remove the one set.")
        return data


class FamilyRescoreForm(forms.Form):
    """Re-score one family of instances (gradebook.services.family_rescore)."""

    parameter = forms.CharField(max_length=100, widget=forms.HiddenInput)
    value = forms.CharField(max_length=100, widget=forms.HiddenInput)
    score = forms.FloatField(
        label="New score",
        widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
        help_text="Students of the family below it get it; a higher result stays.",
    )
    reason = forms.CharField(
        max_length=OVERRIDE_REASON_MAX - 60,
        label="Reason",
        help_text="Kept in the audit log of each student's override and shown to them.",
    )

    def __init__(self, *args: object, points: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["score"].widget.attrs["max"] = f"{points:g}"
        self.fields["score"].label = f"New score (0 to {points:g})"
