"""Reminders (issue 15): an in-app notice and an e-mail when a child's next screening is due (to the guardians),
when a monitoring stage window opens and a week before it closes with entries missing (to the group's teachers and
the kindergarten's heads), when a consent is about to expire (to the guardians), and when a card arrives in a
school's inbox (to the school's heads).

Each reminder is one `SentReminder` row keyed by kind + person + object + occasion (a date, or "<year>:<stage>"),
written with its notice in one transaction: the same occasion never gives a second one. A kind the person turned
off (`ReminderOptOut`) gives neither notice nor mail. Mail goes after the commit, at most once: the row is marked
mailed first, then the message is handed to services/mail.py (through services.notifications.mail); a failure is
logged and the in-app notice stands. The text is in the person's language and carries no child data beyond the
first name (services/reminder_texts.py).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable

from sqlmodel import Session, col, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import (
    CardStage,
    Consent,
    Enrollment,
    Group,
    GroupTeacher,
    Guardianship,
    Membership,
    Notification,
    Organization,
    Screening,
    User,
)
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role, ScreeningStatus
from ..models.reminders import REMINDER_KINDS, ReminderOptOut, SentReminder
from ..monitoring import STAGE_IDS, academic_year_of, stage_window
from . import notifications
from . import reminder_texts as texts
from .audit import record

CLOSING_DAYS = 7  # "a week before the stage window closes"
CONSENT_DAYS = 14  # how long before a consent's last day its guardians are told
MAIL_BATCH = 500
SETTINGS_PATH = "/account/reminders"


# -- the person's choices ----------------------------------------------------------------------------------

def enabled_kinds(db: Session, user_id: uuid.UUID) -> set[str]:
    off = set(db.exec(select(ReminderOptOut.kind).where(ReminderOptOut.user_id == user_id)).all())
    return {k for k in REMINDER_KINDS if k not in off}


def relevant_kinds(db: Session, user: User) -> list[str]:
    """The kinds that can reach this person: a guardian's, kindergarten staff's, a school head's."""
    kinds: list[str] = []
    if db.exec(select(Guardianship.child_id).where(Guardianship.user_id == user.id)).first() is not None:
        kinds += ["screening_due", "consent_expiring"]
    roles = db.exec(select(Membership.role, Organization.kind)
                    .join(Organization, col(Organization.id) == col(Membership.org_id))
                    .where(Membership.user_id == user.id)).all()
    if any(kind == "kindergarten" and role in (Role.TEACHER, Role.HEAD) for role, kind in roles):
        kinds += ["stage_open", "stage_closing"]
    if any(kind == "school" and role == Role.HEAD for role, kind in roles):
        kinds.append("card_received")
    return [k for k in REMINDER_KINDS if k in kinds]


def save_choices(db: Session, user: User, enabled: Iterable[str]) -> None:
    """Turns each kind on (in `enabled`) or off; audited (kinds only) and committed."""
    on = set(enabled)
    unknown = on - set(REMINDER_KINDS)
    if unknown:
        raise ValueError(sorted(unknown))
    rows = {r.kind: r for r in db.exec(select(ReminderOptOut).where(ReminderOptOut.user_id == user.id)).all()}
    for kind in REMINDER_KINDS:
        if kind in on and kind in rows:
            db.delete(rows[kind])
        elif kind not in on and kind not in rows:
            db.add(ReminderOptOut(user_id=user.id, kind=kind))
    record(db, user, "account.reminders", object_type="user", object_id=user.id,
           detail={"off": sorted(set(REMINDER_KINDS) - on)})
    db.commit()


# -- writing one reminder ----------------------------------------------------------------------------------

