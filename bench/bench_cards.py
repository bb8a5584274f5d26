"""Benchmark of the individual development card PDF: one card vs a bare WeasyPrint page, and a group of 25 cards.

Run:  .venv/bin/python bench/bench_cards.py [--instance DIR] [--runs N] [--group-runs N]

Uses bench/seed.py for a 10,000-child SQLite database (400 groups of 25), fills the first group's cards through
the writing side's service (start, intermediate and final stage: levels, measures, final levels; idempotent),
then measures in one process:
  - the card PDF of one child (median of N renders) against a bare WeasyPrint document of plain text with the
    same number of pages, rendered alternately in the same run (target: card <= 2x bare);
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import REPO_ROOT, bench_environ, seed  # noqa: E402

DEFAULT_INSTANCE = REPO_ROOT / "build" / "bench" / "instance-cards"
TARGET_RATIO = 2.0
TARGET_GROUP_S = 20.0
MEASURES = ("Доппен ойындар, аптасына екі рет; ата-анамен бірге үйде жаттығу. "
            "Игры с мячом два раза в неделю; упражнения дома вместе с родителями.")


def _app(instance_dir: Path):
    from sabidamu import create_app
    return create_app(environ=bench_environ(instance_dir))


def schema_from_models(instance_dir: Path) -> None:
    """Until the migrations catch up with the models being written in parallel: a NEW instance gets its schema
    from the models and is stamped at the migration head (seed's `alembic upgrade head` then does nothing)."""
    from alembic import command
    from sqlmodel import SQLModel

    import sabidamu.models  # noqa: F401
    from sabidamu.cli import alembic_config

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
    from sabidamu.models import CardStage, Enrollment, Group, User
    from sabidamu.monitoring import load_framework
    from sabidamu.services import monitoring as mon

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    fw = load_framework()
    with app.app_context(), session_scope(engine) as db:
        teacher = db.exec(select(User).where(User.email == teacher_login)).first() or \
            db.exec(select(User).where(User.phone == teacher_login)).one()
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
                                  {sg: MEASURES for sg in fw.skill_group_ids}, final, row.version, day)
        return len(ids)


def bench(instance_dir: Path, teacher_login: str, group_id: str, runs: int, group_runs: int, lang: str) -> dict:
    from pypdf import PdfReader
    from sqlmodel import select

    from sabidamu.db import session_scope
    from sabidamu.models import User
    from sabidamu.pdf import render_html_pdf
    from sabidamu.services import cards as svc
    from sabidamu.web.cards.rendering import card_html, render_card_pdf, render_group_pdf

    app = _app(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    with app.app_context(), session_scope(engine) as db:
        teacher = db.exec(select(User).where(User.email == teacher_login)).first() or \
            db.exec(select(User).where(User.phone == teacher_login)).one()
        _group, _role, ids = svc.group_for_pdf(db, teacher, uuid.UUID(group_id))
        context = svc.card_pdf_data(db, keyring, teacher, ids[0], lang)
        card = render_card_pdf(context)  # warm up: fonts, templates
        pages = len(PdfReader(io.BytesIO(card)).pages)
        bare_css = "html { font-family: 'DejaVu Sans'; font-size: 9pt; } @page { size: A4 landscape; }"
        paragraph = "<p>" + ("Баланың жеке даму картасы, карта развития ребенка. " * 12) + "</p>"
        count = 4
        while True:
            bare_html = f"<!doctype html><html lang='{lang}'><body>{paragraph * count}</body></html>"
            bare_pages = len(PdfReader(io.BytesIO(render_html_pdf(bare_html, bare_css))).pages)
            if bare_pages >= pages:
                break
            count += 2
        # A second comparison: the card's own text (every word of it) as plain paragraphs, no table.
        from html import escape
        from html.parser import HTMLParser

        class _Text(HTMLParser):
            def __init__(self):
                super().__init__()
                self.parts = []

            def handle_data(self, data):
                if data.strip():
                    self.parts.append(data.strip())
        parser = _Text()
        parser.feed(card_html([context]))
        text_html = (f"<!doctype html><html lang='{lang}'><body>"
                     + "".join(f"<p>{escape(p)}</p>" for p in parser.parts) + "</body></html>")
        render_html_pdf(text_html, bare_css)
        card_times, bare_times, text_times = [], [], []
        for _ in range(runs):  # alternate, so load from other processes hits all alike
            t = time.perf_counter()
            render_card_pdf(context)
            card_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            render_html_pdf(bare_html, bare_css)
            bare_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            render_html_pdf(text_html, bare_css)
            text_times.append(time.perf_counter() - t)
        group_times, group_pages, group_bytes = [], 0, 0
        for _ in range(group_runs):
            t = time.perf_counter()
            body = render_group_pdf(svc.group_cards_data(db, keyring, teacher, ids, lang))
            group_times.append(time.perf_counter() - t)
            group_pages, group_bytes = len(PdfReader(io.BytesIO(body)).pages), len(body)
    return {"pages": pages, "bare_pages": bare_pages, "card_ms": statistics.median(card_times) * 1000,
            "bare_ms": statistics.median(bare_times) * 1000, "text_ms": statistics.median(text_times) * 1000,
            "card_bytes": len(card), "runs": runs,
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
    ratio = r["card_ms"] / r["bare_ms"]
    print()
    print("| Measure | Result | Target |")
    print("|---|---|---|")
    print(f"| card PDF of one child ({r['pages']} page(s), {r['card_bytes'] // 1024} KB), median of {r['runs']} "
          f"| {r['card_ms']:.0f} ms | - |")
    print(f"| bare WeasyPrint document, plain text, {r['bare_pages']} page(s), same run | {r['bare_ms']:.0f} ms | - |")
    print(f"| the card's own text as plain paragraphs (no table), same run | {r['text_ms']:.0f} ms | - |")
    print(f"| card / same text without the table | {r['card_ms'] / r['text_ms']:.2f}x | - |")
    print(f"| card / bare page of the same page count | {ratio:.2f}x | <= {TARGET_RATIO:.0f}x {'PASS' if ratio <= TARGET_RATIO else 'FAIL'} |")
    print(f"| group PDF, {r['cards']} cards ({r['group_pages']} pages, {r['group_bytes'] // 1024} KB), end to end, "
          f"median of {r['group_runs']} | {r['group_s']:.1f} s | <= {TARGET_GROUP_S:.0f} s "
          f"{'PASS' if r['group_s'] <= TARGET_GROUP_S else 'FAIL'} |")
    return 0 if ratio <= TARGET_RATIO and r["group_s"] <= TARGET_GROUP_S else 1


if __name__ == "__main__":
    sys.exit(main())
