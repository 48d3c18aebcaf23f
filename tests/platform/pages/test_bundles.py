"""Student bundles from the site, and the engine's wheel: no answer in a bundle, file by file,
and the same verdicts and hints offline as the site's practice run on the same instance.

Real grading: the bundle's reference and the site's practice run both go through the engine's
sandbox (graders.engine.get_grader), on a copy of a real exercise of the bank.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from catalog.models import Exercise
from catalog.selectors import engine_exercise
from catalog.services import exercises_sync
from courses.models import Course
from courses.services import assignment_ensure
from graders import bundle as bundles
from graders import protocol
from graders.engine import get_grader
from graders.reference import ReferenceRun
from graders.report import Report
from submissions.create import practice_instance_next, submission_create
from submissions.models import Submission
from submissions.rules import graded_seed, practice_seed
from tests.platform.conftest import Bank, People, run_task

ROOT = Path(__file__).resolve().parents[3]
SLUG = "linear-backward"
SOLUTIONS = ROOT / "exercises" / "backprop" / SLUG / "solutions"
WORKED = "A worked solution nobody may download: dx = dout @ w.T, dw = x.T @ dout.\n"
SECRET_FILES = ("reference.py", "cases.py", "exercise.toml", "worked_solution.md")

pytestmark = pytest.mark.slow


@pytest.fixture
def linear(bank: Path, exercises: Bank, people: People) -> Exercise:
    """linear-backward (copied, with a worked solution added) published in ml101 beside the
    shared bank's two exercises."""
    folder = bank / "backprop" / SLUG
    shutil.copytree(ROOT / "exercises" / "backprop" / SLUG, folder)
    (folder / "worked_solution.md").write_text(WORKED)
    exercises_sync(root=bank)
    exercise = Exercise.objects.select_related("current_version").get(slug=SLUG)
    assignment_ensure(course=Course.objects.get(slug="ml101"), exercise=exercise, published=True)
    return exercise


def _unzip(response: Any) -> dict[str, bytes]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def _arrays(value: Any) -> list[np.ndarray]:
    """Every array inside a decoded protocol value."""
    if isinstance(value, protocol.Arr):
        return [value.array]
    if isinstance(value, list | tuple):
        return [a for item in value for a in _arrays(item)]
    return []


def _found_in(array: np.ndarray, files: dict[str, bytes]) -> list[str]:
    """The files that hold `array`, as raw bytes (how the bundle stores arrays) or as the text of
    its first values (how a JSON or Markdown file would)."""
    raw = np.ascontiguousarray(array).tobytes()
    first = [repr(float(v)) for v in array.ravel()[:3]]
    hits = []
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        if raw in data or all(v in text for v in first):
            hits.append(name)
    return hits


def _secret_lines(exercise: Exercise, given: str) -> dict[str, list[str]]:
    """Each answer-holding file of the exercise, with its lines that a bundle must not hold
    (those not also in `given`: the statements and starters, which the student gets anyway)."""
    files = exercise.current_version.files
    secret = {}
    for name, text in files.items():
        if name in SECRET_FILES or name.startswith("solutions/"):
            lines = [line.strip() for line in text.splitlines()]
            secret[name] = [line for line in lines if len(line) >= 8 and line not in given]
    return secret


def test_a_course_bundle_holds_no_answer_file_by_file(
    client: Client, people: People, linear: Exercise, exercises: Bank
) -> None:
    client.force_login(people.alice)
    files = _unzip(client.get("/courses/ml101/bundle.zip"))
    root = "deepgrade-ml101/"
    assert all(name.startswith(root) for name in files)
    files = {name.removeprefix(root): data for name, data in files.items()}

    # No answer-holding file by name.
    for name in files:
        assert not name.endswith(SECRET_FILES) and "solutions/" not in name, name
    manifest = json.loads(files["bundle.json"])
    assert {e["slug"] for e in manifest["exercises"]} == {SLUG, "double-it", "count-params"}
    assert f"backprop/{SLUG}/visible_cases.bin" in files
    assert "notebooks/backprop.ipynb" in files

    # No line of the reference, the solutions, cases.py or the worked solution, in any file.
    bundled = (linear, exercises.code, exercises.math)
    given = "".join(
        e.current_version.files.get(name, "")
        for e in bundled
        for name in ("statement.md", "starter.py")
    )
    for exercise in bundled:
        for secret, lines in _secret_lines(exercise, given).items():
            assert lines or secret == "exercise.toml", (
                f"{exercise.slug}/{secret}: nothing to look for"
            )
            for line in lines:
                holders = [n for n, d in files.items() if line in d.decode("utf-8", "replace")]
                assert not holders, f"{exercise.slug}/{secret}: {line!r} is in {holders}"

    # Neither a hidden case (of the practice instance) nor any case of the graded instance.
    grader = get_grader()
    engine = engine_exercise(linear.current_version)
    practice = practice_seed(user=people.alice, exercise=linear)
    graded = graded_seed(user=people.alice, exercise=linear)
    assert practice != graded
    shown: ReferenceRun = grader.reference(engine, practice)
    hidden = [c for c in shown.cases if not c.visible]
    assert len(hidden) == 5
    for case in hidden + grader.reference(engine, graded).cases:
        for array in _arrays(case.args) + _arrays(case.expected):
            assert not _found_in(array, files), f"{case.name}: an input or output is in the bundle"
    # ...while the same search finds the practice instance's visible case, which it holds.
    visible = next(c for c in shown.cases if c.visible)
    for array in _arrays(visible.args) + _arrays(visible.expected):
        assert _found_in(array, files) == [f"backprop/{SLUG}/visible_cases.bin"]

    # The graded seed is nowhere; the practice seed is where it belongs.
    for name, data in files.items():
        assert str(graded) not in data.decode("utf-8", "replace"), name
    spec = json.loads(files[f"backprop/{SLUG}/exercise.json"])
    assert spec["seed"] == practice and spec["hidden_cases"] == 5
    assert not re.search(r"(?<!\d)" + str(graded) + r"(?!\d)", json.dumps(manifest))


