"""The screening summary as PDF (templates/screening/pdf.html with its pdf.css), from the primitive context the
result page renders from (web/screening/presenting.result_context)."""
from __future__ import annotations

from .pdf import render_pdf


def render_screening_pdf(context: dict) -> bytes:
    """Needs an app context (templates). `context`: primitive data only (checked by render_pdf)."""
    return render_pdf("screening/pdf.html", **context)
