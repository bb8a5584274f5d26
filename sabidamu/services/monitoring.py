"""Kindergarten monitoring, the writing side: the group grid, saving levels (one cell, a row, the whole form),
measures and final levels, home observations and the organization's stage windows.

Every function checks access (teacher of the group or head of the organization; a guardian for home
observations) and writes its audit event in the same transaction (object ids only: never a level or a text).
Levels and texts are sealed with the child's current data key. Beside each saved card stage the plain
`LevelCount` rows are kept equal to a recount of the derived levels (level 0 = no level yet), in the same
transaction, so reports never decrypt cards in bulk.

Versions: a child's `CardStage` row (one per academic year and stage) carries `version`; "no row yet" is
version 0. A save names the version it was based on; a stale one gives a `Conflict` with both values
(yours and the stored one) and changes nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Child, Enrollment, Group, Organization, User
from ..models.base import utcnow
from ..models.monitoring import STAGES, CardStage, HomeObservation, LevelCount
from ..monitoring import (
    STAGE_IDS, DerivedLevel, Framework, InvalidLevel, InvalidStageWindows, MonitoringError, Skill, StageWindows,
    UnknownStage, academic_year_bounds, check_level, derive_level, entry_status, load_framework, parse_level,
)
from . import AccessDenied, NotFound, ServiceError
from .audit import record, record_many
from .children import open_child

MAX_MEASURES_CHARS = 2000
MAX_OBSERVATION_CHARS = 1000
PREVIOUS_STAGE = {"start": None, "intermediate": "start", "final": "intermediate"}
ALMATY = "Asia/Almaty"


def almaty_today() -> dt.date:
    """Today's date in Kazakhstan (entries are dated by the kindergarten's calendar, not UTC)."""
    try:
        from zoneinfo import ZoneInfo
        zone = ZoneInfo(ALMATY)
    except Exception:  # no time zone database: Kazakhstan is UTC+5 all year since 2024
        zone = dt.timezone(dt.timedelta(hours=5))
    return dt.datetime.now(zone).date()


def framework() -> Framework:
    return load_framework()


# -- sealing -------------------------------------------------------------------------------------

def _seal_json(keyring: Keyring, row, name: str, value) -> None:
    text = None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    setattr(row, f"{name}_ct", keyring.seal(row.key_id, row.__tablename__, row.id, name, text))


def _open_json(keyring: Keyring, row, name: str, default):
    text = keyring.open(row.__tablename__, row.id, name, getattr(row, f"{name}_ct"))
    return json.loads(text) if text else default


def open_levels(keyring: Keyring, row: CardStage | None) -> dict[str, int | None]:
    return {} if row is None else _open_json(keyring, row, "levels", {})


def open_measures(keyring: Keyring, row: CardStage | None) -> dict[str, str]:
    return {} if row is None else _open_json(keyring, row, "measures", {})


def open_final_levels(keyring: Keyring, row: CardStage | None) -> dict[str, int]:
    return {} if row is None else _open_json(keyring, row, "final_levels", {})


def reseal_child_monitoring(db: Session, keyring: Keyring, child: Child, new_key_id: uuid.UUID) -> int:
    """Re-seal a child's card stages and home observations under `new_key_id` (beside the child row)."""
    from .sealing import reseal_row
    count = 0
    for model in (CardStage, HomeObservation):
        for row in db.exec(select(model).where(model.child_id == child.id, model.key_id != new_key_id)).all():
            reseal_row(keyring, row, new_key_id)
            count += 1
    return count


# -- access and checks ---------------------------------------------------------------------------

def _group(db: Session, group_id: uuid.UUID) -> Group:
    group = db.get(Group, group_id)
    if group is None:
        raise NotFound()
    return group


def group_for(db: Session, user: User, group_id: uuid.UUID) -> tuple[Group, str]:
    """The group and the role ('teacher' of the group or 'head' of its organization) that grants access."""
    group = _group(db, group_id)
    role = access.group_view_role(db, user, group)
    if role is None:
        raise AccessDenied()
    return group, role


def _check_stage(stage: str) -> str:
    if stage not in STAGE_IDS:
        raise ServiceError("unknown_stage", field="stage")
    return stage


def _check_skill_group(fw: Framework, skill_group: str) -> str:
    if skill_group not in fw.skill_group_ids:
        raise ServiceError("unknown_skill_group", field="skill_group")
    return skill_group


def _check_year(group: Group, academic_year: int | None) -> None:
    if academic_year is not None and academic_year != group.academic_year:
        raise ServiceError("wrong_year")


def _skill_of_group(fw: Framework, group: Group, skill_id: str) -> Skill:
    try:
        skill = fw.skill(skill_id)
    except KeyError:
        raise ServiceError("unknown_skill") from None
    if skill.age_group_id != group.age_group:
        raise ServiceError("skill_not_in_age_group")
    return skill


