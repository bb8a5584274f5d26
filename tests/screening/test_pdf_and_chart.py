"""sabidamu.rendering.pdf (restricted fetcher, primitive context) and sabidamu.rendering.charts (inline SVG)."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from sabidamu.rendering.charts import Series, domain_scores_svg
from sabidamu.rendering.pdf import DataOnlyFetcher, RefusedURL, render_html_pdf, render_pdf


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1/x.png", "https://example.org/a.css",
                                 "ftp://example.org/f", "FILE:///etc/hostname"])
def test_fetcher_refuses_everything_but_data_uris(url):
    with pytest.raises(RefusedURL):
        DataOnlyFetcher().fetch(url)


def test_render_ignores_refused_resources_and_keeps_kazakh_letters(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    html = (f'<link rel="stylesheet" href="file://{secret}"><p>Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі</p>'
            '<img alt="" src="data:image/svg+xml;utf8,&lt;svg xmlns=&quot;http://www.w3.org/2000/svg&quot; '
            'width=&quot;4&quot; height=&quot;4&quot;/&gt;">')
    data = render_html_pdf(html, "p { font-family: 'DejaVu Sans'; }")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі" in text


def test_render_pdf_takes_primitive_data_only(app):
    with app.test_request_context(), pytest.raises(TypeError):
        render_pdf("screening/pdf.html", child_name=object())


def test_chart_is_valid_svg_without_styles_or_links():
    svg = domain_scores_svg([Series("Қарым-қатынас", ((4.3, 100.0), (6.1, 70.0))), Series("<b>", ((4.3, 40.0),))],
                            title="Ұпайлар", x_label="ай", y_label="%")
    root = ET.fromstring(svg)  # well-formed; the label with markup is escaped
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert "style=" not in svg and "<style" not in svg and "href" not in svg and "<script" not in svg
    assert svg.count("<polyline") == 1 and "&lt;b&gt;" in svg
