"""The form that starts a new exercise (the files themselves are edited as plain fields)."""

from __future__ import annotations

from typing import Any

from django import forms

from authoring.folder import SLUG_MAX_LENGTH
from catalog.models import Exercise
from catalog.selectors import topic_title
from graders.exercise import TOPIC_ORDER

KINDS = {
    # form value: (kind, framework)
    "code-numpy": ("code", "numpy"),
    "code-torch": ("code", "torch"),
    "math": ("math", "numpy"),
}
ANSWER_TYPE_LABELS = (
    ("numeric", "A number"),
    ("array", "An array (vector or matrix)"),
    ("shape", "A shape, e.g. (2, 16, 15, 14)"),
    ("symbolic", "An expression, e.g. a sigma(ax + b)"),
    ("choice", "One option of a multiple choice"),
    ("multi_choice", "Several options of a multiple choice"),
)


class NewDraftForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=(
            ("code-numpy", "Code, with NumPy arrays"),
            ("code-torch", "Code, with PyTorch tensors"),
            ("math", "Math: a typed answer"),
        ),
    )
    answer_type = forms.ChoiceField(
        label="Answer type (math only)",
        choices=ANSWER_TYPE_LABELS,
        required=False,
        initial="numeric",
    )
    slug = forms.CharField(
        label="Slug",
        max_length=SLUG_MAX_LENGTH,
        help_text="The exercise's address and folder name: lower-case words joined by '-', "
        "e.g. relu-backward. It cannot change later.",
    )
    title = forms.CharField(label="Title", max_length=200)
    topic = forms.ChoiceField(
        label="Topic", choices=[(topic, topic_title(topic)) for topic in TOPIC_ORDER]
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "math" and not data.get("answer_type"):
            self.add_error("answer_type", "Choose the answer type of a math exercise.")
        return data

    def draft_arguments(self) -> dict[str, str]:
        """The keyword arguments of authoring.services.draft_create."""
        data = self.cleaned_data
        kind, framework = KINDS[data["kind"]]
        return {
            "slug": data["slug"].strip(),
            "title": data["title"],
            "topic": data["topic"],
            "kind": kind,
            "framework": framework,
            "answer_type": data.get("answer_type", "") if kind == "math" else "",
        }


class CopyExerciseForm(forms.Form):
    """A copy of an exercise becomes a new exercise: it needs a slug (and a title) of its own."""

    slug = forms.CharField(
        label="Slug of the copy",
        max_length=SLUG_MAX_LENGTH,
        help_text="Lower-case words joined by '-', e.g. relu-backward-v2. The original keeps "
        "its own; this one cannot change later.",
    )
    title = forms.CharField(label="Title of the copy", max_length=200)

    def __init__(self, *args: Any, exercise: Exercise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].initial = exercise.title