def _parse(value) -> int | None:
    try:
        return parse_level(value)
    except InvalidLevel:
        raise ServiceError("unknown_level") from None


def _both_names(org: Organization | None) -> dict:
    """Both names: the page shows the one in its own language (web.formatting.localized_params)."""
    return {"kk": org.name_kk if org else "", "ru": org.name_ru if org else ""}


def _enrolled_child(db: Session, group: Group, child_id: uuid.UUID, read: bool = False) -> Child:
    """The child, actively enrolled in the group (for writing). `read`: also a child who left this group when a
    school accepted the card, while the kindergarten's read-only retention lasts (docs/transfer-format.md).
    AccessDenied when the parent withdrew the monitoring consent (as on the child's page)."""
    if access.monitoring_withdrawn(db, child_id, group.org_id):
        raise AccessDenied()
    active = db.exec(select(Enrollment.id).where(Enrollment.child_id == child_id, Enrollment.group_id == group.id,
                                                 Enrollment.status == "active")).first()
    child = db.get(Child, child_id) if active is not None else None
    if child is None:
        handed = access.handover(db, child_id, group.org_id)
        if handed is not None and read and db.exec(select(Enrollment.id).where(
                Enrollment.child_id == child_id, Enrollment.group_id == group.id,
                Enrollment.status == "ended")).first() is not None:
            return db.get(Child, child_id)
        if handed is not None:  # the school holds the card: the kindergarten only reads it until the retention date
            school = db.get(Organization, handed.recipient_org_id)
            raise ServiceError("handed_to_school", school=_both_names(school),
                               date=handed.decided_at.date() if handed.decided_at else handed.created_at.date())
        raise ServiceError("child_not_in_group")
    return child


def org_windows(org: Organization) -> StageWindows:
    """The organization's stage windows, or the framework's defaults."""
    default = StageWindows.default()
    if not org.stage_windows:
        return default
    try:
        return default.with_overrides({k: tuple(v) for k, v in org.stage_windows.items()})
    except (MonitoringError, TypeError, ValueError):
        return default  # a stored value that no longer validates must not lock the grid


def window_status(db: Session, group: Group, stage: str, today: dt.date) -> str:
    org = db.get(Organization, group.org_id)
    return entry_status(org_windows(org), group.academic_year, _check_stage(stage), today)


def may_enter(role: str, status: str) -> bool:
    return status == "open" or (status == "late" and role == "head")


def _entry_allowed(db: Session, group: Group, role: str, stage: str, today: dt.date) -> bool:
    """Raises a refusal unless `role` may enter `stage` today; returns whether the entry is late."""
    status = window_status(db, group, stage, today)
    if status == "open":
        return False
    if status == "late":
        if role == "head":
            return True
        raise ServiceError("window_late")
    raise ServiceError("window_early" if status == "early" else "window_outside_year")


# -- level counts --------------------------------------------------------------------------------

def _derived_by_group(fw: Framework, age_group: str, levels: dict) -> dict[str, int]:
    return {sg: derive_level([levels.get(s.id) for s in fw.skills(age_group, sg)]).level or 0
            for sg in fw.skill_group_ids}


def _bump(db: Session, org_id: uuid.UUID, group_id: uuid.UUID, year: int, stage: str, skill_group: str,
          level: int, delta: int) -> None:
    query = (select(LevelCount).where(
        LevelCount.group_id == group_id, LevelCount.academic_year == year, LevelCount.stage == stage,
        LevelCount.skill_group == skill_group, LevelCount.level == level)
        .with_for_update().execution_options(populate_existing=True))
    row = db.exec(query).first()
    if row is None:
        # Two first rows of a group saved at once would both insert this count: insert-or-nothing, then lock it.
        dialect = db.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        db.exec(insert(LevelCount.__table__).values(
            id=uuid.uuid4(), org_id=org_id, group_id=group_id, academic_year=year, stage=stage,
            skill_group=skill_group, level=level, count=0, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["group_id", "academic_year", "stage", "skill_group", "level"]))
        row = db.exec(query).one()
    row.count += delta
    row.updated_at = utcnow()
    if row.count < 0:  # would mean the counts drifted from the cards: refuse rather than store nonsense
        raise RuntimeError("level count below zero")
    db.flush()


