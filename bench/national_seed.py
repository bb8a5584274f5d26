"""National-scale seed on PostgreSQL: 1,000,000 children in 40,000 groups of 11,000 kindergartens in 17 regions.

The database (kept for other benchmarks, do not drop it):
    SABIDAMU_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sabidamu_national
    SABIDAMU_INSTANCE_DIR=/work/main/build/bench/national/instance
    master key file: /work/main/build/bench/national/instance/keys/master.keys (blind-index, session and audit MAC
    keys beside it in instance/keys/: an app started with the two variables above reads every sealed value)
    every account's password: SabiDamu-bench-2026
    logins: head<i>@national.bench (kindergarten i), teacher<j>@national.bench (group j),
            parent<c>@national.bench (a parent of child c, for every c divisible by 10)

What one child is: a Child row sealed with its kindergarten's data key (name, birth date, IIN, sex) and its IIN's
blind index, an active Enrollment, one CardStage of the `start` stage of the academic year with every skill of
its age group rated (levels sealed as the monitoring service seals them) and the LevelCount rows the service
keeps beside it (derived level per skill group, counted per group). Every tenth child has a parent account
(sealed under the accounts key, blind-indexed e-mail) with a Guardianship. Each kindergarten has a head, each
group a teacher. Children are split evenly: 25 per group, 3-4 groups per kindergarten.

Fast: values are sealed in Python with the app's own Keyring (sabidamu.crypto) and loaded with COPY through
psycopg, one transaction per chunk of kindergartens; a chunk's row in `bench_national_chunk` is written in the
same transaction, so an interrupted seed resumes with the next chunk (run the same command again).

Run:  .venv/bin/python bench/national_seed.py [--children 1000000] [--db sabidamu_national] [--chunk 250]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DEFAULT_DB = "sabidamu_national"
PASSWORD = "SabiDamu-bench-2026"
CHILDREN_PER_GROUP = 25
ORGS_PER_GROUP = 11000 / 40000
REGIONS = ["Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
           "Батыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы", "Қостанай облысы",
           "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы", "Солтүстік Қазақстан облысы",
           "Түркістан облысы", "Ұлытау облысы", "Шығыс Қазақстан облысы"]
KG_AGE_GROUPS = ("early", "junior", "middle", "senior", "preschool")
STAGE = "start"
NS = uuid.UUID("6f1d3c2e-9a57-4b8e-a3c1-0d5e2b7f4a90")
FIRST_M = ["Әлихан", "Нұрсұлтан", "Ерасыл", "Дамир", "Арсен", "Иван", "Максим", "Ислам", "Алдияр", "Тимур"]
FIRST_F = ["Айым", "Інжу", "Аружан", "Жансая", "Томирис", "Анна", "София", "Дана", "Әмина", "Мария"]
LAST = ["Серіков", "Әбдіров", "Қасымов", "Жұмабаев", "Төлеуов", "Петров", "Ковалёв", "Бекенов", "Ахметов"]


def instance_dir(db_name: str) -> Path:
    suffix = "" if db_name == DEFAULT_DB else "-" + db_name
    return REPO_ROOT / "build" / "bench" / f"national{suffix}" / "instance"


def environ(db_name: str) -> dict:
    """The app's environment for this database: no other SABIDAMU_* setting leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABIDAMU_")}
    env["SABIDAMU_INSTANCE_DIR"] = str(instance_dir(db_name))
    env["SABIDAMU_DATABASE_URL"] = PG + db_name
    return env


def rid(kind: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NS, f"{kind}|{n}")


