"""Scoring one screening: answers -> domain scores and zones -> overall zone, specialists, rescreen.

The rules (and why) are in docs/screening.md.  Scoring is called on every result page, so the work is
a single pass over the band's items with look-ups precomputed on the Band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .age import AgeInfo, add_months_clamped, age_at, date_at_age, due_date_of
from .errors import ScreeningInputError
from .model import Band, ConcernCountScoring, Instrument, Item

INCOMPLETE = "incomplete"
MAX_MISSING_PER_DOMAIN = 1
DAYS_PER_MONTH = 30.4375
# An item counts from DUE_MARGIN months before its 75 % age (strict instruments), so a skill due in
# the coming days still counts.
DUE_MARGIN = 1.5
FOLLOW_UP_ANSWERS = ("yes", "no")
# Worst first.  An incomplete domain ranks above 'monitor' because its real zone is unknown and may
# be worse; a 'refer' found elsewhere is known and wins.
_SEVERITY = {"refer": 3, INCOMPLETE: 2, "monitor": 1, "on_track": 0}

MONITOR_RESCREEN_MONTHS_UNDER_24 = 1
MONITOR_RESCREEN_MONTHS_FROM_24 = 2
ON_TRACK_LAST_BAND_MONTHS = 6
MIN_RESCREEN_MONTHS = 1
AFTER_SPECIALIST_MONTHS = 1


@dataclass(frozen=True, slots=True)
class DomainResult:
    id: str
    score: float | None  # None when incomplete; concern_count: number of concerns
    max: int
    zone: str  # 'on_track' | 'monitor' | 'refer' | 'incomplete'
    answered: int
    item_count: int
    missing: tuple[str, ...]
    warning_signs: tuple[str, ...]  # warning-sign items answered 'not_yet'
    concerns: tuple[str, ...]  # concern_count only: items counted as a concern
    specialist: str  # the domain's own specialist
    specialists: tuple[str, ...] = ()  # whom to see when the zone is 'refer' (per-item routing)
    warning_doubts: tuple[str, ...] = ()  # strict: warning-sign items answered 'sometimes'

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "score": self.score,
            "max": self.max,
            "zone": self.zone,
            "answered": self.answered,
            "item_count": self.item_count,
            "missing": list(self.missing),
            "warning_signs": list(self.warning_signs),
            "concerns": list(self.concerns),
            "specialist": self.specialist,
            "specialists": list(self.specialists),
            "warning_doubts": list(self.warning_doubts),
        }


@dataclass(frozen=True, slots=True)
class Rescreen:
    date: date | None
    rule: str  # see _rescreen(); documented in docs/screening.md

    def to_dict(self) -> dict[str, object]:
        return {"date": self.date.isoformat() if self.date else None, "rule": self.rule}


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    instrument_id: str
    instrument_version: int
    method: str  # 'points' | 'concern_count'
    birth_date: date
    screening_date: date
    age: AgeInfo
    band_id: str
    domains: tuple[DomainResult, ...]
    zone: str
    specialists: tuple[str, ...]
    rescreen: Rescreen
    several_areas: bool = False  # v2: 'refer' because several areas are behind at once

    def domain(self, domain_id: str) -> DomainResult:
        for result in self.domains:
            if result.id == domain_id:
                return result
        raise KeyError(domain_id)

    def to_dict(self) -> dict[str, object]:
        return {
            "instrument": {"id": self.instrument_id, "version": self.instrument_version},
            "method": self.method,
            "birth_date": self.birth_date.isoformat(),
            "screening_date": self.screening_date.isoformat(),
            "age": self.age.to_dict(),
            "band": self.band_id,
            "domains": [d.to_dict() for d in self.domains],
            "zone": self.zone,
            "specialists": list(self.specialists),
            "rescreen": self.rescreen.to_dict(),
            "several_areas": self.several_areas,
        }


def _check_answers(instrument: Instrument, band: Band, answers: Mapping[str, str]) -> None:
    for item_id, answer in answers.items():
        if item_id not in band.items_by_id:
            if item_id in instrument.band_of_item:
                raise ScreeningInputError(
                    "item_not_in_band",
                    f"item {item_id!r} belongs to band {instrument.band_of_item[item_id].id!r}, "
                    f"not to band {band.id!r}",
                )
            raise ScreeningInputError(
                "unknown_item", f"unknown item {item_id!r} in instrument {instrument.id!r}"
            )
        allowed = band.items_by_id[item_id].answers
        if answer is not None and answer not in allowed:
            raise ScreeningInputError(
                "bad_answer",
                f"answer {answer!r} for item {item_id!r} must be one of {', '.join(allowed)}",
            )


def _check_follow_ups(instrument: Instrument, band: Band, follow_ups: Mapping[str, str]) -> None:
    for follow_up_id, answer in follow_ups.items():
        owner = instrument.follow_ups.get(follow_up_id)
        if owner is None:
            raise ScreeningInputError(
                "unknown_follow_up", f"unknown follow-up question {follow_up_id!r}"
            )
        if owner[0].id not in band.items_by_id:
            raise ScreeningInputError(
                "item_not_in_band",
                f"follow-up {follow_up_id!r} belongs to item {owner[0].id!r}, not in band {band.id!r}",
            )
        if answer not in FOLLOW_UP_ANSWERS:
            raise ScreeningInputError(
                "bad_follow_up_answer",
                f"follow-up answer {answer!r} for {follow_up_id!r} must be 'yes' or 'no'",
            )


def _zone_from_fraction(score: float, maximum: float, monitor_below: float, refer_below: float) -> str:
    # score / maximum is one correctly rounded division, so a score exactly at a threshold compares
    # equal to the threshold literal (e.g. 18/30 == 0.6) and lands in the better zone.
    fraction = score / maximum
    if fraction < refer_below:
        return "refer"
    if fraction < monitor_below:
        return "monitor"
    return "on_track"


def _zone_from_count(count: int, scoring: ConcernCountScoring) -> str:
    if count >= scoring.refer_at:
        return "refer"
    if count >= scoring.monitor_at:
        return "monitor"
    return "on_track"


def months_of(age_info: AgeInfo) -> float:
    used = age_info.used_age
    return used.months + used.days / DAYS_PER_MONTH


def score_domains(
    instrument: Instrument, band: Band, answers: Mapping[str, str],
    follow_ups: Mapping[str, str] | None = None, age_months: float | None = None,
) -> tuple[DomainResult, ...]:
    """Domain results of already checked answers.

    ``age_months`` (strict instruments only): an item whose age75 is after the child's age is asked
    but not yet due, so it does not count in the domain score; the child is measured against the
    skills due by the day of the screening (docs/screening.md, "Due items")."""
    follow_ups = follow_ups or {}
    concern_scoring = instrument.scoring if isinstance(instrument.scoring, ConcernCountScoring) else None
    strict = instrument.scoring.warning_signs == "strict"
    scale = instrument.answer_scale
    points = {"yes": scale.yes, "sometimes": scale.sometimes, "not_yet": scale.not_yet}
    top = scale.top

    results: list[DomainResult] = []
    for domain in instrument.domains:
        items = band.items_by_domain.get(domain.id)
        if not items:
            continue
        total = 0
        answered = 0
        missing: list[str] = []
        warnings: list[str] = []
        doubts: list[str] = []
        concerns: list[str] = []
        routes: list[str] = []
        warning_missing = False
        due_items = items
        if strict and age_months is not None:
            due_items = tuple(i for i in items if i.age75 is None or i.age75 <= age_months + DUE_MARGIN)
        for item in due_items:
            answer = item.effective(answers.get(item.id))
            if answer is None:
                missing.append(item.id)
                if strict and item.warning_sign:
                    warning_missing = True
                continue
            answered += 1
            total += points[answer]
            if item.warning_sign and answer == "not_yet":
                warnings.append(item.id)
            elif strict and item.warning_sign and answer == "sometimes":
                doubts.append(item.id)
            if answer == "not_yet":
                for code in item.specialists or (domain.specialist,):
                    if code not in routes:
                        routes.append(code)
            if concern_scoring is not None and _is_concern(item, answer, follow_ups):
                concerns.append(item.id)
        n_items = len(due_items)
        complete = len(missing) <= MAX_MISSING_PER_DOMAIN and answered > 0 and not warning_missing
        if concern_scoring is not None:
            maximum = n_items
            domain_score: float | None = len(concerns) if complete else None
            zone = _zone_from_count(len(concerns), concern_scoring) if complete else INCOMPLETE
        else:
            maximum = n_items * top
            if complete:
                thresholds = band.thresholds.get(domain.id) or \
                    instrument.scoring.for_domain(domain.id)  # type: ignore[union-attr]
                # One missing answer: scale to the full item count, i.e. assume the missing item
                # scores like the average of the answered ones.
                domain_score = round(total * n_items / answered, 1)
                zone = _zone_from_fraction(
                    total, answered * top, thresholds.monitor_below, thresholds.refer_below
                )
            else:
                domain_score, zone = None, INCOMPLETE
        if warnings:
            # A missing warning-sign skill is a reason to see a specialist on its own, even when
            # other answers of the domain are missing.
            zone = "refer"
        elif doubts and zone == "on_track":
            zone = "monitor"  # strict: 'sometimes' on a warning sign is never on track
        if zone == "refer":
            if warnings:  # the warning signs' own routing comes first
                first = [c for i in warnings for c in (band.items_by_id[i].specialists or (domain.specialist,))]
                routes = list(dict.fromkeys(first + routes))
            specialists = tuple(routes) or (domain.specialist,)
        else:
            specialists = ()
        results.append(
            DomainResult(
                id=domain.id, score=domain_score, max=maximum, zone=zone, answered=answered,
                item_count=n_items, missing=tuple(missing), warning_signs=tuple(warnings),
                concerns=tuple(concerns), specialist=domain.specialist, specialists=specialists,
                warning_doubts=tuple(doubts),
            )
        )
    return tuple(results)


def overall_zone(results: tuple[DomainResult, ...]) -> str:
    return max((r.zone for r in results), key=_SEVERITY.__getitem__, default=INCOMPLETE)


# Whom the several-areas rule sends to: the pediatrician first, and the defectologist, who assesses
# development as a whole.
SEVERAL_AREAS_SPECIALISTS = ("pediatrician", "defectologist")


def several_areas(instrument: Instrument, band: Band, results: tuple[DomainResult, ...]) -> bool:
    """The several-areas rule (``scoring.several_areas``, v2): at least that many skill domains are
    'monitor' or 'refer' at once, a pattern that calls for a specialist even when no single area
    does (docs/screening.md)."""
    needed: int | None = getattr(instrument.scoring, "several_areas", None)
    if not needed:
        return False
    skill_domains = {i.domain for i in band.items if i.kind == "skill"}
    flagged = sum(1 for r in results if r.id in skill_domains and r.zone in ("monitor", "refer"))
    return flagged >= needed


def overall(instrument: Instrument, band: Band, results: tuple[DomainResult, ...]) -> tuple[str, bool]:
    """(overall zone, several-areas rule applied)."""
    zone = overall_zone(results)
    if zone != INCOMPLETE and several_areas(instrument, band, results):
        return "refer", True
    return zone, False


def score(
    instrument: Instrument,
    band: Band,
    answers: Mapping[str, str],
    age_info: AgeInfo,
    follow_ups: Mapping[str, str] | None = None,
) -> ScreeningResult:
    """Score the answers of one band.  Raises ScreeningInputError (with ``code``) on bad input.

    ``answers`` maps item id -> 'yes' | 'sometimes' | 'not_yet' (| 'no_chance' on items marked
    ``opportunity``); an absent item (or None) is missing.
    ``follow_ups`` maps follow-up id -> 'yes' | 'no' (concern_count instruments only).
    """
    _check_answers(instrument, band, answers)
    follow_ups = follow_ups or {}
    if follow_ups:
        _check_follow_ups(instrument, band, follow_ups)
    results = score_domains(instrument, band, answers, follow_ups, months_of(age_info))
    zone, several = overall(instrument, band, results)
    specialists: list[str] = []
    for result in results:
        for code in result.specialists:
            if code not in specialists:
                specialists.append(code)
    if several:
        specialists += [c for c in SEVERAL_AREAS_SPECIALISTS if c not in specialists]
    return ScreeningResult(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        method=instrument.scoring.method,
        birth_date=age_info.birth_date,
        screening_date=age_info.on_date,
        age=age_info,
        band_id=band.id,
        domains=results,
        zone=zone,
        specialists=tuple(specialists),
        rescreen=_rescreen(instrument, band, age_info, zone),
        several_areas=several,
    )


def _is_concern(item: Item, answer: str, follow_ups: Mapping[str, str]) -> bool:
    if answer == "not_yet":
        return True
    if answer != "sometimes":
        return False
    given = [(f, follow_ups[f.id]) for f in item.follow_up if f.id in follow_ups]
    if not given:  # not asked or not answered: the 'sometimes' stands as a concern
        return True
    return any(value == f.concern_if for f, value in given)


def rescreen_after_specialist(visit_date: date) -> date:
    """After a 'refer' result: screen again one month after the specialist visit."""
    return add_months_clamped(visit_date, AFTER_SPECIALIST_MONTHS)


def _rescreen(instrument: Instrument, band: Band, age: AgeInfo, zone: str) -> Rescreen:
    on = age.on_date
    if zone == "refer":
        return Rescreen(None, "after_specialist_visit")  # + 1 month: rescreen_after_specialist()
    if zone == INCOMPLETE:
        return Rescreen(None, "complete_answers")
    if zone == "monitor":
        months = (
            MONITOR_RESCREEN_MONTHS_UNDER_24 if age.used_age.months < 24
            else MONITOR_RESCREEN_MONTHS_FROM_24
        )
        return Rescreen(add_months_clamped(on, months), f"monitor_plus_{months}_month" + ("s" if months > 1 else ""))
    earliest = add_months_clamped(on, MIN_RESCREEN_MONTHS)
    entry = _next_band_entry(instrument, band, age)
    if entry is not None:
        return Rescreen(max(entry, earliest), "next_band_start")
    # Last band: once more within this band, six months on or on the band's last day if sooner, as
    # long as that is at least a month away; otherwise this instrument has nothing more to offer.
    last_day = date_at_age(age.due_date, band.max_age) - timedelta(days=1)
    candidate = min(add_months_clamped(on, ON_TRACK_LAST_BAND_MONTHS), last_day)
    if candidate >= earliest:
        at_candidate = age_at(age.birth_date, candidate, age.gestational_weeks)
        reached = instrument.band_for(at_candidate)
        if reached is not None and reached.id == band.id:
            return Rescreen(candidate, "within_last_band")
    return Rescreen(None, "after_last_band")


def _next_band_entry(instrument: Instrument, band: Band, age: AgeInfo) -> date | None:
    """First date after the screening on which the child's used age falls in a later band.

    Candidates are each later band's start by chronological and by corrected age (the age used
    switches from corrected to chronological at 24 months), checked with the real age rule.
    """
    later = instrument.bands_after(band)
    if not later:
        return None
    starts = {date_at_age(age.birth_date, b.min_age) for b in later}
    if age.gestational_weeks is not None and age.corrected is not None:
        due = due_date_of(age.birth_date, age.gestational_weeks)
        starts |= {date_at_age(due, b.min_age) for b in later}
    later_ids = {b.id for b in later}
    for candidate in sorted(d for d in starts if d > age.on_date):
        reached = instrument.band_for(age_at(age.birth_date, candidate, age.gestational_weeks))
        if reached is not None and reached.id in later_ids:
            return candidate
    return None
