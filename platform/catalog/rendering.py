"""Statement Markdown -> sanitised HTML, with math left as `$..$` for KaTeX in the browser.

Markdown does not know LaTeX: left alone it would read `a_i * b_j` as emphasis and `\\{` as an
escape. So math spans are swapped for inert placeholders before Markdown and put back (HTML-
escaped, in `<span class="math">`) after it; code spans and blocks are left untouched, so a `$`
inside code stays code. nh3 then removes anything an exercise author (or a compromised
exercise file) could use to run script in a student's browser.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

_TOKENS = re.compile(
    r"(?P<code>```.*?```|~~~.*?~~~|`[^`\n]+`)"
    r"|(?P<display>\$\$.+?\$\$)"
    r"|(?P<inline>(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$)",
    re.S,
)
_PLACEHOLDER = re.compile(r"DGMATH(\d+)X")

_TAGS = set(nh3.ALLOWED_TAGS) | {"span", "pre", "code", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
_CLASSES = {"span": {"math", "math-display", "math-inline"}, "code": {"language-python"}}


def render_markdown(text: str) -> str:
    """Render trusted-but-checked Markdown to HTML that is safe to mark safe in a template."""
    maths: list[str] = []

    def protect(match: re.Match[str]) -> str:
        if match.group("code"):
            return match.group(0)
        maths.append(match.group(0))
        return f"DGMATH{len(maths) - 1}X"

    protected = _TOKENS.sub(protect, text)
    rendered = markdown.markdown(
        protected, extensions=["fenced_code", "tables", "sane_lists"], output_format="html"
    )

    def restore(match: re.Match[str]) -> str:
        source = maths[int(match.group(1))]
        kind = "math-display" if source.startswith("$$") else "math-inline"
        return f'<span class="math {kind}">{html.escape(source, quote=False)}</span>'

    rendered = _PLACEHOLDER.sub(restore, rendered)
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes={"http", "https", "mailto"},
    )
