"""Similarity of students' code: token winnowing as MOSS does (Schleimer, Wilkerson and Aiken,
"Winnowing: local algorithms for document fingerprinting", SIGMOD 2003).

Our own small implementation rather than copydetect: it works on in-memory strings, on
Python's own `tokenize` (so the tokens are the language's, not a generic lexer's), and needs
no temporary files. Robust to renaming and reformatting because fingerprints are taken over
normalised tokens: every identifier that is not a keyword or a builtin becomes `V`, every
number `N`, every string `S`; comments, blank lines and indentation are dropped.
"""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from courses.models import Assignment
from courses.selectors import course_exceptions, students_of
from gradebook.models import SimilarityCheck
from submissions.models import Submission
from submissions.queue import REGRADE_QUEUE
from submissions.scores import APPLIED, original_rows, replacing_regrades, result_cells

K = 12  # tokens per k-gram: shorter matches are noise (a `for V in V :` is everyone's)
WINDOW = 8  # winnowing window: any match of K + WINDOW - 1 tokens is always detected
# A fingerprint in more than this share of the submissions is common idiom, not copying
# (MOSS's -m option); it counts for no pair.
COMMON_SHARE = 0.5
TOP = 200  # pairs kept: the instructor reads the top of the ranking, not 125,000 rows

_KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIP = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    | {tokenize.ENCODING, tokenize.ENDMARKER}
)


