"""Bar charts drawn on the server as inline SVG: no JavaScript chart library, nothing from a CDN.

`bar_chart` computes the geometry; `gradebook/_bar_chart.html` draws it, with a `<title>` and
`<desc>` for screen readers and the same numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 520, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 22, 42


def _px(value: float) -> str:
    # Plain dot-decimal numbers: SVG attributes must not go through the template's localisation.
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: str
    y: str
    width: str
    height: str
    center: str  # x of the bar's middle, for its labels
    value_y: str  # y of the value written above the bar


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    x_label: str
    y_label: str
    bars: list[Bar]
    max_value: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 16
    x_label_y: int = HEIGHT - 6

    @property
    def description(self) -> str:
        return f"{self.y_label} by {self.x_label}: " + "; ".join(
            f"{bar.label}: {bar.value}" for bar in self.bars
        )


def bar_chart(
    *, chart_id: str, title: str, x_label: str, y_label: str, data: list[tuple[str, int]]
) -> BarChart:
    """A vertical bar chart of `data` (label, count), scaled so the tallest bar fills it."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = max((value for _, value in data), default=0)
    slot = plot_width / max(len(data), 1)
    bars = []
    for index, (label, value) in enumerate(data):
        height = plot_height * value / top_value if top_value else 0.0
        x = LEFT + index * slot + slot * 0.15
        y = TOP + plot_height - height
        bars.append(
            Bar(
                label=label,
                value=value,
                x=_px(x),
                y=_px(y),
                width=_px(slot * 0.7),
                height=_px(height),
                center=_px(x + slot * 0.35),
                value_y=_px(y - 4),
            )
        )
    return BarChart(
        chart_id=chart_id,
        title=title,
        x_label=x_label,
        y_label=y_label,
        bars=bars,
        max_value=top_value,
    )
