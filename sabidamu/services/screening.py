"""Home screening: which checklists are due, starting, saving a domain, completing, results and history.

Access: the child's guardian, or a teacher/head of the child's active group (sabidamu.access). Every
use case writes its audit event (object ids only) in the same transaction as its change. Answers and
results are sealed with the child's current data key; sealing.reseal_child_records moves them when the
child's key changes (enrolment).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..instruments import (
    AgeInfo,
    Band,
    Instrument,
    InstrumentRegistry,
    ScreeningInputError,
    UnknownInstrument,
    UnknownVersion,
    age_at,
    score,
)
from ..models import Child, Enrollment, Group, Screening, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role, ScreeningStatus
from . import AccessDenied, NotFound, ServiceError, fetch
from .analytics.counting import count_completed
from .audit import record
from .children import ChildView, open_child
from .identity import display_name

TABLE = "screening"
FOLLOW_UP_ANSWERS = ("yes", "no")
MAX_FORM_KEYS = 400  # more answers than any band has items: refuse before looking at them


class AnswerErrors(ServiceError):
    """Invalid answers for one domain; `errors` maps an item or follow-up id (or '' for the form) to codes."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid_answers")
        self.errors = errors


@dataclass
class DueScreening:
    instrument: Instrument
    band: Band
    age: AgeInfo
    in_progress_id: uuid.UUID | None = None
    completed_id: uuid.UUID | None = None


@dataclass
class ScreeningView:
    id: uuid.UUID
    child_id: uuid.UUID
    instrument: Instrument
    band: Band
    status: str
    answers: dict[str, str]
    follow_ups: dict[str, str]
    progress: list[str]
    result: dict | None
    screening_date: dt.date
    gestational_weeks: int | None
    answered_by_name: str
    answered_by_role: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    version: int
    viewer_role: str = Role.PARENT
    child: ChildView | None = field(default=None, repr=False)

    @property
    def domain_ids(self) -> tuple[str, ...]:
        return self.instrument.domain_ids_in(self.band)

    def unanswered(self, domain_id: str) -> list[str]:
        """Item ids of the domain without an answer yet."""
        return [i.id for i in self.band.items_by_domain.get(domain_id, ()) if not self.answers.get(i.id)]

    @property
    def resume_step(self) -> int:
        """1-based page of the first domain not complete: never saved, or saved with more questions open than a
        result allows (the last page when every domain is complete)."""
        from ..instruments.scoring import MAX_MISSING_PER_DOMAIN
        for index, domain_id in enumerate(self.domain_ids, start=1):
            if domain_id not in self.progress or len(self.unanswered(domain_id)) > MAX_MISSING_PER_DOMAIN:
                return index
        return len(self.domain_ids)


# -- sealing -------------------------------------------------------------------------------------

def _seal(keyring: Keyring, row: Screening, name: str, value) -> None:
    text = None if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                                        sort_keys=True))
    setattr(row, f"{name}_ct", keyring.seal(row.key_id, TABLE, row.id, name, text))


def _open(keyring: Keyring, row: Screening, name: str) -> str | None:
    return keyring.open(TABLE, row.id, name, getattr(row, f"{name}_ct"))


def _open_json(keyring: Keyring, row: Screening, name: str, default):
    text = _open(keyring, row, name)
    return json.loads(text) if text else default


# -- access --------------------------------------------------------------------------------------

def _role(db: Session, user: User, child_id: uuid.UUID, answering: bool = False) -> str:
    """Who may see screenings: the parent, staff of the child's group, and a specialist whose consent covers
    screenings. Who may answer one: the parent and the child's teacher or head only."""
    role = access.child_view_role(db, user, child_id, part="screenings")
    if role is None or (answering and role not in (Role.PARENT, Role.TEACHER, Role.HEAD)):
        raise AccessDenied()
    return role


def _org_of(db: Session, child_id: uuid.UUID, role: str) -> uuid.UUID | None:
    if role == Role.PARENT:
        return None
    return db.exec(select(Group.org_id).join(Enrollment, Enrollment.group_id == Group.id)
                   .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE)).first()


def _audit(db: Session, user: User, action: str, role: str, child_id: uuid.UUID, object_type: str,
           object_id: uuid.UUID, detail: dict | None = None) -> None:
    record(db, user, action, role=role, org_id=_org_of(db, child_id, role), object_type=object_type,
           object_id=object_id, detail=detail)


def _child(db: Session, child_id: uuid.UUID) -> Child:
    child = fetch(db, Child, child_id)
    return child


