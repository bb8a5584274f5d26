"""The analytics page's SVG bars: long names fit their column (with the whole name as a tooltip), a row's
segments fill the bar, a row's hidden cells are one grey segment, and a row whose total is hidden one grey bar."""
from __future__ import annotations

import re

from sabidamu.rendering.analytics_charts import stacked_svg
from sabidamu.services.analytics.report import Row, Table

LONG = "«Шұғыла» шағын орталығы, Есіл ауданы"


def _table():
    table = Table("levels", "physical", "Physical", ["3", "2", "1", "0", "total"], ["III", "II", "I", "—", "Total"])
    table.rows.append(Row(("org", 1), "org", LONG, [10, 20, 10, 0, 40]))
    table.rows.append(Row(("org", 2), "org", "Small", [None, 7, None, 0, 12]))
    return table


def test_long_names_fit_and_keep_their_whole_text_as_a_tooltip():
    svg = stacked_svg(_table(), "Physical", "protected: small numbers")
    label = re.search(r'<text x="(\d+)"[^>]*text-anchor="end" font-size="12"><title>([^<]*)</title>([^<]*)</text>',
                      svg)
    assert label.group(2) == LONG
    shown = label.group(3)
    assert len(shown) <= 26 and shown.endswith("…")
    assert len(shown) * 7 <= int(label.group(1))  # about 7 px a character at 12 px: inside the labels' column


def test_segments_fill_the_bar_and_hidden_cells_are_one_grey_segment():
    table = _table()
    table.rows.append(Row(("district", "x"), "district", "District", [None, None, None, 0, None]))
    svg = stacked_svg(table, "Physical", "protected: small numbers")

    def widths(y):
        return [float(w) for w in re.findall(rf'<rect x="[\d.]+" y="{y}" width="([\d.]+)" height="18" fill="#', svg)]
    plot = 640 - 196 - 10
    assert abs(sum(widths(8)) - plot) < 0.5
    # row 2: 7 of 12 shown; the two hidden cells together are the other 5, one grey segment
    second = widths(34)
    assert abs(sum(second) - plot) < 0.5 and len(second) == 2
    assert abs(second[1] - plot * 5 / 12) < 0.5
    assert '<title>protected: small numbers</title>' in svg
    # row 3: its total is hidden, so nothing about proportions is drawn
    assert re.search(r'<rect x="196" y="60" width="434" height="18" fill="#FFFFFF" stroke=', svg)
