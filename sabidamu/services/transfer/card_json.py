"""card.json of a transfer package (docs/transfer-format.md, crypto/schemas/card.schema.json), built from the card
the kindergarten keeps (services.cards), the completed screenings and, only when the parent's consent allows them,
the specialists' conclusions and the home observations.

Pure assembly from already opened data: the caller (services.transfer_export) has checked access and consent and
passes exactly what may leave the kindergarten. The result is validated against the schema before it is returned.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from ...crypto.keyring import Keyring
from ...crypto.package import validate_card
from ...models import Organization, Screening
from ...models.enums import ScreeningStatus
from ...models.monitoring import CardStage
from ...monitoring import STAGE_IDS
from ..cards import Card

CARD_FORMAT_VERSION = 1
MAX_MEASURES = 2000
MAX_TEXT = 4000
MAX_SCREENINGS = 100
MAX_CONCLUSIONS = 100


class CardJsonError(ValueError):
    """The card cannot be written as card.json (e.g. no IIN): `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConclusionItem:
    kind: str
    date: dt.date
    text: str
    recommendations: str


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def stage_dates(db: Session, child_id: uuid.UUID) -> dict[tuple[int, str], dt.date]:
    """(academic year, stage) -> the date the stage's entry was last saved (what the card calls its date)."""
    rows = db.exec(select(CardStage.academic_year, CardStage.stage, CardStage.updated_at)
                   .where(CardStage.child_id == child_id)).all()
    return {(year, stage): updated.date() for year, stage, updated in rows}


def screening_summaries(db: Session, keyring: Keyring, child_id: uuid.UUID) -> list[dict]:
    """Completed screenings, oldest first: instrument, version, date, age in months, band and zone per domain."""
    rows = db.exec(select(Screening).where(Screening.child_id == child_id,
                                           Screening.status == ScreeningStatus.COMPLETED)).all()
    out = []
    for row in rows:
        text = keyring.open("screening", row.id, "result", row.result_ct)
        if not text:
            continue
        result = json.loads(text)
        age = (result.get("age") or {}).get("used_age") or {}
        out.append({
            "instrument": str(result["instrument"]["id"]),
            "version": str(result["instrument"]["version"]),
            "date": result["screening_date"],
            "age_months": int(age.get("months", 0)),
            "band": str(result["band"]),
            "domains": {d["id"]: d["zone"] for d in result.get("domains", [])},
        })
    out.sort(key=lambda s: s["date"])
    return out[-MAX_SCREENINGS:]


def build_card_json(card: Card, *, iin: str | None, org: Organization, lang: str,
                    dates: dict[tuple[int, str], dt.date], screenings: list[dict],
                    conclusions: list[ConclusionItem] | None, include_home_observations: bool,
                    exported_at: dt.datetime) -> dict:
    """The card.json document; raises CardJsonError when it would not be valid (the problems say why)."""
    problems = []
    if not iin:
        problems.append("child/iin: the child has no IIN")
    if not org.bin:
        problems.append("organization/bin: the kindergarten has no BIN")
    if problems:
        raise CardJsonError(problems)
    years = []
    for year in card.years:
        stages = {}
        for index, stage in enumerate(STAGE_IDS):
            if not any(row.stages[index].recorded for row in year.rows):
                continue
            entries = []
            for row in year.rows:
                cell = row.stages[index]
                entries.append({"skill_group": row.skill_group, "level": cell.level, "observed": cell.observed,
                                "total": cell.total, "measures": (cell.measures or "")[:MAX_MEASURES]})
            when = dates.get((year.academic_year, stage)) or exported_at.date()
            stages[stage] = {"date": when.isoformat(), "entries": entries}
        years.append({
            "academic_year": _year_label(year.academic_year),
            "age_group": year.age_group,
            "group_name": (year.group_name or "")[:200],
            "stages": stages,
            "final_levels": {row.skill_group: row.final_level for row in year.rows if row.final_level},
        })
    document: dict = {
        "card_format_version": CARD_FORMAT_VERSION,
        "language": lang,
        "exported_at": _utc(exported_at),
        "child": {"iin": iin, "full_name": card.name, "birth_date": card.birth_date.isoformat()},
        "organization": {"id": str(org.id), "name_kk": org.name_kk, "name_ru": org.name_ru, "bin": org.bin},
        "years": years,
        "screening_summaries": screenings,
    }
    if conclusions is not None:
        document["specialist_conclusions"] = [
            {"kind": c.kind, "date": c.date.isoformat(), "text": c.text[:MAX_TEXT],
             "recommendations": c.recommendations[:MAX_TEXT]} for c in conclusions[:MAX_CONCLUSIONS]]
    if include_home_observations:
        document["home_observations"] = [
            {"date": o.created_at.date().isoformat(), "skill_group": o.skill_group, "text": o.text[:MAX_MEASURES]}
            for o in card.observations]
    problems = validate_card(document)
    if problems:
        raise CardJsonError(problems)
    return document


__all__ = ["CardJsonError", "ConclusionItem", "build_card_json", "screening_summaries", "stage_dates"]