def _instrument(registry: InstrumentRegistry, instrument_id: str, version: int | None = None) -> Instrument:
    try:
        return registry.get(instrument_id, version)
    except (UnknownInstrument, UnknownVersion) as exc:
        raise NotFound() from exc


def _age(child: ChildView, on: dt.date) -> AgeInfo | None:
    try:
        return age_at(child.birth_date, on, child.gestational_weeks)
    except ScreeningInputError:
        return None  # born after `on`, or recorded gestational weeks outside 22-44: no band applies


# -- due screenings ------------------------------------------------------------------------------

def due_screenings(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User, child_id: uuid.UUID,
                   today: dt.date | None = None) -> list[DueScreening]:
    """The latest instruments with a band for the child's age today (dev screen first), with any screening
    already in progress or completed for that band."""
    _role(db, user, child_id)
    return due_for_child(db, registry, open_child(keyring, _child(db, child_id)), today)


def due_for_child(db: Session, registry: InstrumentRegistry, child: ChildView,
                  today: dt.date | None = None) -> list[DueScreening]:
    """As due_screenings, for a child the caller has already checked access to and decrypted."""
    today = today or dt.date.today()
    age_cache: AgeInfo | None = _age(child, today)
    if age_cache is None:
        return []
    rows = db.exec(select(Screening.id, Screening.instrument_id, Screening.instrument_version, Screening.band_id,
                          Screening.status).where(Screening.child_id == child.id)
                   .order_by(Screening.started_at.desc())).all()
    due = []
    for instrument in sorted(registry.latest(), key=lambda i: (i.is_concern_count, i.id)):
        band = instrument.band_for(age_cache)
        if band is None:
            continue
        item = DueScreening(instrument, band, age_cache)
        for sid, iid, version, band_id, status in rows:
            if iid != instrument.id:
                continue
            if status == ScreeningStatus.IN_PROGRESS and item.in_progress_id is None:
                item.in_progress_id = sid
            elif status == ScreeningStatus.COMPLETED and version == instrument.version and band_id == band.id \
                    and item.completed_id is None:
                item.completed_id = sid
        due.append(item)
    return due


# -- start ---------------------------------------------------------------------------------------

def start(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User, child_id: uuid.UUID,
          instrument_id: str, today: dt.date | None = None) -> Screening:
    """The child's screening in progress for this instrument, or a new one for today's band.

    Refusals: `no_band` (the child's age is outside every band), `already_completed` (with
    `screening_id`: this version and band was completed already)."""
    role = _role(db, user, child_id, answering=True)
    child = _child(db, child_id)
    view = open_child(keyring, child)
    instrument = _instrument(registry, instrument_id)
    today = today or dt.date.today()
    age = _age(view, today)
    band = instrument.band_for(age) if age is not None else None
    if band is None:
        raise ServiceError("no_band")
    rows = db.exec(select(Screening).where(Screening.child_id == child_id, Screening.instrument_id == instrument.id)
                   .order_by(Screening.started_at.desc())).all()
    replaced = None
    for row in rows:
        if row.status != ScreeningStatus.IN_PROGRESS:
            continue
        if row.instrument_version == instrument.version and row.band_id == band.id:
            return row
        replaced = row  # answers for an age band the child has left (or an old version): start afresh
    for row in rows:
        same_band = row.instrument_version == instrument.version and row.band_id == band.id
        if row.status == ScreeningStatus.COMPLETED and same_band:
            raise ServiceError("already_completed", screening_id=str(row.id))
    if replaced is not None:
        db.delete(replaced)
        db.flush()
    row = Screening(child_id=child_id, key_id=child.key_id, instrument_id=instrument.id,
                    instrument_version=instrument.version, band_id=band.id, status=ScreeningStatus.IN_PROGRESS,
                    answered_by=user.id, answered_by_role=Role.PARENT if role == Role.PARENT else Role.TEACHER)
    _seal(keyring, row, "answers", {})
    _seal(keyring, row, "follow_ups", {})
    _seal(keyring, row, "progress", [])
    _seal(keyring, row, "screening_date", today.isoformat())
    _seal(keyring, row, "gestational_weeks", None if view.gestational_weeks is None else str(view.gestational_weeks))
    db.add(row)
    db.flush()
    detail = {"child_id": str(child_id)}
    if replaced is not None:
        detail["replaced_id"] = str(replaced.id)
    _audit(db, user, "screening.start", role, child_id, "screening", row.id, detail)
    db.commit()
    return row


# -- reading -------------------------------------------------------------------------------------

def _row(db: Session, screening_id: uuid.UUID) -> Screening:
    row = fetch(db, Screening, screening_id)
    return row


