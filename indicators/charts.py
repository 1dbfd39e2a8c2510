"""Server-rendered SVG charts: served by the platform itself, readable without
JavaScript, and announced to screen readers by their title and description."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x label; None leaves a gap
    css_class: str  # colour and dash come from the class, see the unit page CSS
    dashed: bool = False


WIDTH, PLOT_HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36
# The legend sits under the plot, a line per series across the chart's width,
# so that long names ("trung bình toàn quốc", a unit's full name) are whole.
LEGEND_LINE = 20


def _scale(series: Sequence[Series]) -> tuple[float, float]:
    figures = [v for s in series for v in s.values if v is not None]
    if not figures:
        return 0.0, 100.0
    low = max(0.0, (min(figures) // 5) * 5 - 5)
    high = min(100.0, (max(figures) // 5) * 5 + 5)
    return (low, high) if high > low else (low, low + 5)


def trend_svg(
    *, x_labels: Sequence[str], series: Sequence[Series], title: str, desc: str
) -> SafeString:
    """A line chart in percent over periods: one polyline per series, points
    marked with their value as a tooltip, a legend under the plot."""
    low, high = _scale(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT - TOP - BOTTOM
    height = PLOT_HEIGHT + LEGEND_LINE * len(series) + 8
    count = max(len(x_labels), 1)

    def x(index: int) -> float:
        if count == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * index / (count - 1)

    def y(figure: float) -> float:
        return TOP + plot_h * (1 - (figure - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        'class="trend-chart" role="img" aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>'
    ]
    step = 5 if high - low <= 30 else 10
    tick = low
    while tick <= high + 1e-9:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" '
            f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
        tick += step
    for index, label in enumerate(x_labels):
        parts.append(
            f'<text class="axis" x="{x(index):.1f}" y="{PLOT_HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for number, line in enumerate(series):
        css = escape(line.css_class)
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        segments: list[list[str]] = [[]]
        for index, figure in enumerate(line.values):
            if figure is None:
                segments.append([])
                continue
            segments[-1].append(f"{x(index):.1f},{y(figure):.1f}")
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline class="{css}" points="{" ".join(points)}"{dash}/>'
                )
        if not line.dashed:
            for index, figure in enumerate(line.values):
                if figure is not None:
                    parts.append(
                        f'<circle class="{css}" cx="{x(index):.1f}" '
                        f'cy="{y(figure):.1f}" r="3.5"><title>'
                        f"{escape(x_labels[index])}: {figure:.2f}%</title></circle>"
                    )
        legend_y = PLOT_HEIGHT + 4 + LEGEND_LINE * number
        parts.append(
            f'<line class="{css}" x1="{LEFT}" x2="{LEFT + 24}" '
            f'y1="{legend_y}" y2="{legend_y}"{dash}/>'
            f'<text class="legend" x="{LEFT + 30}" y="{legend_y + 4}">'
            f"{escape(line.label)}</text>"
        )
    parts.append("</svg>")
    # Every text above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))
