"""The parent's data rights: download everything about my child, and ask for it to be deleted.

Both are for the child's guardian only and both are audited (object ids only). Retention rules are in
docs/privacy.md ("Retention and deletion"):

- a child with no organization (never enrolled, no monitoring record): deleted at once, after the
  guardian confirms;
- a child an organization has kept records of: the request is recorded and the data is deleted after
  the end of the last academic year with records + RETENTION_MONTHS (the card must remain available for
  its transfer to the school); `flask data-rights process` (daily cron) deletes what is due.

Deleting is real: every row that belongs to the child is removed (found through the foreign keys to
the child, so tables added later are covered), and a family data key that no row uses any more is
destroyed, so copies of the ciphertext made before (a stolen disk, a database dump) cannot be opened
with the keys that remain. Audit events stay: they hold object ids only.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from .. import access
from ..crypto.keyring import Keyring
from ..filenames import download_name
from ..models import AuditEvent, Child, DataKey, Enrollment, Group, Organization, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role, ScreeningStatus
from ..models.security import DeletionRequest
from . import AccessDenied, ServiceError, fetch
from .analytics.changes import mark_rows_going
from .analytics.counting import uncount_child as uncount_screenings
from .audit import record
from .audit_ops import _action_filter, _child_object_ids
from .child_rows import child_rows
from .children import open_child
from .monitoring.base import uncount_child as uncount_monitoring

EXPORT_FORMAT_VERSION = 1
RETENTION_MONTHS = 3  # after the end (31 August) of the last academic year with records
ACADEMIC_YEAR_END = (8, 31)
CARD_SCHEMA = Path(__file__).resolve().parent.parent / "crypto" / "schemas" / "card.schema.json"
# Plain columns never exported (keys and internal bookkeeping of the encryption).
_SKIP_COLUMNS = {"key_id", "iin_index"}


def guardian_child(db: Session, user: User, child_id: uuid.UUID) -> Child:
    """The child when `user` is one of its guardians (AccessDenied otherwise): every data-rights path asks it."""
    child = fetch(db, Child, child_id)
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    return child


# -- export --------------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _opened(text: str | None):
    if text is None:
        return None
    try:
        return json.loads(text) if text[:1] in "[{" else text
    except ValueError:
        return text


def _export_rows(db: Session, keyring: Keyring, table: sa.Table, ids: set) -> list[dict]:
    """Each row as plain values, sealed fields opened (F_ct -> F). Reading is the guardian's right."""
    pk = list(table.primary_key.columns)[0]
    rows = db.execute(sa.select(table).where(pk.in_(ids))).mappings().all()
    out = []
    for row in rows:
        item = {}
        for name, value in row.items():
            if name in _SKIP_COLUMNS:
                continue
            if name.endswith("_ct"):
                field = name[:-3]
                try:
                    item[field] = _opened(keyring.open(table.name, row[pk.name], field, value))
                except Exception:  # a value sealed in a way this version cannot open: say so, do not fail
                    item[field] = {"unreadable": True}
            else:
                item[name] = _plain(value)
        out.append(item)
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def access_log_rows(db: Session, child_id: uuid.UUID) -> list[dict]:
    rows = db.exec(select(AuditEvent).where(AuditEvent.object_id.in_(_child_object_ids(db, child_id)),
                                            _action_filter()).order_by(AuditEvent.seq)).all()
    staff = {r.actor_id for r in rows if r.actor_id and r.actor_role not in (None, Role.PARENT, "system")}
    names = {u.id: u.full_name for u in db.exec(select(User).where(User.id.in_(staff))).all()} if staff else {}
    return [{"at": _plain(r.at), "action": r.action, "role": r.actor_role, "organization_id": _plain(r.org_id),
             "staff_name": names.get(r.actor_id)} for r in rows]


def organization_of(db: Session, child_id: uuid.UUID) -> Organization | None:
    return db.exec(select(Organization).join(Group, Group.org_id == Organization.id)
                   .join(Enrollment, Enrollment.group_id == Group.id)
                   .where(Enrollment.child_id == child_id,
                          Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED)))
                   .order_by(Enrollment.created_at.desc())).first()


