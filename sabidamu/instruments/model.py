"""Immutable in-memory form of a screening instrument.

Built once per file by the loader (after validation) and shared by every request, so everything is
frozen and the look-ups scoring needs (item by id, items per domain) are precomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..localized import Text as Text  # re-exported for the instrument modules
from .age import AgeInfo, AgeSpan

ANSWERS = ("yes", "sometimes", "not_yet")
# "Had no chance to see" (v2): offered only on items marked ``opportunity``; it counts as missing.
NO_CHANCE = "no_chance"
ALL_ANSWERS = ANSWERS + (NO_CHANCE,)
# Every specialist a result can name, in the order the result lists them.
SPECIALISTS = (
    "speech_therapist", "psychologist", "defectologist", "pediatrician", "neurologist", "audiologist",
    "ophthalmologist",
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: str
    text: Text
    concern_if: str  # 'yes' | 'no'


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    domain: str
    text: Text
    source: str
    warning_sign: bool = False
    how_to_check: Text | None = None
    follow_up: tuple[FollowUp, ...] = ()
    # v2 fields (all optional, so v1 files load unchanged); see docs/screening.md.
    skill: str | None = None  # id in the skill catalogue the item was generated from
    kind: str = "skill"  # 'skill' (yes / sometimes or with help / not yet) | 'general' (yes / not sure / no)
    reverse: bool = False  # 'yes' is the answer of concern (e.g. "has your child lost skills?")
    opportunity: bool = False  # offers "had no chance to see", which counts as missing
    specialists: tuple[str, ...] = ()  # routing when this item is missed; empty: the domain's specialist
    age75: float | None = None  # months by which 75 % of children have the skill (from the source)
    spread: float | None = None  # SD of the age of attainment, months (documented model)
    warning_age: float | None = None  # 99th-percentile age, months: a warning sign only after it

    @property
    def answers(self) -> tuple[str, ...]:
        """The answer values a parent may give to this item."""
        return ALL_ANSWERS if self.opportunity else ANSWERS

    def effective(self, answer: str | None) -> str | None:
        """The answer on the skill scale: for a reversed item 'yes' (a concern) scores as 'not_yet'."""
        if answer is None or answer == NO_CHANCE:
            return None
        if self.reverse:
            return {"yes": "not_yet", "not_yet": "yes"}.get(answer, answer)
        return answer


@dataclass(frozen=True, slots=True)
class Domain:
    id: str
    title: Text
    specialist: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Fractions of the maximum domain score: below refer_below -> refer, below monitor_below -> monitor."""

    monitor_below: float
    refer_below: float


@dataclass(frozen=True, slots=True)
class PointsScoring:
    default: Thresholds
    by_domain: Mapping[str, Thresholds] = field(default_factory=dict)
    method: str = "points"
    # 'legacy' (v1): a skipped or 'sometimes' warning sign is scored like any item.
    # 'strict' (v2): a skipped warning sign makes the domain incomplete; 'sometimes' is never on track.
    warning_signs: str = "legacy"
    # v2: 'refer' overall when at least this many skill domains are 'monitor' or 'refer' (None: off).
    several_areas: int | None = None

    def for_domain(self, domain_id: str) -> Thresholds:
        return self.by_domain.get(domain_id, self.default)


@dataclass(frozen=True, slots=True)
class ConcernCountScoring:
    monitor_at: int
    refer_at: int
    method: str = "concern_count"
    warning_signs: str = "legacy"


@dataclass(frozen=True, slots=True)
class AnswerScale:
    yes: int
    sometimes: int
    not_yet: int

    def points(self, answer: str) -> int:
        value: int = getattr(self, answer)
        return value

    @property
    def top(self) -> int:
        return max(self.yes, self.sometimes, self.not_yet)

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "sometimes": self.sometimes, "not_yet": self.not_yet}


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    label: Text
    min_age: AgeSpan  # inclusive
    max_age: AgeSpan  # exclusive
    items: tuple[Item, ...]
    activities: Mapping[str, tuple[Text, ...]]
    # v2: cut-offs of this band by domain (calibrated by the generator); else the instrument's.
    thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    # Precomputed for scoring; derived from ``items``.
    items_by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    items_by_domain: Mapping[str, tuple[Item, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_domain: dict[str, list[Item]] = {}
        for item in self.items:
            by_domain.setdefault(item.domain, []).append(item)
        object.__setattr__(self, "items_by_id", MappingProxyType({i.id: i for i in self.items}))
        object.__setattr__(
            self, "items_by_domain",
            MappingProxyType({d: tuple(items) for d, items in by_domain.items()}),
        )
        object.__setattr__(self, "activities", MappingProxyType(dict(self.activities)))
        object.__setattr__(self, "thresholds", MappingProxyType(dict(self.thresholds)))

    def contains(self, age: AgeSpan) -> bool:
        return self.min_age <= age < self.max_age

    def activities_for(self, domain_id: str) -> tuple[Text, ...]:
        return self.activities.get(domain_id, ())

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    version: int
    title: Text
    description: Text
    answer_scale: AnswerScale
    scoring: PointsScoring | ConcernCountScoring
    domains: tuple[Domain, ...]
    bands: tuple[Band, ...]
    file_name: str = ""
    domains_by_id: Mapping[str, Domain] = field(init=False, repr=False, compare=False)
    band_of_item: Mapping[str, Band] = field(init=False, repr=False, compare=False)
    follow_ups: Mapping[str, tuple[Item, FollowUp]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "domains_by_id", MappingProxyType({d.id: d for d in self.domains}))
        object.__setattr__(
            self, "band_of_item",
            MappingProxyType({i.id: b for b in self.bands for i in b.items}),
        )
        object.__setattr__(
            self, "follow_ups",
            MappingProxyType(
                {f.id: (i, f) for b in self.bands for i in b.items for f in i.follow_up}
            ),
        )

    @property
    def is_concern_count(self) -> bool:
        return isinstance(self.scoring, ConcernCountScoring)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def band_for(self, age_info: AgeInfo) -> Band | None:
        """The band containing the age screening uses (min inclusive, max exclusive), or None."""
        age = age_info.used_age
        for band in self.bands:
            if band.contains(age):
                return band
        return None

    def band(self, band_id: str) -> Band | None:
        for band in self.bands:
            if band.id == band_id:
                return band
        return None

    def bands_after(self, band: Band) -> tuple[Band, ...]:
        return tuple(b for b in self.bands if b.min_age >= band.max_age)

    def domain_ids_in(self, band: Band) -> tuple[str, ...]:
        """Domains of the band, in the instrument's declaration order."""
        return tuple(d.id for d in self.domains if d.id in band.items_by_domain)

    def __hash__(self) -> int:
        return hash(self.key)


def activities_for(band: Band, domain: str | Domain) -> tuple[Text, ...]:
    """Home activities of ``band`` for a domain (by id or Domain); empty when none."""
    domain_id = domain.id if isinstance(domain, Domain) else domain
    return band.activities_for(domain_id)
