"""A user's own account: name, e-mail, phone, password and open sessions."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, select

from ..localized import LANGS
from ..models import PasswordReset, User, UserSession
from ..models.base import utcnow
from ..passwords import verify_password
from . import ServiceError
from .audit import record
from .auth import ACCOUNT_LIMIT, LOCK, _locked_minutes, _throttle_row, end_other_sessions, find_user, normalize_login
from .identity import ACCOUNTS_OWNER, identity_of, seal_identity
from .keys import active_key, keyring_of
from .recovery import Outgoing, _hash, _new_secret, _take, peek

EMAIL_CHANGE_TTL = dt.timedelta(hours=24)


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
    # A new e-mail is checked when its link is opened (by whoever holds that address), so this form does not
    # tell whether another account uses it. A phone has no such channel and is checked here.
    if phone and phone != now.phone:
        other = find_user(db, phone)
        if other is not None and other.id != user.id:
            raise ServiceError("login_taken", field="phone")
    confirm = None
    if email and email != now.email:
        # A new address is used only once its owner opens the link sent to it (a typo or someone else's
        # address must not receive this account's password resets).
        confirm = Outgoing("email_confirm", email, _email_change_token(db, user, email), user.locale)
        email = now.email
    changed = [f for f, old, new in (("name", now.name, name), ("email", now.email, email), ("phone", now.phone, phone))
               if old != new]
    if changed:
        seal_identity(db, user, name=name, email=email, phone=phone, readable_name=bool(user.full_name))
        record(db, user, "account.profile_change", object_type="user", object_id=user.id, detail={"fields": changed})
    if confirm is not None:
        record(db, user, "account.email_change_requested", object_type="user", object_id=user.id)
    db.commit()
    notice = Outgoing("email_changed", now.email, None, user.locale) if now.email and "email" in changed else None
    return changed + (["email_pending"] if confirm else []), confirm or notice


def _email_change_token(db: Session, user: User, email: str) -> str:
    ring = keyring_of(db)
    token = _new_secret(db, user, "email_change", EMAIL_CHANGE_TTL)
    db.flush()
    row = db.exec(select(PasswordReset).where(PasswordReset.secret_hash == _hash(token))).one()
    key = active_key(db, ring, "accounts", ACCOUNTS_OWNER)
    row.payload_ct = ring.seal(key.id, "passwordreset", row.id, "payload", email)
    return token


def confirm_email_change(db: Session, token: str) -> tuple[User, Outgoing | None]:
    """The owner of the new address opened the link: the account now signs in with it; the previous address is
    told. Raises ServiceError('link_invalid' | 'login_taken'). Commits."""
    row = peek(db, "email_change", token)
    if row is None:
        raise ServiceError("link_invalid")
    user = db.get(User, row.user_id)
    email = keyring_of(db).open("passwordreset", row.id, "payload", row.payload_ct)
    other = find_user(db, email)
    if other is not None and other.id != user.id:
        raise ServiceError("login_taken", field="email")
    if _take(db, "email_change", _hash(token)) is None:
        raise ServiceError("link_invalid")
    before = identity_of(user)
    seal_identity(db, user, name=before.name, email=email, phone=before.phone, readable_name=bool(user.full_name))
    user.unconfirmed = False
    record(db, user, "account.profile_change", object_type="user", object_id=user.id, detail={"fields": ["email"]})
    db.commit()
    notice = Outgoing("email_changed", before.email, None, user.locale) if before.email else None
    return user, notice


def other_sessions(db: Session, user: User, keep: UserSession | None) -> int:
    query = select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user.id,
                                                                   UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.exec(query).one()


def set_locale(db: Session, user: User, lang: str) -> None:
    """Remembers the language the user chose (mail and the next sign-in use it). Commits; no audit event: the
    language is a preference, not personal data about a child."""
    if lang in LANGS and user.locale != lang:
        user.locale = lang
        db.commit()


def sign_out_others(db: Session, user: User, keep: UserSession | None) -> int:
    """Ends every other open session of the user (another phone, a shared computer). Commits."""
    ended = end_other_sessions(db, user, keep)
    record(db, user, "account.sessions_end_others", object_type="user", object_id=user.id, detail={"ended": ended})
    db.commit()
    return ended
