"""Screening benchmark: the result page's p95 with 10,000 children in the database, and the PDF summary's
render time against WeasyPrint rendering a bare page of the same length, in the same run.

Run:  .venv/bin/python bench/bench_screening.py [--instance DIR] [--duration S] [--pdf-runs N]

Steps: seed the instance if needed (bench/seed.py: 10,000 children); add one completed screening for the
seeded parent's first child (with the real instruments of screening_instruments/, whichever are there; a
child older than every band gets a screening dated when it was in the first band); serve the app with
gunicorn (2 sync workers) on 127.0.0.1, sign in as that parent, warm up, run wrk against the result page;
then, in this process, render the PDF summary N times and a plain-text document with the same number of
pages N times. Prints a Markdown table (docs/benchmarks.md is not edited: the figures go to the lead).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
import uuid
from pathlib import Path

from sabidamu.services.auth import find_user

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import fetch, run_wrk  # noqa: E402
from seed import DEFAULT_INSTANCE, bench_environ, login_cookie, seed, serve  # noqa: E402

TARGET_PDF_RATIO = 2.0


def _app(instance_dir: Path):
    from sabidamu import create_app
    return create_app(environ=bench_environ(instance_dir))


def add_completed_screening(instance_dir: Path, parent_login: str, child_id: str) -> tuple[str, str]:
    """One completed screening of the child (idempotent: an existing one is reused). Returns (screening id,
    instrument id). Creates the screening table when the migrations do not have it yet."""
    from sqlmodel import select

    from sabidamu.db import session_scope
    from sabidamu.instruments import age_at, load_registry, score
    from sabidamu.instruments.age import date_at_age
    from sabidamu.models import Child, Screening
    from sabidamu.models.base import utcnow
    from sabidamu.services import screening as svc
    from sabidamu.services.children import open_child

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    Screening.__table__.create(engine, checkfirst=True)  # until the lead's migration adds it
    registry = load_registry(app.config["INSTRUMENTS_DIR"])
    with app.app_context(), session_scope(engine) as db:
        cid = uuid.UUID(child_id)
        existing = db.exec(select(Screening).where(Screening.child_id == cid,
                                                   Screening.status == "completed")).first()
        if existing is not None:
            return str(existing.id), existing.instrument_id
        parent = find_user(db, parent_login)
        child = db.get(Child, cid)
        view = open_child(keyring, child)
        ids = registry.ids()
        instrument = registry.get("sabidamu-dev-screen" if "sabidamu-dev-screen" in ids else ids[0])
        today = dt.date.today()
        age = age_at(view.birth_date, today, view.gestational_weeks)
        band = instrument.band_for(age)
        on = today
        if band is None:  # older than every band: a screening from when the child was in the last band
            band = instrument.bands[-1]
            on = date_at_age(view.birth_date, band.min_age) + dt.timedelta(days=3)
            age = age_at(view.birth_date, on, view.gestational_weeks)
        # A realistic mix: mostly 'yes', some 'sometimes', a few 'not yet' (no warning signs).
        answers = {}
        for n, item in enumerate(band.items):
            answers[item.id] = "yes" if item.warning_sign or n % 5 else ("sometimes" if n % 2 else "not_yet")
        result = score(instrument, band, answers, age, {})
        row = Screening(child_id=cid, key_id=child.key_id, instrument_id=instrument.id,
                        instrument_version=instrument.version, band_id=band.id, status="completed",
                        answered_by=parent.id, answered_by_role="parent", completed_at=utcnow())
        svc._seal(keyring, row, "answers", answers)
        svc._seal(keyring, row, "follow_ups", {})
        svc._seal(keyring, row, "progress", list(instrument.domain_ids_in(band)))
        svc._seal(keyring, row, "result", result.to_dict())
        svc._seal(keyring, row, "screening_date", on.isoformat())
        svc._seal(keyring, row, "gestational_weeks", None)
        db.add(row)
        db.flush()
        return str(row.id), instrument.id


def bench_pdf(instance_dir: Path, parent_login: str, screening_id: str, runs: int, lang: str = "kk") -> dict:
    """Median render time of the PDF summary and of a bare plain-text document with as many pages."""
    from flask_babel import force_locale
    from pypdf import PdfReader

    from sabidamu.db import session_scope
    from sabidamu.instruments import load_registry
    from sabidamu.rendering.pdf import render_html_pdf, render_pdf
    from sabidamu.services import screening as svc
    from sabidamu.web.screening.presenting import history_chart, result_context

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    registry = load_registry(app.config["INSTRUMENTS_DIR"])
    with app.test_request_context(), force_locale(lang), session_scope(engine, write=False) as db:
        parent = find_user(db, parent_login)
        view = svc.get_screening(db, keyring, registry, parent, uuid.UUID(screening_id), with_child=True)
        _child, views = svc.history(db, keyring, registry, parent, view.child_id, audit=False)
        context = result_context(view, lang)
        context["chart_svg"] = history_chart(views, lang)
        summary = render_pdf("screening/pdf.html", **context)  # warm up: fonts, templates
        pages = len(PdfReader(io.BytesIO(summary)).pages)
        # The bare document: plain paragraphs, no CSS beyond the font, grown until it has as many pages.
        bare_css = "html { font-family: 'DejaVu Sans'; font-size: 10pt; }"
        paragraph = "<p>" + ("Баланың ерте дамуы, ребенок, развитие. " * 12) + "</p>"
        count = 10
        while True:
            bare_html = f"<!doctype html><html lang='{lang}'><body>{paragraph * count}</body></html>"
            bare_pages = len(PdfReader(io.BytesIO(render_html_pdf(bare_html, bare_css))).pages)
            if bare_pages >= pages:
                break
            count += 6
        # Alternate the two so that load from other processes on the machine hits both alike.
        summary_times, bare_times = [], []
        for _ in range(runs):
            t = time.perf_counter()
            summary = render_pdf("screening/pdf.html", **context)
            summary_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            render_html_pdf(bare_html, bare_css)
            bare_times.append(time.perf_counter() - t)
    return {"pages": pages, "bare_pages": bare_pages, "summary_ms": statistics.median(summary_times) * 1000,
            "bare_ms": statistics.median(bare_times) * 1000, "bytes": len(summary), "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Its own instance: the screening table is added here, not in the foundation benchmark's instance.
    parser.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE.parent / "instance-screening")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk load")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pdf-runs", type=int, default=15)
    args = parser.parse_args(argv)

    info = seed(args.instance)
    parent_login, password = info["parent_login"], info["password"]
    child_id = info["parent_child_ids"][0]
    screening_id, instrument_id = add_completed_screening(args.instance, parent_login, child_id)
    print(f"screening {screening_id} ({instrument_id}) of child {child_id}", flush=True)

    with serve(args.instance) as base_url:
        cookie = login_cookie(base_url, parent_login, password)
        url = f"{base_url}/screenings/{screening_id}"
        status, _path, body = fetch(url, cookie)
        if status != 200 or "sd-domain" not in body:
            raise RuntimeError(f"the result page did not render (HTTP {status})")
        run_wrk(url, cookie, duration=2, connections=args.connections, threads=1)  # warm up
        page = run_wrk(url, cookie, duration=args.duration, connections=args.connections, threads=2)

    pdf = bench_pdf(args.instance, parent_login, screening_id, args.pdf_runs)
    ratio = pdf["summary_ms"] / pdf["bare_ms"]
    p95 = page["p95_us"] / 1000
    print()
    print("| measurement | value | target |")
    print("|---|---|---|")
    print(f"| result page p95, 10,000 children (wrk -c {args.connections} -d {args.duration}s, 2 sync workers) "
          f"| {p95:.1f} ms ({page['ok_rps']:.0f} req/s, {page['failed']} non-2xx) | - |")
    print(f"| PDF summary render ({pdf['pages']} pages, {pdf['bytes'] // 1024} KB), median of {pdf['runs']} "
          f"| {pdf['summary_ms']:.0f} ms | - |")
    print(f"| bare WeasyPrint document, plain text, {pdf['bare_pages']} pages, median of {pdf['runs']} "
          f"| {pdf['bare_ms']:.0f} ms | - |")
    print(f"| PDF summary / bare document | {ratio:.2f}x | <= {TARGET_PDF_RATIO:.0f}x "
          f"({'met' if ratio <= TARGET_PDF_RATIO else 'NOT met'}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
