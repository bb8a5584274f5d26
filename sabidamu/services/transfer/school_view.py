"""What a school sees of the cards it received: first-grade readiness (final levels per skill group, the adaptation
list), one imported card (card.json / card.pdf), placing a pupil in a first-grade class. Every read is access-checked
(access.school_view_role / school_role) and audited. Split from transfer_import (which receives the cards)."""
from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from ... import access
from ...crypto.keyring import Keyring
from ...models import Child, Enrollment, Group, User
from ...models.enums import EnrollmentStatus
from ...models.transfer_package import ImportedCard
from .. import AccessDenied, NotFound, ServiceError, fetch
from ..audit import record
from ..children import enroll_by_iin, open_child
from .importing import SKILL_GROUPS, TABLE, school_role_or_deny


@dataclass
class PupilRow:
    child_id: uuid.UUID
    name: str
    birth_date: dt.date
    card_id: uuid.UUID | None
    years: list[str]
    final_year: str | None
    final_levels: dict[str, int | None]
    adaptation: bool
    reasons: list[str] = field(default_factory=list)  # 'level_i' and/or 'no_card'


@dataclass
class Readiness:
    classes: list[tuple[Group, list[PupilRow]]]
    unplaced: list[PupilRow]
    summary: dict[str, dict[int | None, int]]   # skill group -> {3: n, 2: n, 1: n, None: n}
    adaptation: list[PupilRow]
    grade1_groups: list[Group]


def _open_card(keyring: Keyring, card: ImportedCard) -> dict:
    return json.loads(keyring.open(TABLE, card.id, "card_json", card.card_json_ct))


def final_year_of(card: dict) -> dict | None:
    """The last pre-school year of a card (the last year with age group 'preschool', else the last year)."""
    years = sorted(card.get("years", []), key=lambda y: y["academic_year"])
    preschool = [y for y in years if y.get("age_group") == "preschool"]
    return (preschool or years or [None])[-1]


def _pupil(keyring: Keyring, child: Child, cards: list[ImportedCard]) -> PupilRow:
    view = open_child(keyring, child, ("name", "birth_date"))
    years = sorted({y for c in cards for y in (c.academic_years or [])})
    best_year, best_card = None, None
    for card in cards:  # the card holding the latest final year wins; a later import adds, never overwrites
        year = final_year_of(_open_card(keyring, card))
        if year is not None and (best_year is None or year["academic_year"] > best_year["academic_year"]):
            best_year, best_card = year, card
    levels = dict(best_year.get("final_levels", {})) if best_year else {}
    reasons = []
    if not levels or all(v is None for v in levels.values()):
        reasons.append("no_card")
    if any(v == 1 for v in levels.values()):
        reasons.append("level_i")
    latest = max(cards, key=lambda c: c.imported_at) if cards else None
    return PupilRow(child_id=child.id, name=view.name, birth_date=view.birth_date,
                    card_id=(best_card or latest).id if (best_card or latest) else None, years=years,
                    final_year=best_year["academic_year"] if best_year else None, final_levels=levels,
                    adaptation=bool(reasons), reasons=reasons)


def readiness(db: Session, keyring: Keyring, actor: User, org_id: uuid.UUID) -> Readiness:
    org, role = school_role_or_deny(db, actor, org_id)
    cards = list(db.exec(select(ImportedCard).where(ImportedCard.school_org_id == org.id)).all())
    by_child: dict[uuid.UUID, list[ImportedCard]] = {}
    for card in cards:
        by_child.setdefault(card.child_id, []).append(card)
    groups = list(db.exec(select(Group).where(Group.org_id == org.id, Group.age_group == "grade1")
                          .order_by(Group.academic_year.desc(), Group.name)).all())
    placed: dict[uuid.UUID, uuid.UUID] = {}
    if groups:
        for child_id, group_id in db.exec(select(Enrollment.child_id, Enrollment.group_id).where(
                Enrollment.group_id.in_([g.id for g in groups]), Enrollment.status == EnrollmentStatus.ACTIVE)).all():
            placed.setdefault(child_id, group_id)
    rows: dict[uuid.UUID, PupilRow] = {}
    for child_id in set(by_child) | set(placed):
        rows[child_id] = _pupil(keyring, db.get(Child, child_id), by_child.get(child_id, []))
    key = lambda r: r.name.casefold()  # noqa: E731
    classes = [(g, sorted((rows[c] for c, gid in placed.items() if gid == g.id), key=key)) for g in groups]
    unplaced = sorted((r for c, r in rows.items() if c not in placed), key=key)
    summary = {sg: {3: 0, 2: 0, 1: 0, None: 0} for sg in SKILL_GROUPS}
    for row in rows.values():
        for sg in SKILL_GROUPS:
            summary[sg][row.final_levels.get(sg)] += 1
    adaptation = sorted((r for r in rows.values() if r.adaptation), key=key)
    record(db, actor, "school.readiness.view", role=role, org_id=org.id, detail={"children": len(rows)})
    db.commit()
    return Readiness(classes=classes, unplaced=unplaced, summary=summary, adaptation=adaptation, grade1_groups=groups)


def imported_card(db: Session, keyring: Keyring, actor: User, card_id: uuid.UUID, what: str = "card"
                  ) -> tuple[ImportedCard, dict, str]:
    """One imported card (parsed card.json) for school staff who may see the child; audited."""
    card = fetch(db, ImportedCard, card_id)
    role = access.school_view_role(db, actor, card.child_id, card.school_org_id)
    if role is None:
        raise AccessDenied()
    record(db, actor, "imported_card.view" if what == "card" else "imported_card.pdf", role=role,
           org_id=card.school_org_id, object_type="child", object_id=card.child_id,
           detail={"package_id": str(card.package_id)})
    db.commit()
    return card, _open_card(keyring, card), role


def imported_card_pdf(db: Session, keyring: Keyring, actor: User, card_id: uuid.UUID) -> bytes:
    return imported_card_pdf_named(db, keyring, actor, card_id)[0]


def imported_card_pdf_named(db: Session, keyring: Keyring, actor: User, card_id: uuid.UUID) -> tuple[bytes, str]:
    """The card's PDF and the child's full name (for the download's file name)."""
    card, data, _role_ = imported_card(db, keyring, actor, card_id, what="pdf")
    name = str(((data or {}).get("child") or {}).get("full_name") or "")
    return base64.b64decode(keyring.open(TABLE, card.id, "card_pdf", card.card_pdf_ct)), name


def place_in_class(db: Session, keyring: Keyring, actor: User, org_id: uuid.UUID, child_id: uuid.UUID,
                   group_id: uuid.UUID) -> Enrollment:
    """The head places an imported child in a first-grade class: enrolment by IIN, as for any group."""
    org, _role_ = school_role_or_deny(db, actor, org_id, head_only=True)
    group = db.get(Group, group_id)
    if group is None or group.org_id != org.id or group.age_group != "grade1":
        raise ServiceError("not_a_grade1_class", field="group")
    if access.school_view_role(db, actor, child_id, org.id) is None:
        raise NotFound()
    child = db.get(Child, child_id)
    iin = keyring.open("child", child.id, "iin", child.iin_ct)
    if not iin:
        raise ServiceError("place_no_iin", field="group")
    try:
        return enroll_by_iin(db, keyring, actor, group, iin=iin, name=None, birth_date=None)
    except ServiceError as exc:
        # A class, not a group: the school's own codes (web.messages) say so.
        code = {"already_enrolled": "already_in_class", "already_pending": "class_request_pending"}.get(exc.code)
        if code is None:
            raise
        raise ServiceError(code, field=exc.field, **exc.params) from exc