def card_section(db: Session, child_row: dict, screenings: list[dict], observations: list[dict],
                 org: Organization | None, lang: str) -> dict:
    """The parts of the export that fit the transfer card format (card.schema.json)."""
    child = {"full_name": child_row.get("name") or "?", "birth_date": child_row.get("birth_date")}
    if child_row.get("iin"):
        child["iin"] = child_row["iin"]
    card = {"card_format_version": 1, "language": lang, "exported_at": _plain(utcnow()).split(".")[0] + "Z",
            "child": child, "years": [], "screening_summaries": [], "home_observations": []}
    if org is not None and org.bin:
        card["organization"] = {"id": str(org.id), "name_kk": org.name_kk, "name_ru": org.name_ru, "bin": org.bin}
    for s in screenings:
        result = s.get("result")
        if s.get("status") != ScreeningStatus.COMPLETED or not isinstance(result, dict):
            continue
        age = (result.get("age") or {}).get("used_age") or {}
        card["screening_summaries"].append({
            "instrument": s["instrument_id"], "version": str(s["instrument_version"]),
            "date": result.get("screening_date") or s.get("screening_date"),
            "age_months": int(age.get("months", 0)), "band": s["band_id"],
            "domains": {d["id"]: d["zone"] for d in result.get("domains", []) if "id" in d and "zone" in d}})
    for o in observations:
        if isinstance(o.get("text"), str):
            card["home_observations"].append({"date": (o.get("created_at") or "")[:10],
                                              "skill_group": o.get("skill_group"), "text": o["text"][:2000]})
    return card


def validate_card(card: dict) -> list[str]:
    """Errors against card.schema.json; what a home child cannot have (organization, IIN) is not required."""
    import jsonschema
    schema = json.loads(CARD_SCHEMA.read_text())
    if "organization" not in card:
        schema["required"] = [r for r in schema["required"] if r != "organization"]
    if "iin" not in card["child"]:
        schema["properties"]["child"]["required"] = ["full_name", "birth_date"]
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(card)]


@dataclass
class Export:
    filename: str
    data: bytes
    document: dict


def export_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, *, lang: str,
                 pdfs: list[tuple[str, bytes]] | None = None, notes: list[str] | None = None) -> Export:
    """A ZIP: export.json (everything), card.json (the card format part), and the given PDFs. Audited."""
    guardian_child(db, user, child_id)
    plan = child_rows(db, child_id)
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    sections: dict[str, list[dict]] = {}
    for name, ids in sorted(plan.items()):
        if "#" in name or name not in tables:
            continue
        sections[str(name)] = _export_rows(db, keyring, tables[name], ids)
    child_row = sections.pop("child")[0]
    org = organization_of(db, child_id)
    card = card_section(db, child_row, sections.get("screening", []), sections.get("homeobservation", []), org, lang)
    errors = validate_card(card)
    document = {
        "export_format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _plain(utcnow()),
        "language": lang,
        "child": child_row,
        "records": sections,  # table name -> rows (screening, cardstage, consent, enrollment, ...)
        "access_log": access_log_rows(db, child_id),
        "card_format": {"valid": not errors, "errors": errors[:20]},
        "notes": list(notes or []),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        zf.writestr("card.json", json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True))
        for name, body in pdfs or []:
            zf.writestr(f"pdf/{name}", body)
    record(db, user, "export.child", role=Role.PARENT, object_type="child", object_id=child_id,
           detail={"tables": sorted(sections), "pdfs": len(pdfs or []), "card_valid": not errors})
    db.commit()
    name = download_name("data-export", str(child_row.get("name") or ""), utcnow().date(), "zip")
    return Export(filename=name, data=buffer.getvalue(), document=document)


def export_filename(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, today: dt.date) -> str:
    """The name of the export's download, built when the parent downloads it (a job keeps no child's name)."""
    child = guardian_child(db, user, child_id)
    return download_name("data-export", open_child(keyring, child, ("name", "birth_date")).name or "", today, "zip")


# -- deletion ------------------------------------------------------------------------------------

def _last_record_year(db: Session, child_id: uuid.UUID) -> int | None:
    """The last academic year an organization kept records of the child in (enrolment or monitoring)."""
    years = list(db.exec(select(Group.academic_year).join(Enrollment, Enrollment.group_id == Group.id)
                         .where(Enrollment.child_id == child_id,
                                Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED)))).all())
    from ..models import CardStage
    years += list(db.exec(select(CardStage.academic_year).where(CardStage.child_id == child_id)).all())
    return max(years) if years else None


