"""Sign-in, server-side sessions with idle and absolute expiry, and login throttling."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from ..db import ensure_write_transaction
from ..models import LoginThrottle, User, UserSession
from ..models.base import utcnow
from ..observability import FAILED_SIGN_INS
from ..passwords import hash_password, password_problem, verify_password
from . import ServiceError, identity
from .audit import record

ACCOUNT_LIMIT, IP_LIMIT = 5, 50
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)  # fewer writes: last_seen moves at most once a minute


def normalize_login(login: str) -> str:
    login = (login or "").strip()
    if "@" in login:
        return login.lower()
    digits = "".join(ch for ch in login if ch.isdigit())
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    return "+" + digits if digits else login


def find_user(db: Session, login: str) -> User | None:
    """The account signing in with this e-mail or phone (through its blind index), or None."""
    return identity.lookup(db, normalize_login(login))


def _throttle_row(db: Session, key: str, now: dt.datetime) -> LoginThrottle:
    row = db.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, window_start=now, failures=0)
        db.add(row)
    elif now - row.window_start > WINDOW:
        row.window_start, row.failures = now, 0
    return row


def _locked_minutes(db: Session, keys: list[str], now: dt.datetime) -> int:
    rows = db.exec(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    until = max((r.locked_until for r in rows if r.locked_until and r.locked_until > now), default=None)
    return 0 if until is None else max(1, int((until - now).total_seconds() // 60) + 1)


def authenticate(db: Session, login: str, password: str, ip: str) -> User:
    """Returns the user or raises ServiceError('login_failed' | 'login_locked'). Commits."""
    now = utcnow()
    account_key, ip_key = f"acct:{normalize_login(login)}"[:300], f"ip:{ip}"[:300]
    minutes = _locked_minutes(db, [account_key, ip_key], now)
    if minutes:
        record(db, None, "auth.login_locked", detail={"login_hash": _digest(account_key)})
        db.commit()
        FAILED_SIGN_INS.inc()
        raise ServiceError("login_locked", minutes=minutes)
    user = find_user(db, login)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok:
        for key, limit in ((account_key, ACCOUNT_LIMIT), (ip_key, IP_LIMIT)):
            row = _throttle_row(db, key, now)
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + LOCK
        record(db, user, "auth.login_failed", object_type="user", object_id=user.id if user else None,
               detail={"login_hash": _digest(account_key)})
        db.commit()
        FAILED_SIGN_INS.inc()
        raise ServiceError("login_failed")
    db.exec(sa.delete(LoginThrottle).where(LoginThrottle.key == account_key))
    if user.deactivated_at is not None:  # a head deactivated this staff account (services/staff.py)
        record(db, user, "auth.login_deactivated", object_type="user", object_id=user.id)
        db.commit()
        raise ServiceError("account_deactivated")
    if user.unconfirmed:  # registered, not confirmed yet: only someone who knows the password learns this
        db.commit()
        raise ServiceError("account_unconfirmed", by_phone=user.email_index is None)
    record(db, user, "auth.login", object_type="user", object_id=user.id)
    db.commit()
    return user


def _digest(value: str) -> str:
    # The audit log keeps no typed logins in clear: a short digest links repeated attempts.
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User) -> str:
    """A new random session token (the id is rotated at every sign-in). Commits."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=_token_hash(token), user_id=user.id))
    db.commit()
    return token


def load_session(db: Session, token: str | None, idle: dt.timedelta,
                 absolute: dt.timedelta) -> tuple[User, UserSession] | None:
    if not token:
        return None
    found = db.exec(select(UserSession, User).join(User, User.id == UserSession.user_id)
                    .where(UserSession.token_hash == _token_hash(token))).first()
    now = utcnow()
    if found is None or found[0].ended_at is not None or found[1].deactivated_at is not None:
        return None
    row, user = found
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        ensure_write_transaction(db)
        row.ended_at = now
        db.commit()
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        ensure_write_transaction(db)
        row.last_seen_at = now
        db.commit()
    return user, row


def end_session(db: Session, user: User | None, row: UserSession | None) -> None:
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        record(db, user, "auth.logout", object_type="user", object_id=user.id if user else None)
        db.commit()


def new_account(db: Session, *, full_name: str, login: str, password: str, locale: str | None,
                staff: bool = True) -> User:
    """A user with an e-mail or phone login (normalized; refused when taken) and an Argon2id password hash.
    Name and login are sealed (services/identity.py); a staff name also stays readable."""
    login = normalize_login(login)
    check_new_password(password, login, full_name)
    if find_user(db, login) is not None:
        raise ServiceError("login_taken", field="login")
    user = User(id=uuid.uuid4(), password_hash=hash_password(password), locale=locale)
    identity.seal_identity(db, user, name=full_name.strip(), email=login if "@" in login else None,
                           phone=None if "@" in login else login, readable_name=staff)
    db.add(user)
    db.flush()
    return user


def check_new_password(password: str, *personal: str | None) -> None:
    """Raises ServiceError(password_short | password_long | password_common | password_personal, field='password')
    for a password that must not be set. Every place that sets a password calls this."""
    problem = password_problem(password or "", *personal)
    if problem:
        raise ServiceError(problem, field="password")


def end_other_sessions(db: Session, user: User, keep: UserSession | None) -> int:
    """Ends every open session of the user except `keep` (the caller commits). Returns how many ended."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.exec(query.values(ended_at=utcnow())).rowcount or 0


def set_password(db: Session, user: User, new: str, *, keep: UserSession | None = None,
                 personal: tuple[str | None, ...] = ()) -> None:
    """Sets a new password (checked) and ends the user's other sessions; the caller writes the audit event and
    commits."""
    check_new_password(new, *personal)
    user.password_hash = hash_password(new)
    user.must_change_password = False  # the person's own password now (services/staff.py, first sign-in)
    end_other_sessions(db, user, keep)


def change_password(db: Session, user: User, current: str, new: str, *, keep: UserSession | None = None,
                    personal: tuple[str | None, ...] = ()) -> None:
    """The user changes their own password after re-entering the current one; the other sessions end.
    Raises ServiceError('password_wrong', field='current') (throttled like sign-in: 'login_locked') or a
    check_new_password code. Commits."""
    now = utcnow()
    key = f"pwchange:{user.id}"
    minutes = _locked_minutes(db, [key], now)
    if minutes:
        raise ServiceError("login_locked", minutes=minutes)
    if not verify_password(user.password_hash, current or ""):
        row = _throttle_row(db, key, now)
        row.failures += 1
        if row.failures >= ACCOUNT_LIMIT:
            row.locked_until = now + LOCK
        record(db, user, "account.password_change_failed", object_type="user", object_id=user.id)
        db.commit()
        raise ServiceError("password_wrong", field="current")
    set_password(db, user, new, keep=keep, personal=personal)
    db.exec(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
    record(db, user, "account.password_change", object_type="user", object_id=user.id)
    db.commit()
