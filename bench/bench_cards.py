"""Benchmark of the individual development card PDF: one card vs a bare WeasyPrint page, and a group of 25 cards.

Run:  .venv/bin/python bench/bench_cards.py [--instance DIR] [--runs N] [--group-runs N]

Uses bench/seed.py for a 10,000-child SQLite database (400 groups of 25), fills the first group's cards through
the writing side's service (start, intermediate and final stage: levels, measures, final levels; idempotent),
then measures in one process:
  - the card PDF of one child (median of N renders) against "a bare page of the same length": the card's own
    text (every word, in order) as plain paragraphs in one font at the card's size, on the card's page size and
    margins - the same amount of text on the same number of pages - rendered alternately in the same run
    (target: card <= 2x bare; see text_page). Two other plain documents are timed for information;
  - the whole group as one PDF, 25 cards, end to end: access checks, decrypting and assembling every card,
    layout and writing (target: <= 20 s).
Prints a Markdown table for docs/benchmarks.md.
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
from seed import REPO_ROOT, bench_environ, seed  # noqa: E402

DEFAULT_INSTANCE = REPO_ROOT / "build" / "bench" / "instance-cards"
TARGET_RATIO = 2.0
TARGET_GROUP_S = 20.0
MEASURES = ("Доппен ойындар, аптасына екі рет; ата-анамен бірге үйде жаттығу. "
            "Игры с мячом два раза в неделю; упражнения дома вместе с родителями.")


BARE_CSS = ("@page { size: A4 landscape; margin: 10mm 12mm 12mm; } "
            "html { font-family: 'DejaVu Sans'; font-size: 9pt; } body { margin: 0; } p { margin: 0 0 1mm; }")
BREAK_AFTER = {"h1", "tr", "section", "table"}  # a block of the card ends: start a new paragraph


def text_page(card_html: str, lang: str) -> str:
    """"A bare page of the same length": every word of the card, in the card's order, as plain paragraphs (one per
    title, table row and signature line) in one font at the card's size, on the card's page size and margins - the
    same amount of text on the same number of pages, without the table, borders, weights or sizes."""
    from html import escape
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.paragraphs: list[str] = []
            self.words: list[str] = []
            self.in_head = False

        def handle_starttag(self, tag, attrs):
            self.in_head = self.in_head or tag == "head"

        def handle_endtag(self, tag):
            if tag == "head":
                self.in_head = False
            if tag in BREAK_AFTER and self.words:
                self.paragraphs.append(" ".join(self.words))
                self.words = []

        def handle_data(self, data):
            if data.strip() and not self.in_head:
                self.words.append(" ".join(data.split()))
    parser = _Text()
    parser.feed(card_html)
    parser.close()
    if parser.words:
        parser.paragraphs.append(" ".join(parser.words))
    return (f"<!doctype html><html lang='{lang}'><body>"
            + "".join(f"<p>{escape(p)}</p>" for p in parser.paragraphs) + "</body></html>")


def _app(instance_dir: Path):
    from sabidamu import create_app
    return create_app(environ=bench_environ(instance_dir))


def schema_from_models(instance_dir: Path) -> None:
    """Until the migrations catch up with the models being written in parallel: a NEW instance gets its schema
    from the models and is stamped at the migration head (seed's `alembic upgrade head` then does nothing)."""
    from alembic import command
    from sqlmodel import SQLModel

    import sabidamu.models  # noqa: F401
    from sabidamu.db import alembic_config

    if (instance_dir / "bench-seed.json").exists():
        return
    instance_dir.mkdir(parents=True, exist_ok=True)
    app = _app(instance_dir)
    SQLModel.metadata.create_all(app.extensions["sabidamu.engine"])
    command.stamp(alembic_config(app.config["DATABASE_URL"]), "head")


def fill_group(instance_dir: Path, teacher_login: str, group_id: str) -> int:
    """Every child of the group gets all three stages (idempotent). Returns the number of children."""
    from sqlmodel import select

    from sabidamu.db import session_scope
    from sabidamu.models import CardStage, Enrollment, Group
    from sabidamu.monitoring import load_framework
    from sabidamu.services import monitoring as mon

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    fw = load_framework()
    with app.app_context(), session_scope(engine) as db:
        teacher = find_user(db, teacher_login)
        group = db.get(Group, uuid.UUID(group_id))
        y = group.academic_year
        days = {"start": dt.date(y, 10, 1), "intermediate": dt.date(y + 1, 1, 15), "final": dt.date(y + 1, 5, 15)}
        ids = db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                        Enrollment.status == "active")).all()
        for i, child_id in enumerate(ids):
            for stage, day in days.items():
                if db.exec(select(CardStage.id).where(CardStage.child_id == child_id,
                                                      CardStage.stage == stage)).first():
                    continue
                for k, sg in enumerate(fw.skill_group_ids):
                    cells = {s.id: str(1 + (i + k + n) % 3) for n, s in enumerate(fw.skills(group.age_group, sg))}
                    row = db.exec(select(CardStage).where(CardStage.child_id == child_id,
                                                          CardStage.stage == stage)).first()
                    mon.save_rows(db, keyring, teacher, group.id, stage, sg,
                                  {child_id: (row.version if row else 0, cells)}, day)
                row = db.exec(select(CardStage).where(CardStage.child_id == child_id,
                                                      CardStage.stage == stage)).first()
                final = {sg: 1 + (i + k) % 3 for k, sg in enumerate(fw.skill_group_ids)} if stage == "final" else {}
                mon.save_measures(db, keyring, teacher, group.id, child_id, stage,
                                  dict.fromkeys(fw.skill_group_ids, MEASURES), final, row.version, day)
        return len(ids)


