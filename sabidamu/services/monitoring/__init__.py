"""Kindergarten monitoring, the writing side: the group grid, saving levels (one cell, a row, the whole form),
measures and final levels, home observations and the organization's stage windows.

Every function checks access (teacher of the group or head of the organization; a guardian for home
observations) and writes its audit event in the same transaction (object ids only: never a level or a text).
Levels and texts are sealed with the child's current data key. Beside each saved card stage the plain
`LevelCount` rows are kept equal to a recount of the derived levels (level 0 = no level yet), in the same
transaction, so reports never decrypt cards in bulk.

Versions: a child's `CardStage` row (one per academic year and stage) carries `version`; "no row yet" is
version 0. A save names the version it was based on; a stale one gives a `Conflict` with both values
(yours and the stored one) and changes nothing.
"""
from __future__ import annotations

from ...monitoring import InvalidStageWindows, UnknownStage  # noqa: F401 (re-exported: window errors)
from .base import (  # noqa: F401
    ALMATY,
    MAX_MEASURES_CHARS,
    MAX_OBSERVATION_CHARS,
    PREVIOUS_STAGE,
    STAGES,
    _bump,
    _check_skill_group,
    _check_stage,
    _check_year,
    _derived_by_group,
    _enrolled_child,
    _entry_allowed,
    _group,
    _open_json,
    _parse,
    _recount_change,
    _seal_json,
    _skill_of_group,
    almaty_today,
    framework,
    group_for,
    may_enter,
    open_final_levels,
    open_levels,
    open_measures,
    org_windows,
    window_status,
)
from .grid import GridData, GridRow, Observation, grid  # noqa: F401
from .home import add_home_observation, home_observations_of_parent  # noqa: F401
from .measures import ChildStage, MeasuresConflict, child_stage, save_measures  # noqa: F401
from .saves import (  # noqa: F401
    CellSaved,
    Conflict,
    RowsResult,
    _apply_levels,
    _load_row,
    _lock_stage_rows,
    _new_row,
    _touch,
    save_cell,
    save_rows,
)
from .windows import set_windows, windows_of  # noqa: F401

__all__ = [
    "STAGES", "CellSaved", "Conflict", "GridData", "GridRow", "RowsResult", "ChildStage", "MeasuresConflict",
    "Observation", "almaty_today", "grid", "save_cell", "save_rows", "child_stage", "save_measures",
    "add_home_observation", "home_observations_of_parent", "windows_of", "set_windows", "org_windows",
    "window_status", "may_enter", "group_for", "InvalidStageWindows", "UnknownStage",
]
