"""Benchmark of the school side of the card's transfer: import of 1,000 .sdcard packages into a fresh database,
on SQLite and on PostgreSQL, through the same service as the web upload and `flask cards import`
(sabidamu.services.transfer.importing.import_package: size check, age decryption, ZIP safety, manifest, minisign
signature, hashes, card schema, then child by IIN (blind index) or a new child, the sealed ImportedCard, the
TransferPackage envelope and the audit event, one transaction and one commit per package).

Run:  .venv/bin/python bench/bench_import.py [--packages 1000] [--only sqlite|postgresql]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The packages are built once with the pure library (sabidamu.crypto.package.build_package) for N synthetic
children (random but seeded final levels; a 40 KB stand-in for the card PDF) and cached in
build/bench/import/ together with the school's age identity and the sender's minisign key, so every run
imports the same files. Each run makes a fresh database (SQLite file, or a PostgreSQL database created and
dropped on 127.0.0.1:5432 as user postgres), a school holding that age identity, and the sender's key confirmed
for the school. Afterwards the readiness page's data (every card decrypted) is computed once and timed.
Target: <= 120 s for 1,000 packages on each database. Prints a Markdown table for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

from sabidamu.services.auth import find_user

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

CACHE = REPO_ROOT / "build" / "bench" / "import"
TARGET_S = 120.0
SENDER_ORG_ID = "4a3c9e10-7b2d-4f5e-9c81-0d2e3f4a5b6c"
SENDER_BIN, SCHOOL_BIN = "990140009101", "990140009102"
SKILL_GROUPS = ("physical", "communicative", "cognitive", "creative", "social_emotional")
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _card(template: dict, iin: str, name: str, birth: dt.date, rng: random.Random) -> dict:
    card = json.loads(json.dumps(template))
    card["child"] = {"iin": iin, "full_name": name, "birth_date": birth.isoformat()}
    card["organization"]["id"] = SENDER_ORG_ID
    card["organization"]["bin"] = SENDER_BIN
    card["years"][0]["final_levels"] = {sg: rng.choice((1, 2, 2, 3, 3, 3)) for sg in SKILL_GROUPS}
    return card


def build_packages(n: int) -> tuple[list[Path], dict]:
    """Builds (once) and returns the cached packages and their keys."""
    from sabidamu.crypto import agekeys, minisign
    from sabidamu.crypto.package import ChildInfo, SenderInfo, build_package
    from sabidamu.iin import make_iin

    folder = CACHE / f"packages-{n}"
    keys_file = CACHE / "keys.json"
    if keys_file.exists():
        keys = json.loads(keys_file.read_text())
    else:
        pair = agekeys.generate_identity()
        secret, _public = minisign.generate_keypair()
        keys = {"age_identity": pair.identity, "age_recipient": pair.recipient,
                "minisign_secret": secret.to_bytes().hex()}
        CACHE.mkdir(parents=True, exist_ok=True)
        keys_file.write_text(json.dumps(keys))
    files = sorted(folder.glob("*.sdcard")) if folder.exists() else []
    if len(files) == n:
        return files, keys
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    template = json.loads((REPO_ROOT / "tests" / "crypto" / "vectors" / "card.json").read_text(encoding="utf-8"))
    secret = minisign.SecretKey.from_bytes(bytes.fromhex(keys["minisign_secret"]))
    sender = SenderInfo(org_id=SENDER_ORG_ID, name="«Бенч» балабақшасы", bin=SENDER_BIN, signing_secret=secret)
    rng = random.Random(2026)
    started = time.perf_counter()
    serial = 1000
    for index in range(n):
        birth = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(365))
        sex = rng.choice("mf")
        serial += 3
        iin = make_iin(birth, sex, serial % 9000 + 1000)
        card = _card(template, iin, f"Бала {index:04d} Сынақұлы", birth, rng)
        pdf = b"%PDF-1.7\n%" + rng.randbytes(40_000) + b"\n%%EOF\n"  # a compressed card PDF's size and entropy
        data = build_package(card=card, card_pdf=pdf, sender=sender, recipient_org_id=None,
                             recipient=keys["age_recipient"], child=ChildInfo(**card["child"]),
                             package_id=uuid.UUID(int=rng.getrandbits(128), version=4))
        (folder / f"{index:05d}.sdcard").write_bytes(data)
    print(f"built {n} packages in {time.perf_counter() - started:.1f} s -> {folder}", file=sys.stderr)
    return sorted(folder.glob("*.sdcard")), keys


def _environ(instance: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABIDAMU_")}
    env.update(SABIDAMU_INSTANCE_DIR=str(instance), SABIDAMU_DATABASE_URL=url,
               SABIDAMU_MASTER_KEYS="mk-bench:" + base64.b64encode(b"\x31" * 32).decode(),
               SABIDAMU_BLIND_INDEX_KEY=base64.b64encode(b"\x32" * 32).decode())
    return env


def run_import(url: str, instance: Path, files: list[Path], keys: dict) -> dict:
    from sqlmodel import SQLModel, select

    import sabidamu.models  # noqa: F401
    from sabidamu import create_app
    from sabidamu.crypto import minisign
    from sabidamu.db import session_scope
    from sabidamu.models import ImportedCard
    from sabidamu.models.transfer import OrgTransferKey
    from sabidamu.models.transfer_package import TrustedSenderKey
    from sabidamu.services.orgs import add_staff, create_org
    from sabidamu.services.transfer import importing as svc
    from sabidamu.services.transfer import keys as transfer_keys
    from sabidamu.services.transfer import school_view

    app = create_app(environ=_environ(instance, url))
    engine, keyring = app.extensions["sabidamu.engine"], app.extensions["sabidamu.keyring"]
    SQLModel.metadata.create_all(engine)
    with app.app_context():
        with session_scope(engine) as db:
            school = create_org(db, keyring, None, kind="school", name_kk="№ 1 мектеп", name_ru="Школа № 1",
                                region="Астана", bin=SCHOOL_BIN)
            db.flush()
            for row in db.exec(select(OrgTransferKey).where(OrgTransferKey.org_id == school.id,
                                                            OrgTransferKey.kind == "age")).all():
                db.delete(row)
            db.flush()
            transfer_keys._add(db, keyring, school.id, "age", keys["age_recipient"], "bench", keys["age_identity"])
            public = minisign.SecretKey.from_bytes(bytes.fromhex(keys["minisign_secret"])).public_key()
            db.add(TrustedSenderKey(school_org_id=school.id, sender_org_id=uuid.UUID(SENDER_ORG_ID),
                                    sender_bin=SENDER_BIN, fingerprint=public.fingerprint,
                                    public_key=public.to_base64()))
            add_staff(db, None, school, full_name="Директор", login="head@bench-school.kz",
                      password="bench-password-2026", role="head")
            school_id = school.id
        times, statuses = [], {}
        started = time.perf_counter()
        with session_scope(engine) as db:
            for path in files:
                t0 = time.perf_counter()
                result = svc.import_package(db, keyring, school_id, path.read_bytes(), None)
                times.append(time.perf_counter() - t0)
                statuses[result.status] = statuses.get(result.status, 0) + 1
        total = time.perf_counter() - started
        with session_scope(engine) as db:
            head = find_user(db, "head@bench-school.kz")
            cards = len(db.exec(select(ImportedCard.id)).all())
            t0 = time.perf_counter()
            ready = school_view.readiness(db, keyring, head, school_id)
            readiness_s = time.perf_counter() - t0
    engine.dispose()
    assert statuses == {"imported": len(files)}, statuses
    assert cards == len(files) and len(ready.unplaced) == len(files)
    return {"total": total, "median_ms": statistics.median(times) * 1000,
            "p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000, "readiness": readiness_s,
            "adaptation": len(ready.adaptation)}


def sqlite_run(files, keys) -> dict:
    instance = REPO_ROOT / "build" / "bench" / "instance-import-sqlite"
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    return run_import(f"sqlite:///{instance / 'bench.sqlite3'}", instance, files, keys)


def postgres_run(files, keys, admin_url: str) -> dict:
    import sqlalchemy as sa
    name = f"sabidamu_bench_import_{os.getpid()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    instance = REPO_ROOT / "build" / "bench" / "instance-import-pg"
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    try:
        return run_import(admin_url.rsplit("/", 1)[0] + "/" + name, instance, files, keys)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", default=os.environ.get("SABIDAMU_TEST_PG_URL", PG_DEFAULT))
    args = parser.parse_args(argv)
    files, keys = build_packages(args.packages)
    size = sum(f.stat().st_size for f in files)
    results = {}
    if args.only in (None, "sqlite"):
        results["SQLite (WAL, file)"] = sqlite_run(files, keys)
    if args.only in (None, "postgresql"):
        results["PostgreSQL (127.0.0.1)"] = postgres_run(files, keys, args.pg_url)
    print(f"Import of {len(files)} .sdcard packages ({size / 1048576:.1f} MiB) into a fresh database: "
          f"{os.cpu_count()} cores, {_cpu()}, Python {platform.python_version()}, {platform.platform()}, "
          f"{dt.date.today().isoformat()}\n")
    print("| database | total (s) | per package median (ms) | p95 (ms) | target | readiness page data (s) |")
    print("|---|---|---|---|---|---|")
    ok = True
    for label, r in results.items():
        passed = r["total"] <= TARGET_S
        ok &= passed
        print(f"| {label} | {r['total']:.1f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | "
              f"<= {TARGET_S:.0f} s: {'met' if passed else 'MISSED'} | {r['readiness']:.2f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
