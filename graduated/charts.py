"""Server-side SVG charts of an outcome's scores over time.

The same markup works in a page and a PDF. The Content Security Policy forbids inline style and
script, so only SVG presentation attributes are used (fill, stroke, stroke-dasharray...). Every chart
has a <title> and <desc> and is shown beside a table of the same numbers. The <title> is the alternative
text (WeasyPrint's PDF /Figure /Alt, and what a screen reader reads first): it states every score drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

LINE = "#0b4f6c"
TARGET = "#00703c"
TEXT = "#0b0c0c"
AXIS = "#505a5f"
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 24, 44


@dataclass(frozen=True)
class Point:
    when: date
    value: Decimal
    label: str = ""


def _nice_ceiling(value: float) -> float:
    """The next 1, 2, 2.5 or 5 × a power of ten at or above `value`, so the axis reads 0, 50, 100."""
    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _num(value: Decimal | float) -> str:
    return f"{Decimal(value).normalize():f}" if isinstance(value, Decimal) else f"{value:g}"


def progress_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    target: Decimal | None = None,
) -> SafeString:
    """A line of scores by date (spaced by time), with the target as a dashed line when there is one."""
    values = [float(p.value) for p in points] + ([float(target)] if target is not None else [])
    low = min([0.0, *values])
    high = _nice_ceiling(max([*values, 1.0]) * 1.05)
    if high <= low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h - (v - low) / (high - low) * plot_h

    if points:
        first, last = points[0].when, points[-1].when
        span = max((last - first).days, 1)

        def x(d: date) -> float:
            if first == last:
                return LEFT + plot_w / 2
            return LEFT + (d - first).days / span * plot_w
    else:

        def x(d: date) -> float:
            return LEFT + plot_w / 2

    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    figures = "; ".join(f"{p.label or f'{p.when:%-d %B %Y}'}: {_num(p.value)}" for p in points) or "no scores yet"
    if target is not None:
        figures += f"; target {_num(target)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="app-chart" '
        f'aria-labelledby="{tid} {did}" id="{escape(chart_id)}">',
        f'<title id="{tid}">{escape(title)}. Scores: {escape(figures)}.</title>',
        f'<desc id="{did}">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{AXIS}"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="{AXIS}"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" fill="{TEXT}">{tick:g}</text>'
        )
    if target is not None:
        ty = y(float(target))
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{ty - 6:.1f}" font-size="11" text-anchor="end" fill="{TARGET}">'
            f"Target {escape(_num(target))}</text>"
        )
    if not points:
        parts.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" font-size="13" text-anchor="middle" '
            f'fill="{TEXT}">No scores yet</text>'
        )
    else:
        coords = [(x(p.when), y(float(p.value))) for p in points]
        if len(coords) > 1:
            line = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="3"/>')
        step = max(1, len(points) // 8)  # at most about eight date labels
        for i, (p, (cx, cy)) in enumerate(zip(points, coords, strict=True)):
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{LINE}"/>')
            parts.append(
                f'<text x="{cx:.1f}" y="{cy - 8:.1f}" font-size="11" text-anchor="middle" fill="{TEXT}">'
                f"{escape(_num(p.value))}</text>"
            )
            if i % step == 0 or i == len(points) - 1:
                label = p.label or f"{p.when.day} {p.when:%b}"
                parts.append(
                    f'<text x="{cx:.1f}" y="{TOP + plot_h + 18}" font-size="11" text-anchor="middle" '
                    f'fill="{TEXT}">{escape(label)}</text>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def outcome_points(*, outcome: Any, planned_on: date | None, scores: Sequence[Any]) -> list[Point]:
    """The baseline (on the day the plan was agreed) then each logged score, in date order."""
    points = []
    if outcome.baseline_score is not None and planned_on is not None:
        points.append(Point(planned_on, outcome.baseline_score, "Baseline"))
    points += [Point(s.session_date, s.score) for s in scores if s.score is not None]
    return sorted(points, key=lambda p: (p.when, p.label != "Baseline"))


def outcome_chart(*, outcome: Any, number: int, planned_on: date | None, scores: Sequence[Any]) -> SafeString:
    points = outcome_points(outcome=outcome, planned_on=planned_on, scores=scores)
    if points:
        latest = points[-1]
        described = (
            f"{len(points)} score{'s' if len(points) != 1 else ''} from {points[0].when:%-d %B %Y} to "
            f"{latest.when:%-d %B %Y}; the latest is {_num(latest.value)}"
        )
    else:
        described = "No scores have been logged yet"
    if outcome.target_score is not None:
        described += f"; the target is {_num(outcome.target_score)}"
    return progress_chart(
        chart_id=f"outcome-{outcome.pk}-chart",
        title=f"Progress on outcome {number}: {outcome.description[:80]}",
        description=described + ". The same numbers are in the table beside the chart.",
        points=points,
        target=outcome.target_score,
    )


def outcome_progress(*, cycle: Any, outcomes: Sequence[Any]) -> list[dict[str, Any]]:
    """Each outcome with its scores (prefetched as `scores`, oldest first) and its chart, for the cycle page
    and the review form (which shows the evidence beside each judgement)."""
    rows = []
    for n, outcome in enumerate(outcomes, start=1):
        scores = list(outcome.scores.all())
        rows.append(
            {
                "outcome": outcome,
                "scores": scores,
                "latest": scores[-1] if scores else None,
                "chart": outcome_chart(outcome=outcome, number=n, planned_on=cycle.planned_on, scores=scores),
            }
        )
    return rows