def _view(db: Session, keyring: Keyring, registry: InstrumentRegistry, row: Screening, role: str) -> ScreeningView:
    instrument = _instrument(registry, row.instrument_id, row.instrument_version)
    band = instrument.band(row.band_id)
    if band is None:
        raise NotFound()
    weeks = _open(keyring, row, "gestational_weeks")
    answerer = db.get(User, row.answered_by) if row.answered_by else None
    return ScreeningView(
        id=row.id, child_id=row.child_id, instrument=instrument, band=band, status=row.status,
        answers=_open_json(keyring, row, "answers", {}), follow_ups=_open_json(keyring, row, "follow_ups", {}),
        progress=_open_json(keyring, row, "progress", []), result=_open_json(keyring, row, "result", None),
        screening_date=dt.date.fromisoformat(_open(keyring, row, "screening_date")),
        gestational_weeks=int(weeks) if weeks else None,
        answered_by_name=display_name(answerer, keyring), answered_by_role=row.answered_by_role,
        started_at=row.started_at, completed_at=row.completed_at, version=row.version, viewer_role=role,
    )


def get_screening(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User,
                  screening_id: uuid.UUID, *, audit: str | None = None, with_child: bool = False) -> ScreeningView:
    """One screening for a user who may see the child; `audit` names the event to record (and commit)."""
    row = _row(db, screening_id)
    role = _role(db, user, row.child_id)
    view = _view(db, keyring, registry, row, role)
    if with_child:
        view.child = open_child(keyring, _child(db, row.child_id))
    if audit:
        _audit(db, user, audit, role, row.child_id, "screening", row.id, {"child_id": str(row.child_id)})
        db.commit()
    return view


def history(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User,
            child_id: uuid.UUID, *, audit: bool = True) -> tuple[ChildView, list[ScreeningView]]:
    """Every completed screening of a child, oldest first (audited as one view of the child's screenings,
    unless the caller audits the use itself, as the PDF download does)."""
    role = _role(db, user, child_id)
    child = open_child(keyring, _child(db, child_id))
    rows = db.exec(select(Screening).where(Screening.child_id == child_id,
                                           Screening.status == ScreeningStatus.COMPLETED)).all()
    views = [_view(db, keyring, registry, r, role) for r in rows]
    views.sort(key=lambda v: (v.screening_date, v.completed_at or v.started_at))
    if audit:
        _audit(db, user, "screening.view", role, child_id, "child", child_id, {"history": True})
        db.commit()
    return child, views


def latest_completed(db: Session, keyring: Keyring, registry: InstrumentRegistry,
                     child_id: uuid.UUID, role: str) -> ScreeningView | None:
    """The most recent completed screening of a child the caller has already checked access to."""
    row = db.exec(select(Screening).where(Screening.child_id == child_id, Screening.status == ScreeningStatus.COMPLETED)
                  .order_by(Screening.completed_at.desc()).limit(1)).first()
    return _view(db, keyring, registry, row, role) if row is not None else None


def record_pdf(db: Session, user: User, view: ScreeningView) -> None:
    _audit(db, user, "screening.pdf", view.viewer_role, view.child_id, "screening", view.id,
           {"child_id": str(view.child_id)})
    db.commit()


# -- saving answers ------------------------------------------------------------------------------

def _editable(db: Session, user: User, screening_id: uuid.UUID, version: int | None) -> tuple[Screening, str]:
    row = _row(db, screening_id)
    role = _role(db, user, row.child_id, answering=True)
    if row.status != ScreeningStatus.IN_PROGRESS:
        raise ServiceError("not_in_progress", screening_id=str(row.id))
    if version is not None and version != row.version:
        raise ServiceError("answers_stale")
    return row, role


def validate_domain_answers(instrument: Instrument, band: Band, domain_id: str, answers: dict[str, str] | None,
                            follow_ups: dict[str, str] | None) -> dict[str, str]:
    """Error codes by item / follow-up id ('' for the whole form); empty when everything is valid."""
    errors: dict[str, str] = {}
    items = {i.id: i for i in band.items_by_domain.get(domain_id, ())}
    if len(answers or {}) + len(follow_ups or {}) > MAX_FORM_KEYS:
        return {"": "too_many"}
    for item_id, value in (answers or {}).items():
        if item_id not in items:
            errors[""] = "unknown_item"
        elif value not in items[item_id].answers and value not in ("", None):  # 'no_chance' only where offered
            errors[item_id] = "bad_answer"
    owners = {f.id: item for item in items.values() for f in item.follow_up}
    for follow_up_id, value in (follow_ups or {}).items():
        if follow_up_id not in owners:
            errors[""] = "unknown_item"
        elif value not in FOLLOW_UP_ANSWERS and value not in ("", None):
            errors[follow_up_id] = "bad_answer"
    return errors


