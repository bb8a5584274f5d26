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
from ..models import Child, DataKey, Enrollment, Group, Guardianship, LoginThrottle, Organization, User
from ..models.base import utcnow
from ..models.enums import ConsentPurpose, EnrollmentStatus, Role
from . import AccessDenied, ServiceError, fetch
from .audit import record, record_many
from .keys import active_key
from .orgs import get_group
from .sealing import reseal_child_records, reseal_row

TABLE = "child"
# An enrolment that is asked for or running: a second one in the same group is refused.
OPEN_ENROLMENT = (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE)


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
        text = None if value is None else str(value)
        setattr(child, f"{name}_ct", keyring.seal(child.key_id, TABLE, child.id, name, text))


LIST_FIELDS = ("name", "birth_date")  # what a list of children shows; the rest stays sealed


def open_child(keyring: Keyring, child: Child, fields: tuple[str, ...] | None = None) -> ChildView:
    def o(name):
        if fields is not None and name not in fields:
            return None
        return keyring.open(TABLE, child.id, name, getattr(child, f"{name}_ct"))
    weeks = o("gestational_weeks")
    return ChildView(id=child.id, name=o("name"), birth_date=dt.date.fromisoformat(o("birth_date")), iin=o("iin"),
                     sex=o("sex"), gestational_weeks=int(weeks) if weeks else None, notes=o("notes"),
                     version=child.version)


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
    record(db, parent, "child.create", role=Role.PARENT, object_type="child", object_id=child.id)
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
    record(db, parent, "child.update", role=Role.PARENT, object_type="child", object_id=child.id)
    db.commit()


def _get(db: Session, child_id: uuid.UUID) -> Child:
    child = fetch(db, Child, child_id)
    return child


def view_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> tuple[ChildView, str]:
    """Decrypts one child for a user who may see it; the view is audited."""
    child = _get(db, child_id)
    role = access.child_view_role(db, user, child_id)
    if role is None:
        raise AccessDenied()
    view = open_child(keyring, child)
    view.groups = list(db.exec(select(Group).join(Enrollment, Enrollment.group_id == Group.id)
                               .where(Enrollment.child_id == child_id,
                                      Enrollment.status == EnrollmentStatus.ACTIVE)).all())
    org_id = view.groups[0].org_id if view.groups and role != Role.PARENT else None
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
                   .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.ACTIVE)).all()
    hidden = access.withdrawn_children(db, group.org_id, [r[0] for r in rows])
    views = []
    for child_id, name_ct, birth_ct, version in rows:
        if child_id in hidden:
            continue
        views.append(ChildView(id=child_id, name=keyring.open(TABLE, child_id, "name", name_ct),
                               birth_date=dt.date.fromisoformat(keyring.open(TABLE, child_id, "birth_date", birth_ct)),
                               iin=None, sex=None, gestational_weeks=None, notes=None, version=version))
    return sorted(views, key=lambda v: v.name.casefold())


def group_page(db: Session, keyring: Keyring, user: User,
               group_id: uuid.UUID) -> tuple[Group, str, list[ChildView], int]:
    """A group's page: the group, the caller's role, its children (names) and the number of pending requests.
    Audited as group.view plus one 'child.list.group' event per child shown (one insert)."""
    group, role = get_group(db, user, group_id)
    kids = group_children(db, keyring, group)
    pending = len(pending_for_group(db, group))
    record(db, user, "group.view", role=role, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"children": len(kids)})
    record_many(db, user, "child.list.group", object_ids=[k.id for k in kids], role=role, org_id=group.org_id,
                object_type="child", detail={"group_id": str(group.id)})
    db.commit()
    return group, role, kids, pending


def pending_for_parent(db: Session, parent: User) -> list[tuple[Enrollment, Group, Organization]]:
    return list(db.exec(
        select(Enrollment, Group, Organization).join(Group, Group.id == Enrollment.group_id)
        .join(Organization, Organization.id == Group.org_id)
        .join(Guardianship, Guardianship.child_id == Enrollment.child_id)
        .where(Guardianship.user_id == parent.id, Enrollment.status == EnrollmentStatus.PENDING)).all())


def pending_for_group(db: Session, group: Group) -> list[Enrollment]:
    return list(db.exec(select(Enrollment).where(Enrollment.group_id == group.id,
                                                 Enrollment.status == EnrollmentStatus.PENDING)).all())


