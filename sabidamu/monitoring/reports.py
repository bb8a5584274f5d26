"""Group and regional counts of levels, and small-number suppression (pure).

Reports never decrypt cards in bulk: the application keeps, beside the encrypted card, plain
counts of (child, skill group, stage, level) and builds reports from those alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

from .academic_calendar import STAGE_IDS, check_stage
from .errors import MonitoringError
from .levels import check_level

LevelCounts = dict[int | None, int]  # {1: n, 2: n, 3: n, None: n}
Distribution = dict[str, dict[str, LevelCounts]]  # {skill_group: {stage: LevelCounts}}
# A distribution after small counts are hidden: a hidden count is None.
SuppressedDistribution = dict[str, dict[str, dict[int | None, int | None]]]
CELL_KEYS: tuple[int | None, ...] = (1, 2, 3, None)
DEFAULT_K = 5


def level_distribution(rows: Iterable[tuple[Hashable, str, str, int | None]]) -> Distribution:
    """Count children per skill group, stage and level.

    rows: (child, skill_group, stage, level) where level is the group's derived level
    (None = not enough observed). A child counts once per skill group and stage: a repeated
    (child, skill_group, stage) is a data error and raises, rather than being counted twice.
    Only the skill groups and stages present in `rows` appear; each has all four level keys.
    """
    from .loader import load_framework

    known_groups = load_framework().skill_group_ids
    seen: set[tuple[Hashable, str, str]] = set()
    counts: dict[str, dict[str, dict[int | None, int]]] = {}
    for child, skill_group, stage, level in rows:
        if skill_group not in known_groups:
            raise MonitoringError("unknown_skill_group", f"unknown skill group {skill_group!r}")
        check_stage(stage)
        check_level(level)
        key = (child, skill_group, stage)
        if key in seen:
            raise MonitoringError("duplicate_row", f"child counted twice for {skill_group}/{stage}")
        seen.add(key)
        cell = counts.setdefault(skill_group, {}).setdefault(stage, dict.fromkeys(CELL_KEYS, 0))
        cell[level] += 1
    # Present in the card's order, whatever the order of the rows.
    return {
        group: {stage: counts[group][stage] for stage in STAGE_IDS if stage in counts[group]}
        for group in known_groups if group in counts
    }


def suppress_small(counts: Mapping[str, Mapping[str, Mapping[int | None, int]]],
                   k: int = DEFAULT_K) -> SuppressedDistribution:
    """Hide counts that could point at a single child in regional aggregates.

    A regional report may be the only one with few children of a kind (a village kindergarten,
    a group of four). "2 children at level I" in such a cell is personal data about those two
    children to anyone who knows the group. So, per (skill group, stage) row of level counts:

    1. a count from 1 to k-1 is hidden (None);
    2. if the row's total is below k, the whole row is hidden;
    3. if exactly one count is hidden, the smallest other non-zero count is hidden too, since
       the hidden one could otherwise be recovered as total minus the others.

    Zeros stay visible: "no child at level I" names nobody. Hidden cells are None; the
    level-None key (not enough observed) is a count like the others.
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return {
        group: {stage: _suppress_row(row, k) for stage, row in stages.items()}
        for group, stages in counts.items()
    }


def _suppress_row(row: Mapping[int | None, int], k: int) -> dict[int | None, int | None]:
    for value in row.values():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"counts must be non-negative integers, got {value!r}")
    total = sum(row.values())
    if total < k:
        return dict.fromkeys(row)
    out: dict[int | None, int | None] = {key: (None if 0 < n < k else n) for key, n in row.items()}
    hidden = [key for key, n in out.items() if n is None]
    if len(hidden) == 1:
        visible = [(n, i, key) for i, (key, n) in enumerate(out.items()) if n]
        if visible:
            out[min(visible)[2]] = None
    return out
