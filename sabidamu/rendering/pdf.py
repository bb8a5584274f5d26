"""PDF rendering with WeasyPrint from primitive template data only.

The URL fetcher refuses every scheme except data: (no file:, no http(s):, nothing else), so a value that
slipped into a template can never make the renderer read a local file or reach the network. The
stylesheet is read by Python from sabidamu/templates/ (e.g. screening/pdf.css) and passed as a string;
fonts are the system's DejaVu Sans / Noto Sans (both have the Kazakh letters), found by fontconfig, not fetched.
"""
from __future__ import annotations

from pathlib import Path

from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

CSS_DIR = Path(__file__).resolve().parents[1] / "templates"  # PDF stylesheets live beside their templates
_PRIMITIVES = (str, int, float, bool, type(None))


class RefusedURL(ValueError):
    """A PDF template asked for a resource other than a data: URI."""


class DataOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher restricted to data: URIs (checked here and by WeasyPrint's own protocol list)."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            raise RefusedURL(f"refused to fetch {url[:60]!r}: only data: URIs are allowed in PDFs")
        return super().fetch(url, headers)


def url_fetcher() -> DataOnlyFetcher:
    return DataOnlyFetcher()


def _check_primitive(value, path: str = "context") -> None:
    if isinstance(value, _PRIMITIVES):
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_primitive(v, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path}: keys must be strings")
            _check_primitive(v, f"{path}.{k}")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not primitive template data")


def stylesheet(name: str) -> str:
    path = (CSS_DIR / name).resolve()
    if CSS_DIR.resolve() not in path.parents:
        raise RefusedURL(f"stylesheet {name!r} is outside the templates folder")
    return path.read_text(encoding="utf-8")


def render_html_pdf(html: str, css: str | None = None) -> bytes:
    """Render ready HTML (with an optional stylesheet string) through the restricted fetcher."""
    fonts = FontConfiguration()
    fetcher = url_fetcher()
    sheets = [CSS(string=css, font_config=fonts, url_fetcher=fetcher)] if css else []
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    return document.write_pdf(stylesheets=sheets, font_config=fonts)


def render_pdf(template_name: str, *, css_name: str | None = None, **primitive_context) -> bytes:
    """Render a Jinja template (inside an app context) to PDF bytes; the context must be primitive data
    (str, numbers, bool, None, lists and dicts of them), so no model object reaches the template."""
    _check_primitive(primitive_context)
    html = render_template(template_name, **primitive_context)
    return render_html_pdf(html, stylesheet(css_name or template_name.rsplit(".", 1)[0] + ".css"))
