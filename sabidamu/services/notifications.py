"""In-app notices (and their e-mail copies) to a user.

A notice is a kind plus parameters that are identifiers and codes only (sabidamu.models.notification); the text is
drawn in the reader's language when it is read or mailed. The only child data a notice shows is the child's first
name, opened from the sealed record at that moment: an e-mail leaves the platform, so it carries nothing more.
Writing a notice is part of the caller's transaction; mail goes out after the commit and never undoes it.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..crypto.keyring import Keyring
from ..localized import DEFAULT_LANG, LANGS
from ..models import Child, Guardianship, Organization, User
from ..models.base import utcnow
from ..models.notification import NOTIFICATION_KINDS, Notification
from .children import open_child

log = logging.getLogger(__name__)
MAX_LISTED = 100


@dataclass
class NoticeView:
    id: uuid.UUID
    kind: str
    params: dict
    created_at: dt.datetime
    read: bool
    child_first_name: str
    org: Organization | None


@dataclass
class Mailer:
    """How to mail a notice: the settings for services.mail.send_mail and `render(view, lang) -> (subject, body)`,
    drawn by the web layer in the reader's language."""

    settings: object
    render: Callable[[NoticeView, str], tuple[str, str]]


def first_name(full_name: str) -> str:
    """The first word of the name as entered (the form asks for the given name first)."""
    return (full_name or "").strip().split(" ")[0]


def notify(db: Session, user_id: uuid.UUID, kind: str, *, child_id: uuid.UUID | None = None, **params) -> Notification:
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(kind)
    params = {"child_id": child_id, **params} if child_id else params
    row = Notification(id=uuid.uuid4(), user_id=user_id, kind=kind, child_id=child_id,
                       params={k: str(v) if v is not None else None for k, v in params.items()})
    db.add(row)
    db.flush()
    return row


def notify_guardians(db: Session, child_id: uuid.UUID, kind: str, **params) -> list[Notification]:
    """One notice for each guardian of the child."""
    guardians = db.exec(select(Guardianship.user_id).where(Guardianship.child_id == child_id)).all()
    return [notify(db, user_id, kind, child_id=child_id, **params) for user_id in guardians]


def unread_count(db: Session, user: User) -> int:
    return db.exec(select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).one()


def _view(db: Session, keyring: Keyring, row: Notification) -> NoticeView:
    child = db.get(Child, uuid.UUID(row.params["child_id"])) if row.params.get("child_id") else None
    org = db.get(Organization, uuid.UUID(row.params["org_id"])) if row.params.get("org_id") else None
    name = first_name(open_child(keyring, child, ("name", "birth_date")).name) if child is not None else ""
    return NoticeView(id=row.id, kind=row.kind, params=row.params, created_at=row.created_at,
                      read=row.read_at is not None, child_first_name=name, org=org)


def notices_of(db: Session, keyring: Keyring, user: User) -> list[NoticeView]:
    """The user's own notices, newest first (the unread ones marked as such); reading them marks them read."""
    rows = db.exec(select(Notification).where(Notification.user_id == user.id)
                   .order_by(Notification.created_at.desc()).limit(MAX_LISTED)).all()
    views = [_view(db, keyring, r) for r in rows]
    unread = [r for r in rows if r.read_at is None]
    if unread:
        from ..db import ensure_write_transaction
        ensure_write_transaction(db)
        now = utcnow()
        for row in db.exec(select(Notification).where(Notification.id.in_([r.id for r in unread]))).all():
            row.read_at = now
        db.commit()
    return views


def mail(db: Session, keyring: Keyring, mailer: Mailer | None, notice_ids: list[uuid.UUID]) -> int:
    """After the commit: each notice to its user's e-mail, if known, in the user's language. A failure is logged
    (without the address) and the in-app notice stands. Returns how many were handed to the mail server."""
    if mailer is None or not notice_ids:
        return 0
    from .mail import MailError, queue_mail
    sent = 0
    for row in db.exec(select(Notification).where(Notification.id.in_(notice_ids))).all():
        user = db.get(User, row.user_id)
        address = email_of(user, keyring)
        if not address:
            continue
        subject, body = mailer.render(_view(db, keyring, row), user.locale if user.locale in LANGS else DEFAULT_LANG)
        try:
            queue_mail(mailer.settings, address, subject, body)  # type: ignore[arg-type]  # sent by the queue's consumer
        except MailError:
            log.warning("a notice could not be mailed (kind %s)", row.kind)
            continue
        sent += 1
    return sent


def email_of(user: User | None, keyring: Keyring) -> str | None:
    if user is None:
        return None
    try:
        from .identity import identity_of
    except ImportError:  # before accounts were sealed
        return getattr(user, "email", None)
    return identity_of(user, keyring).email

