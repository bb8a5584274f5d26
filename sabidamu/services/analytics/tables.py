"""Working out the protected analytics tables of one part of a region's academic year, from counts alone.

A part is a monitoring stage (the levels per skill group of that stage) or "year" (screening zones, referrals,
referrals seen, cards handed to schools: they do not depend on the stage). Every table is protected over the whole
region at once (sabidamu.analytics.suppression: organizations inside districts inside the region), so the region
page, each district page, the downloads and `flask analytics export` publish one consistent set of numbers and no
combination of them recovers a hidden cell.

The result is plain JSON (`compute_part`): the area tree as it was and the published counts of every node, hidden
cells null. services/analytics/snapshots.py stores it; report.py turns it into the tables a person reads.

Sources (plain columns, GROUP BY, nothing decrypted): LevelCount (levels per skill group, kept by the monitoring
saves), ScreeningZoneCount (kept by a completed screening), Referral (by the receiving organization, its kind or the
specialist's kind; "seen": a specialist wrote a conclusion), TransferPackage (cards a kindergarten handed to a
school, one per package: a card sent to a school of this installation has an export row and an inbox row).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from ...analytics import areas
from ...analytics.suppression import TOTAL, protect_tree
from ...models import LevelCount, Membership, Organization, Referral, SpecialistConclusion, TransferPackage
from ...models.analytics import ScreeningZoneCount
from ...models.enums import Role, TransferStatus
from ...monitoring import load_framework
from ...monitoring.academic_calendar import STAGE_IDS, academic_year_of

YEAR_PART = "year"
PARTS = (*STAGE_IDS, YEAR_PART)
LEVELS = (3, 2, 1, 0)
ZONES = ("refer", "other")
KINDS = ("speech_therapist", "psychologist", "defectologist", "correction_room", "pmpk", "other")
HANDED = (TransferStatus.EXPORTED, TransferStatus.DELIVERED, TransferStatus.ACCEPTED, TransferStatus.IMPORTED,
          TransferStatus.HELD)
# Which organizations have rows in a section's tables (the others still count in the tree, with zeros).
SHOWN_KINDS = {"levels": ("kindergarten",), "screening": ("kindergarten",), "cards": ("kindergarten",),
               "referrals": ("kindergarten", "correction_room", "pmpk"),
               "seen": ("kindergarten", "correction_room", "pmpk")}
# A node of the area tree: ("region", code), ("district", code) or ("org", organization id).
Node = tuple[str, Any]


def node_key(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def academic_year_at(moment: dt.datetime | dt.date) -> int:
    """The academic year a referral or a handed card of this moment counts in (the bounds of _year_bounds)."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC).date()
    return academic_year_of(moment)


def region_orgs(db: Session, region: str) -> list[Organization]:
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


def card_counts(db: Session, ids: list[uuid.UUID], year: int) -> dict:
    """Cards each kindergarten handed to a school in the year: one per package, however many rows it has here (a
    school of this installation receives the same package as an inbox row beside the kindergarten's export row)."""
    start, end = _year_bounds(year)
    rows = db.exec(select(TransferPackage.sender_org_id, func.count(func.distinct(TransferPackage.package_id)))
                   .where(col(TransferPackage.sender_org_id).in_(ids), col(TransferPackage.status).in_(HANDED),
                          TransferPackage.created_at >= start, TransferPackage.created_at < end)
                   .group_by(col(TransferPackage.sender_org_id))).all()
    return {("org", org_id): {"cards": int(n)} for org_id, n in rows}


def _table(section: str, key: str, column_ids: list, leaves: dict, parents: dict, kinds: dict,
           with_total: bool = True) -> dict:
    """One protected table as JSON: the published counts (hidden: null) of the region, every district and every
    organization of the section's kinds, the row total last."""
    published = protect_tree(leaves, parents, column_ids, with_total=with_total)
    columns = list(column_ids) + ([TOTAL] if with_total else [])
    shown = SHOWN_KINDS[section]
    nodes = cast(dict[Node, dict], published.values)  # protect_tree keeps the nodes it is given
    values = {node_key(node): [row[c] for c in columns] for node, row in nodes.items()
              if node[0] != "org" or kinds.get(node[1]) in shown}
    return {"section": section, "key": key, "column_ids": [str(c) for c in column_ids], "with_total": with_total,
            "values": values}


def compute_part(db: Session, region: str, year: int, part: str) -> dict:
    """The protected tables of one part (a stage or "year") of a region's academic year, as JSON."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    orgs = region_orgs(db, region)
    ids = [o.id for o in orgs]
    parents = _hierarchy(region, orgs)
    kinds = {o.id: o.kind for o in orgs}
    tables: list[dict] = []
    if part != YEAR_PART:
        levels = _level_counts(db, ids, year, part)
        for sg in load_framework().skill_group_ids:
            tables.append(_table("levels", sg, list(LEVELS), levels.get(sg, {}), parents, kinds))
    else:
        zones = _zone_counts(db, ids, year)
        for domain in sorted(zones):
            tables.append(_table("screening", domain, list(ZONES), zones[domain], parents, kinds))
        for section, seen in (("referrals", False), ("seen", True)):
            tables.append(_table(section, section, list(KINDS), _referral_counts(db, ids, year, kinds, seen),
                                 parents, kinds))
        tables.append(_table("cards", "cards", ["cards"], card_counts(db, ids, year), parents, kinds,
                             with_total=False))
    districts = sorted({str(node[1]) for node in parents if node[0] == "district"})
    orgs_by_district = {d: [str(o.id) for o in orgs if (o.district or "-") == d] for d in districts}
    return {"region": region, "year": year, "part": part, "districts": orgs_by_district, "tables": tables}