def _recount_change(db: Session, fw: Framework, group: Group, row: CardStage, old_group_id: uuid.UUID | None,
                    old_levels: dict | None, new_levels: dict) -> None:
    """Keep LevelCount equal to a recount: old derived level -1, new +1 per skill group that changed.

    A new row (old_levels None) adds all its skill groups; a row saved from another group than before
    moves all of them from the old group's counts to this group's."""
    old_group = db.get(Group, old_group_id) if old_levels is not None and old_group_id not in (None, group.id) else None
    old = None
    if old_levels is not None:
        old = _derived_by_group(fw, (old_group or group).age_group, old_levels)
    new = _derived_by_group(fw, group.age_group, new_levels)
    for sg in fw.skill_group_ids:
        if old is not None and old_group is None and old[sg] == new[sg]:
            continue
        if old is not None:
            src = old_group or group
            _bump(db, src.org_id, src.id, row.academic_year, row.stage, sg, old[sg], -1)
        _bump(db, group.org_id, group.id, row.academic_year, row.stage, sg, new[sg], +1)


# -- the grid ------------------------------------------------------------------------------------

@dataclass
class Observation:
    id: uuid.UUID
    child_id: uuid.UUID
    skill_group: str | None
    text: str
    created_at: dt.datetime


@dataclass
class GridRow:
    child_id: uuid.UUID
    name: str
    version: int  # 0: nothing saved yet for this stage
    late: bool
    values: dict[str, int | None]  # skill id -> level, for the skills of the shown skill group
    previous: dict[str, int | None]  # the previous stage's values (empty at the start stage)
    filled: int  # cells of the shown skill group with a level
    total: int
    derived: DerivedLevel
    observations: list[Observation] = field(default_factory=list)


@dataclass
class GridData:
    group: Group
    org: Organization
    role: str
    stage: str
    previous_stage: str | None
    skill_group: str
    skills: tuple[Skill, ...]
    rows: list[GridRow]
    status: str  # open / late / early / outside_year
    can_edit: bool
    window: tuple[dt.date, dt.date]
    progress: dict[str, tuple[int, int]]  # skill group -> (cells filled, total) at this stage
    observations: list[Observation]


def _stage_rows(db: Session, child_ids: list[uuid.UUID], year: int, stage: str) -> dict[uuid.UUID, CardStage]:
    if not child_ids:
        return {}
    rows = db.exec(select(CardStage).where(CardStage.child_id.in_(child_ids), CardStage.academic_year == year,
                                           CardStage.stage == stage)).all()
    return {r.child_id: r for r in rows}


def _observations(db: Session, keyring: Keyring, child_ids: list[uuid.UUID], since: dt.date) -> list[Observation]:
    if not child_ids:
        return []
    since_at = dt.datetime.combine(since, dt.time.min, tzinfo=dt.timezone.utc) - dt.timedelta(hours=5)
    rows = db.exec(select(HomeObservation).where(HomeObservation.child_id.in_(child_ids))
                   .order_by(HomeObservation.created_at.desc())).all()
    out = []
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.timezone.utc)
        if created < since_at:
            continue
        out.append(Observation(id=row.id, child_id=row.child_id, skill_group=row.skill_group,
                               text=keyring.open(row.__tablename__, row.id, "text", row.text_ct) or "",
                               created_at=created))
    return out


