"""Rendering, used by services and web alike: PDFs through WeasyPrint with a data:-only URL fetcher
(pdf.py), the individual development card and the group's cards as PDF (cards.py), the screening summary as
PDF (screening.py), and server-side inline SVG charts (charts.py for a child's screenings, report_charts.py for
the group report). Templates come from sabidamu/templates; no module here imports services or web.
"""
