"""The card as PDF: one child, or a whole group (one card per page set) with progress.

The HTML comes from templates/cards/pdf.html with primitive data only (services.cards.card_context); the stylesheet
static/css/card-pdf.css is read by Python and passed as a string; every URL goes through rendering/pdf.py's data:-only
fetcher. Needs an app context (templates), not a request: the group job renders in a background thread.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app

from .pdf import _check_primitive, render_html_pdf, url_fetcher

CSS_PATH = Path(__file__).resolve().parents[1] / "static" / "css" / "card-pdf.css"


def card_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def card_html(cards: list[dict]) -> str:
    _check_primitive(cards, "cards")
    lang = cards[0]["lang"] if cards else "kk"
    # The app's Jinja environment without the request's context processors: a CLI command or the job's thread
    # has no request, and the PDF needs nothing but its own data.
    return current_app.jinja_env.get_template("cards/pdf.html").render(cards=cards, lang=lang)


_LOCAL = threading.local()


def _resources():
    """(font configuration, fetcher, parsed stylesheet) for this thread, made once and reused while the
    stylesheet's text stays the same. Building them anew for every card (Pango's font map, the fonts' files and
    the CSS) took about a quarter of a card's rendering time. Per thread: Pango's font map is not shared between
    threads (the group job renders in its own thread)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    css = card_css()
    cached = getattr(_LOCAL, "resources", None)
    if cached is None or cached[0] != css:
        fonts = FontConfiguration()
        fetcher = url_fetcher()
        cached = (css, fonts, fetcher, CSS(string=css, font_config=fonts, url_fetcher=fetcher))
        _LOCAL.resources = cached
    return cached[1:]


def render_card_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    fonts, fetcher, sheet = _resources()
    document = HTML(string=card_html([context]), url_fetcher=fetcher, base_url=None)
    return document.write_pdf(stylesheets=[sheet], font_config=fonts)


def render_group_pdf(contexts: Iterable[tuple[int, int, dict]],
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """One PDF of many cards. Each card is laid out on its own (so progress can be told card by card, and memory
    stays one card's HTML at a time); the pages are then written as one document sharing fonts."""
    from weasyprint import HTML

    fonts, fetcher, sheet = _resources()
    documents = []
    for index, total, context in contexts:
        html = HTML(string=card_html([context]), url_fetcher=fetcher, base_url=None)
        documents.append(html.render(stylesheets=[sheet], font_config=fonts))
        if progress is not None:
            progress(index, total)
    if not documents:
        return render_html_pdf(card_html([]), card_css())
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
