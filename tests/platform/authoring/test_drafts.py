"""Creating and editing drafts on the web: skeletons, files, limits, the statement preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from authoring.models import ExerciseDraft
from authoring.skeletons import ANSWER_TYPES, skeleton_files
from graders.exercise import load_exercise
from graders.scaffold import scaffold
from tests.platform.authoring.conftest import new_draft, signed_in
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db

VARIANTS = [("code", "numpy", ""), ("code", "torch", "")] + [
    ("math", "numpy", answer_type) for answer_type in ANSWER_TYPES
]


@pytest.mark.parametrize(("kind", "framework", "answer_type"), VARIANTS)
def test_every_skeleton_loads_as_the_exercise_it_claims_to_be(
    tmp_path: Path, kind: str, framework: str, answer_type: str
) -> None:
    files = skeleton_files(
        slug="my-exercise",
        title='Gradients "by hand"',
        topic="attention",
        kind=kind,
        framework=framework,
        answer_type=answer_type,
    )
    folder = tmp_path / "attention" / "my-exercise"
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    exercise = load_exercise(folder)
    assert (exercise.slug, exercise.topic, exercise.kind) == ("my-exercise", "attention", kind)
    assert exercise.title == 'Gradients "by hand"'
    assert files["statement.md"].startswith('# Gradients "by hand"\n')
    if kind == "code":
        assert exercise.spec.code is not None
        assert exercise.spec.code.framework == framework
        assert ("import torch" in files["reference.py"]) == (framework == "torch")
    else:
        assert exercise.answer_type == answer_type


def test_the_numpy_skeleton_is_the_engines_own(tmp_path: Path) -> None:
    folder = scaffold("backprop/relu-backward", root=tmp_path)
    engine = {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*.py")}
    web = skeleton_files(slug="relu-backward", title="x", topic="backprop", kind="code")
    assert {rel: web[rel] for rel in engine} == engine


def test_an_instructor_creates_a_draft_from_the_skeleton(people: People) -> None:
    client = signed_in(people.dave)
    form = {
        "kind": "math",
        "answer_type": "symbolic",
        "slug": "exp-derivative",
        "title": "Derivative of exp",
        "topic": "backprop",
    }
    response = client.post(reverse("authoring-new"), form)
    draft = ExerciseDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("authoring-edit", kwargs={"pk": draft.pk})
    assert (draft.author, draft.slug, draft.topic, draft.exercise) == (
        people.dave,
        "exp-derivative",
        "backprop",
        None,
    )
    assert 'answer_type = "symbolic"' in draft.files["exercise.toml"]
    assert draft.validation_state == ExerciseDraft.State.NEW

    page = client.get(response["Location"]).content.decode()
    assert page.count("<h1") == 1  # the preview leaves the title line to the page's heading
    for rel in ("exercise.toml", "statement.md", "reference.py", "worked_solution.md"):
        assert f'id="file-{rel}"' in page
        assert f'<label for="file-{rel}">' in page
    assert 'id="file-solutions/correct_factor_first.txt"' in page
    assert 'id="file-starter.py"' not in page  # a math exercise has no starter
    for element in ('id="validate"', 'id="publish"', 'id="statement-preview"'):
        assert element in page
    assert 'id="validation-report" data-state="new"' in page
    assert '<span class="math math-inline">' in page  # the statement's preview, rendered


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Not A Slug", "is not a slug"),
        ("3d-conv", "starting with a letter"),
        ("double-it", "is taken by an exercise"),
    ],
)
def test_a_bad_or_taken_slug_is_refused_with_a_reason(
    people: People, exercises: Bank, slug: str, message: str
) -> None:
    form = {"kind": "code-numpy", "slug": slug, "title": "Anything", "topic": "backprop"}
    response = signed_in(people.dave).post(reverse("authoring-new"), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExerciseDraft.objects.exists()


def _edit_form(draft: ExerciseDraft, **changes: str) -> dict[str, str]:
    form = {f"file:{rel}": text for rel, text in draft.files.items()}
    form.update({f"file:{rel}": text for rel, text in changes.items()})
    return form


def test_saving_the_edit_form_stores_every_file(people: People) -> None:
    draft = new_draft(people.dave)
    toml = draft.files["exercise.toml"].replace('topic = "backprop"', 'topic = "attention"')
    form = _edit_form(
        draft,
        **{
            "exercise.toml": toml,
            "statement.md": "# ReLU\r\n\r\nNew text $x$.\r\n",
            "worked_solution.md": "Multiply by the mask.",
        },
    )
    form["remove"] = "solutions/bug_no_upstream.py"
    form["new_solution"] = "bug_sign.py"
    response = signed_in(people.dave).post(reverse("authoring-edit", args=[draft.pk]), form)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.files["statement.md"] == "# ReLU\n\nNew text $x$.\n"  # LF, as in a folder
    assert draft.files["worked_solution.md"] == "Multiply by the mask."
    assert "solutions/bug_no_upstream.py" not in draft.files
    assert draft.files["solutions/bug_sign.py"] == draft.files["reference.py"]
    assert draft.topic == "attention"  # the folder follows exercise.toml


def test_an_empty_worked_solution_means_none(people: People) -> None:
    draft = new_draft(people.dave)
    form = _edit_form(draft, **{"worked_solution.md": "  \r\n"})
    signed_in(people.dave).post(reverse("authoring-edit", args=[draft.pk]), form)
    draft.refresh_from_db()
    assert "worked_solution.md" not in draft.files


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"remove": "reference.py"}, "only solutions files can"),
        ({"new_solution": "../../etc/evil.py"}, "cannot be a file of the exercise"),
        ({"new_solution": "notes.md"}, "cannot be a file of the exercise"),
        ({"new_solution": "correct_where.py"}, "exists already"),
    ],
)
def test_files_that_cannot_be_in_the_folder_are_refused(
    people: People, extra: dict[str, str], message: str
) -> None:
    draft = new_draft(people.dave)
    before = dict(draft.files)
    form = {**_edit_form(draft, **{"statement.md": "changed"}), **extra}
    response = signed_in(people.dave).post(reverse("authoring-edit", args=[draft.pk]), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.files == before  # nothing saved


def test_a_file_over_the_size_limit_is_refused_and_what_was_typed_is_kept(
    people: People, settings: Settings
) -> None:
    settings.MAX_CODE_BYTES = 4096
    draft = new_draft(people.dave)
    big = "x = 1  # long\n" * 400  # 5.6 KB
    form = _edit_form(draft, **{"reference.py": big})
    response = signed_in(people.dave).post(reverse("authoring-edit", args=[draft.pk]), form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "reference.py is 5 KiB; a file may hold at most 4 KiB." in page
    assert big in page  # shown again, not lost
    draft.refresh_from_db()
    assert draft.files["reference.py"] != big


def test_the_preview_renders_math_markup_and_strips_scripts(people: People) -> None:
    statement = "# T\n\nCompute $a_i * b_j$ and\n\n$$\\sum_i x_i$$\n\n<script>alert(1)</script>"
    response = signed_in(people.carol).post(reverse("authoring-preview"), {"statement": statement})
    html = response.json()["html"]
    assert response.status_code == 200
    assert '<span class="math math-inline">$a_i * b_j$</span>' in html
    assert '<span class="math math-display">$$\\sum_i x_i$$</span>' in html
    assert "<script" not in html
    assert "<h1" not in html  # the exercise page shows the title line as its own heading


def test_the_preview_refuses_an_oversized_statement(people: People, settings: Settings) -> None:
    settings.MAX_CODE_BYTES = 1024
    response = signed_in(people.carol).post(reverse("authoring-preview"), {"statement": "a" * 2000})
    assert response.status_code == 400
    assert "1 KiB" in response.json()["error"]


def test_edit_on_the_web_starts_from_the_current_version_then_reopens_it(
    people: People, exercises: Bank
) -> None:
    client = signed_in(people.erin)  # a folder exercise: staff's
    url = reverse("authoring-edit-exercise", args=["double-it"])
    offer = client.get(url)
    assert offer.status_code == 200
    assert 'id="start-draft"' in offer.content.decode()

    response = client.post(url)
    draft = ExerciseDraft.objects.get()
    assert response["Location"] == reverse("authoring-edit", args=[draft.pk])
    version = exercises.code.current_version
    assert version is not None
    assert draft.files == version.files
    assert (draft.exercise, draft.base_version, draft.topic) == (
        exercises.code,
        version,
        "backprop",
    )

    assert client.post(url)["Location"] == response["Location"]  # reopened, not a second one
    assert client.get(url)["Location"] == response["Location"]
    assert ExerciseDraft.objects.count() == 1
