"""Student bundles: what a student needs to self-test offline, and none of the answers.

A bundle is a folder (or the zip the site serves) holding, per exercise:

- `statement.md`: the statement of the bundle's practice instance (a math exercise's numbers);
- `starter.py` (code): what the student starts from;
- `exercise.json`: what the engine needs to grade (entry point, framework, outputs, bans,
  limits, points, version, the practice seed) and how many hidden cases the site runs;
- `visible_cases.bin` (code): the *visible* cases of that practice instance, computed when the
  bundle was made: their inputs and expected outputs and, when hints for known bugs are kept, the
  outputs of the exercise's known-wrong solutions on those inputs with the hint each one earns.
  It is one frame of graders/protocol.py (JSON header and raw arrays, never a pickle).

It never holds the reference, the solutions, the worked solution, `cases.py` (which would
compute the expected outputs of any seed), a hidden case, or the student's graded seed: the site
builds it on the student's practice seed (platform/submissions/rules.py, `practice_seed`), and
`python -m graders bundle --student` on `OFFLINE_PRACTICE_SEED` unless told another.
tests/platform/pages/test_bundles.py checks it file by file. `bundle.json` lists the exercises,
`README.md` says how to use it, and `notebooks/<topic>.ipynb` shows `graders.notebook.check`.

Grading against a bundle runs the student's file in the same sandbox, with the same static
checks, comparison and hints as the site's "Run visible tests" on that practice instance: the
bundle's visible cases stand in for the reference run (`_BundleCodeGrader`), and the judge is the
site's (graders/judge.py). Math answers are not checked offline: deciding one needs the
reference, so the bundle holds the statement and the site (`--remote`) checks the answer.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

import graders
from graders import protocol
from graders.codegrade import CodeGrader
from graders.exercise import Exercise
from graders.mutation.generate import Mutant, Site
from graders.mutation.hints import MutationHint, select, text_for
from graders.mutation.run import UNFINISHED
from graders.reference import ReferenceCase, ReferenceRun
from graders.report import Report, Verdict
from graders.sandbox.controller import SandboxUnavailable
from graders.schema import CodeSpec, ExerciseSpec, Limits

if TYPE_CHECKING:
    from graders.engine import Grader

BUNDLE_FORMAT = 1
BUNDLE_FILE = "bundle.json"
SPEC_FILE = "exercise.json"
CASES_FILE = "visible_cases.bin"
BUNDLE_ENV = "DEEPGRADE_BUNDLE"
# The practice seed of a bundle made offline (`python -m graders bundle --student`), for every
# exercise. It is not seed 0, the default of `python -m graders check --seed`, which an
# instructor grading from the repository would use; docs/offline.md documents it.
OFFLINE_PRACTICE_SEED = 1000
# A bundle's visible cases are small examples; this only bounds a damaged or foreign file.
MAX_CASES_BYTES = 256 << 20

HINTS_PRECOMPUTED = "precomputed"
HINTS_LEFT_OUT = "left_out"
HINTS_NONE = "none"


class BundleError(Exception):
    """A bundle that cannot be made or used; the message says what to do."""


@dataclass(frozen=True)
class Entry:
    """One exercise to put in a bundle, on the practice instance of `seed`."""

    exercise: Exercise
    seed: int


@dataclass
class Built:
    """A bundle's files (relative path -> bytes), and the exercises that had to be left out."""

    files: dict[str, bytes]
    left_out: list[str] = field(default_factory=list)


# -- making a bundle ---------------------------------------------------------------------------


