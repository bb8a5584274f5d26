"""Getting back into an account, and confirming a new one.

* E-mail accounts: "Forgot password" sends a single-use link valid for 30 minutes. The answer on screen is the
  same whether or not the address has an account; requests are throttled per address and per IP.
* Phone-only accounts: no message can be sent, so the kindergarten head checks the parent's identity in person
  and gives a single-use code (valid 2 hours); issuing it is an audit event. The parent enters it with a new
  password. A head gives codes only to parents of children in their kindergarten, or to accounts still waiting
  for confirmation (they hold no child's data yet).
* A new e-mail account is confirmed by a link (24 hours) opened together with its password; a new phone account
  by a code from the head, with a new password (so whoever registered somebody else's phone gains nothing).

Only the SHA-256 of a link token or code is stored. Services return the mail to send (`Outgoing`); the web layer
writes its text in the recipient's language and hands it to services/mail.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import access
from ..models import Enrollment, Group, Guardianship, LoginThrottle, PasswordReset, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role
from ..passwords import verify_password
from . import AccessDenied, ServiceError
from .audit import record
from .auth import _digest, _locked_minutes, _throttle_row, check_new_password, find_user, normalize_login, set_password
from .identity import identity_of, is_staff

LINK_TTL = dt.timedelta(minutes=30)
CODE_TTL = dt.timedelta(hours=2)
CONFIRM_TTL = dt.timedelta(hours=24)
REQUESTS_PER_ADDRESS, REQUESTS_PER_IP = 3, 20  # per THROTTLE_WINDOW
CODE_ATTEMPTS = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


@dataclass(frozen=True)
class Outgoing:
    """A message to send: kind 'reset' | 'confirm' | 'exists'; token for the link (None for 'exists')."""
    kind: str
    to: str
    token: str | None
    locale: str | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _count(db: Session, key: str, limit: int, now: dt.datetime) -> None:
    """Counts one request under `key`; raises ServiceError('too_many_requests') once `limit` is passed."""
    minutes = _locked_minutes(db, [key], now)
    if minutes:
        raise ServiceError("too_many_requests", minutes=minutes)
    row = _throttle_row(db, key, now)
    row.failures += 1
    if row.failures > limit:
        row.locked_until = row.window_start + THROTTLE_WINDOW
        raise ServiceError("too_many_requests", minutes=max(1, int((row.locked_until - now).total_seconds() // 60) + 1))


def _new_secret(db: Session, user: User, kind: str, ttl: dt.timedelta, issued_by: uuid.UUID | None = None,
                secret: str | None = None) -> str:
    now = utcnow()
    # A new link or code replaces the earlier unused ones of the same kind.
    db.exec(sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.kind == kind,
                                           PasswordReset.used_at.is_(None)).values(used_at=now))
    secret = secret or secrets.token_urlsafe(32)
    secret_hash = _hash(_normalize_code(secret) if kind == "code" else secret)
    db.add(PasswordReset(user_id=user.id, kind=kind, secret_hash=secret_hash, expires_at=now + ttl,
                         issued_by=issued_by))
    return secret


def _take(db: Session, kind: str, secret_hash: str, user_id: uuid.UUID | None = None) -> PasswordReset | None:
    """Marks a valid, unused, unexpired secret as used (one UPDATE: two tabs racing cannot both use it)."""
    now = utcnow()
    query = sa.update(PasswordReset).where(PasswordReset.kind == kind, PasswordReset.secret_hash == secret_hash,
                                           PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
    if user_id is not None:
        query = query.where(PasswordReset.user_id == user_id)
    if db.exec(query.values(used_at=now)).rowcount != 1:
        return None
    return db.exec(select(PasswordReset).where(PasswordReset.secret_hash == secret_hash)).one()


def peek(db: Session, kind: str, token: str) -> PasswordReset | None:
    """The valid, unused link for this token (for showing its page), or None."""
    row = db.exec(select(PasswordReset).where(PasswordReset.kind == kind,
                                              PasswordReset.secret_hash == _hash(token or ""))).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


# -- forgot password by e-mail -------------------------------------------------------------------

def request_reset(db: Session, login: str, ip: str) -> Outgoing | None:
    """Always the same for the caller (None or a message to send, never an error about the account).
    Raises ServiceError('too_many_requests') when the address or the IP asked too often. Commits."""
    now = utcnow()
    normalized = normalize_login(login)
    _count(db, f"reset-ip:{ip}"[:300], REQUESTS_PER_IP, now)
    _count(db, f"reset:{normalized}"[:300], REQUESTS_PER_ADDRESS, now)
    user = find_user(db, normalized)
    email = identity_of(user).email if user is not None and getattr(user, "deactivated_at", None) is None else None
    out = None
    if email:
        out = Outgoing("reset", email, _new_secret(db, user, "email", LINK_TTL), user.locale)
    record(db, user, "auth.reset_request", object_type="user", object_id=user.id if user else None,
           detail={"login_hash": _digest(f"acct:{normalized}"), "sent": out is not None})
    db.commit()
    return out


def reset_with_link(db: Session, token: str, new_password: str) -> User:
    """Sets the new password with a valid link (single use); every session of the account ends. Commits."""
    row = peek(db, "email", token)
    if row is None:
        raise ServiceError("link_invalid")
    user = db.get(User, row.user_id)
    ident = identity_of(user)
    check_new_password(new_password, ident.email, ident.phone, ident.name)  # before the link is used up
    if _take(db, "email", _hash(token)) is None:
        raise ServiceError("link_invalid")
    set_password(db, user, new_password, keep=None)
    user.unconfirmed = False  # the link proved the address
    db.exec(sa.delete(LoginThrottle).where(LoginThrottle.key == f"acct:{normalize_login(ident.login)}"[:300]))
    record(db, user, "auth.password_reset", object_type="user", object_id=user.id, detail={"by": "email"})
    db.commit()
    return user


# -- a code from the kindergarten head ----------------------------------------------------------

def _parent_here(db: Session, user: User, org_id: uuid.UUID) -> bool:
    return db.exec(select(Guardianship.id).join(Enrollment, Enrollment.child_id == Guardianship.child_id)
                   .join(Group, Group.id == Enrollment.group_id)
                   .where(Guardianship.user_id == user.id, Group.org_id == org_id,
                          Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING)))
                   .limit(1)).first() is not None


def issue_code(db: Session, head: User, org_id: uuid.UUID, login: str) -> str:
    """The head, having checked the parent's identity document in person, gets a one-time code for them.
    Raises AccessDenied for anyone but the organization's head; ServiceError('code_no_account' |
    'code_not_parent_here', field='login'). Commits."""
    if access.org_role(db, head, org_id) != Role.HEAD:
        raise AccessDenied()
    user = find_user(db, login)
    if user is None or getattr(user, "deactivated_at", None) is not None:
        raise ServiceError("code_no_account", field="login")
    if is_staff(db, user) or not (user.unconfirmed or _parent_here(db, user, org_id)):
        raise ServiceError("code_not_parent_here", field="login")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    _new_secret(db, user, "code", CODE_TTL, issued_by=head.id, secret=code)
    record(db, head, "auth.reset_code_issued", role=Role.HEAD, org_id=org_id, object_type="user", object_id=user.id,
           detail={"identity_checked_in_person": True, "for": "confirmation" if user.unconfirmed else "reset"})
    db.commit()
    return f"{code[:5]}-{code[5:]}"


def use_code(db: Session, login: str, code: str, new_password: str, ip: str) -> User:
    """A parent enters the head's code with a new password: the password is set, the account confirmed, every
    session ended. Wrong codes are throttled per account and per IP. Commits."""
    now = utcnow()
    normalized = normalize_login(login)
    keys = [f"code:{normalized}"[:300], f"code-ip:{ip}"[:300]]
    minutes = _locked_minutes(db, keys, now)
    if minutes:
        raise ServiceError("login_locked", minutes=minutes)
    user = find_user(db, normalized)
    if user is not None:
        ident = identity_of(user)
        check_new_password(new_password, ident.email, ident.phone, ident.name)
    taken = _take(db, "code", _hash(_normalize_code(code)), user.id) if user is not None else None
    if taken is None:
        for key, limit in ((keys[0], CODE_ATTEMPTS), (keys[1], CODE_ATTEMPTS * 10)):
            row = _throttle_row(db, key, now)
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + THROTTLE_WINDOW
        record(db, user, "auth.reset_code_failed", object_type="user", object_id=user.id if user else None,
               detail={"login_hash": _digest(f"acct:{normalized}")})
        db.commit()
        raise ServiceError("code_invalid", field="code")
    set_password(db, user, new_password, keep=None)
    user.unconfirmed = False
    db.exec(sa.delete(LoginThrottle).where(LoginThrottle.key.in_([keys[0], f"acct:{normalized}"[:300]])))
    record(db, user, "auth.password_reset", object_type="user", object_id=user.id,
           detail={"by": "code", "issued_by": str(taken.issued_by) if taken.issued_by else None})
    db.commit()
    return user


# -- confirming a new e-mail account ------------------------------------------------------------

def confirmation_for(db: Session, user: User) -> Outgoing | None:
    """A confirmation link for an unconfirmed e-mail account (the caller commits)."""
    email = identity_of(user).email
    if not email:
        return None
    return Outgoing("confirm", email, _new_secret(db, user, "confirm", CONFIRM_TTL), user.locale)


def confirm_with_link(db: Session, token: str, password: str, ip: str) -> User:
    """The link from the e-mail plus the password chosen at registration confirm the account: both are needed, so
    someone who registered another person's address cannot take over the account the owner confirms. Commits."""
    now = utcnow()
    key = f"confirm-ip:{ip}"[:300]
    minutes = _locked_minutes(db, [key], now)
    if minutes:
        raise ServiceError("login_locked", minutes=minutes)
    row = peek(db, "confirm", token)
    if row is None:
        raise ServiceError("link_invalid")
    user = db.get(User, row.user_id)
    if not verify_password(user.password_hash, password or ""):
        throttle = _throttle_row(db, key, now)
        throttle.failures += 1
        if throttle.failures >= CODE_ATTEMPTS:
            throttle.locked_until = now + THROTTLE_WINDOW
        db.commit()
        raise ServiceError("password_wrong", field="password")
    if _take(db, "confirm", _hash(token)) is None:
        raise ServiceError("link_invalid")
    user.unconfirmed = False
    record(db, user, "account.confirm", object_type="user", object_id=user.id)
    db.commit()
    return user
