"""Children: adding, reading (decrypted, access-checked, audited), enrolment and the parent's confirmation."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from .. import access
from ..crypto.blind_index import iin_index
from ..crypto.keyring import Keyring
from ..iin import parse_iin
from ..models import Child, Enrollment, Group, Guardianship, Organization, User
from ..models.base import utcnow
from . import AccessDenied, NotFound, ServiceError
from .audit import record
from .keys import active_key

TABLE = "child"


@dataclass
class ChildView:
    id: uuid.UUID
    name: str
    birth_date: dt.date
    iin: str | None
    sex: str | None
    gestational_weeks: int | None
    notes: str | None
    version: int
    groups: list[Group] = field(default_factory=list)


def _seal_child(keyring: Keyring, child: Child, values: dict) -> None:
    for name, value in values.items():
        setattr(child, f"{name}_ct", keyring.seal(child.key_id, TABLE, child.id, name, None if value is None else str(value)))


LIST_FIELDS = ("name", "birth_date")  # what a list of children shows; the rest stays sealed


def open_child(keyring: Keyring, child: Child, fields: tuple[str, ...] | None = None) -> ChildView:
    def o(name):
        if fields is not None and name not in fields:
            return None
        return keyring.open(TABLE, child.id, name, getattr(child, f"{name}_ct"))
    weeks = o("gestational_weeks")
    return ChildView(id=child.id, name=o("name"), birth_date=dt.date.fromisoformat(o("birth_date")), iin=o("iin"),
                     sex=o("sex"), gestational_weeks=int(weeks) if weeks else None, notes=o("notes"), version=child.version)


def find_by_iin(db: Session, keyring: Keyring, iin: str) -> Child | None:
    return db.exec(select(Child).where(Child.iin_index == iin_index(keyring.blind_index_key, iin))).first()


def add_child_by_parent(db: Session, keyring: Keyring, parent: User, *, name: str, birth_date: dt.date,
                        iin: str | None, gestational_weeks: int | None, notes: str | None) -> Child:
    """A parent adds their child at home: sealed under the family's own key until a kindergarten enrols it."""
    sex = None
    if iin:
        sex = parse_iin(iin, birth_date).sex
        if find_by_iin(db, keyring, iin) is not None:
            raise ServiceError("iin_exists", field="iin")
    key = active_key(db, keyring, "family", parent.id)
    db.flush()
    child = Child(key_id=key.id, created_by=parent.id,
                  iin_index=iin_index(keyring.blind_index_key, iin) if iin else None)
    _seal_child(keyring, child, {"name": name.strip(), "birth_date": birth_date.isoformat(), "iin": iin, "sex": sex,
                                 "gestational_weeks": gestational_weeks, "notes": notes or None})
    db.add(child)
    db.flush()
    db.add(Guardianship(child_id=child.id, user_id=parent.id))
    record(db, parent, "child.create", role="parent", object_type="child", object_id=child.id)
    db.commit()
    return child


def update_child_by_parent(db: Session, keyring: Keyring, parent: User, child_id: uuid.UUID, *, version: int,
                           name: str, gestational_weeks: int | None, notes: str | None) -> None:
    child = _get(db, child_id)
    if not access.is_guardian(db, parent, child_id):
        raise AccessDenied()
    if child.version != version:
        raise ServiceError("stale")
    _seal_child(keyring, child, {"name": name.strip(), "gestational_weeks": gestational_weeks, "notes": notes or None})
    child.version += 1
    record(db, parent, "child.update", role="parent", object_type="child", object_id=child.id)
    db.commit()


def _get(db: Session, child_id: uuid.UUID) -> Child:
    child = db.get(Child, child_id)
    if child is None:
        raise NotFound()
    return child


def view_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> tuple[ChildView, str]:
    """Decrypts one child for a user who may see it; the view is audited."""
    child = _get(db, child_id)
    role = access.child_view_role(db, user, child_id)
    if role is None:
        raise AccessDenied()
    view = open_child(keyring, child)
    view.groups = list(db.exec(select(Group).join(Enrollment, Enrollment.group_id == Group.id)
                               .where(Enrollment.child_id == child_id, Enrollment.status == "active")).all())
    org_id = view.groups[0].org_id if view.groups and role != "parent" else None
    record(db, user, "child.view", role=role, org_id=org_id, object_type="child", object_id=child_id)
    db.commit()
    return view, role


def children_of_parent(db: Session, keyring: Keyring, parent: User) -> list[ChildView]:
    rows = db.exec(select(Child).join(Guardianship, Guardianship.child_id == Child.id)
                   .where(Guardianship.user_id == parent.id).order_by(Child.created_at)).all()
    return [open_child(keyring, c, LIST_FIELDS) for c in rows]


def group_children(db: Session, keyring: Keyring, group: Group) -> list[ChildView]:
    """The access check and the audit event belong to the caller (it knows the role). A child whose parent
    withdrew the monitoring consent is left out (access.withdrawn_children).

    Reads only the columns a list shows (a hot page: no full ORM objects for 25 children)."""
    rows = db.exec(select(Child.id, Child.name_ct, Child.birth_date_ct, Child.version)
                   .join(Enrollment, Enrollment.child_id == Child.id)
                   .where(Enrollment.group_id == group.id, Enrollment.status == "active")).all()
    hidden = access.withdrawn_children(db, group.org_id, [r[0] for r in rows])
    views = []
    for child_id, name_ct, birth_ct, version in rows:
        if child_id in hidden:
            continue
        views.append(ChildView(id=child_id, name=keyring.open(TABLE, child_id, "name", name_ct),
                               birth_date=dt.date.fromisoformat(keyring.open(TABLE, child_id, "birth_date", birth_ct)),
                               iin=None, sex=None, gestational_weeks=None, notes=None, version=version))
    return sorted(views, key=lambda v: v.name.casefold())