def build(
    grader: Grader,
    entries: Sequence[Entry],
    *,
    site: str | None = None,
    wheel_url: str | None = None,
    known_bug_hints: bool = True,
    left_out: Sequence[str] = (),
) -> Built:
    """The files of a student bundle for `entries`. `site` (the site's address) is recorded so
    that `--remote` and notebooks can default to it; `wheel_url` is where the engine installs
    from. An exercise whose reference fails on its seed is left out, and said so, as are those
    in `left_out` ("slug: why", the caller's own decisions)."""
    files: dict[str, bytes] = {}
    listed: list[dict[str, Any]] = []
    left_out = list(left_out)
    for entry in entries:
        exercise = entry.exercise
        try:
            own, info = _exercise_files(grader, exercise, entry.seed, known_bug_hints)
        except BundleError as exc:
            left_out.append(f"{exercise.slug}: {exc}")
            continue
        files.update(own)
        listed.append(
            {
                key: info[key]
                for key in ("slug", "title", "topic", "kind", "path", "seed", "offline")
            }
        )
    manifest = {
        "format": BUNDLE_FORMAT,
        "engine": graders.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "site": site,
        "wheel_url": wheel_url,
        "exercises": listed,
        "left_out": left_out,
    }
    files[BUNDLE_FILE] = _json_bytes(manifest)
    files["README.md"] = _readme(manifest).encode()
    for topic in dict.fromkeys(item["topic"] for item in listed):
        chosen = [item for item in listed if item["topic"] == topic]
        notebook = _notebook(topic, chosen, files, _install_line(manifest))
        files[f"notebooks/{topic}.ipynb"] = _json_bytes(notebook)
    return Built(files, left_out)


def _exercise_files(
    grader: Grader, exercise: Exercise, seed: int, known_bug_hints: bool
) -> tuple[dict[str, bytes], dict[str, Any]]:
    base = f"{exercise.topic}/{exercise.slug}"
    spec = exercise.spec
    info: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "slug": exercise.slug,
        "title": exercise.title,
        "topic": exercise.topic,
        "kind": exercise.kind,
        "path": base,
        "version": exercise.version,
        "seed": seed,
        "points": exercise.points,
        "limits": spec.limits.model_dump(),
    }
    try:
        statement = grader.statement(exercise, seed)
    except SandboxUnavailable as exc:
        raise BundleError(f"its statement could not be made: {exc}") from None
    files = {f"{base}/statement.md": statement.encode()}
    if exercise.kind != "code":
        # Deciding a typed answer needs the reference: the site checks it (--remote).
        info.update(offline=False, answer_type=exercise.answer_type)
        files[f"{base}/{SPEC_FILE}"] = _json_bytes(info)
        return files, info
    assert spec.code is not None
    try:
        run = grader.reference(exercise, seed)
    except SandboxUnavailable as exc:
        raise BundleError(f"its visible cases could not be computed: {exc}") from None
    if run.error:
        raise BundleError(f"its reference failed on seed {seed}; tell your instructor")
    visible = [case for case in run.cases if case.visible]
    hidden = len(run.cases) - len(visible)
    declared = any(s.hint_message for s in spec.solutions)
    hints = HINTS_NONE if not declared else HINTS_PRECOMPUTED if known_bug_hints else HINTS_LEFT_OUT
    info.update(
        offline=True,
        code=spec.code.model_dump(),
        visible_cases=[{"index": c.index, "name": c.name} for c in visible],
        hidden_cases=hidden,
        known_bug_hints=hints,
    )
    mutants = _mutant_outputs(grader, exercise, seed, visible) if known_bug_hints else None
    files[f"{base}/starter.py"] = exercise.starter.encode()
    files[f"{base}/{SPEC_FILE}"] = _json_bytes(info)
    files[f"{base}/{CASES_FILE}"] = _encode_cases(
        visible, keep_known=known_bug_hints, mutants=mutants
    )
    return files, info


# The mutants' hints travel as data: each hinting mutant's family, size and text, by number
# (never its id or source, which quote the reference), and its wrong outputs on the visible cases.
MutantOutputs = tuple[list[dict[str, Any]], dict[int, dict[int, Any]]]