def shape(children: int) -> dict:
    groups = max(1, -(-children // CHILDREN_PER_GROUP))
    orgs = max(1, round(groups * ORGS_PER_GROUP))
    return {"children": children, "groups": groups, "orgs": orgs, "regions": min(len(REGIONS), orgs)}


def org_of_group(j: int, s: dict) -> int:
    return j * s["orgs"] // s["groups"]


def academic_year(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


# --- schema ----------------------------------------------------------------------------------------------

def ensure_database(db_name: str) -> None:
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        # pg_stat_statements: loaded only where shared_preload_libraries names it; harmless otherwise
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db_name}", autocommit=True) as conn, \
            contextlib.suppress(psycopg.Error):
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def sync_schema(url: str) -> list[str]:
    """Alembic to head, then what the models have and the migrations do not yet (other sessions' new tables and
    columns, added nullable): the app of the working tree can read this database."""
    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import SQLModel

    import sabidamu.models  # noqa: F401  (every table on the metadata)
    from sabidamu.db import alembic_config, make_engine
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    added = []
    insp = sa.inspect(engine)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            db_cols = {c["name"]: c for c in insp.get_columns(table.name)}
            have = set(db_cols)
            for col in table.columns:
                if col.name in have and col.nullable and not col.primary_key and not db_cols[col.name]["nullable"]:
                    conn.execute(sa.text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{col.name}" DROP NOT NULL'))
                    added.append(f"{table.name}.{col.name} (now nullable)")
                if (col.name in have and col.identity is not None and not db_cols[col.name].get("identity")
                        and not db_cols[col.name].get("default")):
                    conn.execute(sa.text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{col.name}" '
                                         "ADD GENERATED BY DEFAULT AS IDENTITY"))
                    added.append(f"{table.name}.{col.name} (now an identity)")
                if col.name not in have:
                    ctype = col.type.compile(dialect=engine.dialect)
                    conn.execute(sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {ctype}'))
                    if col.index:
                        conn.execute(sa.text(f'CREATE INDEX IF NOT EXISTS "ix_{table.name}_{col.name}" '
                                             f'ON "{table.name}" ("{col.name}")'))
                    added.append(f"{table.name}.{col.name}")
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_national_chunk (chunk int PRIMARY KEY, "
                             "orgs int NOT NULL, children int NOT NULL, seconds float NOT NULL, "
                             "done_at timestamptz NOT NULL DEFAULT now())"))
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_national_meta (k text PRIMARY KEY, v text NOT NULL)"))
    engine.dispose()
    return added


# --- one chunk -------------------------------------------------------------------------------------------

class Sealer:
    """The app's keyring with the org data keys of the chunk primed (they are not committed yet)."""

    def __init__(self, keyring):
        self.keyring = keyring

    def org_key(self, org_index: int) -> tuple[uuid.UUID, bytes, str]:
        from sabidamu.crypto.keyring import new_data_key, wrap_data_key
        key_id, key = rid("orgkey", org_index), new_data_key()
        wrapped, master_id = wrap_data_key(self.keyring.master, key_id, key)
        self.keyring.prime(key_id, key)
        return key_id, wrapped, master_id


def _levels(fw, age_group: str, rnd: random.Random) -> dict[str, int]:
    levels = {}
    for sg in fw.skill_group_ids:
        for skill in fw.skills(age_group, sg):
            levels[skill.id] = rnd.choices((1, 2, 3), weights=(2, 5, 3))[0]
    return levels


def build_chunk(chunk: int, org_range: range, s: dict, ctx: dict) -> dict[str, list[tuple]]:
    """Every row of the kindergartens in `org_range`, sealed, as tuples in COPY column order."""
    from sabidamu.crypto.blind_index import iin_index, login_index
    from sabidamu.iin import make_iin
    from sabidamu.services.monitoring.base import _derived_by_group

    keyring, fw, now, year = ctx["keyring"], ctx["fw"], ctx["now"], ctx["year"]
    acc_key, pw_hash, bkey = ctx["accounts_key"], ctx["pw_hash"], keyring.blind_index_key
    sealer = Sealer(keyring)
    rnd = random.Random(chunk * 7919 + 1)
    rows: dict[str, list[tuple]] = {t: [] for t in ("datakey", "organization", "user", "membership", "child_group",
                                                    "groupteacher", "child", "enrollment", "cardstage",
                                                    "guardianship", "levelcount")}

    def account(kind: str, n: int, name: str, readable: bool) -> uuid.UUID:
        uid = rid("user-" + kind, n)
        email = f"{kind}{n}@national.bench"
        rows["user"].append((uid, acc_key, keyring.seal(acc_key, "user", uid, "full_name", name),
                             keyring.seal(acc_key, "user", uid, "email", email),
                             login_index(bkey, "email", email), name if readable else "", pw_hash, "kk",
                             False, False, False, now))
        return uid

    first_group = -(-org_range.start * s["groups"] // s["orgs"])
    while first_group > 0 and org_of_group(first_group - 1, s) >= org_range.start:
        first_group -= 1
    while first_group < s["groups"] and org_of_group(first_group, s) < org_range.start:
        first_group += 1
    org_keys = {}
    for i in org_range:
        key_id, wrapped, master_id = sealer.org_key(i)
        org_id = rid("org", i)
        org_keys[i] = key_id
        rows["datakey"].append((key_id, "org", org_id, wrapped, master_id, True, now))
        region = REGIONS[i * s["regions"] // s["orgs"]]
        rows["organization"].append((org_id, "kindergarten", f"№ {i + 1} балабақша", f"Детский сад № {i + 1}",
                                     region, now))
        head = account("head", i, f"Меңгеруші {i + 1}", True)
        rows["membership"].append((rid("m-head", i), head, org_id, "head", now))
    counts: dict[tuple, int] = {}
    j = first_group
    while j < s["groups"] and org_of_group(j, s) in org_range:
        i = org_of_group(j, s)
        org_id, key_id = rid("org", i), org_keys[i]
        group_id = rid("group", j)
        age_group = KG_AGE_GROUPS[j % len(KG_AGE_GROUPS)]
        rows["child_group"].append((group_id, org_id, f"Топ {j + 1}", age_group, year, now))
        teacher = account("teacher", j, f"Тәрбиеші {j + 1}", True)
        rows["membership"].append((rid("m-teacher", j), teacher, org_id, "teacher", now))
        rows["groupteacher"].append((group_id, teacher))
        age_years = 2 + KG_AGE_GROUPS.index(age_group)
        for c in range(j * CHILDREN_PER_GROUP, min(s["children"], (j + 1) * CHILDREN_PER_GROUP)):
            child_id = rid("child", c)
            sex = "m" if rnd.random() < 0.5 else "f"
            last = rnd.choice(LAST)
            name = f"{rnd.choice(FIRST_M)} {last}" if sex == "m" else f"{rnd.choice(FIRST_F)} {last}а"
            birth = dt.date(year - age_years, 1, 1) + dt.timedelta(days=c % 365)
            iin = make_iin(birth, sex, 2 * (c // 365))
            rows["child"].append((child_id, key_id, keyring.seal(key_id, "child", child_id, "name", name),
                                  keyring.seal(key_id, "child", child_id, "birth_date", birth.isoformat()),
                                  keyring.seal(key_id, "child", child_id, "iin", iin),
                                  keyring.seal(key_id, "child", child_id, "sex", sex),
                                  iin_index(bkey, iin), now, 1))
            rows["enrollment"].append((rid("enrol", c), child_id, group_id, "active", now, now))
            levels = _levels(fw, age_group, rnd)
            stage_id = rid("stage", c)
            text = json.dumps(levels, ensure_ascii=False, sort_keys=True)
            rows["cardstage"].append((stage_id, child_id, group_id, year, STAGE, key_id,
                                       keyring.seal(key_id, "cardstage", stage_id, "levels", text), False, now, 1))
            for sg, level in _derived_by_group(fw, age_group, levels).items():
                counts[(i, j, sg, level)] = counts.get((i, j, sg, level), 0) + 1
            if c % 10 == 0:
                parent = account("parent", c, f"Ата-ана {c}", False)
                rows["guardianship"].append((rid("guard", c), child_id, parent, "parent", now))
        j += 1
    for (i, j, sg, level), n in counts.items():
        rows["levelcount"].append((uuid.uuid5(NS, f"lc|{j}|{sg}|{level}"), rid("org", i), rid("group", j), year,
                                   STAGE, sg, level, n, now))
    return rows


COLUMNS = {
    "datakey": "id, owner_kind, owner_id, wrapped, master_key_id, active, created_at",
    "organization": "id, kind, name_kk, name_ru, region, created_at",
    "user": "id, key_id, full_name_ct, email_ct, email_index, full_name, password_hash, locale, is_admin, "
            "unconfirmed, must_change_password, created_at",
    "membership": "id, user_id, org_id, role, created_at",
    "child_group": "id, org_id, name, age_group, academic_year, created_at",
    "groupteacher": "group_id, user_id",
    "child": "id, key_id, name_ct, birth_date_ct, iin_ct, sex_ct, iin_index, created_at, version",
    "enrollment": "id, child_id, group_id, status, created_at, decided_at",
    "cardstage": "id, child_id, group_id, academic_year, stage, key_id, levels_ct, late, updated_at, version",
    "guardianship": "id, child_id, user_id, relation, created_at",
    "levelcount": "id, org_id, group_id, academic_year, stage, skill_group, level, count, updated_at",
}


def load_chunk(conn, chunk: int, rows: dict[str, list[tuple]], n_orgs: int, n_children: int, seconds: float) -> None:
    with conn.transaction(), conn.cursor() as cur:
        for table, cols in COLUMNS.items():
            if not rows[table]:
                continue
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows[table]:
                    copy.write_row(row)
        cur.execute("INSERT INTO bench_national_chunk (chunk, orgs, children, seconds) VALUES (%s, %s, %s, %s)",
                    (chunk, n_orgs, n_children, seconds))


# --- the whole seed --------------------------------------------------------------------------------------

def seed(children: int = 1_000_000, db_name: str = DEFAULT_DB, chunk_orgs: int = 250, quiet: bool = False) -> dict:
    """Seeds (or resumes seeding) `db_name`; returns {"shape", "seconds", "chunks", "url", "instance"}."""
    import psycopg

    def say(msg: str) -> None:
        if not quiet:
            print(msg, flush=True)

    t0 = time.perf_counter()
    s = shape(children)
    ensure_database(db_name)
    env = environ(db_name)
    url = env["SABIDAMU_DATABASE_URL"]
    added = sync_schema(url)
    if added:
        say(f"schema: added columns the migrations lack: {', '.join(added)}")
    from sabidamu import create_app
    from sabidamu.db import session_scope
    from sabidamu.monitoring import load_framework
    from sabidamu.passwords import hash_password
    from sabidamu.services.identity import ACCOUNTS_OWNER
    from sabidamu.services.keys import active_key
    app = create_app(environ=env)
    keyring = app.extensions["sabidamu.keyring"]
    with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
        acc_key = active_key(db, keyring, "accounts", ACCOUNTS_OWNER).id
        db.commit()
    app.extensions["sabidamu.engine"].dispose()  # the keyring keeps the accounts key (primed or cached)
    dsn = "postgresql://postgres@127.0.0.1:5432/" + db_name
    with psycopg.connect(dsn, autocommit=True) as conn:
        meta = dict(conn.execute("SELECT k, v FROM bench_national_meta").fetchall())
        if meta and json.loads(meta.get("shape", "{}")) != s:
            raise RuntimeError(f"{db_name} was seeded with {meta.get('shape')}, not {s}: use another --db")
        if not meta:
            conn.execute("INSERT INTO bench_national_meta (k, v) VALUES ('shape', %s), ('password_hash', %s), "
                         "('academic_year', %s)", (json.dumps(s), hash_password(PASSWORD), str(academic_year())))
            meta = dict(conn.execute("SELECT k, v FROM bench_national_meta").fetchall())
        done = {r[0] for r in conn.execute("SELECT chunk FROM bench_national_chunk").fetchall()}
        ctx = {"keyring": keyring, "fw": load_framework(), "now": dt.datetime.now(dt.UTC),
               "year": int(meta["academic_year"]), "accounts_key": acc_key, "pw_hash": meta["password_hash"]}
        chunks = range(-(-s["orgs"] // chunk_orgs))
        say(f"seed: {s} into {db_name}; {len(done)} of {len(chunks)} chunks already there")
        for chunk in chunks:
            if chunk in done:
                continue
            t = time.perf_counter()
            org_range = range(chunk * chunk_orgs, min(s["orgs"], (chunk + 1) * chunk_orgs))
            rows = build_chunk(chunk, org_range, s, ctx)
            t_build = time.perf_counter() - t
            load_chunk(conn, chunk, rows, len(org_range), len(rows["child"]), time.perf_counter() - t)
            say(f"chunk {chunk + 1}/{len(chunks)}: {len(rows['child'])} children, build {t_build:.1f} s, "
                f"load {time.perf_counter() - t - t_build:.1f} s")
        total = conn.execute("SELECT coalesce(sum(seconds), 0), count(*), coalesce(sum(children), 0) "
                             "FROM bench_national_chunk").fetchone()
        conn.execute("ANALYZE")
    # the chunk rows record only build+load; the sum is the seeding time over every (resumed) run
    result = {"shape": s, "seconds_this_run": time.perf_counter() - t0, "seconds_all_chunks": float(total[0]),
              "chunks": int(total[1]), "children_loaded": int(total[2]), "url": url,
              "instance": env["SABIDAMU_INSTANCE_DIR"]}
    say(f"seed: {json.dumps(result, ensure_ascii=False)}")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--db", default=DEFAULT_DB)
    ap.add_argument("--chunk", type=int, default=250, help="kindergartens per transaction (default 250)")
    args = ap.parse_args(argv)
    seed(args.children, args.db, args.chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
