"""The framework's calendar: its default stage windows and the card's corrective periods (read from the framework
file, so this module sits above both the loader and academic_calendar)."""
from __future__ import annotations

from datetime import date

from .academic_calendar import StageWindows
from .loader import load_framework


def default_stage_windows() -> StageWindows:
    """The framework's default windows (1 Sep–31 Oct, 1–31 Jan, 1–31 May)."""
    return load_framework().stage_windows()


def corrective_period(academic_year: int, stage: str) -> tuple[date, date]:
    """The card's period of developmental and corrective measures after `stage`
    (start: Oct–Dec, intermediate: Feb–Apr, final: Jun–Aug)."""
    period = load_framework().stage(stage).corrective
    return period.start.in_academic_year(academic_year), period.end.in_academic_year(academic_year)
