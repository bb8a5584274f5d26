"""Stored analytics tables: worked out when counts change, read by every page, download and API call.

Protecting a region's tables is the slow step (1.5-3.4 s for a region of 648 kindergartens, by the machine's load:
docs/benchmarks.md); during a monitoring window the counts change with every save, so a page that worked them out on
view would nearly always pay it. Instead each part of a region's academic year (a stage's levels, or the year's
screening, referrals and cards; tables.compute_part) is stored as protected JSON (AnalyticsSnapshot), and:

- a save that changes a count marks its organization, year and part (changes.py) in the same transaction;
- the queue's periodic task `analytics_refresh` (every SABIDAMU_ANALYTICS_REFRESH_MINUTES) takes the marks and
  works out each changed part of each region again, and any part of the current or previous year not stored yet;
- a view reads the stored parts (parsed once per process: `_parsed`) and says when they were worked out. A part
  nobody stored yet (an old year opened the first time) is worked out on that view and stored.

`computed_at` is the moment the counting began: a count committed later has its own mark, so the next refresh takes
it; of two workings-out of one part the one that began later is kept (`store`).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Session, SQLModel, col, select

from ...analytics import areas
from ...db import dialect_insert
from ...localized import Text
from ...models import Organization
from ...models.analytics import AnalyticsSnapshot
from ...models.base import utcnow
from ...monitoring.academic_calendar import academic_year_of
from . import report as report_svc
from .changes import mark_changed
from .tables import PARTS, compute_part

SNAPSHOTS: Table = SQLModel.metadata.tables["analyticssnapshot"]
log = logging.getLogger(__name__)
_PARSED_MAX = 32
_parsed_cache: OrderedDict[tuple[uuid.UUID, dt.datetime], dict] = OrderedDict()
_parsed_guard = threading.Lock()


@dataclass
class Refreshed:
    parts: list[tuple[str, int, str]]   # (region, year, part) worked out and stored
    failed: list[tuple[str, int, str]]  # marked again for the next round


def _parsed(db: Session, snapshot_id: uuid.UUID, computed_at: dt.datetime) -> dict:
    """The payload of a stored part, parsed once per process (a region's part is ~0.3 MB of JSON)."""
    key = (snapshot_id, computed_at)
    with _parsed_guard:
        if key in _parsed_cache:
            _parsed_cache.move_to_end(key)
            return _parsed_cache[key]
    text = db.exec(select(AnalyticsSnapshot.payload).where(AnalyticsSnapshot.id == snapshot_id)).one()
    payload = json.loads(text)
    with _parsed_guard:
        _parsed_cache[key] = payload
        while len(_parsed_cache) > _PARSED_MAX:
            _parsed_cache.popitem(last=False)
    return payload


def stored_part(db: Session, region: str, year: int, part: str) -> tuple[dt.datetime, dict] | None:
    found = db.exec(select(AnalyticsSnapshot.id, AnalyticsSnapshot.computed_at).where(
        AnalyticsSnapshot.region == region, AnalyticsSnapshot.academic_year == year,
        AnalyticsSnapshot.part == part)).first()
    if found is None:
        return None
    snapshot_id, computed_at = found
    return computed_at, _parsed(db, snapshot_id, computed_at)


def store(db: Session, region: str, year: int, part: str, payload: dict, computed_at: dt.datetime) -> None:
    """Insert or replace a part; a part whose working-out began earlier than the stored one's is not kept."""
    insert = dialect_insert(db)(SNAPSHOTS).values(
        id=uuid.uuid4(), region=region, academic_year=year, part=part, computed_at=computed_at,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    db.exec(insert.on_conflict_do_update(
        index_elements=["region", "academic_year", "part"],
        set_={"computed_at": insert.excluded.computed_at, "payload": insert.excluded.payload},
        where=SNAPSHOTS.c.computed_at < insert.excluded.computed_at))


def work_out(db: Session, region: str, year: int, part: str) -> tuple[dt.datetime, dict]:
    """Work out one part from the counts and store it (the caller commits)."""
    began = utcnow()
    payload = compute_part(db, region, year, part)
    store(db, region, year, part, payload, began)
    return began, payload


def report(db: Session, region: str, district: str | None, year: int, stage: str, lang: str,
           domain_titles: dict[str, Text] | None = None) -> report_svc.Report:
    """The report from the stored parts; a part not stored yet is worked out now, stored and committed."""
    parts, moments = [], []
    for part in report_svc.parts_for(stage):
        found = stored_part(db, region, year, part)
        if found is None:
            found = work_out(db, region, year, part)
            db.commit()
        moments.append(found[0])
        parts.append(found[1])
    return report_svc.from_parts(db, region, district, year, stage, lang, parts, domain_titles,
                                 counts_as_of=min(moments))


def _regions_with_organizations(db: Session) -> set[str]:
    values = db.exec(select(Organization.region).distinct()).all()
    return {code for code in (areas.region_code(v) for v in values) if code is not None}


def _is_stored(db: Session, region: str, year: int, part: str) -> bool:
    return db.exec(select(AnalyticsSnapshot.id).where(
        AnalyticsSnapshot.region == region, AnalyticsSnapshot.academic_year == year,
        AnalyticsSnapshot.part == part)).first() is not None


def _take_marks(db: Session) -> list[tuple[uuid.UUID, int, str]]:
    changes = SQLModel.metadata.tables["analyticschange"]
    taken = db.execute(sa.delete(changes).returning(changes.c.org_id, changes.c.academic_year, changes.c.part)).all()
    # Committed at once: a save from now on marks again (the next round takes it) without waiting for this round's
    # workings-out. A consumer killed mid-round loses the marks it took: those parts wait for their next change.
    db.commit()
    return [(org_id, year, part) for org_id, year, part in taken]


def refresh_changed(db: Session, today: dt.date | None = None) -> Refreshed:
    """One round of the periodic refresh: every part with a marked organization is worked out again (a year before
    the last two only if somebody opened it: otherwise its first view works it out), then every part of the current
    and the previous year (the years the page offers that hold counts) not stored yet. A part that fails is marked
    again and the others go on."""
    current = academic_year_of(today or utcnow().date())
    marks = _take_marks(db)
    org_ids = list({org_id for org_id, _, _ in marks})
    regions = dict(db.exec(select(Organization.id, Organization.region)
                           .where(col(Organization.id).in_(org_ids))).all()) if org_ids else {}
    work: dict[tuple[str, int, str], list[tuple[uuid.UUID, int, str]]] = {}
    for mark in marks:
        code = areas.region_code(regions.get(mark[0]))
        if code is not None:
            work.setdefault((code, mark[1], mark[2]), []).append(mark)
    done = Refreshed([], [])
    for key in sorted(work):
        region, year, part = key
        if year not in (current, current - 1) and not _is_stored(db, region, year, part):
            continue
        _work_out_or_mark_again(db, key, work[key], done)
    for region in sorted(_regions_with_organizations(db)):
        for year in (current, current - 1):
            for part in PARTS:
                if not _is_stored(db, region, year, part):
                    _work_out_or_mark_again(db, (region, year, part), [], done)
    return done


def _work_out_or_mark_again(db: Session, key: tuple[str, int, str], marks: list, done: Refreshed) -> None:
    try:
        work_out(db, *key)
        db.commit()
        done.parts.append(key)
    except Exception:
        db.rollback()
        log.exception("analytics refresh of %s failed; marked again", key)
        for org_id, year, part in marks:
            mark_changed(db, org_id, year, part)
        db.commit()
        done.failed.append(key)


def refresh_all(db: Session, year: int, regions: list[str] | None = None) -> Refreshed:
    """Work out every part of `year` for the regions given (all regions with organizations by default)."""
    done = Refreshed([], [])
    for region in sorted(regions or _regions_with_organizations(db)):
        for part in PARTS:
            work_out(db, region, year, part)
            db.commit()
            done.parts.append((region, year, part))
    return done
