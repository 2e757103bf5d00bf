"""Server-side SVG charts with a title and description; the same markup works in a page and a PDF.

No script and no style attributes (the Content Security Policy forbids inline style): only SVG
presentation attributes. Every chart is shown beside a table of the same numbers.

The <title> is the chart's alternative text: it names the chart and states every figure it draws
(`figures_text`), because WeasyPrint tags an inline <svg> as a PDF /Figure whose /Alt is that <title>, and a
screen reader in the page reads it first too.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#0b4f6c", "#d4351c", "#00703c", "#6f72af", "#b58840"]


@dataclass(frozen=True)
class Series:
    """One series of a chart. A value of None is not shown (a suppressed small number, or no pupils):
    the bar chart draws no bar and writes "–", as the table beside it does."""

    name: str
    values: list[float | None]


def _value(value: float | None, unit: str) -> str:
    return "not shown" if value is None else f"{value:g}{unit}"


def figures_text(*, labels: list[str], series: list[Series], unit: str = "") -> str:
    """Every figure the chart draws, in words: "Acorn: SEN support % 12%, EHC plan % 3%; Beech: ..."
    (a suppressed value is "not shown", as the table says "–")."""
    groups = []
    for g, label in enumerate(labels):
        groups.append(f"{label}: " + ", ".join(f"{s.name} {_value(s.values[g], unit)}" for s in series))
    return "; ".join(groups) + "." if groups else "No figures."


def bar_chart(*, title: str, description: str, labels: list[str], series: list[Series], unit: str = "") -> SafeString:
    """Grouped horizontal bars: one group per label, one bar per series."""
    bar_h, gap, label_w, width = 14, 10, 170, 640
    group_h = bar_h * len(series) + gap
    legend_h = 24
    height = legend_h + group_h * len(labels) + 10
    top = max([v for s in series for v in s.values if v is not None] + [1.0])
    scale = (width - label_w - 60) / top
    alt = f"{title}. {figures_text(labels=labels, series=series, unit=unit)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="app-chart" aria-labelledby="chart-title-{id(labels)} chart-desc-{id(labels)}">',
        f'<title id="chart-title-{id(labels)}">{escape(alt)}</title>',
        f'<desc id="chart-desc-{id(labels)}">{escape(description)}</desc>',
    ]
    for i, s in enumerate(series):
        x = label_w + i * 160
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 18}" y="15" font-size="12" fill="#0b0c0c">{escape(s.name)}</text>')
    for g, label in enumerate(labels):
        y0 = legend_h + g * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + group_h / 2}" font-size="12" text-anchor="end" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
        for i, s in enumerate(series):
            value = s.values[g]
            y = y0 + i * bar_h
            if value is None:
                parts.append(f'<text x="{label_w + 4}" y="{y + bar_h - 4}" font-size="11" fill="#0b0c0c">–</text>')
                continue
            w = max(value * scale, 0)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{COLOURS[i % len(COLOURS)]}"/>'
            )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11" fill="#0b0c0c">'
                f"{value:g}{escape(unit)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def line_chart(*, title: str, description: str, labels: list[str], series: list[Series]) -> SafeString:
    """Lines over the labels. Every value must be shown: a caller with a suppressed value leaves the chart
    out and keeps the table."""
    if any(v is None for s in series for v in s.values):
        raise ValueError("A line chart cannot hide a value: show the table only.")
    width, height, left, bottom, top_pad = 640, 240, 50, 40, 30
    top = max([v for s in series for v in s.values if v is not None] + [1.0])
    step = (width - left - 50) / max(len(labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, height - bottom - (v / top) * (height - bottom - top_pad)

    alt = f"{title}. {figures_text(labels=labels, series=series)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="app-chart" '
        f'aria-labelledby="line-title-{id(labels)} line-desc-{id(labels)}">',
        f'<title id="line-title-{id(labels)}">{escape(alt)}</title>',
        f'<desc id="line-desc-{id(labels)}">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#505a5f"/>',
    ]
    for i, label in enumerate(labels):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        values = [float(v or 0) for v in s.values]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"/>')
        for i, v in enumerate(values):
            x, y = xy(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle" fill="#0b0c0c">{v:g}</text>'
            )
        parts.append(
            f'<text x="{left + n * 160}" y="16" font-size="12" fill="{colour}">&#9632; {escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
