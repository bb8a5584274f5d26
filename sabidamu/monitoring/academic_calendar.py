"""Academic years, the three monitoring stages and their windows (pure).

The academic year (оқу жылы / учебный год) runs 1 September – 31 August and is named by the
calendar year it starts in: 1 Sep 2026 – 31 Aug 2027 is 2026, labelled "2026-2027".

Windows are kept as month-days, not dates, because an organization sets them once ("our start
stage is 1 Sep – 15 Oct") and they apply to every academic year.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Literal

from .errors import InvalidStageWindows, UnknownStage

STAGE_IDS: tuple[str, ...] = ("start", "intermediate", "final")
ACADEMIC_YEAR_FIRST_MONTH = 9  # September

EntryStatus = Literal["open", "late", "early", "outside_year"]

_MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")
_LABEL_RE = re.compile(r"^(\d{4})-(\d{4})$")


def check_stage(stage: str) -> str:
    if stage not in STAGE_IDS:
        raise UnknownStage("unknown_stage", f"unknown stage {stage!r}; expected one of {STAGE_IDS}")
    return stage


# ---------------------------------------------------------------------------- academic years


def _as_plain_date(value: date) -> date:
    # A datetime is a date subclass, and a UTC timestamp taken at 01:00 in Almaty is still
    # "yesterday" in UTC: on 1 September that would file an entry in the previous academic
    # year. Make the caller convert to the local date on purpose.
    if isinstance(value, datetime):
        raise TypeError("pass a local calendar date (datetime.date), not a datetime")
    if not isinstance(value, date):
        raise TypeError(f"expected datetime.date, got {type(value).__name__}")
    return value


def academic_year_of(on_date: date) -> int:
    """The calendar year in which the academic year containing `on_date` starts."""
    on_date = _as_plain_date(on_date)
    return on_date.year if on_date.month >= ACADEMIC_YEAR_FIRST_MONTH else on_date.year - 1


def _check_year(academic_year: int) -> int:
    # bool is an int subclass; True as a year is always a bug.
    if not isinstance(academic_year, int) or isinstance(academic_year, bool):
        raise TypeError(f"academic year must be an int, got {academic_year!r}")
    if not 1900 <= academic_year <= 9998:
        raise ValueError(f"academic year out of range: {academic_year}")
    return academic_year


def academic_year_label(academic_year: int) -> str:
    """2026 -> "2026-2027"."""
    _check_year(academic_year)
    return f"{academic_year}-{academic_year + 1}"


def parse_academic_year_label(label: str) -> int:
    """"2026-2027" -> 2026; anything else (e.g. "2026-2028") raises ValueError."""
    match = _LABEL_RE.match(label.strip()) if isinstance(label, str) else None
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError(f"not an academic year label like 2026-2027: {label!r}")
    return _check_year(int(match.group(1)))


def academic_year_bounds(academic_year: int) -> tuple[date, date]:
    _check_year(academic_year)
    return date(academic_year, 9, 1), date(academic_year + 1, 8, 31)


# ---------------------------------------------------------------------------- month-days


@dataclass(frozen=True)
class MonthDay:
    """A day of the year without a year, e.g. 09-01. 29 February is refused: it does not
    exist in most academic years, and a window must mean the same thing every year."""

    month: int
    day: int

    def __post_init__(self) -> None:
        if not (isinstance(self.month, int) and isinstance(self.day, int)) or not 1 <= self.month <= 12:
            raise InvalidStageWindows("bad_date", f"not a valid month-day: {self.month!r}-{self.day!r}")
        # 2023 is not a leap year, so 29 February is rejected together with 31 April.
        if not 1 <= self.day <= calendar.monthrange(2023, self.month)[1]:
            raise InvalidStageWindows("bad_date", f"not a day that exists every year: {self}")

    @classmethod
    def parse(cls, value: MonthDayLike) -> MonthDay:
        """Accepts MonthDay, "MM-DD" or (month, day)."""
        if isinstance(value, MonthDay):
            return value
        if isinstance(value, str):
            match = _MONTH_DAY_RE.match(value.strip())
            if not match:
                raise InvalidStageWindows("bad_date", f"expected MM-DD, got {value!r}")
            return cls(int(match.group(1)), int(match.group(2)))
        if isinstance(value, tuple) and len(value) == 2:
            return cls(value[0], value[1])
        raise InvalidStageWindows("bad_date", f"expected MM-DD or (month, day), got {value!r}")

    def academic_order(self) -> tuple[int, int]:
        """Position within an academic year: September first, August last."""
        return ((self.month - ACADEMIC_YEAR_FIRST_MONTH) % 12, self.day)

    def in_academic_year(self, academic_year: int) -> date:
        _check_year(academic_year)
        year = academic_year if self.month >= ACADEMIC_YEAR_FIRST_MONTH else academic_year + 1
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


MonthDayLike = MonthDay | str | tuple[int, int]


@dataclass(frozen=True)
class Window:
    """A span of month-days inside one academic year (both ends included)."""

    start: MonthDay
    end: MonthDay

    def __post_init__(self) -> None:
        # Accept "MM-DD" and (month, day) too, so callers can write Window("09-01", "10-31").
        object.__setattr__(self, "start", MonthDay.parse(self.start))
        object.__setattr__(self, "end", MonthDay.parse(self.end))
        if self.end.academic_order() < self.start.academic_order():
            # In academic order a window like 08-01..09-30 runs backwards: it would have to
            # cross 31 August, the last day of the academic year.
            raise InvalidStageWindows(
                "outside_year",
                f"window {self.start}..{self.end} does not lie within one academic year "
                "(1 September – 31 August)",
            )

    @classmethod
    def parse(cls, value: WindowLike) -> Window:
        if isinstance(value, Window):
            return value
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return cls(MonthDay.parse(value[0]), MonthDay.parse(value[1]))
        raise InvalidStageWindows("bad_window", f"expected (from, to), got {value!r}")

    def dates(self, academic_year: int) -> tuple[date, date]:
        return self.start.in_academic_year(academic_year), self.end.in_academic_year(academic_year)

    def as_strings(self) -> tuple[str, str]:
        return str(self.start), str(self.end)


WindowLike = Window | tuple[MonthDayLike, MonthDayLike] | list[MonthDayLike]


@dataclass(frozen=True)
class StageWindows:
    """The entry windows of the three stages, in order and without overlap."""

    start: Window
    intermediate: Window
    final: Window

    def __post_init__(self) -> None:
        for stage in STAGE_IDS:
            object.__setattr__(self, stage, Window.parse(getattr(self, stage)))
        for earlier_id, later_id in pairwise(STAGE_IDS):
            earlier, later = self.window(earlier_id), self.window(later_id)
            if later.start.academic_order() > earlier.end.academic_order():
                continue
            if later.end.academic_order() < earlier.start.academic_order():
                raise InvalidStageWindows(
                    "order", f"the {later_id} window ({later.start}..{later.end}) comes before "
                    f"the {earlier_id} window ({earlier.start}..{earlier.end})")
            raise InvalidStageWindows(
                "overlap", f"the {earlier_id} window ({earlier.start}..{earlier.end}) overlaps "
                f"the {later_id} window ({later.start}..{later.end})")

    @classmethod
    def from_mapping(cls, windows: Mapping[str, WindowLike]) -> StageWindows:
        """From {"start": ("09-01", "10-31"), ...}; all three stages required."""
        unknown = set(windows) - set(STAGE_IDS)
        if unknown:
            raise UnknownStage("unknown_stage", f"unknown stage(s): {sorted(unknown)}")
        missing = [stage for stage in STAGE_IDS if stage not in windows]
        if missing:
            raise InvalidStageWindows("missing_stage", f"no window for stage(s): {missing}")
        return cls(**{stage: Window.parse(windows[stage]) for stage in STAGE_IDS})

    def with_overrides(self, overrides: Mapping[str, WindowLike]) -> StageWindows:
        """An organization's own windows for some stages; the others keep their value."""
        unknown = set(overrides) - set(STAGE_IDS)
        if unknown:
            raise UnknownStage("unknown_stage", f"unknown stage(s): {sorted(unknown)}")
        merged = {stage: overrides.get(stage, self.window(stage)) for stage in STAGE_IDS}
        return StageWindows.from_mapping(merged)

    def window(self, stage: str) -> Window:
        window: Window = getattr(self, check_stage(stage))
        return window

    def as_dict(self) -> dict[str, tuple[str, str]]:
        """Plain strings for storage in an organization's settings."""
        return {stage: self.window(stage).as_strings() for stage in STAGE_IDS}


def stage_window(windows: StageWindows, academic_year: int, stage: str) -> tuple[date, date]:
    """The first and last day (inclusive) on which `stage` is entered in `academic_year`."""
    return windows.window(stage).dates(academic_year)


def entry_status(windows: StageWindows, academic_year: int, stage: str, on_date: date) -> EntryStatus:
    """Whether entering `stage` of `academic_year` on `on_date` is on time.

    open         - inside the window;
    early        - in the academic year, before the window opens;
    late         - in the academic year, after the window closed (only the head may enter;
                   the entry is marked late);
    outside_year - `on_date` is not in that academic year at all.
    """
    on_date = _as_plain_date(on_date)
    first, last = stage_window(windows, academic_year, stage)
    if academic_year_of(on_date) != academic_year:
        return "outside_year"
    if on_date < first:
        return "early"
    if on_date > last:
        return "late"
    return "open"


def current_stage(windows: StageWindows, on_date: date) -> str | None:
    """The stage whose window contains `on_date`, or None between windows."""
    on_date = _as_plain_date(on_date)
    year = academic_year_of(on_date)
    for stage in STAGE_IDS:
        first, last = stage_window(windows, year, stage)
        if first <= on_date <= last:
            return stage
    return None

