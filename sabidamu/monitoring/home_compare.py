"""Home and kindergarten side by side: the card's five skill groups against the home screening's domains.

Pure (no Flask, no database). The mapping is documented in docs/monitoring.md ("Home and kindergarten side by
side"). A skill group that matches two screening domains shows the less favourable of their zones, so a concern
at home is never hidden by a good result in the other domain. A disagreement is reported only for the two clear
opposites (level III with "refer", level I with "on track"): anything in between is ordinary variation between
two settings and two observers, and the page never turns it into a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# skill group of the card -> screening domains of the developmental screen (sabidamu-dev-screen)
SKILL_GROUP_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "physical": ("gross_motor", "fine_motor"),
    "communicative": ("communication",),
    "cognitive": ("problem_solving",),
    "creative": ("fine_motor",),
    "social_emotional": ("personal_social",),
}
ZONES: tuple[str, ...] = ("on_track", "monitor", "refer")  # best first; 'incomplete' is no zone
_RANK = {zone: rank for rank, zone in enumerate(ZONES)}

HOME_CONCERN = "home_concern"  # the kindergarten sees level III, the home screening says "refer"
KINDERGARTEN_CONCERN = "kindergarten_concern"  # the kindergarten sees level I, the home screening "on track"


@dataclass(frozen=True)
class Row:
    skill_group: str
    domains: tuple[str, ...]
    level: int | None  # the latest derived level of the skill group (None: none yet)
    zone: str | None  # the home zone for those domains (None: no complete result in them)
    disagreement: str | None  # HOME_CONCERN | KINDERGARTEN_CONCERN | None


def home_zone(domain_zones: Mapping[str, str], skill_group: str) -> str | None:
    """The less favourable zone of the skill group's domains; domains without a zone are left out."""
    zones = [domain_zones[d] for d in SKILL_GROUP_DOMAINS[skill_group] if domain_zones.get(d) in _RANK]
    return max(zones, key=_RANK.__getitem__) if zones else None


def disagreement(level: int | None, zone: str | None) -> str | None:
    """Which side sees a concern the other does not; None when they agree or one side is missing."""
    if level == 3 and zone == "refer":
        return HOME_CONCERN
    if level == 1 and zone == "on_track":
        return KINDERGARTEN_CONCERN
    return None


def compare(levels: Mapping[str, int | None], domain_zones: Mapping[str, str],
            skill_groups: tuple[str, ...] = tuple(SKILL_GROUP_DOMAINS)) -> tuple[Row, ...]:
    """One row per skill group, in the card's order."""
    rows = []
    for sg in skill_groups:
        level = levels.get(sg)
        zone = home_zone(domain_zones, sg)
        rows.append(Row(skill_group=sg, domains=SKILL_GROUP_DOMAINS[sg], level=level, zone=zone,
                        disagreement=disagreement(level, zone)))
    return tuple(rows)
