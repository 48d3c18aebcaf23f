"""The similarity check's cost for a course of 500 students on one exercise.

    python benchmarks/similarity.py [--students 500] [--seed 0]

Synthetic submissions: each student takes one of the bank's correct solutions
(exercises/**/solutions/correct_*.py), renames its identifiers, re-spaces it (tokenize's
untokenize in its compatibility mode lays every token out anew) and adds comments and blank
lines. Times gradebook.similarity.rank_pairs (fingerprints, the inverted index and the ranking:
all the task does besides two queries) in one process, and checks that each disguised copy's
best match comes from the same original. Writes benchmarks/results/<date>-similarity.json. Not
a test: numbers from a shared machine vary.
"""

from __future__ import annotations

import argparse
import io
import json
import keyword
import os
import random
import sys
import time
import tokenize
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from gradebook.similarity import rank_pairs  # noqa: E402

TARGET_S = 60.0


def disguise(source: str, rng: random.Random) -> str:
    """Renamed (names not after a dot, not imported modules, not keywords), re-spaced and
    commented: what a student who copies does to hide it."""
    names: dict[str, str] = {}
    out: list[tuple[int, str]] = []
    previous = ""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if (
            tok.type == tokenize.NAME
            and not keyword.iskeyword(text)
            and previous != "."
            and text not in {"np", "numpy", "torch", "math", "range", "len", "self"}
        ):
            text = names.setdefault(
                text, f"{rng.choice('abcxyz')}{len(names)}_{rng.randint(0, 99)}"
            )
        if tok.type == tokenize.COMMENT:
            text = "# " + rng.choice(["mine", "todo", "works now", "see lecture"])
        out.append((tok.type, text))
        previous = tok.string
    code = tokenize.untokenize(out)
    lines = code.splitlines()
    for _ in range(rng.randint(0, 3)):
        lines.insert(rng.randint(0, len(lines)), "")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    originals = sorted(ROOT.glob("exercises/**/solutions/correct_*.py"))
    texts = [path.read_text() for path in originals]
    source_of: dict[int, int] = {}
    codes: dict[int, str] = {}
    for pk in range(1, args.students + 1):
        which = rng.randrange(len(texts))
        source_of[pk] = which
        codes[pk] = disguise(texts[which], rng)
    started = time.perf_counter()
    pairs = rank_pairs(codes, top=args.students * args.students)
    seconds = time.perf_counter() - started
    best: dict[int, tuple[float, int]] = {}
    for pair in pairs:
        for me, other in ((pair.a, pair.b), (pair.b, pair.a)):
            if pair.similarity > best.get(me, (-1.0, 0))[0]:
                best[me] = (pair.similarity, other)
    right = sum(1 for me, (_, other) in best.items() if source_of[me] == source_of[other])
    result = {
        "date": date.today().isoformat(),
        "students": args.students,
        "originals": len(texts),
        "pairs_found": len(pairs),
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_S,
        "best_match_from_same_original": f"{right}/{len(best)}",
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    out = ROOT / "benchmarks" / "results" / f"{result['date']}-similarity.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