def tokens(source: str) -> list[tuple[str, int]]:
    """Normalised tokens with their line; untokenizable code (a syntax error) is cut there."""
    out: list[tuple[str, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP:
                continue
            if tok.type == tokenize.NAME:
                text = tok.string if tok.string in _KEEP_NAMES else "V"
            elif tok.type == tokenize.NUMBER:
                text = "N"
            elif tok.type in (tokenize.STRING, getattr(tokenize, "FSTRING_START", -1)):
                text = "S"
            else:
                text = tok.string
            out.append((text, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


@dataclass
class Fingerprints:
    """The winnowed hashes of one text, each with the lines its k-gram spans."""

    lines: dict[int, set[int]] = field(default_factory=dict)

    @property
    def hashes(self) -> set[int]:
        return set(self.lines)


def fingerprints(source: str, *, k: int = K, window: int = WINDOW) -> Fingerprints:
    toks = tokens(source)
    grams = [
        (
            zlib.crc32(" ".join(t for t, _ in toks[i : i + k]).encode()),
            toks[i][1],
            toks[i + k - 1][1],
        )
        for i in range(len(toks) - k + 1)
    ]
    found = Fingerprints()
    if not grams:
        return found

    def keep(index: int) -> None:
        value, first, last = grams[index]
        found.lines.setdefault(value, set()).update(range(first, last + 1))

    if len(grams) <= window:
        keep(min(range(len(grams)), key=lambda i: (grams[i][0], -i)))
        return found
    # The rightmost minimal hash of each window (the paper's robust winnowing).
    for start in range(len(grams) - window + 1):
        keep(min(range(start, start + window), key=lambda i: (grams[i][0], -i)))
    return found


@dataclass(frozen=True)
class Pair:
    a: int  # submission ids, a < b
    b: int
    shared: int  # fingerprints in common (boilerplate and common idiom excluded)
    share_a: float  # shared / a's fingerprints
    share_b: float

    @property
    def similarity(self) -> float:
        """The larger of the two shares: copying into a longer program still ranks high."""
        return max(self.share_a, self.share_b)


def boilerplate(files: Mapping[str, str], starter: str = "", *, window: int = WINDOW) -> set[int]:
    """Fingerprints every student may share rightly: the starter code, and the exercise's own
    solutions (reference.py, solutions/*.py), which a student who copies the course's
    published solution would otherwise match with every other one who did."""
    texts = [starter, files.get("starter.py", ""), files.get("reference.py", "")]
    texts += [
        text
        for path, text in files.items()
        if path.startswith("solutions/") and path.endswith(".py")
    ]
    out: set[int] = set()
    for text in texts:
        if text:
            out |= fingerprints(text, window=window).hashes
    return out


def rank_pairs(
    codes: Mapping[int, str],
    *,
    exclude: Iterable[int] = (),
    common_share: float = COMMON_SHARE,
    top: int = TOP,
) -> list[Pair]:
    """Pairs of submissions (id -> code) with a fingerprint in common, most similar first."""
    excluded = set(exclude)
    prints = {pk: fingerprints(code).hashes - excluded for pk, code in codes.items()}
    holders: defaultdict[int, list[int]] = defaultdict(list)
    for pk in sorted(prints):
        for value in prints[pk]:
            holders[value].append(pk)
    limit = max(2, int(common_share * len(codes)))
    shared: Counter[tuple[int, int]] = Counter()
    for ids in holders.values():
        if 2 <= len(ids) <= limit:
            shared.update(combinations(ids, 2))
    pairs = [Pair(a, b, n, n / len(prints[a]), n / len(prints[b])) for (a, b), n in shared.items()]
    pairs.sort(key=lambda p: (-p.similarity, -p.shared, p.a, p.b))
    return pairs[:top]


@dataclass
class SideBySide:
    """Two codes line by line, each line marked when it is part of a shared fingerprint."""

    left: list[tuple[int, str, bool]]
    right: list[tuple[int, str, bool]]


def side_by_side(left: str, right: str, *, exclude: Iterable[int] = ()) -> SideBySide:
    """Marks every line under a k-gram both share (every k-gram, not only the winnowed ones,
    so that a copied passage is marked whole); `exclude` is boilerplate(..., window=1)."""
    excluded = set(exclude)
    a, b = fingerprints(left, window=1), fingerprints(right, window=1)
    common = (a.hashes & b.hashes) - excluded

    def marked(code: str, prints: Fingerprints) -> list[tuple[int, str, bool]]:
        hot: set[int] = set()
        for value in common:
            hot |= prints.lines[value]
        return [(n, line, n in hot) for n, line in enumerate(code.splitlines(), start=1)]

    return SideBySide(marked(left, a), marked(right, b))


# -- the check of one assignment, stored in gradebook.models.SimilarityCheck ----------------------


def final_codes(assignment: Assignment) -> dict[int, tuple[int, str]]:
    """Student id -> (submission id, code) of each student's best counted graded submission:
    the gradebook's Cell.best_submission_id (regrades applied, the earlier one on a tie), the
    submission that makes their grade. Students with no graded score are left out."""
    course, exercise_ids = assignment.course, [assignment.exercise_id]
    student_ids = set(students_of(course).values_list("pk", flat=True))
    rows = [r for r in original_rows(course, exercise_ids) if r["user_id"] in student_ids]
    regrades = replacing_regrades(course, exercise_ids, APPLIED)
    cells = result_cells(
        assignment, rows, regrades, exceptions=course_exceptions(course, student_ids=student_ids)
    )
    best = {
        cell.best_submission_id: user for user, cell in cells.items() if cell.best_submission_id
    }
    found = Submission.objects.filter(pk__in=best).values_list("pk", "code")
    return {best[pk]: (pk, code) for pk, code in found}


def exercise_boilerplate(exercise: Exercise, *, window: int = WINDOW) -> set[int]:
    version = exercise.current_version
    if version is None:
        return set()
    return boilerplate(version.files or {}, version.starter, window=window)


def similarity_check_start(*, assignment: Assignment, requested_by: User | None) -> SimilarityCheck:
    """A new check, run on the low-priority queue once the row is committed."""
    from gradebook.tasks import run_similarity_check

    check = SimilarityCheck.objects.create(
        course=assignment.course, exercise=assignment.exercise, requested_by=requested_by
    )
    transaction.on_commit(
        lambda: run_similarity_check.apply_async((check.pk,), queue=REGRADE_QUEUE)
    )
    return check


def similarity_check_run(*, check_id: int) -> None:
    check = SimilarityCheck.objects.select_related("course", "exercise").get(pk=check_id)
    try:
        assignment = Assignment.objects.select_related("course", "exercise").get(
            course=check.course, exercise=check.exercise
        )
        codes = final_codes(assignment)
        pairs = rank_pairs(
            {pk: code for pk, code in codes.values()},
            exclude=exercise_boilerplate(check.exercise),
        )
    except Exception as exc:  # the page must say it failed rather than "running" forever
        check.status, check.message = SimilarityCheck.Status.ERROR, f"{type(exc).__name__}: {exc}"
    else:
        check.status = SimilarityCheck.Status.DONE
        check.compared = len(codes)
        check.submissions = {str(pk): user for user, (pk, _) in codes.items()}
        check.pairs = [
            {"a": p.a, "b": p.b, "shared": p.shared, "share_a": p.share_a, "share_b": p.share_b}
            for p in pairs
        ]
    check.finished_at = timezone.now()
    check.save()
