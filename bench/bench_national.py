"""National-scale benchmark on PostgreSQL: 1,000,000 children, gunicorn (4 workers), wrk at 16 connections.

The database is the one bench/national_seed.py builds and keeps (read its docstring):
    SABIDAMU_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sabidamu_national
    SABIDAMU_INSTANCE_DIR=/work/main/build/bench/national/instance   (master key: instance/keys/master.keys)

Run:  .venv/bin/python bench/bench_national.py [--children 1000000] [--db sabidamu_national] [--duration 15]
          [--connections 16] [--workers 4] [--no-seed] [--profile]

What it does (sizes of the seed; the seed resumes first unless --no-seed):
  1. prepares 16 kindergartens spread over the country: their stage windows put today in the `start` stage (so a
     teacher may save a cell), their heads get a second factor (TOTP, secrets in build/bench/national*/state.json);
  2. serves the app (gunicorn, --workers sync workers) and bench/national_floor.py (a bare route and a plain
     Jinja page of 25 rows, the same workers) and signs in 16 teachers, 16 parents and 16 heads through the real
     forms (one session per wrk connection: -t 16 -c 16, bench/national.lua);
  3. wrk on each page: the group page (/groups/<id>, 25 children), the parent dashboard (/parent), a cell save
     (POST /groups/<id>/monitoring/cell, version chained, 16 teachers in 16 groups), the organization page
     (/orgs/<id>, head) and the group report (/groups/<id>/report), beside the two floor pages;
  4. a region-wide report from the counts (LevelCount of the largest region, every skill group x level) in-process;
  5. with --profile: cProfile of each page in-process (Flask test client) and the SQL each one sends.
Writes the Markdown table to stdout and the raw figures to build/bench/national*/results.json.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import html.parser
import http.cookiejar
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import machine  # noqa: E402
from national_seed import (  # noqa: E402
    CHILDREN_PER_GROUP,
    DEFAULT_DB,
    PASSWORD,
    REPO_ROOT,
    STAGE,
    environ,
    instance_dir,
    org_of_group,
    rid,
    seed,
    shape,
)
from seed import _stop, _wait_ready, free_port  # noqa: E402

LUA = Path(__file__).resolve().parent / "national.lua"
GUNICORN = REPO_ROOT / ".venv" / "bin" / "gunicorn"
TARGET_P95_MS = 100.0
TARGET_GROUP_RATIO = 0.25
TARGET_REGION_S = 1.0


# --- preparing the users the load signs in as -------------------------------------------------------------

def _windows_with_start_open(today: dt.date) -> dict:
    def md(d: dt.date) -> str:
        return f"{d.month:02d}-{d.day:02d}"
    first = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    if (dt.date(first.year + 1, 4, 30) - today).days < 4:
        raise RuntimeError("the start window cannot be stretched to today this late in the academic year")
    return {"start": (md(first), md(today + dt.timedelta(days=1))),
            "intermediate": (md(today + dt.timedelta(days=2)), md(today + dt.timedelta(days=3))),
            "final": ("05-01", "05-31")}


def pick_groups(s: dict, n: int) -> list[int]:
    """n groups spread over the country, even indexes (their first child has a parent)."""
    picked: list[int] = []
    for k in range(n):
        j = (k * s["groups"] // n) & ~1
        while j in picked or org_of_group(j, s) in {org_of_group(x, s) for x in picked}:
            j += 2
        picked.append(j)
    return picked


def prepare(db_name: str, s: dict, n: int) -> dict:
    """Stage windows, heads' TOTP and the cell-save children of the n picked groups (idempotent)."""
    from sqlmodel import select

    from sabidamu import create_app, totp
    from sabidamu.db import session_scope
    from sabidamu.models import CardStage, Organization
    from sabidamu.models.base import utcnow
    from sabidamu.models.security import StaffTotp
    from sabidamu.services import monitoring as mon
    from sabidamu.services.keys import active_key

    state_path = instance_dir(db_name).parent / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {"totp": {}}
    app = create_app(environ=environ(db_name))
    keyring = app.extensions["sabidamu.keyring"]
    fw = mon.framework()
    today = mon.almaty_today()
    windows = _windows_with_start_open(today)
    picks = []
    with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
        for j in pick_groups(s, n):
            i = org_of_group(j, s)
            org = db.get(Organization, rid("org", i))
            if org.stage_windows != windows:
                org.stage_windows = windows
            head_id = rid("user-head", i)
            login = f"head{i}@national.bench"
            row = db.exec(select(StaffTotp).where(StaffTotp.user_id == head_id)).first()
            if row is None or login not in state["totp"]:
                if row is not None:
                    db.delete(row)
                    db.flush()
                key = active_key(db, keyring, "user", head_id)
                db.flush()
                row = StaffTotp(user_id=head_id, key_id=key.id, enabled_at=utcnow())
                secret = totp.new_secret()
                row.secret_ct = keyring.seal(key.id, "staff_totp", row.id, "secret", secret)
                db.add(row)
                state["totp"][login] = secret
            child = j * CHILDREN_PER_GROUP + 1
            stage_row = db.exec(select(CardStage).where(CardStage.child_id == rid("child", child),
                                                        CardStage.stage == STAGE)).one()
            levels = mon.open_levels(keyring, stage_row)
            age_group = ["early", "junior", "middle", "senior", "preschool"][j % 5]
            sg = max(fw.skill_group_ids, key=lambda g: len(fw.skills(age_group, g)))
            skills = [x.id for x in fw.skills(age_group, sg)]
            picks.append({"group": j, "org": i, "group_id": str(rid("group", j)), "org_id": str(org.id),
                          "teacher": f"teacher{j}@national.bench", "head": login,
                          "parent": f"parent{j * CHILDREN_PER_GROUP}@national.bench",
                          "cell_child": str(rid("child", child)), "year": stage_row.academic_year,
                          "version": stage_row.version, "skill_group": sg, "skills": skills,
                          "levels": [levels.get(x) or 1 for x in skills]})
        db.commit()
    state_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh, indent=1)
    return {"picks": picks, "totp": state["totp"], "today": today.isoformat()}