def line_boxes(html: str, css: str) -> int:
    """How many lines WeasyPrint lays out for a document (its layout time grows with them)."""
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure.boxes import LineBox

    def count(box) -> int:
        return (1 if isinstance(box, LineBox) else 0) + sum(count(c) for c in getattr(box, "children", None) or ())
    document = HTML(string=html, base_url=None).render(stylesheets=[CSS(string=css)])
    return sum(count(page._page_box) for page in document.pages)


def bench(instance_dir: Path, teacher_login: str, group_id: str, runs: int, group_runs: int, lang: str) -> dict:
    from pypdf import PdfReader

    from sabidamu.db import session_scope
    from sabidamu.rendering.cards import card_css, card_html, render_card_pdf, render_group_pdf
    from sabidamu.rendering.pdf import render_html_pdf
    from sabidamu.services import cards as svc

    def n_pages(pdf: bytes) -> int:
        return len(PdfReader(io.BytesIO(pdf)).pages)

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    with app.app_context(), session_scope(engine) as db:
        teacher = find_user(db, teacher_login)
        _group, _role, ids = svc.group_for_pdf(db, teacher, uuid.UUID(group_id))
        context = svc.card_pdf_data(db, keyring, teacher, ids[0], lang)
        card = render_card_pdf(context)  # warm up: fonts, templates
        pages = n_pages(card)
        # The target's "bare page of the same length": the card's own text as plain paragraphs (text_page).
        bare_html = text_page(card_html([context]), lang)
        bare_pages = n_pages(render_html_pdf(bare_html, BARE_CSS))
        # For information: a repeated sentence filling the same number of pages (the earlier baseline; it holds
        # less text than the card when the card has one page) and the card's text one paragraph per text node.
        filler_css = "html { font-family: 'DejaVu Sans'; font-size: 9pt; } @page { size: A4 landscape; }"
        sentence = "<p>" + ("Баланың жеке даму картасы, карта развития ребенка. " * 12) + "</p>"
        count = 4
        while True:
            filler_html = f"<!doctype html><html lang='{lang}'><body>{sentence * count}</body></html>"
            filler_pages = n_pages(render_html_pdf(filler_html, filler_css))
            if filler_pages >= pages:
                break
            count += 2
        from html import escape
        from html.parser import HTMLParser

        class _Nodes(HTMLParser):
            def __init__(self):
                super().__init__()
                self.parts = []

            def handle_data(self, data):
                if data.strip():
                    self.parts.append(data.strip())
        parser = _Nodes()
        parser.feed(card_html([context]))
        nodes_html = (f"<!doctype html><html lang='{lang}'><body>"
                      + "".join(f"<p>{escape(p)}</p>" for p in parser.parts[1:]) + "</body></html>")  # [1:]: <title>
        nodes_pages = n_pages(render_html_pdf(nodes_html, filler_css))
        lines = {"card": line_boxes(card_html([context]), card_css()), "bare": line_boxes(bare_html, BARE_CSS)}
        # For information: the bare page with its fonts and stylesheet made once and reused, as render_card_pdf
        # does for the card (rendering/cards.py keeps them per thread).
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from sabidamu.rendering.pdf import url_fetcher
        bare_fonts, bare_fetcher = FontConfiguration(), url_fetcher()
        bare_sheet = CSS(string=BARE_CSS, font_config=bare_fonts, url_fetcher=bare_fetcher)

        def bare_reused() -> bytes:
            return HTML(string=bare_html, url_fetcher=bare_fetcher, base_url=None).write_pdf(
                stylesheets=[bare_sheet], font_config=bare_fonts)
        bare_reused()
        times: dict[str, list[float]] = {"card": [], "bare": [], "bare_reused": [], "filler": [], "nodes": []}
        for _ in range(runs):  # alternate, so load from other processes hits all alike
            for key, render in (("card", lambda: render_card_pdf(context)),
                                ("bare", lambda: render_html_pdf(bare_html, BARE_CSS)),
                                ("bare_reused", bare_reused),
                                ("filler", lambda: render_html_pdf(filler_html, filler_css)),
                                ("nodes", lambda: render_html_pdf(nodes_html, filler_css))):
                t = time.perf_counter()
                render()
                times[key].append(time.perf_counter() - t)
        group_times, group_pages, group_bytes = [], 0, 0
        for _ in range(group_runs):
            t = time.perf_counter()
            body = render_group_pdf(svc.group_cards_data(db, keyring, teacher, ids, lang))
            group_times.append(time.perf_counter() - t)
            group_pages, group_bytes = n_pages(body), len(body)
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    spread = {k: (min(v) * 1000, max(v) * 1000) for k, v in times.items()}
    return {"pages": pages, "bare_pages": bare_pages, "filler_pages": filler_pages, "nodes_pages": nodes_pages,
            "ms": ms, "spread": spread, "lines": lines, "card_bytes": len(card), "runs": runs, "lang": lang,
            "cards": len(ids), "group_s": statistics.median(group_times), "group_runs": group_runs,
            "group_pages": group_pages, "group_bytes": group_bytes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--group-runs", type=int, default=3)
    parser.add_argument("--lang", choices=("kk", "ru"), default="kk")
    parser.add_argument("--schema-from-models", action="store_true",
                        help="create a new instance's schema from the models instead of the migrations")
    args = parser.parse_args(argv)
    if args.schema_from_models:
        schema_from_models(args.instance.resolve())
    info = seed(args.instance, children=10000, groups=400)
    group_id = info["group_ids"][0]
    t = time.perf_counter()
    n = fill_group(args.instance, info["teacher_login"], group_id)
    print(f"cards: {n} children of the first group filled (or already were) in {time.perf_counter() - t:.1f} s",
          flush=True)
    r = bench(args.instance, info["teacher_login"], group_id, args.runs, args.group_runs, args.lang)
    ms, spread = r["ms"], r["spread"]
    ratio = ms["card"] / ms["bare"]
    same_pages = r["bare_pages"] == r["pages"]
    ok_card = ratio <= TARGET_RATIO and same_pages
    ok_group = r["group_s"] <= TARGET_GROUP_S

    def rng(key: str) -> str:
        return f"{ms[key]:.0f} ms ({spread[key][0]:.0f}-{spread[key][1]:.0f})"
    print()
    print(f"Card PDF, `{r['lang']}`, medians of {r['runs']} renders of each document, alternating in one process "
          f"(min-max in brackets).")
    print()
    print("| Measure | Result | Target |")
    print("|---|---|---|")
    print(f"| card PDF of one child ({r['pages']} page(s), {r['card_bytes'] // 1024} KB, {r['lines']['card']} lines) "
          f"| {rng('card')} | - |")
    print(f"| bare page of the same length: the card's text as plain paragraphs, one font, card's page size, "
          f"{r['bare_pages']} page(s), {r['lines']['bare']} lines | {rng('bare')} | - |")
    print(f"| **card / bare page of the same length** | **{ratio:.2f}x** | <= {TARGET_RATIO:.0f}x "
          f"{'PASS' if ok_card else 'FAIL'}{'' if same_pages else ' (page counts differ)'} |")
    print(f"| for information: the same bare page with fonts and stylesheet reused like the card's "
          f"| {rng('bare_reused')} ({ms['card'] / ms['bare_reused']:.2f}x) | - |")
    print(f"| for information: repeated sentence, {r['filler_pages']} page(s) (less text than the card) "
          f"| {rng('filler')} ({ms['card'] / ms['filler']:.2f}x) | - |")
    print(f"| for information: the card's text one paragraph per text node, {r['nodes_pages']} page(s) "
          f"| {rng('nodes')} ({ms['card'] / ms['nodes']:.2f}x) | - |")
    print(f"| group PDF, {r['cards']} cards ({r['group_pages']} pages, {r['group_bytes'] // 1024} KB), end to end, "
          f"median of {r['group_runs']} | {r['group_s']:.1f} s | <= {TARGET_GROUP_S:.0f} s "
          f"{'PASS' if ok_group else 'FAIL'} |")
    return 0 if ok_card and ok_group else 1


if __name__ == "__main__":
    sys.exit(main())
