"""What the exercise page offers for a typed math answer: the options of a multiple-choice
question, to tick, and whether the answer box gets a live preview.

The options are the engine's for the page's instance (the seed whose statement the page shows):
their order is shuffled per instance, and their text may hold the instance's numbers, exactly
as the statement lists them (graders/math/params.py, `options_for`; catalog.selectors,
`statement_source`). The form sends the ticked letters, which SubmissionForm joins into the
answer text the grader reads ("A, C"), so the page works without JavaScript too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.core.cache import cache

from catalog.models import ExerciseVersion
from catalog.rendering import render_markdown
from catalog.selectors import engine_exercise
from graders.math.params import InstanceError, options_for, parametrised
from graders.math.templates import CHOICE_TYPES

logger = logging.getLogger(__name__)

# Answer types whose typed answer the page previews (api/preview.py reads them).
PREVIEWED_TYPES = ("symbolic", "numeric", "array", "shape")
OPTIONS_CACHE_SECONDS = 7 * 24 * 3600  # as long as the statements (catalog.selectors)


@dataclass(frozen=True)
class AnswerOption:
    letter: str
    html: str  # the option's text rendered and sanitised, its math left for KaTeX


def is_choice(version: ExerciseVersion) -> bool:
    return version.answer_type in CHOICE_TYPES


def answer_options(version: ExerciseVersion, seed: int) -> list[AnswerOption]:
    """The options of the seed's instance in the order it shows them; [] when the exercise is
    not multiple choice, or its instance cannot be made (the page then keeps the answer box,
    and the statement says what went wrong)."""
    if not is_choice(version):
        return []
    exercise = engine_exercise(version)
    if not parametrised(exercise):  # the order is the seed's, the texts are fixed: nothing runs
        pairs = [(o.letter, o.text) for o in options_for(exercise, seed)]
    else:
        pairs = _instance_options(version, seed)
    return [AnswerOption(letter, _inline_html(text)) for letter, text in pairs]


def _instance_options(version: ExerciseVersion, seed: int) -> list[tuple[str, str]]:
    """The options of a parametrised instance: its texts hold the instance's numbers, so the
    engine makes the instance (in its sandbox, as for the statement); kept in the shared cache
    so that a page served from the cached statement does not make it again."""
    key = f"choice-options:{version.exercise.slug}:{version.version}:{seed}"
    try:
        cached = cache.get(key)
    except Exception:  # Redis restarting: make it again
        cached = None
    if cached is not None:
        return [(str(letter), str(text)) for letter, text in cached]
    from graders.engine import get_grader  # the grader makes the instance, in its sandbox
    from graders.sandbox.controller import SandboxUnavailable

    try:
        instance = get_grader().instance(engine_exercise(version), seed)
    except (InstanceError, SandboxUnavailable) as exc:
        logger.warning("%s: no options for seed %s: %s", version, seed, exc)
        return []
    pairs = [(o.letter, o.text) for o in instance.options]
    try:
        cache.set(key, pairs, timeout=OPTIONS_CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable: the options of %s are not shared", version)
    return pairs


def _inline_html(markdown_text: str) -> str:
    """An option's Markdown as inline HTML: one paragraph loses its <p> (it sits in a label)."""
    rendered = render_markdown(markdown_text).strip()
    match = re.fullmatch(r"<p>(.*)</p>", rendered, flags=re.S)
    return match.group(1) if match and "<p>" not in match.group(1) else rendered