def retention_due(db: Session, child_id: uuid.UUID) -> dt.date | None:
    """None: no organization kept records, delete at once. Else the first day the data may be deleted."""
    year = _last_record_year(db, child_id)
    if year is None:
        return None
    after_end = dt.date(year + 1, *ACADEMIC_YEAR_END) + dt.timedelta(days=1)  # 2026 -> 1 September 2027
    month = after_end.month - 1 + RETENTION_MONTHS
    return dt.date(after_end.year + month // 12, month % 12 + 1, 1)  # 2026 -> 1 December 2027


def pending_request(db: Session, child_id: uuid.UUID) -> DeletionRequest | None:
    return db.exec(select(DeletionRequest).where(DeletionRequest.child_id == child_id,
                                                 DeletionRequest.status == "pending")).first()


def deletion_status(db: Session, user: User, child_id: uuid.UUID) -> tuple[DeletionRequest | None, dt.date | None]:
    """Access-checked: the open request (if any) and when the data could be deleted (None = at once)."""
    guardian_child(db, user, child_id)
    return pending_request(db, child_id), retention_due(db, child_id)


def request_deletion(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID,
                     today: dt.date | None = None) -> DeletionRequest:
    """Record the request; delete at once when the retention rules allow. Commits."""
    guardian_child(db, user, child_id)
    if pending_request(db, child_id) is not None:
        raise ServiceError("deletion_pending")
    today = today or utcnow().date()
    due = retention_due(db, child_id)
    req = DeletionRequest(child_id=child_id, requested_by=user.id, rule="home_only" if due is None else "retention",
                          due_on=due)
    db.add(req)
    db.flush()
    record(db, user, "data.deletion.request", role=Role.PARENT, object_type="child", object_id=child_id,
           detail={"request_id": str(req.id), "rule": req.rule, "due_on": due.isoformat() if due else None})
    if due is None or due <= today:
        delete_child_data(db, keyring, req, actor=user)
    db.commit()
    return req


def delete_child_data(db: Session, keyring: Keyring, req: DeletionRequest, actor: User | None = None) -> dict:
    """Remove every row of the child for real, then destroy data keys no row uses. Caller commits."""
    # The child leaves the counts first (their sealed rows are still readable): levels, screening zones, and the
    # referrals and handed cards the district analytics count.
    uncount_monitoring(db, keyring, req.child_id)
    uncount_screenings(db, keyring, req.child_id)
    plan = child_rows(db, req.child_id)
    mark_rows_going(db, plan)
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    key_ids = set()
    counts: dict[str, int] = {}
    for table in tables.values():  # keys used by the rows about to go
        if table.name in plan and "key_id" in table.columns:
            pk = list(table.primary_key.columns)[0]
            key_ids |= set(db.execute(sa.select(table.c.key_id).where(pk.in_(plan[table.name]))).scalars().all())
    # Children before parents: reverse dependency order of the metadata.
    for table in reversed(SQLModel.metadata.sorted_tables):
        for name, ids in plan.items():
            base, _, column = name.partition("#")
            if base != table.name or not ids:
                continue
            col = table.c[column] if column else list(table.primary_key.columns)[0]
            for self_ref in [c for c in table.columns if c.nullable and any(fk.column.table is table
                                                                              for fk in c.foreign_keys)]:
                # A row pointing at another row of the same table (consent.replaces_id): cut it first.
                db.execute(sa.update(table).where(col.in_(ids)).values({self_ref.name: None}))
            result = db.execute(sa.delete(table).where(col.in_(ids)))
            counts[str(table.name)] = counts.get(str(table.name), 0) + (result.rowcount or 0)
    from ..jobs import forget_child
    counts["job_result"] = forget_child(db, req.child_id)  # group PDFs / export ZIPs holding the child
    destroyed = _destroy_unused_keys(db, keyring, key_ids)
    req.status, req.completed_at = "done", utcnow()
    record(db, actor, "data.deletion.done", role=Role.PARENT if actor is not None else "system", object_type="child",
           object_id=req.child_id, detail={"request_id": str(req.id), "rows": counts,
                                           "keys_destroyed": len(destroyed)})
    return counts


def _destroy_unused_keys(db: Session, keyring: Keyring, key_ids: set) -> list[uuid.UUID]:
    """Delete family/user data keys that no sealed row uses (organization keys serve other children)."""
    users = [t for t in SQLModel.metadata.sorted_tables if "key_id" in t.columns and t.name != "datakey"]
    destroyed = []
    for key_id in key_ids:
        key = db.get(DataKey, key_id)
        if key is None or key.owner_kind != "family":
            continue
        if any(db.execute(sa.select(t.c.key_id).where(t.c.key_id == key_id).limit(1)).first() for t in users):
            continue
        db.delete(key)
        destroyed.append(key_id)
        keyring._aeads.pop(key_id, None)  # this process forgets it too (others on restart)
    db.flush()
    return destroyed


def process_due(db: Session, keyring: Keyring, today: dt.date | None = None) -> int:
    """Carry out pending requests whose retention period has ended (daily cron). Commits each."""
    today = today or utcnow().date()
    done = 0
    for req in db.exec(select(DeletionRequest).where(DeletionRequest.status == "pending",
                                                     DeletionRequest.due_on <= today)).all():
        if db.get(Child, req.child_id) is None:
            req.status, req.completed_at = "done", utcnow()
        else:
            delete_child_data(db, keyring, req)
        db.commit()
        done += 1
    return done
