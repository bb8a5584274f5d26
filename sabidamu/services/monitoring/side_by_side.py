"""Home and kindergarten side by side (issue 15): the latest stage level of each skill group of the card beside the
latest home screening's zone in the matching domains (the mapping: monitoring/home_compare.py, docs/monitoring.md).

The caller has already checked that the user may see the child as its parent, the group's teacher or the head
(the child page: services.children.view_child, which audits the view). Nothing here is written but the parent's
agreement that the card's PDF includes the table (`set_share`, audited).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ... import access
from ...crypto.keyring import Keyring
from ...models import CardStage, Child, Enrollment, Group, Screening, User
from ...models.enums import EnrollmentStatus, Role, ScreeningStatus
from ...models.reminders import CardHomeShare
from ...monitoring import STAGE_IDS, derive_level
from ...monitoring.home_compare import SKILL_GROUP_DOMAINS, Row, compare
from .. import AccessDenied, fetch
from ..audit import record
from .base import framework, open_levels

ROLES = (Role.PARENT, Role.TEACHER, Role.HEAD)
DEV_SCREEN = "sabidamu-dev-screen"  # the instrument whose domains the mapping names


@dataclass
class SideBySide:
    rows: tuple[Row, ...]
    level_year: int | None  # the academic year and stage of the latest level shown
    level_stage: str | None
    screening_date: dt.date | None  # the date of the home screening shown
    shared: bool  # the parent agreed that the card's PDF includes the table

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if r.disagreement]

    @property
    def empty(self) -> bool:
        return self.level_year is None and self.screening_date is None


def _latest_levels(db: Session, keyring: Keyring, child_id: uuid.UUID) -> tuple[dict[str, int | None], int | None,
                                                                                 str | None]:
    """Each skill group's level at the latest stage that gives it one; the year and stage of the newest used."""
    fw = framework()
    rows = db.exec(select(CardStage).where(CardStage.child_id == child_id)).all()
    order = {s: i for i, s in enumerate(STAGE_IDS)}
    rows = sorted(rows, key=lambda r: (r.academic_year, order.get(r.stage, -1)), reverse=True)
    levels: dict[str, int | None] = {}
    newest: tuple[int | None, str | None] = (None, None)
    for row in rows:
        group = db.get(Group, row.group_id)
        opened = open_levels(keyring, row)
        for sg in fw.skill_group_ids:
            if levels.get(sg) is not None or group is None:
                continue
            level = derive_level([opened.get(s.id) for s in fw.skills(group.age_group, sg)]).level
            if level is not None:
                levels[sg] = level
                if newest[0] is None:
                    newest = (row.academic_year, row.stage)
    return levels, newest[0], newest[1]


def _latest_zones(db: Session, keyring: Keyring, child_id: uuid.UUID) -> tuple[dict[str, str], dt.date | None]:
    row = db.exec(select(Screening).where(Screening.child_id == child_id, Screening.instrument_id == DEV_SCREEN,
                                          Screening.status == ScreeningStatus.COMPLETED)
                  .order_by(col(Screening.completed_at).desc()).limit(1)).first()
    if row is None:
        return {}, None
    result = json.loads(keyring.open("screening", row.id, "result", row.result_ct) or "{}")
    zones = {d["id"]: d.get("zone", "incomplete") for d in result.get("domains", []) if isinstance(d, dict)}
    date = dt.date.fromisoformat(result["screening_date"]) if result.get("screening_date") else None
    return zones, date


def shared(db: Session, child_id: uuid.UUID) -> bool:
    return db.get(CardHomeShare, child_id) is not None


def side_by_side(db: Session, keyring: Keyring, child_id: uuid.UUID, role: str) -> SideBySide | None:
    """The table for a child the caller may see in `role`; None for any other role (a specialist, a school)."""
    if role not in ROLES:
        return None
    levels, year, stage = _latest_levels(db, keyring, child_id)
    zones, date = _latest_zones(db, keyring, child_id)
    return SideBySide(rows=compare(levels, zones, tuple(SKILL_GROUP_DOMAINS)), level_year=year, level_stage=stage,
                      screening_date=date, shared=shared(db, child_id))


def set_share(db: Session, user: User, child_id: uuid.UUID, agreed: bool) -> None:
    """The parent agrees (or no longer agrees) that the card's PDF includes the table; audited and committed."""
    fetch(db, Child, child_id)
    if access.child_view_role(db, user, child_id) != Role.PARENT:
        raise AccessDenied()
    row = db.get(CardHomeShare, child_id)
    if agreed and row is None:
        db.add(CardHomeShare(child_id=child_id, agreed_by=user.id))
    elif not agreed and row is not None:
        db.delete(row)
    record(db, user, "card.home_share", role=Role.PARENT, object_type="child", object_id=child_id,
           detail={"agreed": agreed})
    db.commit()


def for_card_pdf(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> tuple[SideBySide, str] | None:
    """The table for the card's PDF, only when the parent agreed and the user reads the card as the parent, the
    group's teacher or the head; audited per child (card.pdf.home) and committed."""
    role = access.child_view_role(db, user, child_id, part="card")
    if role not in ROLES or not shared(db, child_id):
        return None
    data = side_by_side(db, keyring, child_id, role)
    if data is None:
        return None
    org_id = None if role == Role.PARENT else db.exec(
        select(Group.org_id).join(Enrollment, col(Enrollment.group_id) == col(Group.id))
        .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE)).first()
    record(db, user, "card.pdf.home", role=role, org_id=org_id, object_type="child", object_id=child_id)
    db.commit()
    return data, role
