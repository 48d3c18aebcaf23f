"""Statement Markdown -> sanitised HTML, with math left as `$..$` for KaTeX in the browser.

Markdown does not know LaTeX: left alone it would read `a_i * b_j` as emphasis and `\\{` as an
escape. So math spans are swapped for inert placeholders before Markdown and put back (HTML-
escaped, in `<span class="math">`) after it; code spans and blocks are left untouched, so a `$`
inside code stays code. The placeholders carry a random key that is not in the text, so an
author who writes one's shape (`DGMATH7X`) gets it back as text. nh3 then removes anything an
exercise author (or a compromised exercise file) could use to run script in a student's browser.
"""

from __future__ import annotations

import html
import re
import secrets

import markdown
import nh3

_TOKENS = re.compile(
    r"(?P<code>```.*?```|~~~.*?~~~|`[^`\n]+`)"
    r"|(?P<display>\$\$.+?\$\$)"
    r"|(?P<inline>(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$)",
    re.S,
)

_TAGS = set(nh3.ALLOWED_TAGS) | {"span", "pre", "code", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
_CLASSES = {"span": {"math", "math-display", "math-inline"}, "code": {"language-python"}}


def _placeholder_key(text: str) -> str:
    """Letters and digits only (Markdown leaves them alone), and found nowhere in `text`, so
    that only the placeholders made here are ever put back."""
    while True:
        key = f"DGMATH{secrets.token_hex(8)}N"
        if key not in text:
            return key


def render_markdown(text: str) -> str:
    """Render trusted-but-checked Markdown to HTML that is safe to mark safe in a template."""
    maths: list[str] = []
    key = _placeholder_key(text)

    def protect(match: re.Match[str]) -> str:
        if match.group("code"):
            return match.group(0)
        maths.append(match.group(0))
        return f"{key}{len(maths) - 1}X"

    protected = _TOKENS.sub(protect, text)
    rendered = markdown.markdown(
        protected, extensions=["fenced_code", "tables", "sane_lists"], output_format="html"
    )

    def restore(match: re.Match[str]) -> str:
        source = maths[int(match.group(1))]
        kind = "math-display" if source.startswith("$$") else "math-inline"
        return f'<span class="math {kind}">{html.escape(source, quote=False)}</span>'

    rendered = re.sub(rf"{key}(\d+)X", restore, rendered)
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes={"http", "https", "mailto"},
    )
