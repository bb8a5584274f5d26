"""The open API at national scale (issue 16): a 25-child group's roster and one card.json, p95 at 16 connections.

The database is the one bench/national_seed.py builds and keeps (1,000,000 children, PostgreSQL):
    SABIDAMU_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sabidamu_national
    SABIDAMU_INSTANCE_DIR=/work/main/build/bench/national/instance   (its master key is in instance/keys/)

Run:  .venv/bin/python bench/bench_api.py [--db sabidamu_national] [--duration 15] [--connections 16]
          [--workers 4]

What it does:
  1. in-process: makes the API tables if the seed predates them, picks a kindergarten group with 25 active
     children, gives the kindergarten a BIN if it has none (card.json needs it), registers an API client
     (roster:read cards:read) for it;
  2. serves the app with gunicorn (sync workers; the client's rate limit raised for the run: `wsgi()` below),
     gets a bearer token through POST /api/v1/oauth/token (HTTP Basic), checks both answers are 200;
  3. wrk -t N -c N with the token on GET /api/v1/groups/<id>/children and GET /api/v1/children/<id>/card
     (and each at one connection, to show one request's cost without queueing);
  4. revokes the client. Prints a Markdown table with the machine's details (the target: p95 <= 50 ms).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
from bench_foundation import machine  # noqa: E402
from seed import _stop, _wait_ready, free_port  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LUA = Path(__file__).resolve().parent / "report.lua"
GUNICORN = REPO_ROOT / ".venv" / "bin" / "gunicorn"
TARGET_P95_MS = 50.0
BENCH_BIN = "990140009999"


def environ(db_name: str) -> dict:
    suffix = "" if db_name == "sabidamu_national" else "-" + db_name
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABIDAMU_")}
    env["SABIDAMU_INSTANCE_DIR"] = str(REPO_ROOT / "build" / "bench" / f"national{suffix}" / "instance")
    env["SABIDAMU_DATABASE_URL"] = PG + db_name
    return env


def wsgi():
    """gunicorn's app: the normal one, with the per-client rate limit out of the way of the load."""
    from sabidamu import create_app
    app = create_app()
    app.config["API_RATE_PER_MINUTE"] = 10**9
    return app


def prepare(db_name: str) -> dict:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from sabidamu import create_app
    from sabidamu.db import session_scope
    from sabidamu.models import Enrollment, Group, Organization
    from sabidamu.models.api import ApiClient, ApiRateWindow, ApiToken
    from sabidamu.models.enums import EnrollmentStatus
    from sabidamu.services.api.clients import create_client

    app = create_app(environ=environ(db_name))
    engine = app.extensions["sabidamu.engine"]
    SQLModel.metadata.create_all(engine, tables=[ApiClient.__table__, ApiToken.__table__, ApiRateWindow.__table__])
    with app.app_context(), session_scope(engine) as db:
        # The kindergarten an earlier run gave the bench's BIN, else any one with a 25-child group.
        query = (sa.select(Enrollment.group_id).join(Group, Group.id == Enrollment.group_id)
                 .where(Enrollment.status == EnrollmentStatus.ACTIVE)
                 .group_by(Enrollment.group_id).having(sa.func.count() == 25).order_by(Enrollment.group_id).limit(1))
        marked = db.exec(sa.select(Organization.id).where(Organization.bin == BENCH_BIN)).scalar()
        group_id = db.exec(query.where(Group.org_id == marked) if marked else query).scalar()
        group = db.get(Group, group_id)
        child_id = db.exec(sa.select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                                Enrollment.status == EnrollmentStatus.ACTIVE)
                           .order_by(Enrollment.child_id).limit(1)).scalar()
        org = db.get(Organization, group.org_id)
        if not org.bin:
            org.bin = BENCH_BIN
        made = create_client(db, None, org.id, ["roster:read", "cards:read"], "bench_api")
        db.commit()
        return {"group_id": str(group.id), "child_id": str(child_id), "org_id": str(org.id),
                "client_id": str(made.client.id), "secret": made.secret}


def revoke(db_name: str, client_id: str) -> None:
    import uuid

    from sabidamu import create_app
    from sabidamu.db import session_scope
    from sabidamu.services.api.clients import revoke_client
    app = create_app(environ=environ(db_name))
    with session_scope(app.extensions["sabidamu.engine"]) as db:
        revoke_client(db, None, uuid.UUID(client_id))
        db.commit()


def token(base: str, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    req = urllib.request.Request(base + "/api/v1/oauth/token", data=b"grant_type=client_credentials",
                                 headers={"Authorization": f"Basic {basic}",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


def check(base: str, path: str, tok: str) -> int:
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {tok}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
        return len(body.get("items", [])) if isinstance(body, dict) and "items" in body else resp.status


def wrk(base: str, path: str, tok: str, duration: int, connections: int) -> dict:
    cmd = ["wrk", "-s", str(LUA), "-d", f"{duration}s", "-c", str(connections), "-t", str(connections),
           "--timeout", "10s", "--latency", "-H", f"Authorization: Bearer {tok}", "-H", "Accept-Language: kk",
           base + path]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[len("WRK_JSON "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sabidamu_national")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    picked = prepare(args.db)
    env = environ(args.db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(GUNICORN), "--workers", str(args.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
           "--chdir", str(REPO_ROOT), "--pythonpath", str(REPO_ROOT / "bench"), "--log-level", "warning",
           "--timeout", "60", "bench_api:wsgi()"]
    log_dir = REPO_ROOT / "build" / "bench" / "api"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "gunicorn.log", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    results = {}
    try:
        _wait_ready(base, proc, timeout=90)
        tok = token(base, picked["client_id"], picked["secret"])
        roster = f"/api/v1/groups/{picked['group_id']}/children"
        card = f"/api/v1/children/{picked['child_id']}/card"
        assert check(base, roster, tok) == 25, "the roster should list 25 children"
        assert check(base, card, tok) == 200
        for name, path in (("roster (25 children)", roster), ("card.json", card)):
            results[f"{name}, {args.connections} connections"] = wrk(base, path, tok, args.duration,
                                                                     args.connections)
            if args.connections != 1:  # the cost of one request without queueing, for comparison
                results[f"{name}, 1 connection"] = wrk(base, path, tok, max(5, args.duration // 3), 1)
    finally:
        _stop(proc)
        revoke(args.db, picked["client_id"])
    m = machine()
    print(f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram']}, {m['os']}, Python {m['python']}, "
          f"gunicorn {m['gunicorn']} ({args.workers} sync workers), {m['wrk']}, code {m['code']}; "
          f"PostgreSQL database `{args.db}`; wrk -t{args.connections} -c{args.connections} -d{args.duration}s.\n")
    print("| endpoint | requests/s | p50 ms | p95 ms | p99 ms | non-2xx/errors | p95 <= 50 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        errors = r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_timeout"]
        p95 = r["p95_us"] / 1000
        print(f"| {name} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} | {p95:.1f} | {r['p99_us'] / 1000:.1f} | "
              f"{errors} | {'yes' if p95 <= TARGET_P95_MS else 'no'} |")
    (log_dir / "results.json").write_text(json.dumps({"machine": m, "picked": {k: v for k, v in picked.items()
                                                                               if k != "secret"},
                                                      "results": results}, indent=1))


if __name__ == "__main__":
    main()
