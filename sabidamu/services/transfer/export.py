"""Handing the individual development card to the primary school: the export of .sdcard packages
(docs/transfer-format.md), one per child, consent-checked. The transfer keys page is in .keys_page.

Rules (docs/transfer-format.md, "Consent"):
- Only the head of the child's kindergarten exports (access.child_view_role == 'head').
- A child's card leaves only with the parent's active 'school_transfer' consent naming the receiving school.
  Consents always name a school of this installation's directory. The school is chosen from the directory
  (`to_org_id`: the package is encrypted to its active age key and also delivered to its inbox) or the head
  uploads the school's age public key and types its name and BIN (`recipient`): the BIN must be a directory
  school's, and the consent must name THAT school. A school unknown here cannot be matched to any consent, so
  nothing is exported to it.
- Specialist conclusions and home observations are left out unless the consent's parts include them.
- A refused child gets no package, no file, no record; the others are exported.
- Every package: a TransferPackage row (direction 'export') and the audit event 'card.export' (ids only).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from ... import access
from ...crypto import agekeys, minisign
from ...crypto.keyring import Keyring
from ...crypto.package import ChildInfo, SenderInfo, build_package
from ...crypto.package_format import FILE_EXTENSION
from ...filenames import download_name
from ...models import Child, Organization, User
from ...models.base import utcnow
from ...models.enums import ConsentPurpose, Role
from ...models.transfer import OrgTransferKey
from ...models.transfer_package import TransferPackage
from .. import AccessDenied, ServiceError, fetch
from .. import cards as cards_svc
from ..analytics.changes import mark_changed_at
from ..audit import record
from ..children import group_children, open_child
from ..consent import Recipient, active_consent
from . import keys as transfer_keys
from .card_json import CardJsonError, ConclusionItem, build_card_json, screening_summaries, stage_dates
from .keys_page import org_member

SCHOOL_KIND = "school"
BIN_RE = re.compile(r"^[0-9]{12}$")
MAX_SCHOOL_NAME = 300
MAX_CHILDREN = 200

# Why a child was not exported (English for the command line and the logs; the web page has its own sentences).
REFUSALS = {
    "no_consent": "no active parent's consent to hand the card to {school}",
    "no_iin": "the child has no IIN recorded",
    "no_bin": "the kindergarten has no BIN recorded",
    "no_signing_key": "the kindergarten has no signing key",
    "card_invalid": "the card could not be written as card.json",
}


# -- the receiving school -----------------------------------------------------------------------------------

@dataclass
class Target:
    school: Organization  # the directory school the consent must name
    recipient: str  # age1... the packages are encrypted to
    name: str  # as shown in the index (the directory name, or what the head typed)
    bin: str
    uploaded: bool  # the key was uploaded by the head (not the school's registered key): no inbox delivery

    @property
    def label(self) -> str:
        return f"{self.name} (BIN {self.bin})"


def schools(db: Session) -> list[tuple[Organization, OrgTransferKey]]:
    """Schools of this installation that can receive a package (they have an active age key)."""
    rows = db.exec(select(Organization, OrgTransferKey).join(OrgTransferKey, OrgTransferKey.org_id == Organization.id)
                   .where(Organization.kind == SCHOOL_KIND, OrgTransferKey.kind == "age",
                          OrgTransferKey.active == True)  # noqa: E712
                   .order_by(Organization.name_ru)).all()
    return list(rows)


def resolve_target(db: Session, *, to_org_id: uuid.UUID | None = None, recipient: str | None = None,
                   school_name: str | None = None, school_bin: str | None = None, lang: str = "kk") -> Target:
    if (to_org_id is None) == (not recipient):
        raise ServiceError("target_required", field="school")
    if to_org_id is not None:
        school = db.get(Organization, to_org_id)
        if school is None or school.kind != SCHOOL_KIND:
            raise ServiceError("not_a_school", field="school")
        key = transfer_keys.active(db, school.id, "age")
        if key is None:
            raise ServiceError("school_has_no_key", field="school")
        return Target(school=school, recipient=key.public, name=school.name_kk if lang == "kk" else school.name_ru,
                      bin=school.bin or "", uploaded=False)
    try:
        normalized = agekeys.normalize_recipient(recipient.strip())
    except (agekeys.AgeKeyError, ValueError):
        raise ServiceError("bad_recipient", field="recipient") from None
    name = (school_name or "").strip()
    if not name or len(name) > MAX_SCHOOL_NAME:
        raise ServiceError("school_name", field="school_name")
    bin_ = (school_bin or "").strip()
    if not BIN_RE.match(bin_):
        raise ServiceError("school_bin", field="school_bin")
    school = db.exec(select(Organization).where(Organization.bin == bin_, Organization.kind == SCHOOL_KIND)).first()
    if school is None:
        raise ServiceError("school_not_in_directory", field="school_bin", bin=bin_)
    return Target(school=school, recipient=normalized, name=name, bin=bin_, uploaded=True)


# -- checking the children ------------------------------------------------------------------------------------

@dataclass
class ChildCheck:
    child: Child
    name: str
    kindergarten: Organization | None
    consent_parts: list[str] | None  # None: no consent
    refusal: str | None  # a REFUSALS code

    @property
    def ok(self) -> bool:
        return self.refusal is None


def _kindergarten(db: Session, child_id: uuid.UUID) -> Organization | None:
    group = cards_svc._active_group(db, child_id)
    return db.get(Organization, group.org_id) if group is not None else None


def check_children(db: Session, keyring: Keyring, user: User, child_ids: list[uuid.UUID],
                   target: Target) -> list[ChildCheck]:
    """Access for every child (the head of its kindergarten, else AccessDenied for the whole request), then what
    would refuse each one; sorted by name. Reads only: nothing is written."""
    if not child_ids:
        raise ServiceError("no_children", field="children")
    if len(child_ids) > MAX_CHILDREN:
        raise ServiceError("too_many_children", field="children", max=MAX_CHILDREN)
    out = []
    for child_id in dict.fromkeys(child_ids):
        child = fetch(db, Child, child_id)
        if access.child_view_role(db, user, child_id, part="card") != Role.HEAD:
            raise AccessDenied()
        view = open_child(keyring, child, ("name", "birth_date", "iin"))
        kg = _kindergarten(db, child_id)
        consent = active_consent(db, child_id, ConsentPurpose.SCHOOL_TRANSFER, Recipient(target.school.id))
        refusal = None
        if consent is None:
            refusal = "no_consent"
        elif not view.iin:
            refusal = "no_iin"
        elif kg is None or not kg.bin:
            refusal = "no_bin"
        elif transfer_keys.active(db, kg.id, "minisign") is None:
            refusal = "no_signing_key"
        out.append(ChildCheck(child=child, name=view.name, kindergarten=kg,
                              consent_parts=list(consent.parts or []) if consent else None, refusal=refusal))
    out.sort(key=lambda c: c.name.casefold())
    return out


# -- the export page's choices ----------------------------------------------------------------------------------

@dataclass
class GroupChoice:
    group: object  # models.Group
    children: list  # services.children.ChildView (name, birth date)


def export_choices(db: Session, keyring: Keyring, user: User,
                   org_id: uuid.UUID) -> tuple[Organization, list[GroupChoice]]:
    """The head's kindergarten and its pre-school groups with their children (names only), newest year first."""
    from ...models import Group
    org, role = org_member(db, user, org_id)
    if role != Role.HEAD:
        raise AccessDenied()
    groups = db.exec(select(Group).where(Group.org_id == org.id, Group.age_group == "preschool")
                     .order_by(Group.academic_year.desc(), Group.name)).all()
    choices = [GroupChoice(group=g, children=group_children(db, keyring, g)) for g in groups]
    from ..audit import record_many  # one event per child listed (one insert): each parent sees it in the access log
    record_many(db, user, "child.list.export", object_ids=[c.id for choice in choices for c in choice.children],
                role=Role.HEAD, org_id=org.id, object_type="child")
    db.commit()
    return org, choices


