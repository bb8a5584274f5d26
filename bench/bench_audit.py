"""Audit log benchmark on PostgreSQL: audited writes vs plain-row writes, sequencer lag, and verify at scale.

Run:  .venv/bin/python bench/bench_audit.py [--seconds 8] [--verify 1000000] [--write]

1. Writers: N = 1, 4, 16 processes, each looping short transactions for --seconds: one data row insert plus
   either `services.audit.record()` (audited) or a plain insert of the same row into a copy of the audit table
   (same columns and indexes, no HMAC, never sequenced: plain), in the same run,
   in a fresh database. During the audited runs the sequencer runs every second in its own process, as the
   app's scheduler does; afterwards the lag of each event (its `at` to the commit of the first checkpoint that
   holds it) is read from the database (p50/p99/max).
2. Verify: --verify N events are generated (with their HMACs, COPY), sequenced by the real sequencer, and
   `flask audit verify`'s check (services.audit_admin.verify) is timed.
Prints a Markdown table; --write puts it between the audit markers in docs/benchmarks.md. Needs a local
PostgreSQL (SABIDAMU_BENCH_PG, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); creates and
drops its own databases.
"""
from __future__ import annotations

import argparse
import base64
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
ADMIN = os.environ.get("SABIDAMU_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- audit:begin -->", "<!-- audit:end -->"
KEY = base64.b64encode(b"\x44" * 32).decode()


def _environ(url: str, instance: str) -> dict:
    return {"SABIDAMU_ENV": "development", "SABIDAMU_INSTANCE_DIR": instance, "SABIDAMU_DATABASE_URL": url,
            "SABIDAMU_SECRET_KEY": "bench-" + "x" * 40, "SABIDAMU_BLIND_INDEX_KEY": KEY,
            "SABIDAMU_MASTER_KEYS": "mk-bench:" + KEY, "SABIDAMU_AUDIT_MAC_KEY": KEY}


def _app(env: dict):
    from sabidamu import create_app
    return create_app({"TESTING": True}, environ=env)


def _database(name: str) -> str:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import sabidamu.models  # noqa: F401
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = sa.create_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE bench_data (id uuid PRIMARY KEY, at timestamptz NOT NULL, payload text)")
        # The plain row goes into a copy of the audit table (same columns, indexes, identity): the difference
        # between the two modes is record() (HMAC) and the sequencer's work, not the table.
        c.exec_driver_sql("CREATE TABLE bench_plain_audit (LIKE auditevent INCLUDING ALL)")
    engine.dispose()
    return url


def _drop(name: str) -> None:
    import sqlalchemy as sa
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _writer(env: dict, mode: str, seconds: float, start, out) -> None:
    import sqlalchemy as sa

    from sabidamu.db import session_scope
    from sabidamu.models.base import utcnow
    from sabidamu.services.audit import record
    app = _app(env)
    engine = app.extensions["sabidamu.engine"]
    data = sa.text("INSERT INTO bench_data (id, at, payload) VALUES (:i, :a, :p)")
    plain = sa.text("INSERT INTO bench_plain_audit (id, at, actor_role, action, object_type, object_id, detail) "
                    "VALUES (:i, :a, 'teacher', 'child.view', 'child', :o, '{\"page\": 1}')")
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        with session_scope(engine) as s:
            oid = uuid.uuid4()
            s.execute(data, {"i": uuid.uuid4(), "a": utcnow(), "p": "x" * 200})
            if mode == "audited":
                record(s, None, "child.view", role="teacher", object_type="child", object_id=oid,
                       detail={"page": 1})
            else:
                s.execute(plain, {"i": uuid.uuid4(), "a": utcnow(), "o": oid})
        done += 1
    out.put(done)
    engine.dispose()


def _sequencer(env: dict, stop, every: float) -> None:
    """A round every `every` seconds (or at once after a longer round), as the consumer's clock runs it."""
    from sabidamu.services.audit_admin import sequence_once
    app = _app(env)
    while not stop.is_set():
        began = time.monotonic()
        sequence_once(app.extensions["sabidamu.engine"], app.config["SETTINGS"], create_key=True)
        stop.wait(max(0.05, every - (time.monotonic() - began)))
    app.extensions["sabidamu.engine"].dispose()


def run_writers(seconds: float, counts=(1, 4, 16), every: float = 1.0) -> list[dict]:
    import sqlalchemy as sa
    ctx = mp.get_context("spawn")
    rows = []
    for n in counts:
        row = {"n": n}
        for mode in ("plain", "audited"):
            name = f"sabidamu_bench_audit_{os.getpid()}"
            url = _database(name)
            with tempfile.TemporaryDirectory() as instance:
                env = _environ(url, instance)
                start, out, stop = ctx.Barrier(n + 1), ctx.Queue(), ctx.Event()
                seq = ctx.Process(target=_sequencer, args=(env, stop, every)) if mode == "audited" else None
                procs = [ctx.Process(target=_writer, args=(env, mode, seconds, start, out)) for _ in range(n)]
                for p in procs + ([seq] if seq else []):
                    p.start()
                start.wait()
                began = time.monotonic()
                total = sum(out.get(timeout=seconds + 120) for _ in procs)
                elapsed = time.monotonic() - began
                for p in procs:
                    p.join()
                row[mode] = total / elapsed
                if seq:
                    time.sleep(2.5)  # let the sequencer take the last events
                    stop.set()
                    seq.join()
                    engine = sa.create_engine(url)
                    with engine.connect() as c:
                        lag = c.exec_driver_sql(
                            "SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY lag), max(lag), "
                            "count(*) FILTER (WHERE leaf_index IS NULL) FROM (SELECT e.leaf_index, EXTRACT(EPOCH "
                            "FROM (SELECT min(c.at) FROM auditcheckpoint c WHERE c.tree_size > e.leaf_index) - e.at)"
                            " AS lag FROM auditevent e) t").one()
                    engine.dispose()
                    row["lag_p50"], row["lag_p99"] = lag[0]
                    row["lag_max"], row["unsequenced"] = lag[1], lag[2]
            _drop(name)
        row["ratio"] = row["audited"] / row["plain"]
        print(row, flush=True)
        rows.append(row)
    return rows


def run_verify(events: int) -> dict:
    """Generate `events` events with valid MACs (COPY), sequence them, time verify."""
    import datetime as dt

    from sabidamu.audit.event import event_bytes, event_mac
    from sabidamu.db import session_scope
    from sabidamu.services.audit_admin import log_context, verify
    from sabidamu.services.audit_log import sequence
    name = f"sabidamu_bench_verify_{os.getpid()}"
    url = _database(name)
    try:
        with tempfile.TemporaryDirectory() as instance:
            env = _environ(url, instance)
            app = _app(env)
            engine, settings = app.extensions["sabidamu.engine"], app.config["SETTINGS"]
            key, base = settings.audit_mac_key, dt.datetime.now(dt.UTC)
            began = time.monotonic()
            raw = engine.raw_connection()
            with raw.cursor() as cur, cur.copy("COPY auditevent (id, at, actor_role, action, object_type, "
                                               "object_id, detail, mac) FROM STDIN") as copy:
                for i in range(events):
                    eid, oid, at = uuid.uuid4(), uuid.uuid4(), base + dt.timedelta(microseconds=i)
                    data = event_bytes(event_id=str(eid), at=at, action="child.view", actor_role="teacher",
                                       object_type="child", object_id=str(oid), detail={"page": 1}, check=False)
                    copy.write_row((eid, at, "teacher", "child.view", "child", oid, '{"page": 1}',
                                    event_mac(key, data)))
            raw.commit()
            raw.close()
            generated = time.monotonic() - began
            context = log_context(settings, create_key=True)
            began = time.monotonic()
            while sequence(engine, context).note:
                pass
            sequenced = time.monotonic() - began
            began = time.monotonic()
            with session_scope(engine, write=False) as s:
                verdict = verify(s, settings)
            verified = time.monotonic() - began
            assert verdict.exit_code == 0, verdict.line
            engine.dispose()
            return {"events": events, "generate_s": generated, "sequence_s": sequenced, "verify_s": verified,
                    "line": verdict.line}
    finally:
        _drop(name)


def machine() -> str:
    import sqlalchemy as sa
    engine = sa.create_engine(ADMIN)
    with engine.connect() as c:
        pg = c.exec_driver_sql("SHOW server_version").scalar()
    engine.dispose()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    mem = next((ln.split()[1] for ln in meminfo if ln.startswith("MemTotal")), "0")
    return (f"{cpu}, {os.cpu_count()} cores (shared with other work), {int(mem) // 1024 // 1024} GB RAM; "
            f"PostgreSQL {pg} on 127.0.0.1; Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}")


def table(rows: list[dict], ver: dict | None, seconds: float, every: float = 1.0) -> str:
    out = [f"Machine: {machine()}. Each writer loops for {seconds:g} s; a sequencer round every {every:g} s.", "",
           "| writers | plain row tx/s | audited tx/s | ratio | sequencer lag p50 / p99 / max (s) |",
           "|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r['n']} | {r['plain']:,.0f} | {r['audited']:,.0f} | {r['ratio']:.2f} | "
                   f"{r['lag_p50']:.2f} / {r['lag_p99']:.2f} / {r['lag_max']:.2f} |")
    if ver:
        out += ["", f"Verify: {ver['events']:,} events (generated in {ver['generate_s']:.0f} s, sequenced in "
                    f"{ver['sequence_s']:.0f} s) verified in **{ver['verify_s']:.1f} s** — `{ver['line']}`"]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--verify", type=int, default=0)
    parser.add_argument("--skip-writers", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--writers", default="1,4,16", help="comma-separated numbers of writer processes")
    parser.add_argument("--sequence-seconds", type=float, default=1.0,
                        help="the sequencer's cadence (SABIDAMU_AUDIT_SEQUENCE_SECONDS)")
    args = parser.parse_args()
    counts = tuple(int(n) for n in args.writers.split(","))
    rows = [] if args.skip_writers else run_writers(args.seconds, counts, args.sequence_seconds)
    ver = run_verify(args.verify) if args.verify else None
    text = table(rows, ver, args.seconds, args.sequence_seconds)
    print(text)
    if args.write:
        doc = DOC.read_text()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc += f"\n## Audit log: Merkle tree, sequencer, verify (issue 13)\n\n{block}\n"
        DOC.write_text(doc)


if __name__ == "__main__":
    main()
