"""The analytics page's SVG bars: long names fit their column (with the whole name as a tooltip), a row's
segments fill the bar, and a row with a hidden cell is one grey bar that says it is protected."""
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


def test_segments_fill_the_bar_and_a_protected_row_is_one_grey_bar():
    svg = stacked_svg(_table(), "Physical", "protected: small numbers")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="8" width="([\d.]+)" height="18" fill="#', svg)]
    assert abs(sum(widths) - (640 - 196 - 10)) < 0.5
    assert svg.count("protected: small numbers") == 1