# --- serving and signing in --------------------------------------------------------------------------------

@contextlib.contextmanager
def serve(app_module: str, env: dict, workers: int, log_dir: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(GUNICORN), "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
           "--chdir", str(REPO_ROOT), "--log-level", "warning", "--graceful-timeout", "5", "--timeout", "60",
           app_module]
    with open(log_dir / f"gunicorn-{app_module.split(':')[0]}.log", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        _wait_ready(base, proc, timeout=60)
        yield base
    finally:
        _stop(proc)


class _Csrf(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.token is None:
            self.token = a.get("value")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post_form(opener, url: str, fields: dict) -> tuple[int, str]:
    with opener.open(url, timeout=30) as resp:
        finder = _Csrf()
        finder.feed(resp.read().decode())
    body = urllib.parse.urlencode(dict(fields, csrf_token=finder.token or "")).encode()
    try:
        with opener.open(url, data=body, timeout=60) as resp:
            return resp.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def sign_in(base: str, login: str, totp_secret: str | None = None) -> str:
    """The real forms: password, then the authenticator's code for heads. Returns "name=value" of the cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    status, where = _post_form(opener, base + "/login", {"login": login, "password": PASSWORD})
    if status == 302 and "/login/code" in where:
        import pyotp
        status, where = _post_form(opener, base + "/login/code", {"code": pyotp.TOTP(totp_secret).now()})
    if status != 302 or "/login" in where:
        raise RuntimeError(f"sign-in as {login} failed (HTTP {status} -> {where})")
    cookie = next(c for c in jar if c.name == "sabidamu")
    return f"{cookie.name}={cookie.value}"


def get(base: str, path: str, cookie: str | None) -> tuple[int, str, str | None]:
    req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(req, timeout=60) as resp:
            return resp.status, resp.read().decode(), resp.headers.get("Set-Cookie")
    except urllib.error.HTTPError as exc:
        return exc.code, "", None


# --- load -----------------------------------------------------------------------------------------------------

def run_wrk(base: str, plan: list[list[str]], duration: int, connections: int) -> dict:
    """-t N -c N: one connection per wrk thread, so a thread's response answers its own last request."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
        for line in plan:
            fh.write("\t".join(str(x) for x in line) + "\n")
        path = fh.name
    try:
        cmd = ["wrk", "-s", str(LUA), "-d", f"{duration}s", "-c", str(connections), "-t", str(connections),
               "--timeout", "10s", "--latency", base + "/", "--", path]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    finally:
        os.unlink(path)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[len("WRK_JSON "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = (r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]
                   + r["not_200"])
    return r


class LoadSampler:
    """The 1-minute load average, sampled every second while the runs go."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(1.0):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --- the region-wide report from counts ------------------------------------------------------------------

REGION_SQL = """SELECT lc.skill_group, lc.level, sum(lc.count) AS n
FROM levelcount lc JOIN organization o ON o.id = lc.org_id
WHERE o.region = :region AND lc.academic_year = :year AND lc.stage = :stage
GROUP BY lc.skill_group, lc.level ORDER BY lc.skill_group, lc.level"""


def region_report(db_name: str, year: int, runs: int = 5) -> dict:
    """The largest region's distribution (skill group x level) from LevelCount, suppressed below 5, timed."""
    import sqlalchemy as sa

    from sabidamu.db import make_engine
    engine = make_engine(environ(db_name)["SABIDAMU_DATABASE_URL"])
    with engine.connect() as conn:
        region, orgs = conn.execute(sa.text("SELECT region, count(*) FROM organization GROUP BY region "
                                            "ORDER BY count(*) DESC LIMIT 1")).one()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            rows = conn.execute(sa.text(REGION_SQL), {"region": region, "year": year, "stage": STAGE}).all()
            table: dict[str, dict[int, int | None]] = {}
            for sg, level, n in rows:
                table.setdefault(sg, {})[level] = int(n) if n >= 5 else None  # small-number suppression
            times.append(time.perf_counter() - t)
        plan = conn.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + REGION_SQL),
                            {"region": region, "year": year, "stage": STAGE}).scalars().all()
        children = conn.execute(sa.text(
            "SELECT sum(lc.count) FROM levelcount lc JOIN organization o ON o.id = lc.org_id WHERE o.region = :r "
            "AND lc.skill_group = (SELECT min(skill_group) FROM levelcount)"), {"r": region}).scalar()
    engine.dispose()
    return {"region": region, "orgs": orgs, "children": int(children or 0), "cells": len(rows),
            "median_s": statistics.median(times), "max_s": max(times), "runs": runs, "plan": plan}


# --- profile in-process ------------------------------------------------------------------------------------

def profile_pages(db_name: str, prep: dict, n: int = 30) -> dict:
    """cProfile of n requests per page through the Flask test client, and the SQL statements they send."""
    import sqlalchemy as sa

    from sabidamu import create_app
    app = create_app(environ=environ(db_name))
    app.config["WTF_CSRF_ENABLED"] = False
    engine = app.extensions["sabidamu.engine"]
    sql: list[tuple[str, float]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        conn.info.setdefault("t0", []).append(time.perf_counter())

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        sql.append((statement.split("\n")[0][:90], time.perf_counter() - conn.info["t0"].pop()))

    pick = prep["picks"][0]
    out = {}
    import pyotp

    def client_for(login: str, secret: str | None = None):
        c = app.test_client()
        r = c.post("/login", data={"login": login, "password": PASSWORD})
        if "/login/code" in r.headers.get("Location", ""):
            c.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
        return c

    teacher = client_for(pick["teacher"])
    parent = client_for(pick["parent"])
    head = client_for(pick["head"], prep["totp"][pick["head"]])
    version = [pick["version"]]
    levels = list(pick["levels"])

    def cell(k):
        i = k % len(pick["skills"])
        levels[i] = levels[i] % 3 + 1
        r = teacher.post(f"/groups/{pick['group_id']}/monitoring/cell", json={
            "child_id": pick["cell_child"], "skill_id": pick["skills"][i], "stage": STAGE,
            "academic_year": pick["year"], "level": str(levels[i]), "version": version[0]})
        version[0] = r.get_json().get("version", version[0])
        return r
    pages = {"group page": lambda k: teacher.get(f"/groups/{pick['group_id']}"),
             "parent dashboard": lambda k: parent.get("/parent"),
             "cell save": cell,
             "organization page": lambda k: head.get(f"/orgs/{pick['org_id']}"),
             "group report": lambda k: teacher.get(f"/groups/{pick['group_id']}/report")}
    for name, call in pages.items():
        assert call(0).status_code == 200, name
        sql.clear()
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        for k in range(1, n + 1):
            call(k)
        prof.disable()
        wall = (time.perf_counter() - t) / n
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
        by_stmt: dict[str, list[float]] = {}
        for stmt, secs in sql:
            by_stmt.setdefault(stmt, []).append(secs)
        top_sql = sorted(((sum(v) / n * 1000, len(v) / n, k) for k, v in by_stmt.items()), reverse=True)[:6]
        out[name] = {"ms_per_request": wall * 1000, "sql_per_request": len(sql) / n,
                     "sql_ms_per_request": sum(s for _, s in sql) / n * 1000,
                     "top_sql": [f"{ms:.2f} ms x{cnt:.1f}: {k}" for ms, cnt, k in top_sql],
                     "top_functions": buf.getvalue()}
    return out


# --- main ---------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--db", default=DEFAULT_DB)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--no-seed", action="store_true", help="use the database as it is (no resume of the seed)")
    ap.add_argument("--profile", action="store_true", help="also profile each page in-process")
    ap.add_argument("--only", default="", help="comma-separated subset of pages to load (names as printed)")
    args = ap.parse_args(argv)

    seeding = None if args.no_seed else seed(args.children, args.db)
    s = shape(args.children)
    prep = prepare(args.db, s, args.connections)
    env = dict(environ(args.db), SABIDAMU_SESSION_IDLE_MINUTES="120")
    log_dir = instance_dir(args.db).parent / "logs"
    results: dict = {"shape": s, "seeding": seeding, "args": vars(args), "machine": machine(),
                     "lscpu_model": subprocess.run(["sh", "-c", "lscpu | grep 'Model name'"], capture_output=True,
                                                   text=True).stdout.strip(), "nproc": os.cpu_count(), "runs": {}}
    picks = prep["picks"]
    with serve("app:app", env, args.workers, log_dir) as base, \
            serve("bench.national_floor:app", env, args.workers, log_dir) as floor:
        teachers = [sign_in(base, p["teacher"]) for p in picks]
        parents = [sign_in(base, p["parent"]) for p in picks]
        heads = [sign_in(base, p["head"], prep["totp"][p["head"]]) for p in picks]
        cells = []
        for p, cookie in zip(picks, teachers, strict=True):
            status, body, set_cookie = get(base, f"/groups/{p['group_id']}/monitoring?stage={STAGE}"
                                                 f"&skill_group={p['skill_group']}", cookie)
            if status != 200:
                raise RuntimeError(f"grid of group {p['group']} answered {status}")
            if set_cookie:
                cookie = set_cookie.split(";", 1)[0]
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
            cells.append(["cell", f"/groups/{p['group_id']}/monitoring/cell", cookie, token.group(1),
                          p["cell_child"], STAGE, p["year"], p["version"], ",".join(p["skills"]),
                          ",".join(str(x) for x in p["levels"])])
        plans = {
            "bare Flask route": (floor, [["get", "/", "-", "-"]]),
            "plain Jinja page, 25 rows": (floor, [["get", "/rows", "-", "-"]]),
            "group page (/groups/<id>, 25 children)": (
                base, [["get", f"/groups/{p['group_id']}", c, "-"] for p, c in zip(picks, teachers, strict=True)]),
            "parent dashboard (/parent)": (base, [["get", "/parent", c, "-"] for c in parents]),
            "cell save (POST JSON)": (base, cells),
            "organization page (/orgs/<id>, head)": (
                base, [["get", f"/orgs/{p['org_id']}", c, "-"] for p, c in zip(picks, heads, strict=True)]),
            "group report (/groups/<id>/report)": (
                base, [["get", f"/groups/{p['group_id']}/report", c, "-"] for p, c in zip(picks, teachers,
                                                                                        strict=True)]),
        }
        only = [x.strip() for x in args.only.split(",") if x.strip()]
        with LoadSampler() as load:
            for name, (where, plan) in plans.items():
                if only and not any(o in name for o in only) and "floor" not in name and "bare" not in name \
                        and "Jinja" not in name:
                    continue
                for line in plan:
                    if line[0] == "get":
                        status, _b, _c = get(where, line[1], None if line[2] == "-" else line[2])
                        if status != 200:
                            raise RuntimeError(f"{name}: {line[1]} answered {status} before the run")
                if args.warmup:
                    run_wrk(where, plan, args.warmup, args.connections)
                la0 = os.getloadavg()[0]
                r = run_wrk(where, plan, args.duration, args.connections)
                r["loadavg_before"] = la0
                r["loadavg_after"] = os.getloadavg()[0]
                results["runs"][name] = r
                print(f"{name}: p50 {r['p50_us'] / 1000:.1f} ms, p95 {r['p95_us'] / 1000:.1f} ms, "
                      f"{r['rps']:.1f} req/s, errors {r['errors']} (load {la0:.2f} -> {r['loadavg_after']:.2f})",
                      flush=True)
        results["loadavg_samples"] = {"min": min(load.samples, default=0), "max": max(load.samples, default=0),
                                      "mean": statistics.fmean(load.samples) if load.samples else 0}
    results["region"] = region_report(args.db, picks[0]["year"])
    if args.profile:
        results["profile"] = profile_pages(args.db, prep)
    out_path = instance_dir(args.db).parent / "results.json"
    out_path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    runs = results["runs"]
    jinja = runs.get("plain Jinja page, 25 rows", {}).get("rps")
    bare = runs.get("bare Flask route", {}).get("rps")
    print()
    print("| Page | p50 | p95 | max | Throughput | vs Jinja 25 rows | vs bare route | Errors | p95 <= 100 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        ratio_j = f"{r['rps'] / jinja:.3f}" if jinja else "-"
        ratio_b = f"{r['rps'] / bare:.3f}" if bare else "-"
        extra = f" ({r['saved']} saved, {r['conflicts']} conflicts)" if r.get("saved") else ""
        ok = "yes" if r["p95_us"] / 1000 <= TARGET_P95_MS and r["errors"] == 0 else "NO"
        print(f"| {name} | {r['p50_us'] / 1000:.1f} ms | {r['p95_us'] / 1000:.1f} ms | {r['max_us'] / 1000:.1f} ms "
              f"| {r['rps']:.1f} req/s{extra} | {ratio_j} | {ratio_b} | {r['errors']} | {ok} |")
    reg = results["region"]
    print()
    print(f"Region-wide report from counts: {reg['region']} ({reg['orgs']} kindergartens, {reg['children']} "
          f"children, {reg['cells']} cells): median {reg['median_s'] * 1000:.1f} ms, max {reg['max_s'] * 1000:.1f} ms "
          f"over {reg['runs']} runs (target < {TARGET_REGION_S:.0f} s).")
    la = results.get("loadavg_samples", {})
    print(f"Load average during the runs: {la.get('min', 0):.2f}-{la.get('max', 0):.2f} "
          f"(mean {la.get('mean', 0):.2f}); nproc {results['nproc']}; {results['lscpu_model']}")
    for name, p in results.get("profile", {}).items():
        print(f"\n### {name}: {p['ms_per_request']:.1f} ms/request in-process, {p['sql_per_request']:.1f} SQL "
              f"statements ({p['sql_ms_per_request']:.1f} ms)")
        for line in p["top_sql"]:
            print("    " + line)
        print(p["top_functions"])


if __name__ == "__main__":
    sys.exit(main())
