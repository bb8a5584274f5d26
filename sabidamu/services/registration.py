"""A parent creates an account without learning whether the e-mail or phone already has one.

Every well-formed registration gets the same answer. A new account waits for confirmation (services/recovery.py):
an e-mail address receives a confirmation link; a phone number is confirmed with a code from the kindergarten
head. An address that already has an account receives a note saying so (with the way to reset the password);
the account itself is not touched. Registrations are throttled per IP.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..models.base import utcnow
from ..passwords import hash_password
from .audit import record
from .auth import _digest, check_new_password, find_user, new_account, normalize_login
from .identity import identity_of
from .recovery import Outgoing, _count, confirmation_for

REGISTRATIONS_PER_IP = 10  # per 15 minutes
PRIVACY_NOTICE_VERSION = "2026-12-04"  # the version of /privacy a registration accepts (templates/public)


@dataclass(frozen=True)
class Registered:
    by_phone: bool
    mail: Outgoing | None


def register(db: Session, *, full_name: str, login: str, password: str, locale: str | None, ip: str,
             privacy_version: str = PRIVACY_NOTICE_VERSION) -> Registered:
    """Raises ServiceError only for what the form itself got wrong (password rules) or for throttling. Commits."""
    normalized = normalize_login(login)
    check_new_password(password, normalized, full_name)
    _count(db, f"register-ip:{ip}"[:300], REGISTRATIONS_PER_IP, utcnow())
    by_phone = "@" not in normalized
    existing = find_user(db, normalized)
    if existing is not None:
        hash_password(password)  # the same Argon2id work as a new account: the time tells nothing either
        ident = identity_of(existing)
        mail = Outgoing("exists", ident.email, None, existing.locale) if ident.email and not by_phone else None
        if existing.unconfirmed and mail is not None:
            mail = confirmation_for(db, existing)  # its owner may have lost the first link
        record(db, None, "account.register_existing", object_type="user", object_id=existing.id,
               detail={"login_hash": _digest(f"acct:{normalized}")})
        db.commit()
        return Registered(by_phone, mail)
    user = new_account(db, full_name=full_name, login=normalized, password=password, locale=locale, staff=False)
    user.unconfirmed = True
    user.privacy_version = privacy_version
    mail = None if by_phone else confirmation_for(db, user)
    record(db, user, "account.register", object_type="user", object_id=user.id,
           detail={"privacy_notice": privacy_version})
    db.commit()
    return Registered(by_phone, mail)