def _site_report(user: Any, exercise: Exercise, code: str, enqueued: list[Any]) -> Report:
    submission = submission_create(
        user=user,
        exercise=exercise,
        code=code,
        answer=None,
        mode=Submission.Mode.PRACTICE,
        course=None,
        visible_only=True,
    )
    run_task(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DONE, submission.message
    return Report.from_dict(submission.report)


def _essentials(report: Report) -> dict[str, Any]:
    """The whole report as stored (JSON), but how long it took."""
    data = json.loads(json.dumps(report.to_dict()))
    data.pop("timings")
    for check in data["checks"]:
        check["details"].pop("seconds", None)
    return data


def test_offline_verdicts_and_hints_are_the_sites_on_the_same_practice_instance(
    client: Client, people: People, linear: Exercise, enqueued: list[Any], tmp_path: Path
) -> None:
    client.force_login(people.alice)
    archive = tmp_path / "linear.zip"
    archive.write_bytes(client.get(f"/exercises/{SLUG}/bundle.zip").content)
    found = bundles.load(archive)
    cases = {
        "correct": (SOLUTIONS / "correct_matmul.py").read_text(),
        # A generic hint (computed from the expected output at run time)...
        "transposed": (SOLUTIONS / "bug_dw_transposed.py").read_text(),
        # ...and a known bug's hint (precomputed in the bundle).
        "known bug": (SOLUTIONS / "bug_dx_uses_dw.py").read_text(),
        "starter": linear.current_version.starter,
    }
    verdicts = {}
    for what, code in cases.items():
        site = _site_report(people.alice, linear, code, enqueued)
        offline = bundles.grade(found, SLUG, code, get_grader()).report
        assert _essentials(offline) == _essentials(site), what
        verdicts[what] = (offline.verdict.value, offline.hints())
    assert verdicts["correct"] == ("accepted", [])
    assert verdicts["transposed"][0] == "rejected" and "transpose" in verdicts["transposed"][1][0]
    assert verdicts["known bug"] == (
        "rejected",
        [
            "dx must be dout @ w.T: the gradient with respect to the input goes back through "
            "the weights, not through dw."
        ],
    )
    assert verdicts["starter"][0] == "runtime_error"


def test_the_bundle_follows_the_practice_instance_and_the_practice_rules(
    client: Client, people: People, linear: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(people.alice)
    practice_instance_next(user=people.alice, exercise=linear)  # "Another one"
    files = _unzip(client.get(f"/exercises/{SLUG}/bundle.zip"))
    spec = json.loads(files[f"deepgrade-{SLUG}/backprop/{SLUG}/exercise.json"])
    assert spec["seed"] == practice_seed(user=people.alice, exercise=linear, number=1)
    manifest = json.loads(files[f"deepgrade-{SLUG}/bundle.json"])
    assert manifest["site"] == "http://testserver/"
    assert manifest["wheel_url"].startswith("http://testserver/downloads/deepgrade_graders-")

    # Where the rules refuse practice on the visible cases, the bundle leaves the exercise out.
    monkeypatch.setattr(
        "pages.bundles.practice_refusal", lambda **kwargs: "Practice is closed here."
    )
    files = _unzip(client.get(f"/exercises/{SLUG}/bundle.zip"))
    manifest = json.loads(files[f"deepgrade-{SLUG}/bundle.json"])
    assert manifest["exercises"] == []
    assert manifest["left_out"] == [f"{SLUG}: Practice is closed here."]
    assert not any(name.endswith("visible_cases.bin") for name in files)


def test_bundles_are_for_those_who_may_see_the_exercises(
    client: Client, people: People, linear: Exercise
) -> None:
    anonymous = client.get(f"/exercises/{SLUG}/bundle.zip")
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    client.force_login(people.dave)  # teaches another course
    assert client.get("/courses/ml101/bundle.zip").status_code == 404
    assert client.get("/exercises/no-such-exercise/bundle.zip").status_code == 404
    # Linked where a student looks for them.
    client.force_login(people.alice)
    assert 'href="/courses/ml101/bundle.zip"' in client.get("/courses/ml101/").content.decode()
    page = client.get(f"/exercises/{SLUG}/").content.decode()
    assert f'href="/exercises/{SLUG}/bundle.zip"' in page


def test_the_wheel_is_built_once_and_holds_the_engine_alone(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    from pages.bundles import WHEEL_NAME

    settings.VAR_DIR = tmp_path / "var"
    response = client.get(f"/downloads/{WHEEL_NAME}")  # no sign-in: it holds no exercise
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "graders/__init__.py" in names and "graders/bundle.py" in names
    assert "graders/sandbox/zygote.py" in names
    outside = [n for n in names if not n.startswith(("graders/", "deepgrade_graders-"))]
    assert outside == []
    assert not any("exercises/" in n or n.endswith(".pyc") for n in names)
    built = list((tmp_path / "var" / "wheels").glob(f"*/{WHEEL_NAME}"))
    assert len(built) == 1
    first = built[0].stat().st_mtime_ns
    client.get(f"/downloads/{WHEEL_NAME}")
    assert built[0].stat().st_mtime_ns == first  # served again, not built again
