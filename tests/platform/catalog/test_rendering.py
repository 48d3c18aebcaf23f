from __future__ import annotations

from catalog.rendering import render_markdown


def test_math_is_kept_verbatim_for_katex() -> None:
    html = render_markdown(r"Let $a_i * b_j$ be given, and $$\frac{\partial L}{\partial x}$$.")

    assert '<span class="math math-inline">$a_i * b_j$</span>' in html
    assert r"$$\frac{\partial L}{\partial x}$$" in html
    assert "<em>" not in html


def test_dollars_inside_code_stay_code() -> None:
    html = render_markdown("Use `x = $5$` here.\n\n```python\nprint('$a$')\n```\n")

    assert "<code>x = $5$</code>" in html
    assert "math" not in html


def test_prices_are_not_math() -> None:
    assert "math" not in render_markdown("It costs $5 and $6.")


def test_script_and_javascript_links_are_removed() -> None:
    html = render_markdown(
        '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
        ' <a href="/ok" onclick="alert(4)">ok</a>'
    )

    assert "alert" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="/ok"' in html


def test_math_cannot_smuggle_html() -> None:
    html = render_markdown("$<script>alert(1)</script>$")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_relative_links_between_exercises_survive() -> None:
    html = render_markdown("Before this: [Sigmoid backward](../sigmoid-backward/)")

    assert 'href="../sigmoid-backward/"' in html
