"""Benchmark of handing a pre-school group's cards to a school: 25 children, one .sdcard package each
(card.json + the card PDF, signed with minisign, encrypted with age), end to end through the export service:
access and consent checks, decrypting and assembling every card, rendering 25 PDFs, signing, encrypting,
recording (TransferPackage + audit event) and delivering to the school's inbox.

Run:  .venv/bin/python bench/bench_export.py [--instance DIR] [--runs N] [--children 25] [--lang kk|ru]

Uses its own SQLite instance (default build/bench/instance-export, schema from the models): a kindergarten with a
pre-school group of N children whose three monitoring stages are filled (sabidamu.demo.fill_monitoring), each
with the parent's consent (paper) to the transfer to the school. Target: <= 30 s for 25 children.
Prints a Markdown table with the machine details, for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

from sabidamu.services.auth import find_user

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_INSTANCE = REPO_ROOT / "build" / "bench" / "instance-export"
TARGET_S = 30.0
KG_BIN, SCHOOL_BIN = "990140009001", "990140009002"


def _environ(instance_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABIDAMU_")}
    env["SABIDAMU_INSTANCE_DIR"] = str(instance_dir.resolve())
    return env


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def setup(app, n_children: int) -> dict:
    """Creates the world once (idempotent: found again by the kindergarten's BIN)."""
    from sqlmodel import SQLModel, select

    import sabidamu.models  # noqa: F401
    from sabidamu.db import session_scope
    from sabidamu.demo import fill_monitoring
    from sabidamu.iin import make_iin
    from sabidamu.models import Child, Consent, Enrollment, Group, Organization
    from sabidamu.models.base import utcnow
    from sabidamu.services.children import _seal_child, iin_index
    from sabidamu.services.keys import active_key
    from sabidamu.services.orgs import add_staff, create_org

    engine, keyring = app.extensions["sabidamu.engine"], app.extensions["sabidamu.keyring"]
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as db:
        kg = db.exec(select(Organization).where(Organization.bin == KG_BIN)).first()
        if kg is None:
            kg = create_org(db, keyring, None, kind="kindergarten", name_kk="«Бенч» балабақшасы",
                            name_ru="Детский сад «Бенч»", region="Астана", bin=KG_BIN)
            school = create_org(db, keyring, None, kind="school", name_kk="№ 1 мектеп", name_ru="Школа № 1",
                                region="Астана", bin=SCHOOL_BIN)
            db.flush()
            head = add_staff(db, None, kg, full_name="Меңгеруші", login="head@bench.sabidamu.kz",
                             password="bench-password-2026", role="head", locale="kk")
            year = dt.date.today().year if dt.date.today().month >= 9 else dt.date.today().year - 1
            group = Group(org_id=kg.id, name="Күншуақ", age_group="preschool", academic_year=year)
            db.add(group)
            db.flush()
            key = active_key(db, keyring, "org", kg.id)
            db.flush()
            rnd = random.Random(25)
            for i in range(n_children):
                birth = dt.date(year - 6, 9, 1) + dt.timedelta(days=rnd.randrange(0, 364))
                iin = make_iin(birth, "m" if i % 2 else "f", 700 + i * 3)
                child = Child(key_id=key.id, iin_index=iin_index(keyring.blind_index_key, iin))
                _seal_child(keyring, child, {"name": f"Бала Нөмір {i + 1:02d}", "birth_date": birth.isoformat(),
                                             "iin": iin, "sex": "m" if i % 2 else "f", "gestational_weeks": None,
                                             "notes": None})
                db.add(child)
                db.flush()
                db.add(Enrollment(child_id=child.id, group_id=group.id, status="active", decided_at=utcnow()))
                consent = Consent(child_id=child.id, purpose="school_transfer", recipient_org_id=school.id,
                                  method="paper", given_by=head.id, paper_date=dt.date.today(), key_id=key.id,
                                  parts=["home_observations"])
                consent.guardian_name_ct = keyring.seal(key.id, "consent", consent.id, "guardian_name", "Ата-ана")
                db.add(consent)
            db.flush()
            fill_monitoring(db, keyring, group, head, rnd)
        school = db.exec(select(Organization).where(Organization.bin == SCHOOL_BIN)).one()
        head = find_user(db, "head@bench.sabidamu.kz")
        group = db.exec(select(Group).where(Group.org_id == kg.id)).one()
        ids = list(db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id)).all())
        return {"school_id": school.id, "head_id": head.id, "child_ids": ids}


def bench(app, world: dict, runs: int, lang: str) -> dict:
    from sabidamu.db import session_scope
    from sabidamu.jobs.transfer_zip import bundle
    from sabidamu.models import User
    from sabidamu.services.transfer import export as svc

    engine, keyring = app.extensions["sabidamu.engine"], app.extensions["sabidamu.keyring"]
    times, sizes, zip_size = [], [], 0
    with app.app_context():
        for _ in range(runs):
            with session_scope(engine, write=False) as db:
                user = db.get(User, world["head_id"])
                t = time.perf_counter()
                result = svc.export_cards(db, keyring, user, world["child_ids"], to_org_id=world["school_id"],
                                          lang=lang)
                zip_size = len(bundle(result))
                times.append(time.perf_counter() - t)
                sizes = [len(c.data) for c in result.exported]
                if result.refused:
                    raise SystemExit(f"refused: {[c.reason for c in result.refused]}")
    return {"runs": runs, "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "packages": len(sizes), "package_kb": statistics.mean(sizes) / 1024, "zip_kb": zip_size / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--children", type=int, default=25)
    parser.add_argument("--lang", choices=("kk", "ru"), default="kk")
    args = parser.parse_args(argv)
    args.instance.mkdir(parents=True, exist_ok=True)
    from sabidamu import create_app
    app = create_app(environ=_environ(args.instance))
    t = time.perf_counter()
    world = setup(app, args.children)
    print(f"setup: {len(world['child_ids'])} children ready in {time.perf_counter() - t:.1f} s", flush=True)
    r = bench(app, world, args.runs, args.lang)
    ok = r["median_s"] <= TARGET_S
    print()
    print(f"Machine: {_cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; SQLite; {dt.date.today().isoformat()}")
    print()
    print("| Measure | Result | Target |")
    print("|---|---|---|")
    print(f"| export of {r['packages']} cards to a school (card.json + PDF, signed, encrypted, recorded, delivered), "
          f"median of {r['runs']} (min {r['min_s']:.1f} s, max {r['max_s']:.1f} s) | {r['median_s']:.1f} s "
          f"| <= {TARGET_S:.0f} s {'✓' if ok else '✗'} |")
    print(f"| per card | {r['median_s'] / max(r['packages'], 1) * 1000:.0f} ms | |")
    print(f"| package size (mean) | {r['package_kb']:.0f} KB | |")
    print(f"| ZIP for download ({r['packages']} .sdcard + index.txt) | {r['zip_kb']:.0f} KB | |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