def grid(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, stage: str, skill_group: str,
         today: dt.date) -> GridData:
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    _check_skill_group(fw, skill_group)
    org = db.get(Organization, group.org_id)
    windows = org_windows(org)
    status = entry_status(windows, group.academic_year, stage, today)
    from .children import group_children
    kids = group_children(db, keyring, group)
    ids = [k.id for k in kids]
    current = _stage_rows(db, ids, group.academic_year, stage)
    previous_stage = PREVIOUS_STAGE[stage]
    previous = _stage_rows(db, ids, group.academic_year, previous_stage) if previous_stage else {}
    skills = fw.skills(group.age_group, skill_group)
    observations = _observations(db, keyring, ids, academic_year_bounds(group.academic_year)[0])
    by_child: dict[uuid.UUID, list[Observation]] = {}
    for obs in observations:
        by_child.setdefault(obs.child_id, []).append(obs)
    progress = {sg: [0, 0] for sg in fw.skill_group_ids}
    rows = []
    for kid in kids:
        row = current.get(kid.id)
        levels = open_levels(keyring, row)
        prev_levels = open_levels(keyring, previous.get(kid.id))
        for sg in fw.skill_group_ids:
            sg_skills = fw.skills(group.age_group, sg)
            progress[sg][0] += sum(1 for s in sg_skills if levels.get(s.id) is not None)
            progress[sg][1] += len(sg_skills)
        values = {s.id: levels.get(s.id) for s in skills}
        rows.append(GridRow(
            child_id=kid.id, name=kid.name, version=row.version if row else 0, late=bool(row and row.late),
            values=values, previous={s.id: prev_levels.get(s.id) for s in skills} if previous_stage else {},
            filled=sum(1 for v in values.values() if v is not None), total=len(skills),
            derived=derive_level(values.values()), observations=by_child.get(kid.id, [])))
    record(db, user, "monitoring.grid.view", role=role, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"stage": stage, "skill_group": skill_group, "children": len(rows)})
    record_many(db, user, "child.list.grid", object_ids=[r.child_id for r in rows], role=role, org_id=group.org_id,
                object_type="child", detail={"group_id": str(group.id), "stage": stage, "skill_group": skill_group})
    db.commit()
    return GridData(group=group, org=org, role=role, stage=stage, previous_stage=previous_stage,
                    skill_group=skill_group, skills=skills, rows=rows, status=status,
                    can_edit=may_enter(role, status), window=windows.window(stage).dates(group.academic_year),
                    progress={sg: (v[0], v[1]) for sg, v in progress.items()}, observations=observations)


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
        from .sealing import reseal_row
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
                                                   Enrollment.status == "active")).first() is not None
    row = db.exec(select(CardStage).where(CardStage.child_id == child.id, CardStage.academic_year == group.academic_year,
                                          CardStage.stage == stage)).first()
    levels = open_levels(keyring, row)
    status = window_status(db, group, stage, today)
    view = ChildStage(group=group, role=role, child_id=child.id, name=open_child(keyring, child, ("name", "birth_date")).name,
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
            from .sealing import reseal_row
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


# -- home observations -----------------------------------------------------------------------------

def add_home_observation(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, text: str,
                         skill_group: str | None) -> HomeObservation:
    """A guardian's short note about the child at home, optionally tied to a skill group."""
    child = db.get(Child, child_id)
    if child is None:
        raise NotFound()
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    text = (text or "").strip()
    if not text:
        raise ServiceError("observation_empty", field="text")
    if len(text) > MAX_OBSERVATION_CHARS:
        raise ServiceError("observation_too_long", field="text", max=MAX_OBSERVATION_CHARS)
    if skill_group:
        if skill_group not in framework().skill_group_ids:
            raise ServiceError("unknown_skill_group", field="skill_group")
    else:
        skill_group = None
    row = HomeObservation(id=uuid.uuid4(), child_id=child.id, key_id=child.key_id, author_id=user.id,
                          skill_group=skill_group)
    row.text_ct = keyring.seal(row.key_id, row.__tablename__, row.id, "text", text)
    db.add(row)
    db.flush()
    record(db, user, "home_observation.create", role="parent", object_type="home_observation", object_id=row.id,
           detail={"child_id": str(child.id)})
    db.commit()
    return row


def home_observations_of_parent(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> tuple[str, list[Observation]]:
    """The child's name and the notes this guardian wrote (for the form page)."""
    child = db.get(Child, child_id)
    if child is None:
        raise NotFound()
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    rows = db.exec(select(HomeObservation).where(HomeObservation.child_id == child_id,
                                                 HomeObservation.author_id == user.id)
                   .order_by(HomeObservation.created_at.desc()).limit(20)).all()
    notes = [Observation(id=r.id, child_id=r.child_id, skill_group=r.skill_group,
                         text=keyring.open(r.__tablename__, r.id, "text", r.text_ct) or "", created_at=r.created_at)
             for r in rows]
    return open_child(keyring, child, ("name", "birth_date")).name, notes


# -- stage windows -------------------------------------------------------------------------------------

def _head_org(db: Session, user: User, org_id: uuid.UUID) -> Organization:
    org = db.get(Organization, org_id)
    if org is None:
        raise NotFound()
    if access.org_role(db, user, org.id) != "head":
        raise AccessDenied()
    return org


def windows_of(db: Session, user: User, org_id: uuid.UUID) -> tuple[Organization, StageWindows, bool]:
    """The organization, its windows and whether they are the defaults (head only)."""
    org = _head_org(db, user, org_id)
    return org, org_windows(org), not org.stage_windows


def set_windows(db: Session, user: User, org_id: uuid.UUID, windows: dict[str, tuple[str, str]] | None) -> StageWindows:
    """Overrides the three windows (None: back to the defaults). Raises InvalidStageWindows / UnknownStage."""
    org = _head_org(db, user, org_id)
    if windows is None:
        value = StageWindows.default()
        org.stage_windows = None
    else:
        value = StageWindows.from_mapping(windows)
        org.stage_windows = None if value == StageWindows.default() else \
            {k: list(v) for k, v in value.as_dict().items()}
    db.add(org)
    record(db, user, "monitoring.windows.update", role="head", org_id=org.id, object_type="organization",
           object_id=org.id)
    db.commit()
    return value


__all__ = [
    "STAGES", "CellSaved", "Conflict", "GridData", "GridRow", "RowsResult", "ChildStage", "MeasuresConflict",
    "Observation", "almaty_today", "grid", "save_cell", "save_rows", "child_stage", "save_measures",
    "add_home_observation", "home_observations_of_parent", "windows_of", "set_windows", "org_windows",
    "window_status", "may_enter", "group_for", "reseal_child_monitoring", "InvalidStageWindows", "UnknownStage",
]
