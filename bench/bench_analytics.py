"""The education department's region page at national scale (issue 15): p50/p95 over 1,000,000 children's counts.

The database is the one bench/national_seed.py builds and keeps (PostgreSQL, 1,000,000 children in 11,000
kindergartens of 17 regions, one filled monitoring stage each, so LevelCount holds every group's counts):
    .venv/bin/python bench/bench_analytics.py [--db sabidamu_national] [--runs 20] [--country] [--profile]

What it does (in-process, Flask test client, no network):
  1. a department login for the region with the most kindergartens (made once, kept); the region's stored
     tables worked out once (services/analytics/snapshots.py: what the queue's refresh keeps up to date);
  2. the region page (/analytics/?year=..&stage=start: the protected tables of every district and the region,
     the SVG charts, read from the stored tables) `--runs` times after one warm-up: the target;
  3. the district page of the region's largest district, and the CSV download of the region;
  4. the refresh's work per changed part: the start stage's levels part and the year part worked out and stored
     again (what a count change costs now, off the page, in the queue);
  5. the floor the stored tables replace: the same report worked out afresh with the protection forgotten
     (services/analytics/report.build: what every view after a count change cost before);
  6. with --country: the refresh of every part of every region once (a deploy's first round), timed once;
  7. with --profile: cProfile of one region page, the 12 costliest functions.
Prints a Markdown table with the machine's details (the target: the region page under 1 s at p95).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
from bench_api import environ  # noqa: E402
from bench_foundation import machine  # noqa: E402

LOGIN = "department@national.bench"
PASSWORD = "SabiDamu-bench-2026"
TARGET_P95_S = 1.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(app) -> tuple[str, int, int]:
    """The largest region's code, its kindergartens and the seed's academic year; the department login exists."""
    import sqlalchemy as sa

    from sabidamu.analytics.areas import region_code
    from sabidamu.db import session_scope
    from sabidamu.models import Organization
    from sabidamu.models.monitoring import LevelCount
    from sabidamu.services.analytics.departments import create_department
    from sabidamu.services.auth import find_user
    with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
        name, orgs = db.exec(sa.select(Organization.region, sa.func.count()).group_by(Organization.region)
                             .order_by(sa.func.count().desc()).limit(1)).one()
        year = db.exec(sa.select(sa.func.max(LevelCount.academic_year))).scalar()
        code = region_code(name)
        if code is None:
            raise SystemExit(f"the seed's region {name!r} has no code in sabidamu/analytics/areas.py")
        if find_user(db, LOGIN) is None:
            create_department(db, None, region=code, district=None, full_name="Bench department", login=LOGIN,
                              password=PASSWORD)
        return code, orgs, year


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up: templates, framework, instruments
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="sabidamu_national")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--country", action="store_true", help="also time the refresh of every region once")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)

    from sabidamu import create_app
    from sabidamu.analytics import suppression
    from sabidamu.db import session_scope
    from sabidamu.services.analytics import snapshots
    from sabidamu.services.analytics.report import build
    from sabidamu.services.analytics.tables import PARTS, region_orgs
    app = create_app(environ=environ(args.db))
    app.config["WTF_CSRF_ENABLED"] = False  # the test client posts the sign-in form without a token
    code, orgs, year = prepare(app)
    engine = app.extensions["sabidamu.engine"]
    with app.app_context(), session_scope(engine) as db:
        for part in PARTS:
            snapshots.work_out(db, code, year, part)
            db.commit()
        by_district = Counter(o.district or "-" for o in region_orgs(db, code))
        district, in_district = by_district.most_common(1)[0]
    client = app.test_client()
    signed = client.post("/login", data={"login": LOGIN, "password": PASSWORD})
    if signed.status_code != 302:
        raise SystemExit(f"the department could not sign in: {signed.status_code}")
    page_url = f"/analytics/?year={year}&stage=start"
    first = client.get(page_url)
    if first.status_code != 200 or "<svg" not in first.get_data(as_text=True):
        raise SystemExit(f"the region page did not answer with its charts: {first.status_code}")

    def page():
        assert client.get(page_url).status_code == 200

    def district_page():
        assert client.get(f"{page_url}&district={district}").status_code == 200

    def csv():
        assert client.get(f"/analytics/export.csv?year={year}&stage=start").status_code == 200

    def refresh(part):
        def run():
            suppression._protect_numbered.cache_clear()  # a changed count: nothing remembered
            with app.app_context(), session_scope(engine) as db:
                snapshots.work_out(db, code, year, part)
        return run

    def fresh_report():
        suppression._protect_numbered.cache_clear()
        with app.app_context(), session_scope(engine, write=False) as db:
            build(db, code, None, year, "start", "kk")

    slow_runs = max(3, args.runs // 4)
    rows = [("region page, stored tables (HTML, SVG charts)", timed(page, args.runs)),
            (f"district page {district} ({in_district} kindergartens)", timed(district_page, args.runs)),
            ("CSV download of the region", timed(csv, args.runs)),
            ("refresh: the start stage's levels part worked out and stored", timed(refresh("start"), slow_runs)),
            ("refresh: the year part (screening, referrals, cards)", timed(refresh("year"), slow_runs)),
            ("floor replaced: the report worked out on view (after a count changed)", timed(fresh_report, slow_runs))]
    print(f"Region {code}: {orgs} kindergartens, academic year {year}, stage start; {args.runs} runs each "
          f"({slow_runs} for the workings-out) after a warm-up, in-process (Flask test client).\n")
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print("\n| what | p50 ms | p95 ms | max ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, values in rows:
        p95 = percentile(values, 0.95)
        verdict = ("met" if p95 < TARGET_P95_S else "MISSED") if name.startswith("region page") else ""
        print(f"| {name} | {statistics.median(values) * 1000:.0f} | {p95 * 1000:.0f} | "
              f"{max(values) * 1000:.0f} | {verdict} |")
    floor = statistics.median(rows[-1][1])
    print(f"\nRegion page (stored) / report worked out on view: {statistics.median(rows[0][1]) / floor:.3f} (p50)")
    if args.country:
        started = time.perf_counter()
        with app.app_context(), session_scope(engine) as db:
            done = snapshots.refresh_all(db, year).parts
        print(f"\nWhole country: {len(done)} parts of {len({r for r, _, _ in done})} regions worked out and stored "
              f"in {time.perf_counter() - started:.1f} s")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(page)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(12)
        print("\n```\n" + out.getvalue().strip() + "\n```")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
