"""Server-side inline SVG charts (no scripts, no external resources, no style attributes: CSP-safe and
rendered the same by browsers and WeasyPrint).

`domain_scores_svg` draws each domain's score as percent of its maximum against the child's age in
months, one line per domain, with the 50 % and 75 % zone thresholds as dashed guides.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

# Distinguishable colours that stay apart for the common colour-vision deficiencies (Okabe-Ito);
# each series also has its own marker shape so colour is never the only cue.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond")


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float], ...]  # (age in months, percent 0-100)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "diamond":
        points = f"M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z"
        return f'<path d="{points}" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _ticks(low: float, high: float) -> list[int]:
    span = max(high - low, 1)
    step = next(s for s in (1, 2, 3, 6, 12, 24) if span / s <= 8)
    first = int(low // step * step)
    return [t for t in range(first, int(high) + step + 1, step) if low <= t <= high]


def domain_scores_svg(series: list[Series], *, title: str, x_label: str, y_label: str,
                      width: int = 640, height: int = 340) -> str:
    """An accessible inline SVG line chart; `title` becomes its accessible name."""
    legend_rows = (len(series) + 1) // 2
    left, right, top, bottom = 48, 16, 16, 52 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    ages = [a for s in series for a, _ in s.points] or [0.0]
    low, high = min(ages), max(ages)
    if high - low < 2:
        low, high = max(low - 1, 0), high + 1

    def x_of(age: float) -> float:
        return left + (age - low) / (high - low) * plot_w

    def y_of(pct: float) -> float:
        return top + (1 - max(0.0, min(pct, 100.0)) / 100) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title" '
           f'font-family="DejaVu Sans, Noto Sans, sans-serif" font-size="12">',
           f'<title id="chart-title">{escape(title)}</title>',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="#9aa8b0"/>']
    for pct in (0, 25, 50, 75, 100):
        y = y_of(pct)
        dash = ' stroke-dasharray="5 4"' if pct in (50, 75) else ""
        colour = "#6b7780" if pct in (50, 75) else "#e3e8eb"
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}"{dash}/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1f2a30">{pct}%</text>')
    for tick in _ticks(low, high):
        x = x_of(tick)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#1f2a30"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 17}" text-anchor="middle" fill="#1f2a30">{tick}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 32}" text-anchor="middle" '
               f'fill="#1f2a30">{escape(x_label)}</text>')
    out.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="#1f2a30" '
               f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(y_label)}</text>')
    for index, s in enumerate(series):
        colour, marker = COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)]
        points = sorted(s.points)
        if len(points) > 1:
            path = " ".join(f"{x_of(a):.1f},{y_of(p):.1f}" for a, p in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(_marker(marker, x_of(a), y_of(p), colour) for a, p in points)
        lx = left + (index % 2) * (plot_w / 2)
        ly = top + plot_h + 56 + (index // 2) * 20
        label = s.label if len(s.label) <= 36 else s.label[:35] + "…"
        out.append(_marker(marker, lx + 6, ly - 4, colour))
        out.append(f'<text x="{lx + 16:.1f}" y="{ly:.1f}" fill="#1f2a30">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)
