"""ScreeningZoneCount, kept in the transaction that completes a screening (services/screening.complete).

A child counts once per academic year and kindergarten: with the zones of their latest completed screening of
that year. The previous one's zones (this one child's own result, opened in the same save) are taken off first.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import Table
from sqlmodel import Session, SQLModel, col, select

from ...crypto.keyring import Keyring
from ...db import dialect_insert
from ...models import Enrollment, Group, Organization, Screening
from ...models.analytics import ScreeningZoneCount
from ...models.base import utcnow
from ...models.enums import EnrollmentStatus
from ...monitoring.academic_calendar import academic_year_of
from .changes import mark_changed
from .tables import YEAR_PART

ZONE_COUNTS: Table = SQLModel.metadata.tables["screeningzonecount"]


def bump(db: Session, org_id: uuid.UUID, year: int, domain: str, zone: str, delta: int, *,
         at_least_zero: bool = False) -> None:
    """Add `delta` to one kindergarten's count of a domain's zone in an academic year (the row made if missing)."""
    query = (select(ScreeningZoneCount).where(
        ScreeningZoneCount.org_id == org_id, ScreeningZoneCount.academic_year == year,
        ScreeningZoneCount.domain == domain, ScreeningZoneCount.zone == zone)
        .with_for_update().execution_options(populate_existing=True))
    row = db.exec(query).first()
    if row is None:
        # Two first screenings of one kindergarten at once: one inserts the row, the other finds it.
        db.exec(dialect_insert(db)(ZONE_COUNTS).values(
            id=uuid.uuid4(), org_id=org_id, academic_year=year, domain=domain, zone=zone, count=0,
            updated_at=utcnow()).on_conflict_do_nothing(index_elements=["org_id", "academic_year", "domain", "zone"]))
        row = db.exec(query).one()
    row.count += delta
    row.updated_at = utcnow()
    if row.count < 0 and at_least_zero:  # a deletion goes through even over drifted counts
        row.count = 0
    if row.count < 0:
        raise RuntimeError("screening zone count below zero")
    db.flush()


def _zones(result: dict) -> dict[str, str]:
    return {d["id"]: d["zone"] for d in result.get("domains", []) if d.get("zone") != "incomplete"}


def kindergarten_of(db: Session, child_id: uuid.UUID) -> uuid.UUID | None:
    return db.exec(select(Group.org_id).join(Enrollment, col(Enrollment.group_id) == col(Group.id))
                   .join(Organization, col(Organization.id) == col(Group.org_id))
                   .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE,
                          Organization.kind == "kindergarten")).first()


def count_completed(db: Session, keyring: Keyring, row: Screening, result: dict, on: dt.date) -> None:
    """Add `row` (just completed, its result `result`) to the counts of the child's kindergarten for the academic
    year of `on`, replacing the child's earlier screening of that year. A child in no kindergarten is not counted."""
    org_id = kindergarten_of(db, row.child_id)
    if org_id is None:
        return
    year = academic_year_of(on)
    earlier = db.exec(select(Screening).where(
        Screening.child_id == row.child_id, Screening.counted_year == year, col(Screening.counted_org_id).is_not(None),
        Screening.id != row.id)).all()
    for old in earlier:
        _take_off(db, keyring, old)
    for domain, zone in _zones(result).items():
        bump(db, org_id, year, domain, zone, +1)
    row.counted_org_id, row.counted_year = org_id, year
    mark_changed(db, org_id, year, YEAR_PART)  # the district analytics work the year's screening tables out again


def _take_off(db: Session, keyring: Keyring, old: Screening, *, at_least_zero: bool = False) -> None:
    """A counted screening leaves the zone counts it was counted in (replaced by a newer one, or deleted), and that
    kindergarten's year is marked for the district analytics."""
    if old.counted_org_id is None or old.counted_year is None:
        return
    text = keyring.open("screening", old.id, "result", old.result_ct)
    for domain, zone in _zones(json.loads(text) if text else {}).items():
        bump(db, old.counted_org_id, old.counted_year, domain, zone, -1, at_least_zero=at_least_zero)
    mark_changed(db, old.counted_org_id, old.counted_year, YEAR_PART)
    old.counted_org_id, old.counted_year = None, None
    db.add(old)


def uncount_child(db: Session, keyring: Keyring, child_id: uuid.UUID) -> None:
    """The child's screenings are about to be deleted (services/data_rights): the one counted in each year leaves
    the zone counts of the kindergarten it was counted in, and the analytics are marked."""
    counted = db.exec(select(Screening).where(Screening.child_id == child_id,
                                              col(Screening.counted_org_id).is_not(None))).all()
    for row in counted:
        _take_off(db, keyring, row, at_least_zero=True)
    db.flush()
