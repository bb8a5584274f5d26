"""Server-side inline SVG for the group report: one stacked bar per skill group and stage, showing the shares of
children at level III / II / I / no level yet (no scripts, no external resources, no style attributes: CSP-safe).
Colour is never the only cue: each segment is labelled with its percent when wide enough, the legend names the
levels, and the page shows the same numbers as a table.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..monitoring import load_framework

# Okabe-Ito colours (apart for the common colour-vision deficiencies), light enough for dark labels.
LEVEL_COLOURS = {3: "#009E73", 2: "#F0C05A", 1: "#E8845A", 0: "#C8D0D4"}
LEVEL_ORDER = (3, 2, 1, 0)


def _bar_label(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def distribution_svg(report, lang: str, title: str, no_level: str, width: int = 720) -> str:
    """`report`: services.cards.GroupReport; `title` is the accessible name; `no_level` names the children without a
    level yet in the legend. "" when there are no counts yet."""
    fw = load_framework()
    if not report.distribution:
        return ""
    left, right, bar_h, gap = 170, 12, 20, 6
    plot_w = width - left - right
    rows = []
    y = 8
    for sg, stages in report.distribution.items():
        rows.append(("group", fw.skill_group(sg).in_(lang), y, None))
        y += 22
        for counts in stages:
            rows.append(("bar", fw.stage(counts.stage).in_(lang), y, counts))
            y += bar_h + gap
        y += 8
    legend_y = y + 6
    height = legend_y + 26
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="report-chart-title" '
           f'font-family="DejaVu Sans, Noto Sans, sans-serif" font-size="12">',
           f'<title id="report-chart-title">{escape(title)}</title>']
    for kind, label, top, counts in rows:
        if kind == "group":
            out.append(f'<text x="0" y="{top + 14}" font-weight="bold" fill="#1f2a30">{escape(label)}</text>')
            continue
        out.append(f'<text x="{left - 8}" y="{top + 14}" text-anchor="end" fill="#1f2a30">'
                   f'{escape(_bar_label(label, 26))}</text>')
        x = float(left)
        for level in LEVEL_ORDER:
            share = counts.share(level)
            if share <= 0:
                continue
            w = plot_w * share / 100
            out.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{bar_h}" fill="{LEVEL_COLOURS[level]}" '
                       f'stroke="#ffffff"/>')
            if w >= 34:
                out.append(f'<text x="{x + w / 2:.1f}" y="{top + 14}" text-anchor="middle" fill="#1f2a30">'
                           f'{share:.0f}%</text>')
            x += w
    x = 0.0
    for level in LEVEL_ORDER:
        name = fw.level(level).in_(lang) if level else no_level
        out.append(f'<rect x="{x:.1f}" y="{legend_y}" width="14" height="14" fill="{LEVEL_COLOURS[level]}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{legend_y + 12}" fill="#1f2a30">{escape(name)}</text>')
        x += 30 + 7.2 * len(name)
    out.append("</svg>")
    return "".join(out)