def _mutant_outputs(
    grader: Grader, exercise: Exercise, seed: int, cases: list[ReferenceCase]
) -> MutantOutputs | None:
    """What an offline check needs to name a mistake after a mutant as the site does
    (graders/mutation/hints.py), on the bundle's visible cases; None when it cannot be had."""
    cache = grader.code.mutants
    hinting = cache.hinting(exercise)
    if not hinting or not cases:
        return None
    try:
        wrong = cache.wrong(exercise, seed, [c.index for c in cases], hinting)
    except SandboxUnavailable:
        return None
    number = {m.id: i for i, m in enumerate(hinting)}
    texts = exercise.spec.mutants.hints
    table = [
        {"family": m.family, "sites": len(m.sites), "text": text_for(m, texts)} for m in hinting
    ]
    outputs = {
        index: {number[mid]: value for mid, value in found.items() if mid in number}
        for index, found in wrong.items()
    }
    return table, outputs


def _encode_cases(
    cases: Iterable[ReferenceCase], *, keep_known: bool, mutants: MutantOutputs | None = None
) -> bytes:
    buffers: list[bytes] = []
    encoded = []
    table, outputs = mutants if mutants is not None else ([], {})
    for case in cases:
        known = []
        if keep_known:
            # Named by number, not by the solution's file: a file name describes its bug.
            for value, message in case.known_wrong.values():
                known.append({"value": protocol.encode_value(value, buffers), "message": message})
        wrong = [
            # A mutant that did not finish refutes any match: kept as such, with no value.
            {"mutant": number, "value": None}
            if value is None or value is UNFINISHED
            else {"mutant": number, "value": protocol.encode_value(value, buffers)}
            for number, value in sorted(outputs.get(case.index, {}).items())
        ]
        encoded.append(
            {
                "index": case.index,
                "name": case.name,
                "dims": case.dims,
                "arg_names": case.arg_names,
                "args": protocol.encode_value(list(case.args), buffers),
                "expected": protocol.encode_value(case.expected, buffers),
                "known_wrong": known,
                "mutants_wrong": wrong,
            }
        )
    header = {"format": BUNDLE_FORMAT, "cases": encoded, "mutants": table}
    return protocol.encode_frame(header, buffers)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


def write_folder(built: Built, out: Path) -> Path:
    """Write the bundle into `out`, which must not exist yet or be empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"{out} exists and is not an empty folder: choose a new one")
    for rel, data in built.files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


def zip_bytes(built: Built, root: str) -> bytes:
    """The bundle as a zip whose files are under `root/` (what the site serves)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in sorted(built.files.items()):
            archive.writestr(f"{root}/{rel}", data)
    return buffer.getvalue()


# -- reading a bundle --------------------------------------------------------------------------


class _BundleExercise(Exercise):
    """An engine Exercise made from a bundle: its version is the site's, not a hash of the
    bundle's files (so that reports name the version the site grades)."""

    bundle_version: str = ""

    @property
    def version(self) -> str:  # type: ignore[override]
        return self.bundle_version


