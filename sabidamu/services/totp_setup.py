"""Staff second factor: enrolment, the second step of sign-in, recovery codes, disabling.

The secret is sealed under the user's own data key (owner_kind 'user', created on first use), so it
rotates with `flask keys rotate` like every other sealed field. Heads and platform admins must enrol
before they can use the app; other staff may. Wrong codes are throttled like passwords (per account,
in the LoginThrottle table). No code, secret or recovery code ever goes into an audit event.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import totp
from ..crypto.keyring import Keyring
from ..models import LoginThrottle, Membership, User
from ..models.base import utcnow
from ..models.enums import Role
from ..models.security import SEALED_TOTP_FIELDS, StaffTotp
from ..observability import FAILED_SIGN_INS
from . import ServiceError
from .audit import record
from .auth import ACCOUNT_LIMIT, LOCK, _locked_minutes, _throttle_row
from .keys import active_key
from .sealing import register_sealed

TABLE = "staff_totp"
REQUIRED_ROLES = (Role.HEAD,)
PENDING_SIGN_IN = dt.timedelta(minutes=5)  # how long the code page waits after the password

register_sealed(StaffTotp, SEALED_TOTP_FIELDS)


def _row(db: Session, user: User) -> StaffTotp | None:
    return db.exec(select(StaffTotp).where(StaffTotp.user_id == user.id)).first()


def _open(keyring: Keyring, row: StaffTotp, name: str) -> str | None:
    return keyring.open(TABLE, row.id, name, getattr(row, f"{name}_ct"))


def _seal(keyring: Keyring, row: StaffTotp, name: str, value: str | None) -> None:
    setattr(row, f"{name}_ct", keyring.seal(row.key_id, TABLE, row.id, name, value))


def is_staff(db: Session, user: User) -> bool:
    return user.is_admin or db.exec(select(Membership.id).where(Membership.user_id == user.id)).first() is not None


def required_for(db: Session, user: User) -> bool:
    """Heads of an organization and platform admins must use a second factor."""
    if user.is_admin:
        return True
    return db.exec(select(Membership.id).where(Membership.user_id == user.id,
                                               Membership.role.in_(REQUIRED_ROLES))).first() is not None


def is_enabled(db: Session, user: User) -> bool:
    return db.exec(select(StaffTotp.id).where(StaffTotp.user_id == user.id,
                                              StaffTotp.enabled_at.is_not(None))).first() is not None


def status(db: Session, user: User) -> dict:
    row = _row(db, user)
    return {
        "enabled": bool(row and row.enabled_at),
        "pending": bool(row and row.pending_secret_ct),
        "required": required_for(db, user),
        "recovery_left": sum(1 for h in (row.recovery_hashes if row else []) if h),
        "enabled_at": row.enabled_at if row else None,
    }


def begin_enrolment(db: Session, keyring: Keyring, user: User, proof: str | None = None) -> None:
    """A new secret waiting for its first code (replaces an earlier unconfirmed one). Commits.

    Replacing an active second factor ("move to a new phone") needs `proof`: a current code, a recovery code
    (used up) or the account's password; a session alone cannot move the second factor to another phone.
    Wrong proofs count like wrong codes (ServiceError 'totp_proof_wrong' | 'login_locked')."""
    row = _row(db, user)
    detail = {}
    if row is not None and row.enabled_at is not None:
        detail = {"proof": _check_proof(db, keyring, user, row, proof)}
    if row is None:
        key = active_key(db, keyring, "user", user.id)
        db.flush()
        row = StaffTotp(user_id=user.id, key_id=key.id)
        db.add(row)
    _seal(keyring, row, "pending_secret", totp.new_secret())
    row.version += 1
    record(db, user, "auth.totp.enrol_start", object_type="user", object_id=user.id, detail=detail)
    db.commit()


def _check_proof(db: Session, keyring: Keyring, user: User, row: StaffTotp, proof: str | None) -> str:
    """Which proof was given: 'code', 'recovery_code' or 'password'; raises ServiceError when none holds."""
    from ..passwords import verify_password
    _throttled(db, user)
    typed = (proof or "").strip()
    step = totp.verify_totp(_open(keyring, row, "secret"), typed, row.last_step) if typed else None
    if step is not None:
        row.last_step = step
        return "code"
    index = totp.match_recovery_code(typed, row.recovery_hashes) if typed else None
    if index is not None:
        hashes = list(row.recovery_hashes)
        hashes[index] = None
        row.recovery_hashes = hashes
        return "recovery_code"
    if proof and verify_password(user.password_hash, proof):
        return "password"
    _fail(db, user)
    raise ServiceError("totp_proof_wrong", field="proof")


def pending_secret(db: Session, keyring: Keyring, user: User) -> str | None:
    row = _row(db, user)
    return _open(keyring, row, "pending_secret") if row is not None else None


def account_name(user: User) -> str:
    from .identity import login_of
    return login_of(user) or str(user.id)


def confirm_enrolment(db: Session, keyring: Keyring, user: User, code: str) -> list[str]:
    """The first code proves the app holds the secret: it becomes active; returns new recovery codes."""
    row = _row(db, user)
    secret = _open(keyring, row, "pending_secret") if row is not None else None
    if secret is None:
        raise ServiceError("totp_not_started")
    step = totp.verify_totp(secret, code, None)
    if step is None:
        raise ServiceError("totp_invalid", field="code")
    codes = totp.new_recovery_codes()
    _seal(keyring, row, "secret", secret)
    row.pending_secret_ct = None
    row.last_step, row.enabled_at = step, utcnow()
    row.recovery_hashes = [totp.hash_recovery_code(c) for c in codes]
    row.version += 1
    record(db, user, "auth.totp.enable", object_type="user", object_id=user.id)
    db.commit()
    return codes


def _check_current(db: Session, keyring: Keyring, user: User, row: StaffTotp | None, code: str) -> None:
    """A current code (not reused) from the active secret, for changes to the second factor itself."""
    if row is None or row.enabled_at is None:
        raise ServiceError("totp_not_enabled")
    _throttled(db, user)
    step = totp.verify_totp(_open(keyring, row, "secret"), code, row.last_step)
    if step is None:
        _fail(db, user)
        raise ServiceError("totp_invalid", field="code")
    row.last_step = step


def regenerate_recovery_codes(db: Session, keyring: Keyring, user: User, code: str) -> list[str]:
    row = _row(db, user)
    _check_current(db, keyring, user, row, code)
    codes = totp.new_recovery_codes()
    row.recovery_hashes = [totp.hash_recovery_code(c) for c in codes]
    row.version += 1
    record(db, user, "auth.recovery_codes.regenerate", object_type="user", object_id=user.id)
    db.commit()
    return codes


def disable(db: Session, keyring: Keyring, user: User, code: str) -> None:
    """Turn the second factor off (needs a current code); refused where it is required."""
    if required_for(db, user):
        raise ServiceError("totp_required")
    row = _row(db, user)
    _check_current(db, keyring, user, row, code)
    db.delete(row)
    record(db, user, "auth.totp.disable", object_type="user", object_id=user.id)
    db.commit()


# -- second step of sign-in ----------------------------------------------------------------------

def _throttle_key(user_id: uuid.UUID) -> str:
    return f"2fa:{user_id}"


def _throttled(db: Session, user: User) -> None:
    minutes = _locked_minutes(db, [_throttle_key(user.id)], utcnow())
    if minutes:
        record(db, user, "auth.totp.locked", object_type="user", object_id=user.id)
        db.commit()
        raise ServiceError("login_locked", minutes=minutes)


def _fail(db: Session, user: User) -> None:
    now = utcnow()
    row = _throttle_row(db, _throttle_key(user.id), now)
    row.failures += 1
    if row.failures >= ACCOUNT_LIMIT:
        row.locked_until = now + LOCK
    record(db, user, "auth.totp.failed", object_type="user", object_id=user.id)
    db.commit()


def second_step(db: Session, keyring: Keyring, user_id: uuid.UUID, code: str) -> User:
    """Check a TOTP code or a recovery code after the password. Commits; raises ServiceError."""
    user = db.get(User, user_id)
    row = _row(db, user) if user is not None else None
    if user is None or row is None or row.enabled_at is None:
        raise ServiceError("totp_not_enabled")
    try:
        _throttled(db, user)
    except ServiceError:
        FAILED_SIGN_INS.inc()  # the second step refused: a failed sign-in too
        raise
    typed = (code or "").strip()
    step = totp.verify_totp(_open(keyring, row, "secret"), typed, row.last_step)
    if step is not None:
        row.last_step = step
        action, detail = "auth.totp.ok", {}
    else:
        index = totp.match_recovery_code(typed, row.recovery_hashes)
        if index is None:
            _fail(db, user)
            FAILED_SIGN_INS.inc()
            raise ServiceError("totp_invalid", field="code")
        hashes = list(row.recovery_hashes)
        hashes[index] = None  # each recovery code works once
        row.recovery_hashes = hashes
        action, detail = "auth.recovery_code.used", {"left": sum(1 for h in hashes if h)}
    row.version += 1
    db.exec(sa.delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(user.id)))
    record(db, user, action, object_type="user", object_id=user.id, detail=detail)
    db.commit()
    return user
