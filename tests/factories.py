"""Factories: small, explicit builders of organizations, users, groups and children for tests."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlmodel import Session

from sabidamu.crypto.blind_index import iin_index
from sabidamu.iin import make_iin
from sabidamu.models import Child, Enrollment, Group, GroupTeacher, Guardianship, Membership, Organization, User
from sabidamu.models.base import utcnow
from sabidamu.passwords import hash_password
from sabidamu.services.children import _seal_child
from sabidamu.services.identity import login_of, seal_identity
from sabidamu.services.keys import active_key
from sabidamu.services.orgs import create_org

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)  # hashed once: Argon2id is deliberately slow
# make_iin may step past a serial whose check digit is impossible. The serials cycle: a whole test run makes
# more children than there are serials, but each test has its own database and makes only a few.
_serial = itertools.cycle(range(1000, 10000, 3))
_used_iins: set[str] = set()
_reserved_iins: set[str] = set()  # the IINs of the world's children, which every test's database holds
_USED_LIMIT = 2000  # forget old IINs well before the cycle could repeat within one test


def make_user(db: Session, email: str, *, admin: bool = False, locale: str | None = None,
              phone: str | None = None, staff_name: bool = True) -> User:
    """An account signing in with `email` (or `phone` when email is ""); its identity is sealed like a real one."""
    user = User(password_hash=_HASH, is_admin=admin, locale=locale)
    name = (email.split("@")[0] if email else "Parent").title()
    seal_identity(db, user, name=name, email=email.lower() or None, phone=phone, readable_name=staff_name)
    db.add(user)
    db.flush()
    return user


def make_org(db: Session, keyring, name: str, kind: str = "kindergarten") -> Organization:
    org = create_org(db, keyring, None, kind=kind, name_kk=f"{name} (kk)", name_ru=f"{name} (ru)", region="Астана", bin=None)
    db.flush()
    return org


def add_member(db: Session, user: User, org: Organization, role: str) -> None:
    db.add(Membership(user_id=user.id, org_id=org.id, role=role))
    db.flush()


def make_group(db: Session, org: Organization, name: str, teacher: User | None = None, age_group: str = "preschool") -> Group:
    group = Group(org_id=org.id, name=name, age_group=age_group, academic_year=2026)
    db.add(group)
    db.flush()
    if teacher is not None:
        db.add(GroupTeacher(group_id=group.id, user_id=teacher.id))
    db.flush()
    return group


def make_child(db: Session, keyring, name: str, *, birth: dt.date = dt.date(2020, 10, 5), sex: str = "f",
               parent: User | None = None, group: Group | None = None) -> Child:
    if len(_used_iins) > _USED_LIMIT:
        _used_iins.clear()
    iin = make_iin(birth, sex, next(_serial))
    while iin in _used_iins or iin in _reserved_iins:
        iin = make_iin(birth, sex, next(_serial))
    _used_iins.add(iin)
    owner = ("org", group.org_id) if group is not None else ("family", parent.id)
    key = active_key(db, keyring, *owner)
    db.flush()
    child = Child(key_id=key.id, iin_index=iin_index(keyring.blind_index_key, iin))
    _seal_child(keyring, child, {"name": name, "birth_date": birth.isoformat(), "iin": iin, "sex": sex,
                                 "gestational_weeks": None, "notes": None})
    db.add(child)
    db.flush()
    if parent is not None:
        db.add(Guardianship(child_id=child.id, user_id=parent.id))
    if group is not None:
        db.add(Enrollment(child_id=child.id, group_id=group.id, status="active", decided_at=utcnow()))
    db.flush()
    return child


TOTP_SECRETS: dict[str, str] = {}  # e-mail -> TOTP secret of the staff enrolled by enrol_totp


def enrol_totp(db: Session, keyring, user: User) -> str:
    """Gives a user an active TOTP second factor (as if enrolled); returns the secret."""
    from sabidamu import totp
    from sabidamu.models.security import StaffTotp
    key = active_key(db, keyring, "user", user.id)
    db.flush()
    row = StaffTotp(user_id=user.id, key_id=key.id, enabled_at=utcnow())
    secret = totp.new_secret()
    row.secret_ct = keyring.seal(key.id, "staff_totp", row.id, "secret", secret)
    db.add(row)
    db.flush()
    TOTP_SECRETS[login_of(user, keyring)] = secret
    return secret


@dataclass
class World:
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)


WORLD_KINDS = {"users": User, "orgs": Organization, "groups": Group, "children": Child}


def reserve_iins(iins: set[str]) -> None:
    _reserved_iins.update(iins)


def load_world(db: Session, ids: dict[str, dict[str, object]]) -> World:
    """The world built once per run (tests/conftest.world_database), read by id in this session."""
    w = World()
    for kind, model in WORLD_KINDS.items():
        getattr(w, kind).update({name: db.get(model, row_id) for name, row_id in ids[kind].items()})
    db.commit()  # end the read: the test starts as after build_world, with no snapshot held and the rows expired
    return w


def build_world(db: Session, keyring) -> World:
    """Two kindergartens; in org1 two groups with a teacher each; a family with an enrolled child, a family
    with a child at home, and a child of org2."""
    w = World()
    w.orgs["org1"] = make_org(db, keyring, "Org One")
    w.orgs["org2"] = make_org(db, keyring, "Org Two")
    for name in ("head1", "teacher1", "teacher1b", "head2", "teacher2", "parentA", "parentB"):
        w.users[name] = make_user(db, f"{name.lower()}@example.kz")
    w.users["admin"] = make_user(db, "admin@example.kz", admin=True)
    add_member(db, w.users["head1"], w.orgs["org1"], "head")
    add_member(db, w.users["teacher1"], w.orgs["org1"], "teacher")
    add_member(db, w.users["teacher1b"], w.orgs["org1"], "teacher")
    add_member(db, w.users["head2"], w.orgs["org2"], "head")
    add_member(db, w.users["teacher2"], w.orgs["org2"], "teacher")
    w.groups["A"] = make_group(db, w.orgs["org1"], "Group A", w.users["teacher1"])
    w.groups["B"] = make_group(db, w.orgs["org1"], "Group B", w.users["teacher1b"], age_group="middle")
    w.groups["C"] = make_group(db, w.orgs["org2"], "Group C", w.users["teacher2"])
    w.children["A"] = make_child(db, keyring, "Әлия Ахметова", parent=w.users["parentA"], group=w.groups["A"])
    w.children["B"] = make_child(db, keyring, "Борис Иванов", sex="m", parent=w.users["parentB"])
    w.children["C"] = make_child(db, keyring, "Сәуле Нұрова", group=w.groups["C"])
    for name in ("head1", "head2", "admin"):  # heads and admins must have a second factor to use the app
        enrol_totp(db, keyring, w.users[name])
    db.commit()
    return w


def make_school(db: Session, keyring, name: str = "School One", *, head_email: str | None = None,
                teacher_email: str | None = None) -> SimpleNamespace:
    """A primary school (with its transfer keys), optionally a head (with a second factor) and a school_teacher."""
    school = make_org(db, keyring, name, kind="school")
    out = SimpleNamespace(org=school, head=None, teacher=None)
    if head_email:
        out.head = make_user(db, head_email)
        add_member(db, out.head, school, "head")
        enrol_totp(db, keyring, out.head)
    if teacher_email:
        out.teacher = make_user(db, teacher_email)
        add_member(db, out.teacher, school, "school_teacher")
    db.flush()
    return out