def remind(db: Session, kind: str, user_id: uuid.UUID, object_id: uuid.UUID, occasion: str, *,
           child_id: uuid.UUID | None = None, params: dict[str, object] | None = None,
           **more: object) -> SentReminder | None:
    """The notice and its SentReminder row, unless the person turned the kind off or already had this one.
    Part of the caller's transaction."""
    if kind not in REMINDER_KINDS:
        raise ValueError(kind)
    if kind not in enabled_kinds(db, user_id):
        return None
    if db.exec(select(SentReminder.id).where(SentReminder.kind == kind, SentReminder.user_id == user_id,
                                             SentReminder.object_id == object_id,
                                             SentReminder.occasion == occasion)).first() is not None:
        return None
    notice = notifications.notify(db, user_id, kind, child_id=child_id, **(params or {}), **more)
    row = SentReminder(kind=kind, user_id=user_id, object_id=object_id, occasion=occasion, child_id=child_id,
                       notification_id=notice.id)
    db.add(row)
    db.flush()
    return row


def _guardians(db: Session, child_id: uuid.UUID) -> list[uuid.UUID]:
    return list(db.exec(select(Guardianship.user_id).where(Guardianship.child_id == child_id)).all())


def _heads(db: Session, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(db.exec(select(Membership.user_id).where(Membership.org_id == org_id,
                                                         Membership.role == Role.HEAD)).all())


# -- the occasions -----------------------------------------------------------------------------------------

def screenings_due(db: Session, keyring: Keyring, today: dt.date) -> int:
    """Guardians of each child whose latest completed screening names a next-screening date that has come."""
    latest: dict[uuid.UUID, Screening] = {}
    for row in db.exec(select(Screening).where(Screening.status == ScreeningStatus.COMPLETED)
                       .order_by(col(Screening.completed_at).desc())).all():
        latest.setdefault(row.child_id, row)
    started = {child_id for child_id, begun in db.exec(
        select(Screening.child_id, Screening.started_at).where(Screening.status == ScreeningStatus.IN_PROGRESS)).all()
        if child_id in latest and begun > (latest[child_id].completed_at or begun)}
    made = 0
    for child_id, row in latest.items():
        if row.child_id in started:  # a newer screening is under way: no reminder needed
            continue
        result = json.loads(keyring.open("screening", row.id, "result", row.result_ct) or "{}")
        when = (result.get("rescreen") or {}).get("date")
        if not when or dt.date.fromisoformat(when) > today:
            continue
        for user_id in _guardians(db, child_id):
            made += remind(db, "screening_due", user_id, child_id, when, child_id=child_id, date=when) is not None
    return made


def _missing(db: Session, group: Group, stage: str) -> int:
    """Children actively enrolled in the group (monitoring consent in force) with no entry at this stage."""
    ids = set(db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                        Enrollment.status == EnrollmentStatus.ACTIVE)).all())
    ids -= access.withdrawn_children(db, group.org_id, ids)
    if not ids:
        return 0
    entered = set(db.exec(select(CardStage.child_id).where(
        col(CardStage.child_id).in_(ids), CardStage.academic_year == group.academic_year, CardStage.stage == stage,
        col(CardStage.levels_ct).is_not(None))).all())
    return len(ids - entered)


def stage_windows(db: Session, today: dt.date) -> int:
    """Teachers of each group and heads of its kindergarten: a stage window opened; a week before it closes,
    with entries missing."""
    from .monitoring.base import org_windows
    made = 0
    for group in db.exec(select(Group).where(Group.academic_year == academic_year_of(today))).all():
        org = db.get(Organization, group.org_id)
        if org is None or org.kind != "kindergarten":
            continue
        windows = org_windows(org)
        people = list(dict.fromkeys([*db.exec(select(GroupTeacher.user_id).where(GroupTeacher.group_id == group.id))
                                     .all(), *_heads(db, org.id)]))
        for stage in STAGE_IDS:
            first, last = stage_window(windows, group.academic_year, stage)
            if not first <= today <= last:
                continue
            occasion = f"{group.academic_year}:{stage}"
            params: dict[str, object] = {"org_id": org.id, "group_id": group.id, "stage": stage,
                                         "end": last.isoformat()}
            for user_id in people:
                made += remind(db, "stage_open", user_id, group.id, occasion, params=params) is not None
            if (last - today).days < CLOSING_DAYS:
                missing = _missing(db, group, stage)
                if missing:
                    for user_id in people:
                        made += remind(db, "stage_closing", user_id, group.id, f"{occasion}:closing",
                                       params={**params, "missing": missing}) is not None
    return made


