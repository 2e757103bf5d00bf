"""The load test's chart, hand-written SVG: p95 (left axis) and requests/s (right axis) against users, one
colour per server setting, the p95 budget as a dashed line. With a title and a description, like the product's
charts; the figures are in load.md beside it."""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 70, 50, 70
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#6f72af"]


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (an axis end).

    >>> nice_max(0), nice_max(7), nice_max(42), nice_max(300), nice_max(301)
    (1.0, 10.0, 50.0, 500.0, 500.0)
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)


def svg(data: dict[str, Any]) -> str:
    configs = data["configs"]
    budget = float(data["budget"]["p95_ms"])
    users = [r["users"] for c in configs for r in c["rows"]] or [1]
    x_max = nice_max(max(users))
    p_max = nice_max(max([budget * 1.2] + [r["p95_ms"] or 0 for c in configs for r in c["rows"]]))
    r_max = nice_max(max([1.0] + [r["rps"] for c in configs for r in c["rows"]]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(u: float) -> float:
        return LEFT + plot_w * u / x_max

    def y(v: float, top: float) -> float:
        return TOP + plot_h * (1 - min(v, top) / top)

    title = "Load test: p95 response time and throughput against simultaneous users"
    desc = "; ".join(
        f"{c['name']}: "
        + ", ".join(f"{r['users']} users p95 {r['p95_ms']} ms at {r['rps']} requests/s" for r in c["rows"])
        for c in configs
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="load-title load-desc" font-family="sans-serif" font-size="12">',
        f'<title id="load-title">{escape(title)}</title>',
        f'<desc id="load-desc">{escape(desc)}. Budget: p95 at most {budget:g} ms.</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i in range(6):  # grid and both y axes' labels
        frac = i / 5
        gy = TOP + plot_h * (1 - frac)
        out.append(f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{LEFT + plot_w}" y2="{gy:.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{gy + 4:.1f}" text-anchor="end">{p_max * frac:g}</text>')
        out.append(f'<text x="{LEFT + plot_w + 8}" y="{gy + 4:.1f}">{r_max * frac:g}</text>')
    for i in range(6):
        u = x_max * i / 5
        out.append(f'<text x="{x(u):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{u:g}</text>')
    out += [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#0b0c0c"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#0b0c0c"/>',
        f'<line x1="{LEFT + plot_w}" y1="{TOP}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#0b0c0c"/>',
        f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 38}" text-anchor="middle">simultaneous users</text>',
        f'<text transform="translate(18 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">p95 (ms), solid</text>',
        f'<text transform="translate({WIDTH - 16} {TOP + plot_h / 2}) rotate(90)" text-anchor="middle">'
        "requests/s, dashed</text>",
        f'<line x1="{LEFT}" y1="{y(budget, p_max):.1f}" x2="{LEFT + plot_w}" y2="{y(budget, p_max):.1f}" '
        'stroke="#505a5f" stroke-dasharray="2 4"/>',
        f'<text x="{LEFT + 6}" y="{y(budget, p_max) - 5:.1f}" fill="#505a5f">p95 budget {budget:g} ms</text>',
    ]
    for n, c in enumerate(configs):
        colour = COLOURS[n % len(COLOURS)]
        measured = [r for r in c["rows"] if r["p95_ms"] is not None]
        p_points = " ".join(f"{x(r['users']):.1f},{y(r['p95_ms'], p_max):.1f}" for r in measured)
        r_points = " ".join(f"{x(r['users']):.1f},{y(r['rps'], r_max):.1f}" for r in c["rows"])
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{p_points}"/>')
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="6 4" points="{r_points}"/>'
        )
        for r in measured:
            out.append(f'<circle cx="{x(r["users"]):.1f}" cy="{y(r["p95_ms"], p_max):.1f}" r="3" fill="{colour}"/>')
        ly = HEIGHT - 14
        lx = LEFT + n * 200
        out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" stroke="{colour}" stroke-width="3"/>')
        label = f"{c['name']}: held {c['held_users']} users"
        out.append(f'<text x="{lx + 30}" y="{ly}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