ENROL_LIMIT = 30  # enrolment attempts per user per hour: a whole group in one sitting, not an IIN sweep
ENROL_WINDOW = dt.timedelta(hours=1)


def _count_enrol_attempt(db: Session, user: User) -> None:
    """Counts this attempt (committed at once, so a refusal later in the request does not undo it) or refuses
    with 'enrol_throttled' when the user has used up the hour."""
    now = utcnow()
    row = db.get(LoginThrottle, f"enrol:{user.id}")
    if row is None:
        row = LoginThrottle(key=f"enrol:{user.id}", window_start=now, failures=0)
        db.add(row)
    window_start = row.window_start if row.window_start.tzinfo else row.window_start.replace(tzinfo=dt.UTC)
    if now - window_start >= ENROL_WINDOW:
        row.window_start, row.failures, window_start = now, 0, now
    if row.failures >= ENROL_LIMIT:
        minutes = max(1, int((window_start + ENROL_WINDOW - now).total_seconds() // 60) + 1)
        record(db, user, "enrollment.throttled", object_type="user", object_id=user.id)
        db.commit()
        raise ServiceError("enrol_throttled", field="iin", minutes=minutes)
    row.failures += 1
    db.commit()


def confirming_org(db: Session, child: Child, org_id: uuid.UUID) -> uuid.UUID | None:
    """Who must confirm when a kindergarten asks for a child known to the platform that has no guardian with an
    account: the organization where the child is active now, else the one holding the child's record (its data
    key). None when that is the asking organization itself."""
    active = db.exec(select(Group.org_id).join(Enrollment, Enrollment.group_id == Group.id).where(
        Enrollment.child_id == child.id, Enrollment.status == EnrollmentStatus.ACTIVE, Group.org_id != org_id)).first()
    if active is not None:
        return active
    key = db.get(DataKey, child.key_id)
    if key is not None and key.owner_kind == "org" and key.owner_id != org_id:
        return key.owner_id
    return None


def enroll_by_iin(db: Session, keyring: Keyring, head: User, group: Group, *, iin: str,
                  name: str | None, birth_date: dt.date | None) -> Enrollment:
    """The head enrols a child by IIN (docs/threat_model.md, "Enrolment by IIN").

    - A child unknown to the platform is created by the kindergarten and is in the group at once.
    - A child known to the platform is never handed over on the asker's word: the enrolment waits for a guardian
      with an account, or (no guardian) for the organization where the child is active now or that holds its
      record. Until then the asker sees nothing of the child.
    - The answer is the same whether the IIN is known or not (name and birth date are always required, and the
      page says the same thing), and attempts are throttled per user (ENROL_LIMIT an hour).
    - A school takes children only through the card transfer: here, only a child whose card it imported
      (transfer.school_view.place_in_class); any other IIN gets the same refusal, known or not."""
    if access.org_role(db, head, group.org_id) != Role.HEAD:
        raise AccessDenied()
    org = db.get(Organization, group.org_id)
    if org.kind == "school" or group.age_group == "grade1":
        return _place_imported(db, keyring, head, group, iin)
    _count_enrol_attempt(db, head)
    if not name or not name.strip() or birth_date is None:
        raise ServiceError("need_name_and_birth_date", field="name")
    parsed = parse_iin(iin, birth_date)
    child = find_by_iin(db, keyring, parsed.value)
    confirm_org_id = None
    if child is not None:
        existing = db.exec(select(Enrollment).where(Enrollment.child_id == child.id, Enrollment.group_id == group.id,
                                                    Enrollment.status.in_(OPEN_ENROLMENT))).first()
        if existing is not None and existing.status == "active":
            raise ServiceError("already_enrolled", field="iin")  # the head sees this child in the group already
        if existing is not None:
            raise ServiceError("already_pending", field="iin")  # this organization asked before
        has_guardian = db.exec(select(Guardianship.id).where(Guardianship.child_id == child.id)).first() is not None
        confirm_org_id = None if has_guardian else confirming_org(db, child, group.org_id)
        status = "pending" if has_guardian or confirm_org_id is not None else "active"
    else:
        key = active_key(db, keyring, "org", group.org_id)
        db.flush()
        child = Child(key_id=key.id, created_by=head.id, iin_index=iin_index(keyring.blind_index_key, parsed.value))
        _seal_child(keyring, child, {"name": name.strip(), "birth_date": parsed.birth_date.isoformat(),
                                     "iin": parsed.value, "sex": parsed.sex, "gestational_weeks": None, "notes": None})
        db.add(child)
        db.flush()
        record(db, head, "child.create", role=Role.HEAD, org_id=group.org_id, object_type="child", object_id=child.id)
        status = "active"
    return _add_enrollment(db, keyring, head, group, child, status, confirm_org_id)


def _place_imported(db: Session, keyring: Keyring, head: User, group: Group, iin: str) -> Enrollment:
    """A school places a child whose card it imported; any other IIN (known or not) gets one refusal."""
    child = find_by_iin(db, keyring, iin) if iin else None
    if child is None or access.school_view_role(db, head, child.id, group.org_id) is None:
        raise ServiceError("school_by_transfer", field="iin")
    existing = db.exec(select(Enrollment).where(Enrollment.child_id == child.id, Enrollment.group_id == group.id,
                                                Enrollment.status.in_(OPEN_ENROLMENT))).first()
    if existing is not None:
        raise ServiceError("already_enrolled" if existing.status == "active" else "already_pending", field="iin")
    has_guardian = db.exec(select(Guardianship.id).where(Guardianship.child_id == child.id)).first() is not None
    return _add_enrollment(db, keyring, head, group, child, "pending" if has_guardian else "active", None)


def _add_enrollment(db: Session, keyring: Keyring, head: User, group: Group, child: Child, status: str,
                    confirm_org_id: uuid.UUID | None) -> Enrollment:
    enrollment = Enrollment(child_id=child.id, group_id=group.id, status=status, requested_by=head.id,
                            confirm_org_id=confirm_org_id, decided_at=utcnow() if status == "active" else None)
    db.add(enrollment)
    if status == "active":
        _move_to_org_key(db, keyring, child, group.org_id)
    db.flush()
    record(db, head, "enrollment.request" if status == "pending" else "enrollment.create", role=Role.HEAD,
           org_id=group.org_id, object_type="child", object_id=child.id, detail={"group_id": str(group.id)})
    db.commit()
    return enrollment


def _move_to_org_key(db: Session, keyring: Keyring, child: Child, org_id: uuid.UUID) -> None:
    key = active_key(db, keyring, "org", org_id)
    db.flush()
    if child.key_id != key.id:
        reseal_row(keyring, child, key.id)
    # The child's developmental records follow the child's key (rows under an older key too).
    reseal_child_records(db, keyring, child.id, key.id)


def decide_enrollment(db: Session, keyring: Keyring, parent: User, enrollment_id: uuid.UUID,
                      accept: bool) -> Enrollment:
    enrollment = fetch(db, Enrollment, enrollment_id)
    if not access.is_guardian(db, parent, enrollment.child_id) or enrollment.confirm_org_id is not None:
        raise AccessDenied()
    if enrollment.status != EnrollmentStatus.PENDING:
        raise ServiceError("not_pending")
    group = db.get(Group, enrollment.group_id)
    enrollment.status = EnrollmentStatus.ACTIVE if accept else EnrollmentStatus.DECLINED
    enrollment.decided_at = utcnow()
    if accept:
        # One kindergarten group at a time: the new one ends the others.
        for other in db.exec(select(Enrollment).where(Enrollment.child_id == enrollment.child_id,
                                                      Enrollment.status == EnrollmentStatus.ACTIVE,
                                                      Enrollment.id != enrollment.id)).all():
            other.status, other.decided_at = EnrollmentStatus.ENDED, utcnow()
            other.ended_on, other.end_reason = utcnow().date(), "moved"
        _move_to_org_key(db, keyring, db.get(Child, enrollment.child_id), group.org_id)
        # Confirming the enrolment in the app is the parent's consent to monitoring in this kindergarten.
        # consent -> paper_consent -> notifications -> children: imported here, where it is used.
        from .consent import CONSENT_PARTS, Recipient, give_in_transaction
        give_in_transaction(db, keyring, parent, enrollment.child_id, purpose=ConsentPurpose.KINDERGARTEN_MONITORING,
                            recipient=Recipient(org_id=group.org_id),
                            parts=list(CONSENT_PARTS[ConsentPurpose.KINDERGARTEN_MONITORING]))
    record(db, parent, "enrollment.accept" if accept else "enrollment.decline", role=Role.PARENT, org_id=group.org_id,
           object_type="child", object_id=enrollment.child_id, detail={"group_id": str(group.id)})
    db.commit()
    return enrollment