def pending_for_parent(db: Session, parent: User) -> list[tuple[Enrollment, Group, Organization]]:
    return list(db.exec(
        select(Enrollment, Group, Organization).join(Group, Group.id == Enrollment.group_id)
        .join(Organization, Organization.id == Group.org_id)
        .join(Guardianship, Guardianship.child_id == Enrollment.child_id)
        .where(Guardianship.user_id == parent.id, Enrollment.status == "pending")).all())


def pending_for_group(db: Session, group: Group) -> list[Enrollment]:
    return list(db.exec(select(Enrollment).where(Enrollment.group_id == group.id, Enrollment.status == "pending")).all())


def enroll_by_iin(db: Session, keyring: Keyring, head: User, group: Group, *, iin: str,
                  name: str | None, birth_date: dt.date | None) -> Enrollment:
    """The kindergarten finds a child by IIN. A child with a parent in the system waits for the parent's
    confirmation (no duplicate is made); a child unknown to the system is created by the kindergarten."""
    if access.org_role(db, head, group.org_id) != "head":
        raise AccessDenied()
    parsed = parse_iin(iin, birth_date)
    child = find_by_iin(db, keyring, parsed.value)
    if child is not None:
        existing = db.exec(select(Enrollment).where(Enrollment.child_id == child.id, Enrollment.group_id == group.id,
                                                    Enrollment.status.in_(("pending", "active")))).first()
        if existing is not None:
            raise ServiceError("already_enrolled" if existing.status == "active" else "already_pending", field="iin")
        has_guardian = db.exec(select(Guardianship.id).where(Guardianship.child_id == child.id)).first() is not None
        status = "pending" if has_guardian else "active"
    else:
        if not name or birth_date is None:
            raise ServiceError("need_name_and_birth_date", field="name")
        key = active_key(db, keyring, "org", group.org_id)
        db.flush()
        child = Child(key_id=key.id, created_by=head.id, iin_index=iin_index(keyring.blind_index_key, parsed.value))
        _seal_child(keyring, child, {"name": name.strip(), "birth_date": parsed.birth_date.isoformat(),
                                     "iin": parsed.value, "sex": parsed.sex, "gestational_weeks": None, "notes": None})
        db.add(child)
        db.flush()
        record(db, head, "child.create", role="head", org_id=group.org_id, object_type="child", object_id=child.id)
        status = "active"
    enrollment = Enrollment(child_id=child.id, group_id=group.id, status=status, requested_by=head.id,
                            decided_at=utcnow() if status == "active" else None)
    db.add(enrollment)
    if status == "active":
        _move_to_org_key(db, keyring, child, group.org_id)
    db.flush()
    record(db, head, "enrollment.request" if status == "pending" else "enrollment.create", role="head",
           org_id=group.org_id, object_type="child", object_id=child.id, detail={"group_id": str(group.id)})
    db.commit()
    return enrollment


def _move_to_org_key(db: Session, keyring: Keyring, child: Child, org_id: uuid.UUID) -> None:
    from .sealing import reseal_row
    key = active_key(db, keyring, "org", org_id)
    db.flush()
    if child.key_id != key.id:
        reseal_row(keyring, child, key.id)
    # The child's developmental records follow the child's key (rows under an older key too).
    from .monitoring import reseal_child_monitoring
    from .screening import reseal_child_screenings
    reseal_child_screenings(db, keyring, child, key.id)
    reseal_child_monitoring(db, keyring, child, key.id)
    from .consent import reseal_child_rows
    reseal_child_rows(db, keyring, child.id, key.id)


def decide_enrollment(db: Session, keyring: Keyring, parent: User, enrollment_id: uuid.UUID, accept: bool) -> Enrollment:
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound()
    if not access.is_guardian(db, parent, enrollment.child_id):
        raise AccessDenied()
    if enrollment.status != "pending":
        raise ServiceError("not_pending")
    group = db.get(Group, enrollment.group_id)
    enrollment.status, enrollment.decided_at = ("active" if accept else "declined"), utcnow()
    if accept:
        # One kindergarten group at a time: the new one ends the others.
        for other in db.exec(select(Enrollment).where(Enrollment.child_id == enrollment.child_id,
                                                      Enrollment.status == "active", Enrollment.id != enrollment.id)).all():
            other.status, other.decided_at = "ended", utcnow()
            other.ended_on, other.end_reason = utcnow().date(), "moved"
        _move_to_org_key(db, keyring, db.get(Child, enrollment.child_id), group.org_id)
        # Confirming the enrolment in the app is the parent's consent to monitoring in this kindergarten.
        from .consent import CONSENT_PARTS, Recipient, give_in_transaction
        give_in_transaction(db, keyring, parent, enrollment.child_id, purpose="kindergarten_monitoring",
                            recipient=Recipient(org_id=group.org_id),
                            parts=list(CONSENT_PARTS["kindergarten_monitoring"]))
    record(db, parent, "enrollment.accept" if accept else "enrollment.decline", role="parent", org_id=group.org_id,
           object_type="child", object_id=enrollment.child_id, detail={"group_id": str(group.id)})
    db.commit()
    return enrollment
