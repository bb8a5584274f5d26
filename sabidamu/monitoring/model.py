"""Immutable objects of the skill framework: what the grid, the card and the PDF read.

Every user-facing name is a `Localized` pair; `.in_(lang)` picks the Kazakh or Russian text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from ..localized import LANGS  # noqa: F401  (re-exported)
from ..localized import Text as Localized
from .academic_calendar import STAGE_IDS, MonthDay, StageWindows, Window, check_stage


@dataclass(frozen=True)
class AgeGroup:
    id: str
    prefix: str
    name: Localized
    age_from: int  # full years
    age_to: int

    def in_(self, lang: str) -> str:
        return self.name.in_(lang)


@dataclass(frozen=True)
class SkillGroup:
    id: str
    prefix: str
    name: Localized

    def in_(self, lang: str) -> str:
        return self.name.in_(lang)


@dataclass(frozen=True)
class Skill:
    id: str
    age_group_id: str
    skill_group_id: str
    number: int  # 1-based position within its age group x skill group
    text: Localized  # the card line / grid column header (<= 120 characters)
    observe: Localized | None  # how the teacher observes it in ordinary kindergarten life
    source: str

    def in_(self, lang: str) -> str:
        return self.text.in_(lang)

    def observe_in(self, lang: str) -> str | None:
        return self.observe.in_(lang) if self.observe else None


@dataclass(frozen=True)
class Level:
    value: int  # 3 high, 2 medium, 1 low
    name: Localized  # "III деңгей – жоғары"
    short: Localized  # "жоғары"
    description: Localized  # what the level means for one skill

    def in_(self, lang: str) -> str:
        return self.name.in_(lang)

    def short_in(self, lang: str) -> str:
        return self.short.in_(lang)


@dataclass(frozen=True)
class Period:
    start: MonthDay
    end: MonthDay
    label: Localized

    def in_(self, lang: str) -> str:
        return self.label.in_(lang)


@dataclass(frozen=True)
class Stage:
    id: str  # start / intermediate / final
    name: Localized
    default_window: Period
    corrective: Period  # developmental and corrective measures after this stage

    def in_(self, lang: str) -> str:
        return self.name.in_(lang)


@dataclass(frozen=True)
class Source:
    id: str
    title: Localized


@dataclass(frozen=True)
class Framework:
    id: str
    version: int
    title: Localized
    sources: tuple[Source, ...]
    levels: tuple[Level, ...]  # 3, 2, 1
    not_observed: Localized
    not_observed_description: Localized
    stages: tuple[Stage, ...]
    age_groups: tuple[AgeGroup, ...]
    skill_groups: tuple[SkillGroup, ...]
    all_skills: tuple[Skill, ...]
    _by_cell: Mapping[tuple[str, str], tuple[Skill, ...]] = field(init=False, repr=False, compare=False)
    _by_id: Mapping[str, Skill] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cells: dict[tuple[str, str], list[Skill]] = {}
        for skill in self.all_skills:
            cells.setdefault((skill.age_group_id, skill.skill_group_id), []).append(skill)
        object.__setattr__(self, "_by_cell", MappingProxyType({k: tuple(v) for k, v in cells.items()}))
        object.__setattr__(self, "_by_id", MappingProxyType({s.id: s for s in self.all_skills}))

    # -- lookups; an unknown id raises KeyError naming it

    def age_group(self, age_group_id: str) -> AgeGroup:
        return _find(self.age_groups, age_group_id, "age group")

    def skill_group(self, skill_group_id: str) -> SkillGroup:
        return _find(self.skill_groups, skill_group_id, "skill group")

    def stage(self, stage_id: str) -> Stage:
        check_stage(stage_id)
        return _find(self.stages, stage_id, "stage")

    def level(self, value: int) -> Level:
        for level in self.levels:
            if level.value == value:
                return level
        raise KeyError(f"unknown level {value!r}")

    def skills(self, age_group_id: str, skill_group_id: str) -> tuple[Skill, ...]:
        self.age_group(age_group_id)
        self.skill_group(skill_group_id)
        return self._by_cell.get((age_group_id, skill_group_id), ())

    def skill(self, skill_id: str) -> Skill:
        try:
            return self._by_id[skill_id]
        except KeyError:
            raise KeyError(f"unknown skill {skill_id!r}") from None

    @property
    def age_group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.age_groups)

    @property
    def skill_group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.skill_groups)

    def stage_windows(self) -> StageWindows:
        """The default entry windows of the three stages."""
        return StageWindows(**{
            stage.id: Window(stage.default_window.start, stage.default_window.end)
            for stage in self.stages
        })


_Identified = TypeVar("_Identified", AgeGroup, SkillGroup, Stage)


def _find(items: Iterable[_Identified], item_id: str, kind: str) -> _Identified:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"unknown {kind} {item_id!r}")


__all__ = [
    "LANGS", "Localized", "AgeGroup", "SkillGroup", "Skill", "Level", "Period", "Stage",
    "Source", "Framework", "STAGE_IDS",
]
