"""The kindergarten monitoring skill framework and its rules (pure: no Flask, no database).

    from sabidamu.monitoring import load_framework, derive_level, entry_status, StageWindows

See docs/monitoring.md.
"""

from .academic_calendar import (
    STAGE_IDS,
    EntryStatus,
    MonthDay,
    StageWindows,
    Window,
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
    current_stage,
    entry_status,
    parse_academic_year_label,
    stage_window,
)
from .defaults import corrective_period, default_stage_windows
from .errors import InvalidLevel, InvalidStageWindows, MonitoringError, UnknownStage
from .levels import LEVEL_VALUES, NOT_OBSERVED, DerivedLevel, check_level, derive_level, parse_level
from .loader import DEFAULT_PATH, SCHEMA_PATH, FrameworkError, load_framework, validate_framework
from .model import LANGS, AgeGroup, Framework, Level, Localized, Period, Skill, SkillGroup, Source, Stage
from .reports import level_distribution, suppress_small

__all__ = [
    # framework
    "load_framework", "validate_framework", "FrameworkError", "DEFAULT_PATH", "SCHEMA_PATH",
    "Framework", "AgeGroup", "SkillGroup", "Skill", "Level", "Stage", "Period", "Source",
    "Localized", "LANGS",
    # levels
    "LEVEL_VALUES", "NOT_OBSERVED", "parse_level", "check_level", "derive_level", "DerivedLevel",
    "InvalidLevel",
    # calendar
    "STAGE_IDS", "EntryStatus", "MonthDay", "Window", "StageWindows", "academic_year_of",
    "academic_year_label", "parse_academic_year_label", "academic_year_bounds", "stage_window",
    "entry_status", "current_stage", "corrective_period", "default_stage_windows", "InvalidStageWindows",
    "UnknownStage",
    # reports
    "level_distribution", "suppress_small",
    "MonitoringError",
]
