"""A child's age in calendar months and days, with correction for prematurity.

Month rule (exact, documented in docs/screening.md): a month of age is completed on the day of the
month that carries the birth day.  When a month has no such day (birth on the 29th-31st), that month
is completed on the 1st of the following month.  So a child born 2024-01-31 is 0 m 29 d on
2024-02-29, 1 m 0 d on 2024-03-01 and 2 m 0 d on 2024-03-31.  Days are what is left after the last
completed month (0-30).

Correction (AAP; CDC/AAP 2022): for a child born before 37 completed weeks, corrected age =
chronological age - (40 - gestational weeks) weeks, i.e. the age counted from the due date.  It is
used only while the chronological age is under 24 months.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import ScreeningInputError

TERM_WEEKS = 40
PRETERM_BELOW_WEEKS = 37
CORRECTION_UNTIL_MONTHS = 24
MIN_GESTATIONAL_WEEKS = 22
MAX_GESTATIONAL_WEEKS = 44


@dataclass(frozen=True, slots=True, order=True)
class AgeSpan:
    """Months and days.  Ordered as (months, days), which is the calendar order for one start date.

    A corrected age before the due date is negative: months 0 and days < 0.
    """

    months: int
    days: int

    def to_dict(self) -> dict[str, int]:
        return {"months": self.months, "days": self.days}


@dataclass(frozen=True, slots=True)
class AgeInfo:
    birth_date: date
    on_date: date
    gestational_weeks: int | None
    chronological: AgeSpan
    corrected: AgeSpan | None  # None for a child born at term
    used: str  # 'chronological' | 'corrected'
    reason: str  # 'term' | 'preterm_corrected' | 'preterm_over_24_months'

    @property
    def used_age(self) -> AgeSpan:
        if self.used == "corrected" and self.corrected is not None:
            return self.corrected
        return self.chronological

    @property
    def due_date(self) -> date:
        """The date the used age counts from (birth, or the due date when corrected)."""
        if self.used == "corrected" and self.gestational_weeks is not None:
            return due_date_of(self.birth_date, self.gestational_weeks)
        return self.birth_date

    def to_dict(self) -> dict[str, object]:
        return {
            "chronological": self.chronological.to_dict(),
            "corrected": self.corrected.to_dict() if self.corrected is not None else None,
            "used": self.used,
            "used_age": self.used_age.to_dict(),
            "reason": self.reason,
            "gestational_weeks": self.gestational_weeks,
        }


def _month_shift(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def month_anniversary(start: date, months: int) -> date:
    """The date on which ``months`` full months since ``start`` are completed (see module rule)."""
    year, month = _month_shift(start.year, start.month, months)
    if start.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, start.day)
    # The month has no such day: the month is completed on the 1st of the next month.
    year, month = _month_shift(year, month, 1)
    return date(year, month, 1)


def add_months_clamped(start: date, months: int) -> date:
    """Calendar addition for planning dates: Jan 31 + 1 month = the last day of February."""
    year, month = _month_shift(start.year, start.month, months)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def calendar_age(start: date, end: date) -> AgeSpan:
    """Completed months and remaining days from ``start`` to ``end``; negative days before start."""
    if end < start:
        return AgeSpan(0, -(start - end).days)
    months = (end.year - start.year) * 12 + end.month - start.month
    anniversary = month_anniversary(start, months)
    if anniversary > end:
        months -= 1
        anniversary = month_anniversary(start, months)
    return AgeSpan(months, (end - anniversary).days)


def date_at_age(start: date, age: AgeSpan) -> date:
    """The first date on which the age counted from ``start`` is ``age``."""
    return month_anniversary(start, age.months) + timedelta(days=age.days)


def due_date_of(birth_date: date, gestational_weeks: int) -> date:
    return birth_date + timedelta(weeks=TERM_WEEKS - gestational_weeks)


def check_gestational_weeks(gestational_weeks: object) -> int | None:
    if gestational_weeks is None:
        return None
    if isinstance(gestational_weeks, bool) or not isinstance(gestational_weeks, int):
        raise ScreeningInputError(
            "gestational_weeks_out_of_range",
            f"gestational weeks must be a whole number from {MIN_GESTATIONAL_WEEKS} to "
            f"{MAX_GESTATIONAL_WEEKS}, got {gestational_weeks!r}",
        )
    if not MIN_GESTATIONAL_WEEKS <= gestational_weeks <= MAX_GESTATIONAL_WEEKS:
        raise ScreeningInputError(
            "gestational_weeks_out_of_range",
            f"gestational weeks must be from {MIN_GESTATIONAL_WEEKS} to {MAX_GESTATIONAL_WEEKS}, "
            f"got {gestational_weeks}",
        )
    return gestational_weeks


def age_at(birth_date: date, on_date: date, gestational_weeks: int | None = None) -> AgeInfo:
    """The child's age on ``on_date`` and which age (chronological or corrected) screening uses."""
    if on_date < birth_date:
        raise ScreeningInputError(
            "date_before_birth",
            f"the screening date {on_date.isoformat()} is before the birth date "
            f"{birth_date.isoformat()}",
        )
    weeks = check_gestational_weeks(gestational_weeks)
    chronological = calendar_age(birth_date, on_date)
    if weeks is None or weeks >= PRETERM_BELOW_WEEKS:
        return AgeInfo(birth_date, on_date, weeks, chronological, None, "chronological", "term")
    corrected = calendar_age(due_date_of(birth_date, weeks), on_date)
    if chronological.months < CORRECTION_UNTIL_MONTHS:
        return AgeInfo(
            birth_date, on_date, weeks, chronological, corrected, "corrected", "preterm_corrected"
        )
    return AgeInfo(
        birth_date, on_date, weeks, chronological, corrected, "chronological",
        "preterm_over_24_months",
    )
