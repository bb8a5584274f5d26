"""Inline SVG for the analytics page: one horizontal stacked bar per row of a protected table (CSP-safe: no script,
no style attribute). A row's hidden cells are drawn together as one grey segment (a row whose total is hidden:
one grey bar labelled as protected); the page shows the same numbers as a table, so colour is never the only cue."""
from __future__ import annotations

from xml.sax.saxutils import escape

from .report_charts import LEVEL_COLOURS

COLOURS = [LEVEL_COLOURS[3], LEVEL_COLOURS[2], LEVEL_COLOURS[1], LEVEL_COLOURS[0], "#56B4E9", "#CC79A7"]


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


HIDDEN_FILL = "#FFFFFF"  # hidden counts: white with a dashed outline, unlike any level's colour
HIDDEN_EDGE = 'stroke="#8A969C" stroke-dasharray="3 2"'


def _segment(out: list[str], x: float, y: int, w: float, fill: str, tooltip: str, text: str) -> float:
    if w > 0:
        edge = f" {HIDDEN_EDGE}" if fill == HIDDEN_FILL else ""
        out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{fill}"{edge}>'
                   f'<title>{escape(tooltip)}</title></rect>')
        if text and w > max(34, 6 * len(text) + 8):  # about 6 px a character at 11 px
            out.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="11">{escape(text)}</text>')
    return x + w


def stacked_svg(table, title: str, hidden_label: str, width: int = 640) -> str:
    """`table`: services.analytics.report.Table whose last column is the row total. "" when it has no row."""
    parts = len(table.columns) - 1
    if not table.rows or parts < 1:
        return ""
    # 26 characters of a 12 px label take up to ~180 px: the labels' column is wider than that, so a kindergarten's
    # name is never cut at the left edge; the whole name is the label's tooltip.
    left, right, bar_h, gap = 196, 10, 18, 8
    plot_w = width - left - right
    height = 8 + len(table.rows) * (bar_h + gap) + 48  # two legend lines: the columns, then "hidden"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title, {chr(34): "&quot;"})}"><title>{escape(title)}</title>']
    y = 8
    for row in table.rows:
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
                   f'<title>{escape(row.label)}</title>{escape(_short(row.label))}</text>')
        values, total = row.values[:parts], row.values[-1]
        if total is None or not total:
            out.append(f'<rect x="{left}" y="{y}" width="{plot_w}" height="{bar_h}" fill="{HIDDEN_FILL}" '
                       f'{HIDDEN_EDGE}/>')
            out.append(f'<text x="{left + 6}" y="{y + 13}" font-size="11">{escape(hidden_label)}</text>')
        else:
            x = float(left)
            for i, v in enumerate(values):
                if v is None:
                    continue
                x = _segment(out, x, y, plot_w * v / total, COLOURS[i % len(COLOURS)],
                             f"{table.columns[i]}: {v}", f"{round(100 * v / total)}%")
            # The hidden cells together: their sum is the shown total less the shown cells, so drawing it
            # discloses nothing the table does not.
            rest = total - sum(v for v in values if v is not None)
            if rest > 0:
                _segment(out, x, y, plot_w * rest / total, HIDDEN_FILL, hidden_label, hidden_label)
        y += bar_h + gap
    x = float(left)
    for i, name in enumerate(table.columns[:parts]):
        out.append(f'<rect x="{x:.0f}" y="{y + 4}" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 14:.0f}" y="{y + 13}" font-size="11">{escape(_short(name, 16))}</text>')
        x += min(120, plot_w / parts)
    out.append(f'<rect x="{left}" y="{y + 22}" width="10" height="10" fill="{HIDDEN_FILL}" {HIDDEN_EDGE}/>')
    out.append(f'<text x="{left + 14}" y="{y + 31}" font-size="11">{escape(hidden_label)}</text>')
    out.append("</svg>")
    return "".join(out)