def consents_expiring(db: Session, today: dt.date) -> int:
    """Guardians of the child, CONSENT_DAYS before the last day of a consent in force."""
    made = 0
    last = today + dt.timedelta(days=CONSENT_DAYS)
    for consent in db.exec(select(Consent).where(
            col(Consent.revoked_at).is_(None), col(Consent.valid_until).is_not(None),
            col(Consent.valid_until) >= today, col(Consent.valid_until) <= last)).all():
        if consent.valid_until is None:
            continue
        until = consent.valid_until.isoformat()
        for user_id in _guardians(db, consent.child_id):
            made += remind(db, "consent_expiring", user_id, consent.id, until, child_id=consent.child_id,
                           purpose=consent.purpose, until=until) is not None
    return made


def card_received(db: Session, recipient_org_id: uuid.UUID, sender_org_id: uuid.UUID,
                  package_id: uuid.UUID) -> int:
    """The hook of the transfer delivery (services/transfer/inbox.py): the school's heads are told; the mail
    follows with the next run of the reminders. Part of the delivery's transaction."""
    return sum(remind(db, "card_received", user_id, package_id, "received", org_id=sender_org_id) is not None
               for user_id in _heads(db, recipient_org_id))


def collect(db: Session, keyring: Keyring, today: dt.date) -> int:
    """Every reminder due on `today` (each occasion once); committed. Returns how many were written."""
    made = screenings_due(db, keyring, today) + stage_windows(db, today) + consents_expiring(db, today)
    db.commit()
    return made


# -- the words and the mail --------------------------------------------------------------------------------

def words(db: Session, view: notifications.NoticeView, lang: str) -> tuple[str, str]:
    """Subject and body of a reminder's notice in `lang` (the in-app notice shows the body)."""
    from ..monitoring import load_framework
    p = view.params
    lang = texts.lang_of(lang)
    values = {"child": view.child_first_name, "missing": p.get("missing") or ""}
    if view.org is not None:
        values["org"] = view.org.name_kk if lang == "kk" else view.org.name_ru
    if p.get("group_id"):
        group = db.get(Group, uuid.UUID(p["group_id"]))
        values["group"] = group.name if group is not None else ""
    if p.get("stage"):
        values["stage"] = load_framework().stage(p["stage"]).in_(lang)
    for name in ("date", "end", "until"):
        if p.get(name):
            values[name] = texts.date_text(dt.date.fromisoformat(p[name]), lang)
    if p.get("purpose"):
        values["purpose"] = texts.PURPOSES.get(p["purpose"], {}).get(lang, p["purpose"])
    return texts.subject(view.kind, lang, **values), texts.body(view.kind, lang, **values)


def mail_pending(db: Session, keyring: Keyring, settings) -> int:
    """Mails the reminders not mailed yet, each at most once (marked and committed before it is handed over)."""
    rows = db.exec(select(SentReminder).where(col(SentReminder.mailed_at).is_(None))
                   .order_by(col(SentReminder.created_at)).limit(MAIL_BATCH)).all()
    if not rows:
        return 0
    now = utcnow()
    ids = [r.notification_id for r in rows if r.notification_id is not None]
    for row in rows:
        row.mailed_at = now
    db.commit()
    link = f"{getattr(settings, 'base_url', '') or ''}{SETTINGS_PATH}"

    def render(view: notifications.NoticeView, lang: str) -> tuple[str, str]:
        subject, body = words(db, view, lang)
        return subject, f"{body}\n\n{texts.footer(lang, link)}"

    existing = list(db.exec(select(Notification.id).where(col(Notification.id).in_(ids))).all()) if ids else []
    return notifications.mail(db, keyring, notifications.Mailer(settings=settings, render=render), existing)


def is_reminder(kind: str) -> bool:
    return kind in REMINDER_KINDS
