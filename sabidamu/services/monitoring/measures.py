"""Developmental and corrective measures and the final levels of one child at one stage."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from ...crypto.keyring import Keyring
from ...models import Enrollment, Group, User
from ...models.enums import EnrollmentStatus
from ...models.monitoring import CardStage
from ...monitoring import DerivedLevel, check_level, derive_level
from .. import ServiceError
from ..audit import record
from ..children import open_child
from ..sealing import reseal_row
from .base import (
    MAX_MEASURES_CHARS,
    _check_skill_group,
    _check_stage,
    _enrolled_child,
    _entry_allowed,
    _parse,
    _recount_change,
    _seal_json,
    framework,
    group_for,
    may_enter,
    open_final_levels,
    open_levels,
    open_measures,
    window_status,
)
from .saves import _load_row, _new_row, _touch

# -- measures and final levels --------------------------------------------------------------------

@dataclass
class ChildStage:
    group: Group
    role: str
    child_id: uuid.UUID
    name: str
    stage: str
    version: int
    late: bool
    measures: dict[str, str]
    final_levels: dict[str, int]
    derived: dict[str, DerivedLevel]
    status: str
    can_edit: bool


def child_stage(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, child_id: uuid.UUID, stage: str,
                today: dt.date) -> ChildStage:
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    child = _enrolled_child(db, group, child_id, read=True)
    editable = db.exec(select(Enrollment.id).where(Enrollment.child_id == child_id, Enrollment.group_id == group.id,
                                                   Enrollment.status == EnrollmentStatus.ACTIVE)).first() is not None
    row = db.exec(select(CardStage).where(CardStage.child_id == child.id,
                                          CardStage.academic_year == group.academic_year,
                                          CardStage.stage == stage)).first()
    levels = open_levels(keyring, row)
    status = window_status(db, group, stage, today)
    name = open_child(keyring, child, ("name", "birth_date")).name
    view = ChildStage(group=group, role=role, child_id=child.id, name=name,
                      stage=stage, version=row.version if row else 0, late=bool(row and row.late),
                      measures=open_measures(keyring, row), final_levels=open_final_levels(keyring, row),
                      derived={sg: derive_level([levels.get(s.id) for s in fw.skills(group.age_group, sg)])
                               for sg in fw.skill_group_ids},
                      status=status, can_edit=editable and may_enter(role, status))
    record(db, user, "monitoring.measures.view", role=role, org_id=group.org_id, object_type="child",
           object_id=child.id, detail={"stage": stage})
    db.commit()
    return view


@dataclass
class MeasuresConflict:
    version: int
    measures: dict[str, str]
    final_levels: dict[str, int]


def save_measures(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, child_id: uuid.UUID, stage: str,
                  measures: dict[str, str], final_levels: dict[str, object], expected_version: int,
                  today: dt.date) -> CardStage | MeasuresConflict:
    """Measures text per skill group (any stage) and the final conclusion level per skill group (final stage)."""
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    clean_measures: dict[str, str] = {}
    for sg, text in measures.items():
        _check_skill_group(fw, sg)
        text = (text or "").strip()
        if len(text) > MAX_MEASURES_CHARS:
            raise ServiceError("measures_too_long", field=f"measures_{sg}", max=MAX_MEASURES_CHARS)
        if text:
            clean_measures[sg] = text
    clean_final: dict[str, int] = {}
    for sg, value in final_levels.items():
        _check_skill_group(fw, sg)
        if stage != "final":
            raise ServiceError("final_only_at_final")
        level = _parse(value)
        if level is not None:
            clean_final[sg] = check_level(level)
    child = _enrolled_child(db, group, child_id)
    late = _entry_allowed(db, group, role, stage, today)
    row = _load_row(db, child.id, group.academic_year, stage)
    version = row.version if row else 0
    if expected_version != version:
        conflict = MeasuresConflict(version=version, measures=open_measures(keyring, row),
                                    final_levels=open_final_levels(keyring, row))
        db.rollback()
        return conflict
    created = row is None
    if created:
        row = _new_row(child, group, stage)
        db.add(row)
        levels: dict = {}
    else:
        if row.key_id != child.key_id:
            reseal_row(keyring, row, child.key_id)
        levels = open_levels(keyring, row)
    if created:
        _seal_json(keyring, row, "levels", levels)
    _seal_json(keyring, row, "measures", clean_measures or None)
    _seal_json(keyring, row, "final_levels", clean_final or None)
    old_group_id = row.group_id
    row.group_id = group.id
    _touch(row, user, late)
    db.flush()
    if created or old_group_id != group.id:
        _recount_change(db, fw, group, row, None if created else old_group_id, None if created else levels, levels)
    record(db, user, "monitoring.measures.save", role=role, org_id=group.org_id, object_type="card_stage",
           object_id=row.id, detail={"child_id": str(child.id), "stage": stage, "late": late})
    db.commit()
    return row