def save_domain(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User, screening_id: uuid.UUID,
                domain_id: str, *, version: int | None, answers: dict[str, str] | None,
                follow_ups: dict[str, str] | None = None) -> ScreeningView:
    """Save one domain's answers (`answers` None: keep them) and follow-up answers (None: keep them).

    Every item of the domain that is not given (or given empty) is left unanswered. Nothing is
    written when any value is invalid (AnswerErrors) or the row changed meanwhile (`stale`)."""
    row, role = _editable(db, user, screening_id, version)
    view = _view(db, keyring, registry, row, role)
    if domain_id not in view.domain_ids:
        raise NotFound()
    errors = validate_domain_answers(view.instrument, view.band, domain_id, answers, follow_ups)
    if errors:
        raise AnswerErrors(errors)
    items = view.band.items_by_domain[domain_id]
    stored, stored_fu = dict(view.answers), dict(view.follow_ups)
    if answers is not None:
        for item in items:
            value = answers.get(item.id)
            if value in item.answers:
                stored[item.id] = value
            else:
                stored.pop(item.id, None)
    for item in items:
        for question in item.follow_up:
            if stored.get(item.id) in (None, "yes"):
                stored_fu.pop(question.id, None)  # asked only after 'sometimes' / 'not yet'
            elif follow_ups is not None:
                value = follow_ups.get(question.id)
                if value in FOLLOW_UP_ANSWERS:
                    stored_fu[question.id] = value
                else:
                    stored_fu.pop(question.id, None)
    progress = view.progress + ([domain_id] if domain_id not in view.progress else [])
    _seal(keyring, row, "answers", stored)
    _seal(keyring, row, "follow_ups", stored_fu)
    _seal(keyring, row, "progress", progress)
    row.answered_by, row.answered_by_role = user.id, Role.PARENT if role == Role.PARENT else Role.TEACHER
    row.version += 1
    db.add(row)
    _audit(db, user, "screening.save", role, row.child_id, "screening", row.id, {"child_id": str(row.child_id)})
    db.commit()
    return _view(db, keyring, registry, row, role)


def follow_up_items(view: ScreeningView, domain_id: str) -> list:
    """Items of a domain whose answer calls for their follow-up questions (concern-count instruments)."""
    if not view.instrument.is_concern_count:
        return []
    return [i for i in view.band.items_by_domain.get(domain_id, ())
            if i.follow_up and view.answers.get(i.id) in ("sometimes", "not_yet")]


# -- completing ----------------------------------------------------------------------------------

def complete(db: Session, keyring: Keyring, registry: InstrumentRegistry, user: User, screening_id: uuid.UUID,
             *, version: int | None, today: dt.date | None = None) -> ScreeningView:
    """Score with the engine and store the result. A domain with more unanswered items than the engine
    allows is refused (`incomplete`, with the domain ids), so a stored result always has a conclusion."""
    row, role = _editable(db, user, screening_id, version)
    view = _view(db, keyring, registry, row, role)
    child = open_child(keyring, _child(db, row.child_id))
    today = today or dt.date.today()
    on = view.screening_date
    # The answers describe the child today: use today's age when it still falls in the same band.
    age_today = _age(child, today)
    if age_today is not None:
        band_today = view.instrument.band_for(age_today)
        if band_today is not None and band_today.id == view.band.id:
            on = today
    age = age_at(child.birth_date, on, view.gestational_weeks)
    result = score(view.instrument, view.band, view.answers, age, view.follow_ups)
    missing = [d.id for d in result.domains if d.score is None]
    if missing:
        raise ServiceError("incomplete", domains=missing)
    _seal(keyring, row, "result", result.to_dict())
    _seal(keyring, row, "screening_date", on.isoformat())
    row.status, row.completed_at = ScreeningStatus.COMPLETED, utcnow()
    row.answered_by, row.answered_by_role = user.id, Role.PARENT if role == Role.PARENT else Role.TEACHER
    row.version += 1
    count_completed(db, keyring, row, result.to_dict(), on)  # the analytics counts, same transaction
    db.add(row)
    _audit(db, user, "screening.complete", role, row.child_id, "screening", row.id,
           {"child_id": str(row.child_id)})
    db.commit()
    return _view(db, keyring, registry, row, role)