@dataclass(frozen=True)
class BundledExercise:
    """One exercise of a bundle."""

    bundle: Bundle
    info: dict[str, Any]

    @property
    def slug(self) -> str:
        return str(self.info["slug"])

    @property
    def title(self) -> str:
        return str(self.info.get("title", self.slug))

    @property
    def kind(self) -> str:
        return str(self.info.get("kind", "code"))

    @property
    def seed(self) -> int:
        return int(self.info["seed"])

    @property
    def path(self) -> str:
        return str(self.info["path"])

    def statement(self) -> str:
        return self.bundle.read(f"{self.path}/statement.md").decode("utf-8")

    def starter(self) -> str:
        return self.bundle.read(f"{self.path}/starter.py").decode("utf-8")

    def engine_exercise(self) -> Exercise:
        """What the judge needs: the code spec, limits and points; no case, no solution."""
        info = self.info
        try:
            code = CodeSpec.model_validate(info["code"])
            limits = Limits.model_validate(info["limits"])
            points = float(info["points"])
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise BundleError(
                f"{self.path}/{SPEC_FILE} is damaged ({exc}): download it again"
            ) from None
        # Not validated as a whole: an exercise's schema demands its cases and solutions, which
        # a bundle never holds. Its parts were validated above.
        spec = ExerciseSpec.model_construct(
            slug=self.slug,
            title=self.title,
            topic=info.get("topic", "backprop"),
            kind="code",
            points=points,
            code=code,
            limits=limits,
        )
        exercise = _BundleExercise(path=self.bundle.path / self.path, spec=spec, _files={})
        object.__setattr__(exercise, "bundle_version", str(info.get("version", "")))
        return exercise

    def _cases_frame(self) -> tuple[dict[str, Any], list[Any]]:
        name = f"{self.path}/{CASES_FILE}"
        try:
            frames = protocol.split_frames(self.bundle.read(name), MAX_CASES_BYTES, max_frames=1)
        except (protocol.ProtocolError, IndexError) as exc:
            raise BundleError(f"{name} is damaged ({exc}): download the bundle again") from None
        return frames[0]

    def mutants(self) -> BundleMutants:
        """The mutants' hints of the visible cases, as the bundle holds them (none in a bundle
        made without known bugs' hints, or by an engine that did not carry them)."""
        header, buffers = self._cases_frame()
        name = f"{self.path}/{CASES_FILE}"
        try:
            # Placeholder sites: the hint's choice only counts them (graders/mutation/hints.py).
            mutants = [
                Mutant(
                    id=f"bundle-{i}",
                    family=str(item["family"]),
                    sites=(Site(0, 0, "", ""),) * int(item["sites"]),
                    source="",
                )
                for i, item in enumerate(header.get("mutants", []))
            ]
            texts = {
                m.id: str(item["text"])
                for m, item in zip(mutants, header.get("mutants", []), strict=True)
            }
            wrong: dict[int, dict[str, Any]] = {}
            for case in header["cases"]:
                wrong[int(case["index"])] = {
                    f"bundle-{int(w['mutant'])}": UNFINISHED
                    if w["value"] is None
                    else protocol.decode_value(w["value"], buffers)
                    for w in case.get("mutants_wrong", [])
                }
        except (protocol.ProtocolError, KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{name} is damaged ({exc}): download the bundle again") from None
        return BundleMutants(mutants, wrong, texts)

    def reference(self) -> ReferenceRun:
        """The visible cases, as the site's reference run gives them."""
        name = f"{self.path}/{CASES_FILE}"
        header, buffers = self._cases_frame()
        try:
            cases = []
            for item in header["cases"]:
                known = {
                    f"known bug {i + 1}": (
                        protocol.decode_value(k["value"], buffers),
                        str(k["message"]),
                    )
                    for i, k in enumerate(item.get("known_wrong", []))
                }
                cases.append(
                    ReferenceCase(
                        index=int(item["index"]),
                        name=str(item["name"]),
                        visible=True,
                        dims={str(k): int(v) for k, v in item["dims"].items()},
                        args=list(protocol.decode_value(item["args"], buffers)),
                        arg_names=[str(n) for n in item["arg_names"]],
                        expected=protocol.decode_value(item["expected"], buffers),
                        known_wrong=known,
                    )
                )
        except (protocol.ProtocolError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{name} is damaged ({exc}): download the bundle again") from None
        if not cases:
            raise BundleError(f"{name} holds no case: download the bundle again")
        return ReferenceRun(cases)

    def notes(self) -> list[str]:
        """What the student should know about an offline report on this exercise."""
        hidden = int(self.info.get("hidden_cases", 0))
        where = f"the bundle's practice instance (seed {self.seed})"
        notes = [
            f"Checked offline against {where}: the visible cases only"
            + (
                f"; the {hidden} hidden case{'s' if hidden != 1 else ''} run on the site."
                if hidden
                else "."
            )
        ]
        hints = self.info.get("known_bug_hints", HINTS_NONE)
        if hints == HINTS_PRECOMPUTED:
            notes.append(
                "Hints for known bugs: precomputed for these cases when the bundle was made; "
                "the other hints are computed as on the site."
            )
        elif hints == HINTS_LEFT_OUT:
            notes.append(
                "Hints for known bugs are left out of this bundle (the site gives them); "
                "the other hints are computed as on the site."
            )
        return notes


@dataclass
class Bundle:
    """A bundle on disk: a folder, or the zip the site serves."""

    path: Path
    info: dict[str, Any]
    _zip: zipfile.ZipFile | None = None
    _prefix: str = ""

    def read(self, rel: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(self._prefix + rel)
            return (self.path / rel).read_bytes()
        except (KeyError, OSError):
            raise BundleError(f"{self.path}: {rel} is missing: download the bundle again") from None

    @property
    def site(self) -> str | None:
        site = self.info.get("site")
        return str(site) if site else None

    def slugs(self) -> list[str]:
        return [str(item["slug"]) for item in self.info.get("exercises", [])]

    def get(self, slug: str) -> BundledExercise:
        for item in self.info.get("exercises", []):
            if item.get("slug") == slug:
                raw = self.read(f"{item['path']}/{SPEC_FILE}")
                try:
                    return BundledExercise(self, json.loads(raw))
                except ValueError:
                    raise BundleError(
                        f"{item['path']}/{SPEC_FILE} is not JSON: download it again"
                    ) from None
        have = ", ".join(self.slugs()) or "none"
        raise BundleError(f"no exercise {slug!r} in the bundle {self.path} (it holds: {have})")


def load(path: str | Path) -> Bundle:
    """A bundle from its folder, its bundle.json, or its zip."""
    path = Path(path).expanduser()
    if path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if n.endswith(BUNDLE_FILE)]
        manifest = min(names, key=len, default=None)
        if manifest is None:
            raise BundleError(f"{path} is a zip without {BUNDLE_FILE}: is it a deepgrade bundle?")
        prefix = manifest[: -len(BUNDLE_FILE)]
        return Bundle(path, _manifest(archive.read(manifest), path), archive, prefix)
    if path.name == BUNDLE_FILE and path.is_file():
        path = path.parent
    target = path / BUNDLE_FILE
    if not target.is_file():
        raise BundleError(
            f"{path}: no {BUNDLE_FILE} there. Give the folder of a bundle downloaded from the "
            "site (unzipped, or the .zip itself), or made with `python -m graders bundle --student`"
        )
    return Bundle(path, _manifest(target.read_bytes(), path))


def _manifest(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        info = json.loads(raw)
    except ValueError:
        raise BundleError(f"{path}: {BUNDLE_FILE} is not JSON: download the bundle again") from None
    if not isinstance(info, dict) or info.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"{path}: a bundle of format {info.get('format') if isinstance(info, dict) else '?'}; "
            f"this engine ({graders.__version__}) reads format {BUNDLE_FORMAT}: download the "
            "bundle again, or install the engine the site serves"
        )
    return info


def find(explicit: str | Path | None = None, start: Path | None = None) -> Path | None:
    """The bundle to use: `explicit`, else $DEEPGRADE_BUNDLE, else the nearest folder holding a
    bundle.json from `start` (default: the working directory) upwards, as a notebook inside the
    bundle's notebooks/ folder finds its bundle."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(BUNDLE_ENV):
        return Path(os.environ[BUNDLE_ENV]).expanduser()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / BUNDLE_FILE).is_file():
            return folder
    return None


# -- grading against a bundle ------------------------------------------------------------------


@dataclass
class BundleMutants:
    """The site's mutant hints on a bundle's visible cases (graders/mutation/cache.py's `hint`,
    from the outputs the bundle holds instead of running the reference's mutants)."""

    hinting: list[Mutant]
    outputs: dict[int, dict[str, Any]]  # case index -> mutant id -> its wrong output there
    texts: dict[str, str]

    def hint(
        self, exercise: Exercise, seed: int, student: dict[int, tuple[Any, Any]]
    ) -> MutationHint | None:
        if not self.hinting or not student:
            return None
        return select(student, self.outputs, self.hinting, self.texts)


class _BundleCodeGrader(CodeGrader):
    """The site's code grader, whose reference run is the bundle's visible cases, and whose
    mutant hints are the bundle's."""

    def __init__(self, code: CodeGrader, run: ReferenceRun, mutants: BundleMutants) -> None:
        super().__init__(code.sandbox, code.torch_sandbox)
        self._run = run
        self.mutants = mutants  # type: ignore[assignment]

    def reference(self, exercise: Exercise, seed: int) -> ReferenceRun:
        return self._run


@dataclass
class Checked:
    """An offline report, the exercise's title, and what the student should know about it."""

    report: Report
    title: str
    notes: list[str]


def grade(bundle: Bundle, slug: str, source: str, grader: Grader) -> Checked:
    """Grade `source` on the bundle's visible cases of `slug`, with `grader`'s sandboxes, as the
    site's "Run visible tests" grades it on that practice instance."""
    item = bundle.get(slug)
    if item.kind != "code" or not item.info.get("offline", False):
        where = bundle.site or "URL"
        raise BundleError(
            f"{slug} is a math exercise: its answer is checked on the site, not offline. Read its "
            f"statement in {bundle.path / item.path / 'statement.md'}, then: python -m graders "
            f"check {slug} my_answer.txt --remote {where}"
        )
    exercise = item.engine_exercise()
    assert exercise.spec.code is not None
    if exercise.spec.code.framework == "torch" and importlib.util.find_spec("torch") is None:
        # Its sandbox imports torch: say what to install, not "the grader did not start".
        wheel = bundle.info.get("wheel_url") or "the wheel your site serves"
        raise BundleError(
            f"{slug} is a PyTorch exercise and PyTorch is not installed here: "
            f'pip install "deepgrade-graders[torch] @ {wheel}"'
        )
    run = item.reference()
    code = _BundleCodeGrader(grader.code, run, item.mutants())
    started = time.perf_counter()
    try:
        report = code.grade(exercise, source, seed=item.seed)
    except SandboxUnavailable as exc:
        report = Report.new(
            exercise, item.seed, Verdict.INTERNAL_ERROR, 0.0, f"Could not be graded: {exc}."
        )
        report.fault = "grader"
    if "run" in report.timings:
        # As graders/codegrade.py words a visible-only run that reached the judge (a static
        # problem stops before, and says nothing about hidden cases there either).
        hidden = int(item.info.get("hidden_cases", 0))
        report.message = (
            f"Visible tests only ({hidden} hidden case{'s' if hidden != 1 else ''} not run; "
            f"Submit runs them all). {report.message}"
        )
    report.timings["total"] = time.perf_counter() - started
    return Checked(report, item.title, item.notes())


# -- the bundle's README and notebooks ---------------------------------------------------------


def _install_line(manifest: dict[str, Any]) -> str:
    wheel = manifest.get("wheel_url")
    if wheel:
        return f'pip install "deepgrade-graders @ {wheel}"'
    return "pip install deepgrade-graders   # the wheel your course's site serves (/help/offline/)"


def _readme(manifest: dict[str, Any]) -> str:
    exercises = manifest["exercises"]
    first = next((e for e in exercises if e["kind"] == "code"), None)
    slug = first["slug"] if first else "SLUG"
    site = manifest.get("site") or "https://YOUR-SITE/"
    lines = [
        "# A deepgrade student bundle",
        "",
        "Statements, starters and the visible test cases of your practice instance, to check your "
        "work offline with the same engine, sandbox, checks and hints as the site. It holds no "
        "answer: no reference solution, no hidden case, nothing about your graded instance.",
        "",
        "## Use it",
        "",
        "```bash",
        "python3 -m venv .venv && . .venv/bin/activate",
        _install_line(manifest) + "    # add [torch] for PyTorch exercises",
        f"cp {first['path'] if first else 'TOPIC/SLUG'}/starter.py my_solution.py   # then write your function",
        f"python -m graders check {slug} my_solution.py --bundle .",
        f"python -m graders check {slug} my_solution.py --remote {site}   # on the site, as practice",
        "```",
        "",
        "Exit status: 0 accepted, 1 any other verdict, 2 a usage error. In Jupyter, open "
        '`notebooks/<topic>.ipynb`: `check("slug", your_function)` grades a function.',
        "",
        "Offline runs check the visible cases only, on the practice seed each exercise lists below; "
        "the site runs the hidden cases (`--remote`). Math answers are checked on the site only.",
        "",
        "## Exercises",
        "",
    ]
    for e in exercises:
        how = "code" if e["kind"] == "code" else "math: checked on the site"
        lines.append(
            f"- `{e['slug']}` ({e['path']}, {how}, practice seed {e['seed']}): {e['title']}"
        )
    for problem in manifest.get("left_out", []):
        lines.append(f"- left out: {problem}")
    return "\n".join(lines) + "\n"


def _cell(kind: str, cell_id: str, source: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id[:64], "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _framework(item: dict[str, Any], files: dict[str, bytes]) -> str:
    if item["kind"] != "code":
        return ""
    return str(json.loads(files[f"{item['path']}/{SPEC_FILE}"])["code"]["framework"])


def _notebook(
    topic: str, items: list[dict[str, Any]], files: dict[str, bytes], install: str
) -> dict[str, Any]:
    """A notebook per topic: each exercise's statement, its starter, and a cell that checks it.
    PyTorch exercises come last, under a heading saying what they need: their starters import
    torch, and "Run All" would stop at the first of them where torch is not installed."""
    items = sorted(items, key=lambda item: _framework(item, files) == "torch")
    cells = [
        _cell(
            "markdown",
            "intro",
            f"# Self-test: {topic}\n\n"
            "Write each function in its cell, run it, then run the `check(...)` cell below it: the "
            "engine grades the function on this bundle's visible cases, offline, with the site's "
            "sandbox, checks and hints. `check(..., remote=True)` asks the site instead (all the "
            "cases your course allows in practice; set `DEEPGRADE_TOKEN` first), and "
            "`submit(...)` makes a graded attempt.",
        ),
        _cell("code", "imports", "from graders.notebook import check, submit"),
    ]
    torch_heading = False
    for item in items:
        slug, path = item["slug"], item["path"]
        if _framework(item, files) == "torch" and not torch_heading:
            torch_heading = True
            cells.append(
                _cell(
                    "markdown",
                    "needs-torch",
                    "# The exercises below need PyTorch\n\nInstall the engine with its `torch` "
                    f"extra first:\n\n```\n{install.replace('deepgrade-graders @', 'deepgrade-graders[torch] @')}\n```",
                )
            )
        statement = files[f"{path}/statement.md"].decode()
        if not statement.lstrip().startswith("# "):
            statement = f"# {item['title']}\n\n{statement}"
        cells.append(_cell("markdown", f"{slug}-statement", statement))
        if item["kind"] == "code":
            info = json.loads(files[f"{path}/{SPEC_FILE}"])
            entry = info["code"]["entry_point"]
            cells.append(_cell("code", f"{slug}-code", files[f"{path}/starter.py"].decode()))
            cells.append(_cell("code", f"{slug}-check", f'check("{slug}", {entry})'))
        else:
            cells.append(
                _cell(
                    "code",
                    f"{slug}-check",
                    f'# A math answer is checked on the site:\n# check("{slug}", "your answer", '
                    "remote=True)",
                )
            )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
