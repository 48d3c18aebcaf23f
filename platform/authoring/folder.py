"""The files of an exercise folder as the web edits them: which paths, how big, their hash, a zip.

Pure functions over {relative path: text}; nothing here runs exercise code.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tomllib
import zipfile
from datetime import datetime

from django.conf import settings

from graders.exercise import TOPIC_ORDER, toml_loads
from graders.schema import SLUG

# The files an exercise folder may hold besides solutions/*, in the order the editor shows them.
TOP_LEVEL_FILES = (
    "exercise.toml",
    "statement.md",
    "worked_solution.md",
    "starter.py",
    "reference.py",
    "cases.py",
)
WORKED_SOLUTION = "worked_solution.md"  # optional: an empty text means "none"
SOLUTION_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.(py|txt)$")
SLUG_MAX_LENGTH = 100
MAX_FILES = 60

FILE_HELP = {
    "exercise.toml": "Metadata, limits, dimensions or parameters, cases, and known solutions "
    "with their expected verdicts (docs/exercise-format.md).",
    "statement.md": "What students read: Markdown with $…$ and $$…$$ math; math exercises fill "
    "in {{P}} placeholders per student.",
    "worked_solution.md": "Optional. Markdown shown to students once the course's solution "
    "policy allows it; leave empty for none.",
    "starter.py": "What students start from; validation checks that it is rejected.",
    "reference.py": "The reference (never shown to students); it must be accepted.",
    "cases.py": "make_inputs(rng, dims, options): the inputs of one case.",
}


def max_file_bytes() -> int:
    return settings.MAX_CODE_BYTES


def max_total_bytes() -> int:
    # Below DATA_UPLOAD_MAX_MEMORY_SIZE (4 x MAX_CODE_BYTES), so a form holding every file at the
    # limit still reaches the view and gets a clear message instead of a bare 400.
    return 3 * settings.MAX_CODE_BYTES


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name an exercise, or None."""
    if not slug:
        return "Give a slug, e.g. relu-backward."
    if len(slug) > SLUG_MAX_LENGTH:
        return f"The slug is {len(slug)} characters long; at most {SLUG_MAX_LENGTH}."
    if not SLUG.match(slug) or not slug[0].isalpha():
        # A letter first: the code skeleton names its function after the slug.
        return (
            f"{slug!r} is not a slug: use lower-case letters and digits in words joined by "
            "'-', starting with a letter (e.g. relu-backward)."
        )
    return None


def path_problem(rel: str) -> str | None:
    """Why `rel` cannot be a file of an exercise folder, or None."""
    if rel in TOP_LEVEL_FILES:
        return None
    folder, _, name = rel.partition("/")
    if folder == "solutions" and SOLUTION_NAME.match(name):
        return None
    return (
        f"{rel!r} cannot be a file of the exercise: use {', '.join(TOP_LEVEL_FILES)}, or "
        "solutions/NAME.py or solutions/NAME.txt (letters, digits, '_', '-', '.')."
    )


def size_problems(files: dict[str, str]) -> list[str]:
    problems = []
    limit = max_file_bytes()
    total = 0
    for rel, text in files.items():
        size = len(text.encode("utf-8"))
        total += size
        if size > limit:
            problems.append(
                f"{rel} is {size // 1024} KiB; a file may hold at most {limit // 1024} KiB."
            )
    if total > max_total_bytes():
        problems.append(
            f"The files hold {total // 1024} KiB together; at most {max_total_bytes() // 1024} KiB."
        )
    if len(files) > MAX_FILES:
        problems.append(f"{len(files)} files; an exercise may have at most {MAX_FILES}.")
    return problems


def normalised(text: str) -> str:
    """Browsers send textareas with CRLF line ends; the folder (and its hash) uses LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def ordered_paths(files: dict[str, str]) -> list[str]:
    """The top-level files in the editor's order, then solutions/ by name."""
    rank = {name: i for i, name in enumerate(TOP_LEVEL_FILES)}
    return sorted(files, key=lambda rel: (rank.get(rel, len(rank)), rel))


def files_hash(files: dict[str, str]) -> str:
    """A digest of exactly these files (names and contents)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def statement_body(markdown: str) -> str:
    """The statement without its leading `# Title` line, as the exercise page renders it (the
    page's heading is the title: catalog.selectors.statement_html drops the line the same way)."""
    first, _, rest = markdown.lstrip().partition("\n")
    return rest if first.startswith("# ") else markdown


def declared_topic(files: dict[str, str], fallback: str) -> str:
    """exercise.toml's topic if it is one the engine knows, else `fallback`.

    Only TOML is parsed (no exercise code runs): the folder follows the declared topic, and a
    broken TOML is left for validation to report.
    """
    problem, parsed = _parsed_toml(files)
    topic = parsed.get("topic") if problem is None else None
    return topic if topic in TOPIC_ORDER else fallback


def toml_problem(files: dict[str, str]) -> str | None:
    """Why exercise.toml does not parse (nested too deeply included), or None.

    Saving keeps such a draft as it was typed; the author is told this at once, and the
    validation reports it too (graders.exercise.load_exercise)."""
    return _parsed_toml(files)[0]


def _parsed_toml(files: dict[str, str]) -> tuple[str | None, dict]:
    try:
        return None, toml_loads(files.get("exercise.toml", ""))
    except tomllib.TOMLDecodeError as exc:
        return str(exc), {}


def zip_folder(files: dict[str, str], *, topic: str, slug: str, when: datetime) -> bytes:
    """A .zip of `<topic>/<slug>/<file>`: unzip it under exercises/ and commit."""
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{topic}/{slug}/{rel}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[rel])
    return buffer.getvalue()


_TOP_LEVEL_KEY = re.compile(r"^(?P<key>slug|title)\s*=.*$", re.MULTILINE)


def with_identity(files: dict[str, str], *, slug: str, title: str) -> dict[str, str]:
    """The files of an exercise under another slug and title (a copy of it).

    exercise.toml's top-level `slug` and `title` lines are replaced (the keys before its first
    [table]; JSON's string escapes are valid TOML, so any title is written safely), and the
    statement's `# Title` heading follows. ValueError if the TOML does not say the new slug
    afterwards (a layout this does not know): nothing half-renamed is ever stored.
    """
    out = dict(files)
    toml = out.get("exercise.toml", "")
    head, bracket, tables = toml.partition("\n[")
    values = {"slug": json.dumps(slug), "title": json.dumps(title)}
    head = _TOP_LEVEL_KEY.sub(lambda m: f"{m['key']} = {values[m['key']]}", head)
    out["exercise.toml"] = head + bracket + tables
    try:
        parsed = toml_loads(out["exercise.toml"])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"exercise.toml does not parse: {exc}") from None
    if parsed.get("slug") != slug or parsed.get("title") != title:
        raise ValueError("exercise.toml has no top-level slug and title lines to change")
    heading, newline, rest = out.get("statement.md", "").partition("\n")
    if heading.startswith("# "):
        out["statement.md"] = f"# {title}{newline}{rest}"
    return out
