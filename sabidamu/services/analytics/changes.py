"""Marks of changed counts: an organization whose counts of a part (a stage, or "year") of an academic year changed
since the stored analytics tables were worked out (models.analytics.AnalyticsChange).

Every save that changes a count marks it in the same transaction (the change and its mark commit or roll back
together); the periodic refresh (snapshots.refresh_changed) takes the marks and works out the parts again. A mark
is one row however many saves: a save first reads whether the mark is there and writes only when it is not, so the
saves of one kindergarten during a monitoring window do not queue behind one row.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Table
from sqlmodel import Session, SQLModel, col, select

from ...db import dialect_insert
from ...models import Referral, TransferPackage
from ...models.analytics import AnalyticsChange
from .tables import PARTS, YEAR_PART, academic_year_at

CHANGES: Table = SQLModel.metadata.tables["analyticschange"]


def mark_changed(db: Session, org_id: uuid.UUID | None, year: int, part: str) -> None:
    """The counts of `org_id` for `part` of academic year `year` changed in this transaction."""
    if org_id is None:
        return
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    there = db.exec(select(AnalyticsChange.org_id).where(
        AnalyticsChange.org_id == org_id, AnalyticsChange.academic_year == year, AnalyticsChange.part == part)).first()
    if there is None:
        db.exec(dialect_insert(db)(CHANGES).values(org_id=org_id, academic_year=year, part=part)
                .on_conflict_do_nothing(index_elements=["org_id", "academic_year", "part"]))


def mark_changed_at(db: Session, org_id: uuid.UUID | None, moment: dt.datetime | dt.date) -> None:
    """A referral, a conclusion or a handed card of `moment` changed the year's counts of `org_id`."""
    mark_changed(db, org_id, academic_year_at(moment), YEAR_PART)


def mark_rows_going(db: Session, plan: dict[str, set]) -> None:
    """A child's rows (services/child_rows.child_rows' plan) are about to be deleted: their referrals and handed cards
    leave the counts of the organizations and years they were counted in. (The level and screening counts are taken
    down, and marked, by monitoring.base.uncount_child and counting.uncount_child.)"""
    referrals = list(plan.get("referral", ()))
    packages = list(plan.get("transfer_package", ()))
    going: set[tuple[uuid.UUID | None, dt.datetime]] = set()
    if referrals:
        going |= set(db.exec(select(Referral.to_org_id, Referral.created_at)
                             .where(col(Referral.id).in_(referrals))).all())
    if packages:
        going |= set(db.exec(select(TransferPackage.sender_org_id, TransferPackage.created_at)
                             .where(col(TransferPackage.id).in_(packages))).all())
    for org_id, moment in going:
        mark_changed_at(db, org_id, moment)
