"""Who an account belongs to: name, e-mail and phone, sealed at rest.

Every account's name, e-mail and phone are sealed (AES-256-GCM, sabidamu.crypto) under one platform data key,
owner_kind "accounts": sign-in must find a user before any organization or family is known, so no per-org or
per-family key can seal them. The e-mail and phone are found through HMAC blind indexes (the blind-index key,
outside the database). Staff names also stay readable in `User.full_name` (they appear beside staff work);
a parent's is "" there.

Read identities only here: `identity_of(user)`, `display_name(user)`, `login_of(user)`. Rows made before
sealing keep their values in the legacy columns until `flask accounts seal` moves them (online, in batches,
resumable); every reader here understands both states.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from ..crypto.blind_index import login_index
from ..crypto.keyring import Keyring
from ..models import Membership, User
from .keys import active_key, keyring_of

ACCOUNTS_OWNER = uuid.UUID("00000000-0000-5000-8000-00000000acc0")  # the platform, owner of the accounts key
TABLE = "user"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str | None
    phone: str | None

    @property
    def login(self) -> str:
        return self.email or self.phone or ""


def _keyring(user: User, keyring: Keyring | None) -> Keyring:
    if keyring is not None:
        return keyring
    session = object_session(user)
    if session is None:
        raise RuntimeError("identity_of needs a keyring for a user outside a session")
    return keyring_of(session)


def identity_of(user: User, keyring: Keyring | None = None) -> Identity:
    """The person behind an account, opened from the sealed columns (or the legacy ones, before migration)."""
    if user.key_id is None:
        return Identity(user.full_name, user.legacy_email, user.legacy_phone)
    ring = _keyring(user, keyring)
    return Identity(ring.open(TABLE, user.id, "full_name", user.full_name_ct) or user.full_name,
                    ring.open(TABLE, user.id, "email", user.email_ct),
                    ring.open(TABLE, user.id, "phone", user.phone_ct))


def display_name(user: User | None, keyring: Keyring | None = None) -> str:
    """The name to show: staff names are readable; a parent's is opened."""
    if user is None:
        return ""
    return user.full_name or identity_of(user, keyring).name


def login_of(user: User, keyring: Keyring | None = None) -> str:
    """The e-mail, or else the phone, the user signs in with."""
    return identity_of(user, keyring).login


def index_for(keyring: Keyring, normalized_login: str) -> tuple[str, str]:
    """(column kind, blind index) of a normalized login: ('email', ...) or ('phone', ...)."""
    kind = "email" if "@" in normalized_login else "phone"
    return kind, login_index(keyring.blind_index_key, kind, normalized_login)


def lookup(db: Session, normalized_login: str) -> User | None:
    keyring = keyring_of(db)
    kind, index = index_for(keyring, normalized_login)
    if kind == "email":
        where = sa.or_(User.email_index == index, User.legacy_email == normalized_login)
    else:
        where = sa.or_(User.phone_index == index, User.legacy_phone == normalized_login)
    return db.exec(select(User).where(where)).first()


def seal_identity(db: Session, user: User, *, name: str, email: str | None, phone: str | None,
                  readable_name: bool, keyring: Keyring | None = None) -> None:
    """Sets (or replaces) the account's name, e-mail and phone, sealed, with fresh blind indexes.
    `email`/`phone` must be normalized (services.auth.normalize_login). The caller flushes and commits."""
    ring = keyring or keyring_of(db)
    if user.id is None:
        user.id = uuid.uuid4()
    key = active_key(db, ring, "accounts", ACCOUNTS_OWNER)
    db.flush()  # a new accounts key row must exist before a user row refers to it
    user.key_id = key.id
    user.full_name_ct = ring.seal(key.id, TABLE, user.id, "full_name", name)
    user.email_ct = ring.seal(key.id, TABLE, user.id, "email", email)
    user.phone_ct = ring.seal(key.id, TABLE, user.id, "phone", phone)
    user.email_index = index_for(ring, email)[1] if email else None
    user.phone_index = index_for(ring, phone)[1] if phone else None
    user.full_name = name if readable_name else ""
    user.legacy_email = user.legacy_phone = None


def is_staff(db: Session, user: User) -> bool:
    if user.is_admin:
        return True
    return db.exec(select(Membership.id).where(Membership.user_id == user.id).limit(1)).first() is not None


@dataclass
class SealReport:
    sealed: int = 0
    remaining: int = 0


def seal_legacy_accounts(db: Session, keyring: Keyring | None = None, *, batch_size: int = 200,
                         max_rows: int | None = None) -> SealReport:
    """`flask accounts seal`: moves accounts made before sealing into the sealed columns, one committed batch
    at a time. Sign-in works throughout (look-ups read both states); an interrupted run resumes where it stopped."""
    report = SealReport()
    while max_rows is None or report.sealed < max_rows:
        limit = batch_size if max_rows is None else min(batch_size, max_rows - report.sealed)
        rows = db.exec(select(User).where(User.key_id.is_(None)).order_by(User.id).limit(limit)).all()
        if not rows:
            break
        for user in rows:
            email, phone, name = user.legacy_email, user.legacy_phone, user.full_name
            user.legacy_email = user.legacy_phone = None
            db.flush()  # the unique legacy values are gone before the indexes are written
            seal_identity(db, user, name=name, email=email, phone=phone, readable_name=is_staff(db, user),
                          keyring=keyring)
            report.sealed += 1
        db.commit()
    report.remaining = db.exec(select(sa.func.count()).select_from(User).where(User.key_id.is_(None))).one()
    return report
