"""Monitoring, shared parts: constants, sealing of levels and texts, access and input checks, stage windows
and the plain level counts kept beside the sealed rows (see the package docstring)."""
from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlmodel import Session, select

from ... import access
from ...crypto.keyring import Keyring
from ...db import dialect_insert
from ...models import Child, Enrollment, Group, Organization, User
from ...models.base import utcnow
from ...models.enums import EnrollmentStatus, Role
from ...models.monitoring import STAGES, CardStage, HomeObservation, LevelCount  # noqa: F401 (STAGES: re-exported)
from ...monitoring import (
    STAGE_IDS,
    Framework,
    InvalidLevel,
    MonitoringError,
    Skill,
    StageWindows,
    default_stage_windows,
    derive_level,
    entry_status,
    load_framework,
    parse_level,
)
from .. import AccessDenied, ServiceError, fetch
from ..analytics.changes import mark_changed

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


# -- access and checks ---------------------------------------------------------------------------

def _group(db: Session, group_id: uuid.UUID) -> Group:
    group = fetch(db, Group, group_id)
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
                                                 Enrollment.status == EnrollmentStatus.ACTIVE)).first()
    child = db.get(Child, child_id) if active is not None else None
    if child is None:
        handed = access.handover(db, child_id, group.org_id)
        if handed is not None and read and db.exec(select(Enrollment.id).where(
                Enrollment.child_id == child_id, Enrollment.group_id == group.id,
                Enrollment.status == EnrollmentStatus.ENDED)).first() is not None:
            return db.get(Child, child_id)
        if handed is not None:  # the school holds the card: the kindergarten only reads it until the retention date
            school = db.get(Organization, handed.recipient_org_id)
            raise ServiceError("handed_to_school", school=_both_names(school),
                               date=handed.decided_at.date() if handed.decided_at else handed.created_at.date())
        raise ServiceError("child_not_in_group")
    return child


def org_windows(org: Organization) -> StageWindows:
    """The organization's stage windows, or the framework's defaults."""
    default = default_stage_windows()
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
    return status == "open" or (status == "late" and role == Role.HEAD)


def _entry_allowed(db: Session, group: Group, role: str, stage: str, today: dt.date) -> bool:
    """Raises a refusal unless `role` may enter `stage` today; returns whether the entry is late."""
    status = window_status(db, group, stage, today)
    if status == "open":
        return False
    if status == "late":
        if role == Role.HEAD:
            return True
        raise ServiceError("window_late")
    raise ServiceError("window_early" if status == "early" else "window_outside_year")


# -- level counts --------------------------------------------------------------------------------

def _derived_by_group(fw: Framework, age_group: str, levels: dict) -> dict[str, int]:
    return {sg: derive_level([levels.get(s.id) for s in fw.skills(age_group, sg)]).level or 0
            for sg in fw.skill_group_ids}


def _bump(db: Session, org_id: uuid.UUID, group_id: uuid.UUID, year: int, stage: str, skill_group: str,
          level: int, delta: int, *, at_least_zero: bool = False) -> None:
    query = (select(LevelCount).where(
        LevelCount.group_id == group_id, LevelCount.academic_year == year, LevelCount.stage == stage,
        LevelCount.skill_group == skill_group, LevelCount.level == level)
        .with_for_update().execution_options(populate_existing=True))
    row = db.exec(query).first()
    if row is None:
        # Two first rows of a group saved at once would both insert this count: insert-or-nothing, then lock it.
        db.exec(dialect_insert(db)(LevelCount.__table__).values(
            id=uuid.uuid4(), org_id=org_id, group_id=group_id, academic_year=year, stage=stage,
            skill_group=skill_group, level=level, count=0, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["group_id", "academic_year", "stage", "skill_group", "level"]))
        row = db.exec(query).one()
    row.count += delta
    row.updated_at = utcnow()
    if row.count < 0 and at_least_zero:  # a deletion goes through even over drifted counts
        row.count = 0
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
    changed: set[uuid.UUID] = set()
    for sg in fw.skill_group_ids:
        if old is not None and old_group is None and old[sg] == new[sg]:
            continue
        if old is not None:
            src = old_group or group
            _bump(db, src.org_id, src.id, row.academic_year, row.stage, sg, old[sg], -1)
            changed.add(src.org_id)
        _bump(db, group.org_id, group.id, row.academic_year, row.stage, sg, new[sg], +1)
        changed.add(group.org_id)
    for org_id in changed:  # the district analytics work this stage out again (services/analytics/snapshots.py)
        mark_changed(db, org_id, row.academic_year, row.stage)


def uncount_child(db: Session, keyring: Keyring, child_id: uuid.UUID) -> None:
    """The child's monitoring rows are about to be deleted (services/data_rights): their derived levels leave
    LevelCount, so the counts stay equal to a recount of the cards that remain, and the analytics are marked."""
    fw = framework()
    for row in db.exec(select(CardStage).where(CardStage.child_id == child_id)).all():
        group = db.get(Group, row.group_id)
        if group is None:
            continue
        derived = _derived_by_group(fw, group.age_group, open_levels(keyring, row))
        for sg, level in derived.items():
            _bump(db, group.org_id, group.id, row.academic_year, row.stage, sg, level, -1, at_least_zero=True)
        mark_changed(db, group.org_id, row.academic_year, row.stage)
