"""The analytics report a person reads (a region, or one of its districts, for an academic year and stage), put
together from the protected parts of services/analytics/tables.py: the stage's levels and the year's screening,
referrals and cards. `from_parts` takes the parts as stored (snapshots.py); `build` works them out afresh.

Only names are added here (the region's and districts' from sabidamu.analytics.areas, the organizations' from their
rows); every number comes from the part as it was protected.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ...analytics import areas
from ...localized import Text
from ...models import Organization
from ...monitoring import load_framework
from ...monitoring.academic_calendar import STAGE_IDS
from .tables import KINDS, LEVELS, YEAR_PART, ZONES, compute_part

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
    counts_as_of: dt.datetime | None = None  # when the oldest of the report's parts was worked out

    def section(self, name: str) -> list[Table]:
        return [t for t in self.tables if t.section == name]


def _column_labels(section: str, lang: str) -> list[str]:
    if section == "levels":
        fw = load_framework()
        return [fw.level(v).in_(lang) if v else LABELS["level0"].in_(lang) for v in LEVELS]
    if section == "screening":
        return [LABELS[z].in_(lang) for z in ZONES]
    if section in ("referrals", "seen"):
        return [LABELS["other_kind" if k == "other" else k].in_(lang) for k in KINDS]
    return [LABELS["cards"].in_(lang)]


def _title(section: str, key: str, lang: str, domain_titles: dict[str, Text] | None) -> str:
    if section == "levels":
        return load_framework().skill_group(key).in_(lang)
    if section == "screening":
        title = (domain_titles or {}).get(key)
        return title.in_(lang) if title else key
    return LABELS["cards"].in_(lang) if section == "cards" else ""


def _org_names(db: Session, ids: list[str], lang: str) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.exec(select(Organization.id, Organization.name_kk, Organization.name_ru)
                   .where(col(Organization.id).in_([uuid.UUID(i) for i in ids]))).all()
    return {str(i): (kk if lang == "kk" else ru) for i, kk, ru in rows}


def _district_name(code: str, lang: str) -> str:
    return areas.district_name(code, lang) if code != "-" else LABELS["no_district"].in_(lang)


def from_parts(db: Session, region: str, district: str | None, year: int, stage: str, lang: str,
               parts: list[dict], domain_titles: dict[str, Text] | None = None,
               counts_as_of: dt.datetime | None = None) -> Report:
    """The report of a region (district None: one row per district and the region's total) or one of its districts
    (one row per organization and the district's total) from protected parts (tables.compute_part's JSON)."""
    district_codes = sorted({d for part in parts for d in part["districts"]}, key=lambda c: _district_name(c, lang))
    if district is None:
        shown = [f"district:{d}" for d in district_codes] + [f"region:{region}"]
    else:
        org_ids = list(dict.fromkeys(o for part in parts for o in part["districts"].get(district, [])))
        shown = [f"org:{o}" for o in org_ids] + [f"district:{district}"]
    names = {f"district:{d}": _district_name(d, lang) for d in district_codes}
    names[f"region:{region}"] = areas.region_name(region, lang)
    org_names = _org_names(db, [k[4:] for k in shown if k.startswith("org:")], lang)
    names.update({f"org:{i}": n for i, n in org_names.items()})
    tables: list[Table] = []
    for part in parts:
        for stored in part["tables"]:
            section, key = stored["section"], stored["key"]
            labels = _column_labels(section, lang)
            with_total = stored["with_total"]
            table = Table(section, key, _title(section, key, lang, domain_titles),
                          stored["column_ids"] + (["total"] if with_total else []),
                          labels + ([LABELS["total"].in_(lang)] if with_total else []))
            for node in shown:
                kind, _, ident = node.partition(":")
                values = stored["values"].get(node)
                if values is None and kind != "org":  # a district with no organization yet: nobody to count
                    values = [0] * len(table.column_ids)
                if values is None:  # an organization of another kind, or one added after the part was stored
                    continue
                key_value: object = uuid.UUID(ident) if kind == "org" else ident
                table.rows.append(Row((kind, key_value), kind, names.get(node, ident), list(values)))
            tables.append(table)
    area = _district_name(district, lang) if district else areas.region_name(region, lang)
    return Report(region, district, year, stage, lang, area, tables,
                  [(d, names[f"district:{d}"]) for d in district_codes], counts_as_of)


def parts_for(stage: str) -> tuple[str, str]:
    if stage not in STAGE_IDS:
        raise ValueError(f"unknown stage {stage!r}")
    return stage, YEAR_PART


def build(db: Session, region: str, district: str | None, year: int, stage: str, lang: str,
          domain_titles: dict[str, Text] | None = None) -> Report:
    """The report worked out afresh from the counts (nothing stored is read or written): the reference the stored
    tables are tested against, and the benchmark's floor."""
    parts = [compute_part(db, region, year, part) for part in parts_for(stage)]
    return from_parts(db, region, district, year, stage, lang, parts, domain_titles)
