"""Saving levels: one cell (grid.js) or the whole form, with versions and conflicts."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from ...crypto.keyring import Keyring
from ...models import Child, Group, User
from ...models.base import utcnow
from ...models.monitoring import CardStage
from ...monitoring import DerivedLevel, Framework, derive_level
from .. import ServiceError
from ..audit import record
from ..sealing import reseal_row
from .base import (
    _check_skill_group,
    _check_stage,
    _check_year,
    _enrolled_child,
    _entry_allowed,
    _parse,
    _recount_change,
    _seal_json,
    _skill_of_group,
    framework,
    group_for,
    open_levels,
)

# -- saving levels -------------------------------------------------------------------------------

@dataclass
class Conflict:
    """The row changed since the version the save was based on. Nothing was written."""
    child_id: uuid.UUID
    version: int  # the stored version (send it back to keep your values)
    cells: dict[str, tuple[int | None, int | None]]  # skill id -> (yours, stored), where they differ


@dataclass
class CellSaved:
    child_id: uuid.UUID
    version: int
    late: bool
    skill_group: str
    derived: DerivedLevel  # the child's level for the skill group at this stage


def _lock_stage_rows(db: Session, child_ids, year: int, stage: str) -> None:
    """PostgreSQL: serialize the saves of one child's stage row (an advisory lock to the end of the transaction),
    taken before the row is read. "No row yet" cannot be locked with FOR UPDATE, so two first saves at the same
    instant both read version 0 and both insert: the second breaks the unique constraint. With the lock the second
    waits, then reads the first one's row and gets the conflict dialog. Several children: in one sorted order, so
    two forms saved at once cannot deadlock. SQLite writers run one at a time already (BEGIN IMMEDIATE)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for child_id in sorted(set(child_ids), key=str):
        digest = hashlib.sha256(f"card_stage|{child_id}|{year}|{stage}".encode()).digest()
        db.exec(sa.text("SELECT pg_advisory_xact_lock(:k)").bindparams(
            k=int.from_bytes(digest[:8], "big", signed=True)))


def _load_row(db: Session, child_id: uuid.UUID, year: int, stage: str) -> CardStage | None:
    _lock_stage_rows(db, [child_id], year, stage)
    return db.exec(select(CardStage).where(CardStage.child_id == child_id, CardStage.academic_year == year,
                                           CardStage.stage == stage)
                   .with_for_update().execution_options(populate_existing=True)).first()


def _new_row(child: Child, group: Group, stage: str) -> CardStage:
    return CardStage(id=uuid.uuid4(), child_id=child.id, group_id=group.id, academic_year=group.academic_year,
                     stage=stage, key_id=child.key_id, version=0)


def _touch(row: CardStage, user: User, late: bool) -> None:
    row.version = (row.version or 0) + 1
    row.updated_by = user.id
    row.updated_at = utcnow()
    row.late = row.late or late


def _apply_levels(db: Session, keyring: Keyring, fw: Framework, user: User, group: Group, child: Child, stage: str,
                  changes: dict[str, int | None], expected_version: int, late: bool) -> CardStage | Conflict | None:
    """Writes `changes` into the child's row. Conflict if stale; None if nothing changes.

    A skill never entered and one entered as "not observed" mean the same (no level), so saving
    "not observed" onto an empty cell changes nothing."""
    row = _load_row(db, child.id, group.academic_year, stage)
    stored = open_levels(keyring, row)
    version = row.version if row else 0
    differing = {sid: (lvl, stored.get(sid)) for sid, lvl in changes.items() if stored.get(sid) != lvl}
    if expected_version != version:
        return Conflict(child_id=child.id, version=version, cells=differing) if differing else None
    if not differing and (row is None or row.group_id == group.id):
        return None
    old_levels = dict(stored) if row is not None else None
    old_group_id = row.group_id if row is not None else None
    if row is None:
        row = _new_row(child, group, stage)
        db.add(row)
    elif row.key_id != child.key_id:  # the child's key moved (enrolment): the row follows it
        reseal_row(keyring, row, child.key_id)
    levels = dict(stored)
    levels.update(changes)
    _seal_json(keyring, row, "levels", levels)
    row.group_id = group.id
    _touch(row, user, late)
    db.flush()
    _recount_change(db, fw, group, row, old_group_id, old_levels, levels)
    return row


