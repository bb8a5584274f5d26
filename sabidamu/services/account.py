"""A user's own account: name, e-mail, phone, password and open sessions."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import User, UserSession
from ..models.base import utcnow
from ..passwords import verify_password
from . import ServiceError
from .audit import record
from .auth import ACCOUNT_LIMIT, LOCK, _locked_minutes, _throttle_row, end_other_sessions, find_user, normalize_login
from .identity import identity_of, seal_identity
from .recovery import Outgoing


def _check_current(db: Session, user: User, current: str) -> None:
    """Re-entering the current password, throttled like sign-in (a stolen session cannot guess it)."""
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
        record(db, user, "account.password_check_failed", object_type="user", object_id=user.id)
        db.commit()
        raise ServiceError("password_wrong", field="current")


def update_profile(db: Session, user: User, *, current: str, name: str, email: str, phone: str
                   ) -> tuple[list[str], Outgoing | None]:
    """Changes the name, e-mail and phone (re-sealed, new blind indexes). At least one of e-mail and phone stays.
    Returns the names of the fields that changed, and a notice for the previous e-mail address when the
    address changed (so that its owner learns of a change made from a stolen session). Commits."""
    _check_current(db, user, current)
    now = identity_of(user)
    name = (name or "").strip()
    email = normalize_login(email) if (email or "").strip() else None
    phone = normalize_login(phone) if (phone or "").strip() else None
    if not name:
        raise ServiceError("name_required", field="full_name")
    if email is None and phone is None:
        raise ServiceError("login_required", field="email")
    for field, value in (("email", email), ("phone", phone)):
        if value and value != getattr(now, field):
            other = find_user(db, value)
            if other is not None and other.id != user.id:
                raise ServiceError("login_taken", field=field)
    changed = [f for f, old, new in (("name", now.name, name), ("email", now.email, email), ("phone", now.phone, phone))
               if old != new]
    if changed:
        seal_identity(db, user, name=name, email=email, phone=phone, readable_name=bool(user.full_name))
        record(db, user, "account.profile_change", object_type="user", object_id=user.id, detail={"fields": changed})
    db.commit()
    notice = Outgoing("email_changed", now.email, None, user.locale) if now.email and "email" in changed else None
    return changed, notice


def other_sessions(db: Session, user: User, keep: UserSession | None) -> int:
    query = select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user.id,
                                                                   UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.exec(query).one()


def sign_out_others(db: Session, user: User, keep: UserSession | None) -> int:
    """Ends every other open session of the user (another phone, a shared computer). Commits."""
    ended = end_other_sessions(db, user, keep)
    record(db, user, "account.sessions_end_others", object_type="user", object_id=user.id, detail={"ended": ended})
    db.commit()
    return ended
