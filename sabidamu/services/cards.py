"""The individual development card (баланың жеке даму картасы / индивидуальная карта развития ребенка), the reading
and printing side: the card of one child, the group report, and the card as primitive data for the page and the PDF.

Access: a guardian (read only), the teacher of the child's group, the head of its organization. Every read is an
audit event with object ids only (card.view / card.pdf / group.report / group.pdf).

The group report is built from `LevelCount` only (plain counts kept beside the sealed cards). Its one exception is
the "need support" list, which needs names: it opens the card rows of that ONE group at that ONE stage (and the
names of those children) to find who has level I somewhere. That is acceptable because only the group's own teacher
or the head may ask for it, and they see the same children, levels and names on the monitoring grid anyway; it
never reaches beyond the one group the caller already sees in full.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from itertools import pairwise

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..localized import LANGS
from ..models import Child, Enrollment, Group, Organization, User
from ..models.enums import EnrollmentStatus, Role
from ..models.monitoring import CardStage, HomeObservation, LevelCount
from ..monitoring import STAGE_IDS, Framework, academic_year_label, corrective_period, derive_level, load_framework
from . import AccessDenied, NotFound, fetch
from .audit import record, record_many
from .children import open_child
from .monitoring import open_final_levels, open_levels, open_measures
from .orgs import get_group

# 'former_kindergarten': read-only after a transfer; 'specialist': read-only, when their consent covers the card.
CARD_ROLES = (Role.PARENT, Role.TEACHER, Role.HEAD, "former_kindergarten", Role.SPECIALIST)
MAX_OBSERVATIONS = 50

# The card's own wording, as on the official form and in the glossary (shared/GLOSSARY.md). It is fixed text in
# BOTH languages, not an interface translation: a PDF is made in the language asked for (--lang, the link chosen),
# whatever the language of the page that asked for it.
TERMS: dict[str, dict[str, str]] = {
    "title": {"kk": "{year} оқу жылына арналған баланың жеке даму картасы",
              "ru": "Индивидуальная карта развития ребенка на {year} учебный год"},
    "card": {"kk": "Баланың жеке даму картасы", "ru": "Индивидуальная карта развития ребенка"},
    "name": {"kk": "Баланың Т.А.Ә.", "ru": "Ф.И.О. ребенка"},
    "birth": {"kk": "Туған жылы", "ru": "Дата рождения"},
    "group": {"kk": "Топ", "ru": "Группа"},
    "age_group": {"kk": "Жас тобы", "ru": "Возрастная группа"},
    "org": {"kk": "Ұйым", "ru": "Организация"},
    "year": {"kk": "Оқу жылы", "ru": "Учебный год"},
    "competencies": {"kk": "Құзыреттіліктер", "ru": "Компетенции"},
    "measures": {"kk": "дамыту, түзету іс-шаралары", "ru": "развивающие, коррекционные мероприятия"},
    "final": {"kk": "Қорытынды (баланың даму деңгейі)", "ru": "Итог (уровень развития ребенка)"},
    "level_rule": {"kk": "III деңгей – жоғары; II – орташа; I – төмен",
                   "ru": "III уровень – высокий; II – средний; I – низкий"},
    "derived": {"kk": "Бақылау деңгейі", "ru": "Уровень по мониторингу"},
    "observed": {"kk": "{observed}/{total} дағды бақыланды", "ru": "наблюдалось навыков: {observed} из {total}"},
    "no_level": {"kk": "деңгей анықталмады", "ru": "уровень не определен"},
    # Shown beside the group's level: the level is a rounded mean and must not hide unformed skills.
    "low": {"kk": "I деңгейдегі дағдылар: {low}", "ru": "навыков на уровне I: {low}"},
    Role.TEACHER: {"kk": "Тәрбиеші", "ru": "Воспитатель"},
    Role.HEAD: {"kk": "Меңгеруші", "ru": "Заведующий"},
    "signature": {"kk": "(қолы)", "ru": "(подпись)"},
    "stage": {"kk": "Бақылау кезеңі", "ru": "Этап мониторинга"},
    "total": {"kk": "Барлығы", "ru": "Всего"},
    "children": {"kk": "Балалар саны", "ru": "Количество детей"},
    "earlier": {"kk": "Алдыңғы оқу жылдары", "ru": "Предыдущие учебные годы"},
}


def term(key: str, lang: str, **params) -> str:
    text = TERMS[key][_lang(lang)]
    return text.format(**params) if params else text


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")
    return lang


def framework() -> Framework:
    return load_framework()


# -- the card of one child -----------------------------------------------------------------------------------

@dataclass
class StageCell:
    stage: str
    level: int | None  # derived from the skills' levels (None: nothing saved or too few observed)
    observed: int
    total: int
    measures: str  # the developmental / corrective measures text of this skill group at this stage
    recorded: bool  # a card row exists for this stage
    low: int = 0  # skills at level I at this stage


@dataclass
class SkillGroupRow:
    skill_group: str
    stages: list[StageCell]
    final_level: int | None  # the teacher's conclusion at the final stage


@dataclass
class YearCard:
    academic_year: int
    group_name: str
    age_group: str
    org_id: uuid.UUID | None
    org_name_kk: str
    org_name_ru: str
    rows: list[SkillGroupRow]
    periods: dict[str, tuple[dt.date, dt.date]]  # stage -> corrective period after it
    late_stages: list[str] = field(default_factory=list)


@dataclass
class CardObservation:
    skill_group: str | None
    text: str
    created_at: dt.datetime


@dataclass
class Card:
    child_id: uuid.UUID
    name: str
    birth_date: dt.date
    role: str
    years: list[YearCard]  # current year first, then earlier years
    observations: list[CardObservation]

    @property
    def current(self) -> YearCard:
        return self.years[0]


def _card_role(db: Session, user: User, child_id: uuid.UUID) -> tuple[Child, str]:
    child = fetch(db, Child, child_id)
    role = access.child_view_role(db, user, child_id, part="card")
    if role not in CARD_ROLES:
        raise AccessDenied()
    return child, role


def _active_group(db: Session, child_id: uuid.UUID) -> Group | None:
    return db.exec(select(Group).join(Enrollment, Enrollment.group_id == Group.id)
                   .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE)
                   .order_by(Group.academic_year.desc())).first()


def _year_card(fw: Framework, keyring: Keyring, year: int, group: Group | None, org: Organization | None,
               rows: dict[str, CardStage]) -> YearCard:
    age_group = group.age_group if group is not None else fw.age_group_ids[-1]
    opened = {stage: (open_levels(keyring, row), open_measures(keyring, row)) for stage, row in rows.items()}
    final = open_final_levels(keyring, rows.get("final"))
    table = []
    for sg in fw.skill_group_ids:
        skills = fw.skills(age_group, sg)
        cells = []
        for stage in STAGE_IDS:
            levels, measures = opened.get(stage, ({}, {}))
            derived = derive_level([levels.get(s.id) for s in skills])
            cells.append(StageCell(stage=stage, level=derived.level, observed=derived.observed, total=derived.total,
                                   measures=measures.get(sg, ""), recorded=stage in rows, low=derived.low))
        table.append(SkillGroupRow(skill_group=sg, stages=cells, final_level=final.get(sg)))
    return YearCard(academic_year=year, group_name=group.name if group else "", age_group=age_group,
                    org_id=org.id if org else None, org_name_kk=org.name_kk if org else "",
                    org_name_ru=org.name_ru if org else "", rows=table,
                    periods={stage: corrective_period(year, stage) for stage in STAGE_IDS},
                    late_stages=[stage for stage in STAGE_IDS if stage in rows and rows[stage].late])


def _assemble(db: Session, keyring: Keyring, child: Child, role: str) -> Card:
    fw = framework()
    view = open_child(keyring, child, ("name", "birth_date"))
    current_group = _active_group(db, child.id)
    by_year: dict[int, dict[str, CardStage]] = {}
    for row in db.exec(select(CardStage).where(CardStage.child_id == child.id)).all():
        by_year.setdefault(row.academic_year, {})[row.stage] = row
    years = set(by_year)
    if current_group is not None:
        years.add(current_group.academic_year)
    if not years:
        from ..monitoring import academic_year_of
        years.add(academic_year_of(dt.date.today()))
    cards = []
    for year in sorted(years, reverse=True):
        rows = by_year.get(year, {})
        group = None
        if current_group is not None and current_group.academic_year == year:
            group = current_group
        elif rows:  # the group at the time of the latest entry of that year
            latest = rows[next(s for s in reversed(STAGE_IDS) if s in rows)]
            group = db.get(Group, latest.group_id)
        org = db.get(Organization, group.org_id) if group is not None else None
        cards.append(_year_card(fw, keyring, year, group, org, rows))
    # A parent's home observations are not part of what a specialist's consent covers (screenings, card,
    # conclusions), so a specialist's card carries none.
    obs_rows = [] if role == Role.SPECIALIST else db.exec(
        select(HomeObservation).where(HomeObservation.child_id == child.id)
        .order_by(HomeObservation.created_at.desc()).limit(MAX_OBSERVATIONS)).all()
    observations = [CardObservation(skill_group=r.skill_group, created_at=r.created_at,
                                    text=keyring.open(r.__tablename__, r.id, "text", r.text_ct) or "")
                    for r in obs_rows]
    return Card(child_id=child.id, name=view.name, birth_date=view.birth_date, role=role, years=cards,
                observations=observations)


def card_for(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, *, action: str = "card.view",
             detail: dict | None = None) -> Card:
    """The child's card (all years, current first) for a guardian, the group's teacher or the head, or a referred
    specialist whose consent covers the card (read-only); audited."""
    child, role = _card_role(db, user, child_id)
    card = _assemble(db, keyring, child, role)
    org_id = None if role == Role.PARENT else card.current.org_id
    if role == Role.SPECIALIST:  # the specialist reads for the organization the child was referred to
        from .referrals import referral_org
        org_id = referral_org(db, user, child_id)
    record(db, user, action, role=role, org_id=org_id,
           object_type="child", object_id=child.id, detail=detail)
    db.commit()
    return card


def card_pdf_data(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, lang: str) -> dict:
    """The card as primitive template data for the PDF; audited as card.pdf."""
    card = card_for(db, keyring, user, child_id, action="card.pdf", detail={"lang": _lang(lang)})
    return card_context(card, lang)


# -- the card as primitive data (page and PDF) ---------------------------------------------------------------

def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def level_name(value: int | None, lang: str) -> str:
    return framework().level(value).in_(lang) if value else ""


def year_context(fw: Framework, year: YearCard, lang: str) -> dict:
    stages = []
    for stage in STAGE_IDS:
        start, end = year.periods[stage]
        stages.append({"id": stage, "name": fw.stage(stage).in_(lang), "late": stage in year.late_stages,
                       "period": fw.stage(stage).corrective.in_(lang),
                       "period_dates": f"{_date(start)} – {_date(end)}"})
    rows = []
    for row in year.rows:
        cells = []
        for cell in row.stages:
            cells.append({"stage": cell.stage, "level": cell.level or 0,
                          "level_name": level_name(cell.level, lang),
                          "observed": term("observed", lang, observed=cell.observed, total=cell.total),
                          "no_level": cell.recorded and cell.level is None,
                          "low": term("low", lang, low=cell.low) if cell.recorded else "",
                          "measures": cell.measures, "recorded": cell.recorded})
        rows.append({"id": row.skill_group, "name": fw.skill_group(row.skill_group).in_(lang), "stages": cells,
                     "final_level": row.final_level or 0, "final_name": level_name(row.final_level, lang)})
    return {"academic_year": year.academic_year, "label": academic_year_label(year.academic_year),
            "title": term("title", lang, year=academic_year_label(year.academic_year)),
            "group": year.group_name, "age_group": fw.age_group(year.age_group).in_(lang),
            "org": year.org_name_kk if lang == "kk" else year.org_name_ru, "stages": stages, "rows": rows}


def card_context(card: Card, lang: str) -> dict:
    """Everything the card page and the PDF show, in `lang`, as str/int/bool/list/dict only."""
    fw = framework()
    _lang(lang)
    return {
        "lang": lang,
        "child_id": str(card.child_id),
        "name": card.name,
        "birth_date": _date(card.birth_date),
        "role": card.role,
        "terms": {key: term(key, lang) for key in TERMS if "{" not in TERMS[key]["kk"]},
        "levels": [{"value": lvl.value, "name": lvl.in_(lang)} for lvl in fw.levels],
        "years": [year_context(fw, year, lang) for year in card.years],
        "observations": [{"skill_group": fw.skill_group(o.skill_group).in_(lang) if o.skill_group else "",
                          "text": o.text, "date": _date(o.created_at.date())} for o in card.observations],
    }


# -- the group report (from LevelCount only) -----------------------------------------------------------------

@dataclass
class StageCounts:
    stage: str
    counts: dict[int, int]  # level 3 / 2 / 1 / 0 (no level yet) -> children
    total: int

    def share(self, level: int) -> float:
        """Percent of the counted children at `level` (0.0 when nobody is counted)."""
        return 100.0 * self.counts.get(level, 0) / self.total if self.total else 0.0


@dataclass
class SupportChild:
    child_id: uuid.UUID
    name: str
    skill_groups: list[str]  # the skill groups at level I


@dataclass
class GroupReport:
    group: Group
    org: Organization
    role: str
    academic_year: int
    distribution: dict[str, list[StageCounts]]  # skill group -> the stages that have counts, in order
    latest_stage: str | None
    need_support: list[SupportChild]

    def change(self, skill_group: str) -> list[dict]:
        """Percentage-point change of the shares at III / II / I from each stage to the next one."""
        stages = self.distribution.get(skill_group, [])
        out = []
        for before, after in pairwise(stages):
            out.append({"from": before.stage, "to": after.stage,
                        "delta": {lvl: round(after.share(lvl) - before.share(lvl), 1) for lvl in (3, 2, 1)}})
        return out


group_access = get_group  # the group and the caller's role in it (403/404 otherwise)


def distribution_of(db: Session, group_id: uuid.UUID, academic_year: int) -> dict[str, list[StageCounts]]:
    """{skill group: [StageCounts per stage with counts]} from LevelCount rows alone (nothing is decrypted)."""
    fw = framework()
    rows = db.exec(select(LevelCount).where(LevelCount.group_id == group_id,
                                            LevelCount.academic_year == academic_year)).all()
    cells: dict[tuple[str, str], dict[int, int]] = {}
    for row in rows:
        if row.count:
            cell = cells.setdefault((row.skill_group, row.stage), {3: 0, 2: 0, 1: 0, 0: 0})
            cell[row.level] = cell.get(row.level, 0) + row.count
    out: dict[str, list[StageCounts]] = {}
    for sg in fw.skill_group_ids:
        stages = [StageCounts(stage=s, counts=cells[(sg, s)], total=sum(cells[(sg, s)].values()))
                  for s in STAGE_IDS if (sg, s) in cells]
        if stages:
            out[sg] = stages
    return out


def _need_support(db: Session, keyring: Keyring, group: Group, stage: str) -> list[SupportChild]:
    """Children of THIS group at level I in any skill group at `stage` (see the module docstring for why)."""
    fw = framework()
    rows = db.exec(select(CardStage).where(CardStage.group_id == group.id,
                                           CardStage.academic_year == group.academic_year,
                                           CardStage.stage == stage)).all()
    hidden = access.withdrawn_children(db, group.org_id, [row.child_id for row in rows])
    out = []
    for row in rows:
        if row.child_id in hidden:  # the parent withdrew the monitoring consent
            continue
        levels = open_levels(keyring, row)
        low = [sg for sg in fw.skill_group_ids
               if derive_level([levels.get(s.id) for s in fw.skills(group.age_group, sg)]).level == 1]
        if low:
            child = db.get(Child, row.child_id)
            out.append(SupportChild(child_id=child.id, name=open_child(keyring, child, ("name", "birth_date")).name,
                                    skill_groups=low))
    return sorted(out, key=lambda c: c.name.casefold())


def group_report(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID,
                 academic_year: int | None = None) -> GroupReport:
    """Distribution of levels per skill group and stage, the change between stages, and "need support"."""
    group, role = group_access(db, user, group_id)
    year = group.academic_year if academic_year is None else academic_year
    if year != group.academic_year:  # a group belongs to one academic year: there are no other counts
        raise NotFound()
    distribution = distribution_of(db, group.id, year)
    present = {s.stage for stages in distribution.values() for s in stages}
    latest = next((s for s in reversed(STAGE_IDS) if s in present), None)
    support = _need_support(db, keyring, group, latest) if latest else []
    record(db, user, "group.report", role=role, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"academic_year": year})
    record_many(db, user, "child.list.report", object_ids=[c.child_id for c in support], role=role,
                org_id=group.org_id, object_type="child", detail={"group_id": str(group.id)})
    db.commit()
    return GroupReport(group=group, org=db.get(Organization, group.org_id), role=role, academic_year=year,
                       distribution=distribution, latest_stage=latest, need_support=support)


def report_csv(report: GroupReport, lang: str) -> bytes:
    """The distribution as CSV for Excel: UTF-8 with BOM, headers in kk or ru, one line per skill group and stage."""
    fw = framework()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([term("competencies", lang), term("stage", lang), fw.level(3).in_(lang), fw.level(2).in_(lang),
                     fw.level(1).in_(lang), term("no_level", lang), term("total", lang)])
    for sg, stages in report.distribution.items():
        for s in stages:
            writer.writerow([fw.skill_group(sg).in_(lang), fw.stage(s.stage).in_(lang), s.counts.get(3, 0),
                             s.counts.get(2, 0), s.counts.get(1, 0), s.counts.get(0, 0), s.total])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


# -- the whole group as PDF data -------------------------------------------------------------------------------

def group_for_pdf(db: Session, user: User, group_id: uuid.UUID) -> tuple[Group, str, list[uuid.UUID]]:
    """The group, the role and its children's ids (for a group PDF); audited as group.pdf."""
    group, role = group_access(db, user, group_id)
    ids = access.visible_in_group(db, group, db.exec(select(Enrollment.child_id).where(
        Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.ACTIVE)).all())
    record(db, user, "group.pdf", role=role, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"children": len(ids)})
    record_many(db, user, "child.list.pdf", object_ids=ids, role=role, org_id=group.org_id, object_type="child",
                detail={"group_id": str(group.id)})
    db.commit()
    return group, role, ids


def group_cards_data(db: Session, keyring: Keyring, user: User, child_ids: list[uuid.UUID], lang: str):
    """Yields (index, total, card context) for the given children, sorted by name; each child's access is checked
    again (the enrolment may have changed since the job started: such a child is left out, not shown)."""
    _lang(lang)
    cards = []
    for child_id in child_ids:
        child = db.get(Child, child_id)
        role = access.child_view_role(db, user, child_id, part="card") if child is not None else None
        if role not in CARD_ROLES:
            continue
        cards.append((open_child(keyring, child, ("name", "birth_date")).name, child, role))
    cards.sort(key=lambda item: item[0].casefold())
    total = len(cards)
    for index, (_name, child, role) in enumerate(cards, start=1):
        yield index, total, card_context(_assemble(db, keyring, child, role), lang)


__all__ = [
    "TERMS", "term", "Card", "YearCard", "SkillGroupRow", "StageCell", "card_for", "card_pdf_data", "card_context",
    "GroupReport", "StageCounts", "SupportChild", "group_report", "distribution_of", "report_csv", "group_for_pdf",
    "group_cards_data", "level_name",
]
