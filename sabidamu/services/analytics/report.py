"""The analytics tables of a region (or one of its districts) for an academic year and stage, from counts alone.

Every table is protected over the whole region at once (sabidamu.analytics.suppression: organizations inside
districts inside the region), so the region page, each district page, the downloads and `flask analytics export`
publish one consistent set of numbers and no combination of them recovers a hidden cell.

Sources (plain columns, GROUP BY, nothing decrypted): LevelCount (levels per skill group, kept by the monitoring
saves), ScreeningZoneCount (kept by a completed screening), Referral (by the receiving organization, its kind or the
specialist's kind; "seen": a specialist wrote a conclusion), TransferPackage (cards a kindergarten handed to a school).
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ...analytics import areas
from ...analytics.suppression import TOTAL, protect_tree
from ...localized import Text
from ...models import LevelCount, Membership, Organization, Referral, SpecialistConclusion, TransferPackage
from ...models.analytics import ScreeningZoneCount
from ...models.enums import Role, TransferStatus
from ...monitoring import load_framework
from ...monitoring.academic_calendar import STAGE_IDS

LEVELS = (3, 2, 1, 0)
ZONES = ("refer", "other")
# A node of the area tree: ("region", code), ("district", code) or ("org", organization id).
Node = tuple[str, Any]
KINDS = ("speech_therapist", "psychologist", "defectologist", "correction_room", "pmpk", "other")
HANDED = (TransferStatus.EXPORTED, TransferStatus.DELIVERED, TransferStatus.ACCEPTED, TransferStatus.IMPORTED,
          TransferStatus.HELD)
LABELS = {
    "level0": Text("Деңгей әлі жоқ", "Уровня пока нет"),
    "refer": Text("Маманға бару ұсынылды", "Рекомендован специалист"),
    "other": Text("Басқа нәтиже", "Другой результат"),
    "total": Text("Барлығы", "Всего"),
    "speech_therapist": Text("Логопед", "Логопед"),
    "psychologist": Text("Психолог", "Психолог"),
    "defectologist": Text("Дефектолог", "Дефектолог"),
    "correction_room": Text("ППТК", "КППК"),
    "pmpk": Text("ПМПК", "ПМПК"),
    "cards": Text("Мектепке берілген карталар", "Карты, переданные в школу"),
    "no_district": Text("Аудан көрсетілмеген", "Район не указан"),
}
LABELS["other_kind"] = Text("Басқа маман", "Другой специалист")


@dataclass
class Row:
    key: tuple
    kind: str  # org | district | region
    label: str
    values: list[int | None]


@dataclass
class Table:
    section: str  # levels | screening | referrals | seen | cards
    key: str      # the skill group or domain id, or the section again
    title: str
    column_ids: list[str]
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Report:
    region: str
    district: str | None
    year: int
    stage: str
    lang: str
    area_name: str
    tables: list[Table]
    districts: list[tuple[str, str]]  # (code, name) of the region's districts, for the drill-down

    def section(self, name: str) -> list[Table]:
        return [t for t in self.tables if t.section == name]


def _orgs(db: Session, region: str) -> list[Organization]:
    return list(db.exec(select(Organization).where(col(Organization.region).in_(areas.region_values(region)))
                        .order_by(Organization.name_kk)).all())


def _hierarchy(region: str, orgs: list[Organization]) -> dict[Node, Node | None]:
    parents: dict[Node, Node | None] = {("region", region): None}
    for org in orgs:
        parents.setdefault(("district", org.district or "-"), ("region", region))
    for org in orgs:
        parents[("org", org.id)] = ("district", org.district or "-")
    return parents


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 9, 1, tzinfo=dt.UTC)
    return start, dt.datetime(year + 1, 9, 1, tzinfo=dt.UTC)


def _level_counts(db: Session, ids: list[uuid.UUID], year: int, stage: str) -> dict[str, dict]:
    rows = db.exec(select(LevelCount.org_id, LevelCount.skill_group, LevelCount.level, func.sum(LevelCount.count))
                   .where(col(LevelCount.org_id).in_(ids), LevelCount.academic_year == year, LevelCount.stage == stage)
                   .group_by(col(LevelCount.org_id), col(LevelCount.skill_group), col(LevelCount.level))).all()
    out: dict[str, dict] = {}
    for org_id, sg, level, n in rows:
        out.setdefault(sg, {}).setdefault(("org", org_id), {})[level] = int(n or 0)
    return out


def _zone_counts(db: Session, ids: list[uuid.UUID], year: int) -> dict[str, dict]:
    rows = db.exec(select(ScreeningZoneCount.org_id, ScreeningZoneCount.domain, ScreeningZoneCount.zone,
                          func.sum(ScreeningZoneCount.count))
                   .where(col(ScreeningZoneCount.org_id).in_(ids), ScreeningZoneCount.academic_year == year)
                   .group_by(col(ScreeningZoneCount.org_id), col(ScreeningZoneCount.domain),
                             col(ScreeningZoneCount.zone))).all()
    out: dict[str, dict] = {}
    for org_id, domain, zone, n in rows:
        cell = out.setdefault(domain, {}).setdefault(("org", org_id), {"refer": 0, "other": 0})
        cell["refer" if zone == "refer" else "other"] += int(n or 0)
    return out


def _referral_counts(db: Session, ids: list[uuid.UUID], year: int, kinds: dict[uuid.UUID, str],
                     seen: bool) -> dict:
    start, end = _year_bounds(year)
    query = (select(Referral.to_org_id, Membership.specialist_kind, func.count(func.distinct(Referral.id)))
             .outerjoin(Membership, (col(Membership.user_id) == col(Referral.to_user_id))
                        & (col(Membership.org_id) == col(Referral.to_org_id))
                        & (col(Membership.role) == Role.SPECIALIST))
             .where(col(Referral.to_org_id).in_(ids), Referral.created_at >= start, Referral.created_at < end))
    if seen:
        query = query.join(SpecialistConclusion, col(SpecialistConclusion.referral_id) == col(Referral.id))
    out: dict = {}
    query = query.group_by(col(Referral.to_org_id), col(Membership.specialist_kind))
    for org_id, specialist_kind, n in db.exec(query).all():
        kind = specialist_kind or kinds.get(org_id, "other")
        kind = kind if kind in KINDS else "other"
        cell = out.setdefault(("org", org_id), {})
        cell[kind] = cell.get(kind, 0) + int(n)
    return out


def _card_counts(db: Session, ids: list[uuid.UUID], year: int) -> dict:
    start, end = _year_bounds(year)
    rows = db.exec(select(TransferPackage.sender_org_id, func.count())
                   .where(col(TransferPackage.sender_org_id).in_(ids), col(TransferPackage.status).in_(HANDED),
                          TransferPackage.created_at >= start, TransferPackage.created_at < end)
                   .group_by(col(TransferPackage.sender_org_id))).all()
    return {("org", org_id): {"cards": int(n)} for org_id, n in rows}


def _table(section: str, key: str, title: str, column_ids: list, labels: list[str], leaves: dict,
           parents: dict, shown: list[Node], names: dict, with_total: bool = True, total_label: str = "") -> Table:
    published = protect_tree(leaves, parents, column_ids, with_total=with_total)
    cols = [str(c) for c in column_ids] + (["total"] if with_total else [])
    table = Table(section, key, title, cols, labels + ([total_label] if with_total else []))
    for row in shown:
        values = [published.values[row][c] for c in column_ids] + ([published.values[row][TOTAL]] if with_total
                                                                    else [])
        table.rows.append(Row(row, row[0], names[row], values))
    return table


def build(db: Session, region: str, district: str | None, year: int, stage: str, lang: str,
          domain_titles: dict[str, Text] | None = None) -> Report:
    """The protected tables for a region (district None: one row per district and the region's total) or one of its
    districts (one row per organization and the district's total)."""
    if stage not in STAGE_IDS:
        raise ValueError(f"unknown stage {stage!r}")
    fw = load_framework()
    orgs = _orgs(db, region)
    ids = [o.id for o in orgs]
    parents = _hierarchy(region, orgs)
    names: dict[Node, str] = {("region", region): areas.region_name(region, lang)}
    for key in parents:
        if key[0] == "district":
            names[key] = areas.district_name(key[1], lang) if key[1] != "-" else LABELS["no_district"].in_(lang)
    kinds = {o.id: o.kind for o in orgs}
    for org in orgs:
        names[("org", org.id)] = org.name_kk if lang == "kk" else org.name_ru
    districts = sorted((k[1] for k in parents if k[0] == "district"), key=lambda c: names[("district", c)])
    if district is None:
        shown_all = [("district", d) for d in districts] + [("region", region)]
    else:
        shown_all = [("org", o.id) for o in orgs if (o.district or "-") == district] + [("district", district)]

    def shown(org_kinds: tuple[str, ...]) -> list[Node]:
        return [r for r in shown_all if r[0] != "org" or kinds[r[1]] in org_kinds]

    label = LABELS
    total = label["total"].in_(lang)
    level_labels = [fw.level(v).in_(lang) if v else label["level0"].in_(lang) for v in LEVELS]
    tables: list[Table] = []
    levels = _level_counts(db, ids, year, stage)
    for sg in fw.skill_group_ids:
        tables.append(_table("levels", sg, fw.skill_group(sg).in_(lang), list(LEVELS), level_labels,
                             levels.get(sg, {}), parents, shown(("kindergarten",)), names, total_label=total))
    zones = _zone_counts(db, ids, year)
    for domain in sorted(zones):
        title = (domain_titles or {}).get(domain)
        tables.append(_table("screening", domain, title.in_(lang) if title else domain, list(ZONES),
                             [label[z].in_(lang) for z in ZONES], zones[domain], parents, shown(("kindergarten",)),
                             names, total_label=total))
    kind_labels = [label["other_kind" if k == "other" else k].in_(lang) for k in KINDS]
    receiving = ("kindergarten", "correction_room", "pmpk")
    for section, seen in (("referrals", False), ("seen", True)):
        tables.append(_table(section, section, "", list(KINDS), kind_labels,
                             _referral_counts(db, ids, year, kinds, seen), parents, shown(receiving), names,
                             total_label=total))
    tables.append(_table("cards", "cards", label["cards"].in_(lang), ["cards"], [label["cards"].in_(lang)],
                         _card_counts(db, ids, year), parents, shown(("kindergarten",)), names, with_total=False))
    area = areas.district_name(district, lang) if district else areas.region_name(region, lang)
    return Report(region, district, year, stage, lang, area, tables,
                  [(d, names[("district", d)]) for d in districts])