def save_cell(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, child_id: uuid.UUID, stage: str,
              skill_id: str, level, expected_version: int, today: dt.date,
              academic_year: int | None = None) -> CellSaved | Conflict:
    """One cell of the grid. `level`: "1".."3", "I".."III", "" / "0" / None = not observed."""
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    _check_year(group, academic_year)
    value = _parse(level)
    skill = _skill_of_group(fw, group, skill_id)
    if not isinstance(expected_version, int) or isinstance(expected_version, bool) or expected_version < 0:
        raise ServiceError("bad_version")
    child = _enrolled_child(db, group, child_id)
    late = _entry_allowed(db, group, role, stage, today)
    result = _apply_levels(db, keyring, fw, user, group, child, stage, {skill.id: value}, expected_version, late)
    if isinstance(result, Conflict):
        db.rollback()
        return result
    row = result if result is not None else _load_row(db, child.id, group.academic_year, stage)
    if result is not None:
        record(db, user, "monitoring.cell.save", role=role, org_id=group.org_id, object_type="card_stage",
               object_id=row.id, detail={"child_id": str(child.id), "stage": stage, "skill": skill.id,
                                         "late": late})
    levels = open_levels(keyring, row)
    derived = derive_level([levels.get(s.id) for s in fw.skills(group.age_group, skill.skill_group_id)])
    db.commit()
    return CellSaved(child_id=child.id, version=row.version if row else 0, late=bool(row and row.late),
                     skill_group=skill.skill_group_id, derived=derived)


@dataclass
class RowsResult:
    saved: int = 0  # rows written
    conflicts: list[Conflict] = field(default_factory=list)  # non-empty: nothing was written


def save_rows(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, stage: str, skill_group: str,
              rows: dict[uuid.UUID, tuple[int, dict[str, object]]], today: dt.date,
              academic_year: int | None = None) -> RowsResult:
    """The whole form (or one row): {child id: (expected version, {skill id: level text})}, all or nothing.

    Rows whose posted values equal the stored ones are left alone. Any refusal raises ServiceError and any
    conflict returns them all; in both cases nothing is written."""
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    _check_skill_group(fw, skill_group)
    _check_year(group, academic_year)
    allowed = {s.id for s in fw.skills(group.age_group, skill_group)}
    parsed: dict[uuid.UUID, tuple[int, dict[str, int | None]]] = {}
    for child_id, (version, cells) in rows.items():
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise ServiceError("bad_version")
        values = {}
        for skill_id, text in cells.items():
            if skill_id not in allowed:
                _skill_of_group(fw, group, skill_id)  # names the precise reason
                raise ServiceError("unknown_skill")
            values[skill_id] = _parse(text)
        parsed[child_id] = (version, values)
    children = {cid: _enrolled_child(db, group, cid) for cid in parsed}
    late = _entry_allowed(db, group, role, stage, today)
    _lock_stage_rows(db, parsed, group.academic_year, stage)  # all of them, in one order
    result = RowsResult()
    written = []
    for child_id, (version, values) in parsed.items():
        outcome = _apply_levels(db, keyring, fw, user, group, children[child_id], stage, values, version, late)
        if isinstance(outcome, Conflict):
            result.conflicts.append(outcome)
        elif outcome is not None:
            written.append(outcome)
    if result.conflicts:
        db.rollback()
        return result
    for row in written:
        record(db, user, "monitoring.row.save", role=role, org_id=group.org_id, object_type="card_stage",
               object_id=row.id, detail={"child_id": str(row.child_id), "stage": stage, "skill_group": skill_group,
                                         "late": late})
    result.saved = len(written)
    db.commit()
    return result