# -- the export -----------------------------------------------------------------------------------------------

@dataclass
class ChildExport:
    child_id: uuid.UUID
    name: str
    refusal: str | None = None
    reason: str | None = None  # English, for the command line
    file_name: str | None = None
    package_id: uuid.UUID | None = None
    sha256: str | None = None
    data: bytes | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        if self.refusal:
            return {"child_id": str(self.child_id), "refused": self.refusal, "reason": self.reason}
        return {"child_id": str(self.child_id), "file": self.file_name, "package_id": str(self.package_id),
                "sha256": self.sha256}


@dataclass
class ExportResult:
    target: Target
    lang: str
    created_at: dt.datetime
    children: list[ChildExport]

    @property
    def exported(self) -> list[ChildExport]:
        return [c for c in self.children if c.refusal is None]

    @property
    def refused(self) -> list[ChildExport]:
        return [c for c in self.children if c.refusal is not None]


def _conclusions(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> list[ConclusionItem]:
    from ..referrals import conclusions_for
    items = []
    for view in conclusions_for(db, keyring, user, child_id):  # audited there as conclusion.view
        kind = view.specialist_kind or (view.org.kind if view.org is not None and view.org.kind == "pmpk"
                                        else Role.SPECIALIST)
        items.append(ConclusionItem(kind=kind, date=view.created_at.date(), text=view.conclusion,
                                    recommendations=view.recommendations))
    return items


def _default_renderer() -> Callable[[dict], bytes]:
    from ...rendering.cards import render_card_pdf  # needs an app context (templates), not a request
    return render_card_pdf


def _deliver(db: Session, package: bytes, sender_org_id, recipient_org_id, package_id, child_id, actor) -> None:
    """Same-installation school: the encrypted package also lands in its inbox (the import side's function)."""
    from .inbox import deliver_to_inbox
    deliver_to_inbox(db, package, sender_org_id, recipient_org_id, package_id, child_id, actor)


def file_name_for(package_id: uuid.UUID, child_name: str = "", on: dt.date | None = None) -> str:
    """«Aizhan-S_card_2026-12-04_1a2b3c4d.sdcard»: whom and when, and the package id's start (two children of the
    same name and initial in one ZIP stay apart)."""
    return download_name("card", child_name or None, on, FILE_EXTENSION, extra=package_id.hex[:8])


def _export_one(db: Session, keyring: Keyring, user: User, check: ChildCheck, target: Target, lang: str,
                render_pdf: Callable[[dict], bytes], now: dt.datetime) -> ChildExport:
    child, kg = check.child, check.kindergarten
    parts = check.consent_parts or []
    conclusions = _conclusions(db, keyring, user, child.id) if "conclusions" in parts else None
    card = cards_svc._assemble(db, keyring, child, Role.HEAD)
    view = open_child(keyring, child, ("name", "birth_date", "iin"))
    try:
        document = build_card_json(card, iin=view.iin, org=kg, lang=lang, dates=stage_dates(db, child.id),
                                   screenings=screening_summaries(db, keyring, child.id), conclusions=conclusions,
                                   include_home_observations="home_observations" in parts, exported_at=now)
    except CardJsonError:
        return ChildExport(child_id=child.id, name=check.name, refusal="card_invalid",
                           reason=REFUSALS["card_invalid"])
    pdf = render_pdf(cards_svc.card_context(card, lang))
    secret = transfer_keys.signing_secret(db, keyring, kg.id)
    sender = SenderInfo(org_id=str(kg.id), name=kg.name_kk if lang == "kk" else kg.name_ru, bin=kg.bin,
                        signing_secret=secret)
    package_id = uuid.uuid4()
    data = build_package(card=document, card_pdf=pdf, sender=sender, recipient_org_id=str(target.school.id),
                         recipient=target.recipient,
                         child=ChildInfo(iin=view.iin, full_name=view.name, birth_date=view.birth_date),
                         created_at=now, package_id=package_id)
    digest = hashlib.sha256(data).hexdigest()
    # The audit event first: on SQLite it turns the read transaction into the write one (db.py).
    record(db, user, "card.export", role=Role.HEAD, org_id=kg.id, object_type="child", object_id=child.id,
           detail={"package_id": str(package_id), "from_org_id": str(kg.id), "to_org_id": str(target.school.id),
                   "uploaded_key": target.uploaded, "recipient_fingerprint": agekeys.recipient_fingerprint(
                       target.recipient), "parts": parts, "lang": lang})
    package = TransferPackage(package_id=package_id, direction="export", sender_org_id=kg.id, sender_name=sender.name,
                              sender_bin=kg.bin, sender_fingerprint=minisign.fingerprint(secret),
                              recipient_org_id=target.school.id, child_id=child.id, status="exported", sha256=digest,
                              size=len(data), actor_id=user.id)
    db.add(package)
    mark_changed_at(db, package.sender_org_id, package.created_at)  # the district analytics count handed cards
    if not target.uploaded:
        _deliver(db, data, kg.id, target.school.id, package_id, child.id, user)
    db.commit()
    return ChildExport(child_id=child.id, name=check.name, file_name=file_name_for(package_id, view.name, now.date()),
                       package_id=package_id, sha256=digest, data=data)


def export_cards(db: Session, keyring: Keyring, user: User, child_ids: list[uuid.UUID], *,
                 to_org_id: uuid.UUID | None = None, recipient: str | None = None, school_name: str | None = None,
                 school_bin: str | None = None, lang: str,
                 progress: Callable[[int, int], None] | None = None,
                 render_pdf: Callable[[dict], bytes] | None = None) -> ExportResult:
    """One .sdcard package per child that may be handed to the school; the others are listed as refused.

    Raises AccessDenied (not the head of every child's kindergarten), NotFound (no such child) or ServiceError
    (the school or the key is not usable) before anything is made. Needs an app context for the card PDF."""
    if lang not in cards_svc.LANGS:
        raise ServiceError("bad_lang", field="lang")
    target = resolve_target(db, to_org_id=to_org_id, recipient=recipient, school_name=school_name,
                            school_bin=school_bin, lang=lang)
    checks = check_children(db, keyring, user, child_ids, target)
    render_pdf = render_pdf or _default_renderer()
    now = utcnow().replace(microsecond=0)
    results = []
    for index, check in enumerate(checks, start=1):
        if check.ok:
            results.append(_export_one(db, keyring, user, check, target, lang, render_pdf, now))
        else:
            results.append(ChildExport(child_id=check.child.id, name=check.name, refusal=check.refusal,
                                       reason=REFUSALS[check.refusal].format(school=target.label)))
        if progress is not None:
            progress(index, len(checks))
    return ExportResult(target=target, lang=lang, created_at=now, children=results)


# -- the index of a group export ------------------------------------------------------------------------------

INDEX_NAME = "index.txt"
# The index is written in the cards' language (not the page's), so its words live here rather than in the catalogue.
_INDEX_TERMS = {
    "title": {"kk": "Баланың жеке даму картасы: мектепке беру",
              "ru": "Индивидуальная карта развития ребенка: передача в школу"},
    "to": {"kk": "Мектеп", "ru": "Школа"},
    "bin": {"kk": "БСН", "ru": "БИН"},
    "key": {"kk": "Мектеп кілтінің коды", "ru": "Код ключа школы"},
    "created": {"kk": "Жасалған уақыты (UTC)", "ru": "Создано (UTC)"},
    "columns": {"kk": "Баланың Т.А.Ә.\tФайл\tПакет ID\tSHA-256", "ru": "Ф.И.О. ребенка\tФайл\tID пакета\tSHA-256"},
    "refused": {"kk": "Берілмеді (ата-ананың келісімі жоқ немесе деректер толық емес)",
                "ru": "Не переданы (нет согласия родителя или неполные данные)"},
    "about": {
        "kk": ["Бұл ZIP файлында әр баланың жеке даму картасы бөлек .sdcard файлында жатыр.",
               "SabiDamu пайдаланатын мектеп осы ZIP файлын ашпай-ақ «Карталарды импорттау» бетіне жүктейді.",
               "БСН — ұйымның бизнес-сәйкестендіру нөмірі (12 цифр).",
               "Мектеп кілтінің коды — карталар шифрланған мектеп кілтінің қысқа коды: оны мектеппен телефон "
               "арқылы салыстырыңыз.",
               "SabiDamu пайдаланбайтын мектеп файлдарды тегін бағдарламалармен ашады: age (шифрды ашу) және "
               "minisign (балабақшаның қолтаңбасын тексеру).",
               "SHA-256 — файлдың бақылау сомасы: файл жолда өзгермегенін тексеруге болады."],
        "ru": ["В этом ZIP-файле карта развития каждого ребенка лежит в отдельном файле .sdcard.",
               "Школа, которая пользуется SabiDamu, загружает этот ZIP-файл целиком, не распаковывая, на странице "
               "«Импорт карт».",
               "БИН — бизнес-идентификационный номер организации (12 цифр).",
               "Код ключа школы — короткий код ключа школы, которым зашифрованы карты: сверьте его со школой по "
               "телефону.",
               "Школа, которая не пользуется SabiDamu, открывает файлы бесплатными программами: age (расшифровка) "
               "и minisign (проверка подписи детского сада).",
               "SHA-256 — контрольная сумма файла: по ней можно проверить, что файл не изменился в пути."],
    },
}
_INDEX_REFUSALS = {
    "no_consent": {"kk": "ата-ананың картаны осы мектепке беруге келісімі жоқ",
                   "ru": "нет согласия родителя на передачу карты в эту школу"},
    "no_iin": {"kk": "баланың ЖСН-і жазылмаған", "ru": "не указан ИИН ребенка"},
    "no_bin": {"kk": "балабақшаның БСН-і жазылмаған", "ru": "не указан БИН детского сада"},
    "no_signing_key": {"kk": "балабақшаның қол қою кілті жоқ", "ru": "у детского сада нет ключа подписи"},
    "card_invalid": {"kk": "картаны дайындау мүмкін болмады", "ru": "карту не удалось подготовить"},
}


def index_text(result: ExportResult) -> str:
    """index.txt: who is in which file, with the package ids and checksums; the refused children at the end; a few
    lines that explain the words (BIN, the key's code, age, minisign) to whoever opens the ZIP."""
    lang = result.lang
    t = {key: value[lang] for key, value in _INDEX_TERMS.items()}
    target = result.target
    lines = [t["title"], "",
             f"{t['to']}: {target.name} ({t['bin']} {target.bin})",
             f"{t['key']}: {agekeys.recipient_fingerprint(target.recipient)}",
             f"{t['created']}: {result.created_at.strftime('%Y-%m-%d %H:%M:%S')}", "",
             *t["about"], "",
             t["columns"]]
    for item in result.exported:
        lines.append(f"{item.name}\t{item.file_name}\t{item.package_id}\t{item.sha256}")
    if result.refused:
        lines += ["", t["refused"]]
        lines += [f"{item.name}\t{_INDEX_REFUSALS.get(item.refusal, {}).get(lang, item.refusal)}"
                  for item in result.refused]
    return "\n".join(lines) + "\n"


__all__ = [
    "schools", "Target", "resolve_target",
    "ChildCheck", "check_children", "GroupChoice", "export_choices", "ChildExport", "ExportResult", "export_cards",
    "index_text", "INDEX_NAME",
    "REFUSALS", "file_name_for",
]
