"""What makes a username acceptable, and when two usernames count as the same.

Every path that creates or renames a user goes through these rules (the model's field validator
and `User.clean`, `accounts.services.user_create`, the sign-up and admin forms, the CSV upload),
so that a name refused on one path is refused on all:

- A username is stored in Unicode NFKC form, as Django's own forms store it: the full-width
  `ｂｏｂ` is the user `bob`.
- Two usernames are the same account name when their *keys* are equal (`username_key`): the
  key ignores case and maps letters of other scripts that look like a Latin letter or a digit
  onto it, so that `Bob`, `BOB`, the Cyrillic `Вов` and Greek or Cyrillic look-alikes of `bob`
  all have the key `bob`. The key is stored in a unique column: one account per key, checked
  by the database itself (two uploads at once cannot both create it).
- A username that mixes scripts with look-alike letters (`bоb`: a Latin `b`, a Cyrillic `о`)
  is refused outright, whether or not the Latin name exists yet: it can only be meant to pass
  for another name. A name in one script (`боб`, `josé`), or in the scripts one writing system
  mixes (Japanese: Han, Hiragana, Katakana), is fine.

The look-alike table is Unicode's confusables list as shipped by `confusable-homoglyphs`
(pinned in requirements.txt): a new version of it may change keys, which are recomputed
whenever a user is saved.
"""

from __future__ import annotations

import functools
import unicodedata

from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError

USERNAME_MAX_LENGTH = 150


def normalise(username: str) -> str:
    """The stored form of a typed username: NFKC, without surrounding blanks."""
    return unicodedata.normalize("NFKC", username).strip()


@functools.cache
def _key_char(char: str) -> str:
    """One character of a username's key: lower case, and a look-alike of an ASCII letter or
    digit replaced by it."""
    if char.isascii():
        return char.lower()
    # The character itself first: a capital like the Cyrillic В looks like B, while its small
    # letter в does not look like b.
    for candidate in (char, char.casefold()):
        if candidate.isascii():
            return candidate.lower()
        ascii_twins = sorted(
            entry["c"].lower()
            for entry in confusables.confusables_data.get(candidate, ())
            if len(entry["c"]) == 1 and entry["c"].isascii() and entry["c"].isalnum()
        )
        if ascii_twins:
            # Letters before digits: the Cyrillic о is "o", not "0".
            return min(ascii_twins, key=lambda c: (c.isdigit(), c))
    return char.casefold()


def username_key(username: str) -> str:
    """The key under which a username is unique (see the module's docstring)."""
    return "".join(_key_char(char) for char in normalise(username))


# Scripts that one writing system mixes by itself, with Latin letters or not (the "highly
# restrictive" profile of Unicode's TR39): a Japanese name mixes Han, Hiragana and Katakana.
_WRITING_SYSTEMS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)


def _one_writing_system(name: str) -> bool:
    scripts = categories.unique_aliases(name) - {"COMMON", "INHERITED"}
    return len(scripts) <= 1 or any(scripts <= system for system in _WRITING_SYSTEMS)


def lookalike_problem(username: str) -> str | None:
    """Why `username` is refused as a look-alike (mixed scripts), or None."""
    name = normalise(username)
    if _one_writing_system(name) or not confusables.is_dangerous(name):
        return None
    odd = confusables.is_confusable(name, greedy=True, preferred_aliases=["latin", "common"])
    examples = ", ".join(
        f"{item['character']} is {item['alias'].title()}" for item in (odd or [])[:3]
    )
    return (
        f"{name!r} mixes alphabets whose letters look alike"
        + (f" ({examples})" if examples else "")
        + ": it could pass for another person's name. Type it in one alphabet"
    )


def validate_not_lookalike(value: str) -> None:
    """The username field's validator (admin, createsuperuser, every `full_clean`)."""
    problem = lookalike_problem(value)
    if problem:
        raise ValidationError(problem, code="lookalike")
