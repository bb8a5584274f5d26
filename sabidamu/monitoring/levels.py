"""Level values of one skill and the rule that derives a skill group's level.

A skill is rated 3 (III – high), 2 (II – medium), 1 (I – low) or None: not observed at this
stage (the child was absent, the situation did not arise). None is not a low level: it never
pulls an average down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidLevel

LEVEL_VALUES: tuple[int, ...] = (3, 2, 1)
NOT_OBSERVED = None

_MAX_INPUT_CHARS = 8  # "III" with spaces is the longest valid input; refuse long junk early
_FROM_TEXT: dict[str, int | None] = {
    "": None, "0": None,
    "1": 1, "2": 2, "3": 3,
    "I": 1, "II": 2, "III": 3,
}
# Teachers type on a Kazakh keyboard: its "І" (U+0406) looks like the Latin "I". Treating it
# as the Roman numeral spares them an error they cannot see.
_CYRILLIC_I = str.maketrans({"\u0406": "I", "\u0456": "I"})


def check_level(value: object) -> int | None:
    """`value` itself if it is 1, 2, 3 or None; otherwise InvalidLevel."""
    # bool is an int subclass: True would pass as 1 without this check.
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value in LEVEL_VALUES):
        return value
    raise InvalidLevel("unknown_level", f"not a level (1, 2, 3 or not observed): {value!r}")


def parse_level(value: str | int | None) -> int | None:
    """A level typed or posted as text: "1".."3" or "I".."III"; "" or "0" = not observed."""
    if value is None or isinstance(value, int):
        return check_level(value)
    if not isinstance(value, str) or len(value) > _MAX_INPUT_CHARS:
        raise InvalidLevel("unknown_level", f"not a level (1, 2, 3, I, II, III or empty): {value!r}")
    key = value.strip().translate(_CYRILLIC_I).upper()
    if key not in _FROM_TEXT:
        raise InvalidLevel("unknown_level", f"not a level (1, 2, 3, I, II, III or empty): {value!r}")
    return _FROM_TEXT[key]


@dataclass(frozen=True)
class DerivedLevel:
    level: int | None  # None: too few skills observed to say
    observed: int  # skills with a level
    total: int  # all skills of the group
    low: int = 0  # skills at level I (not formed): shown beside the group's level, never hidden by it

    @property
    def enough_observed(self) -> bool:
        return self.level is not None


def derive_level(levels: Iterable[int | None]) -> DerivedLevel:
    """The level of a skill group from the levels of its skills.

    - Mean of the observed skills, rounded to the nearest level with halves rounded DOWN
      (1.5 -> 1, 2.5 -> 2): a group exactly between two levels has as many skills below as above,
      and the lower level keeps the skills that are not formed in view.  The number of level-I
      skills (`low`) is reported beside the level, so a group at level II with two unformed skills
      says so.
    - None when fewer than half of the skills were observed: a level from 2 of 7 skills would
      describe the two skills, not the child. Exactly half observed is enough.
    - Integer arithmetic, so 2.5 is exactly 2.5 (no binary floating-point surprises).
    """
    checked = [check_level(level) for level in levels]
    observed = [level for level in checked if level is not None]
    total, count = len(checked), len(observed)
    low = sum(1 for level in observed if level == 1)
    if count == 0 or 2 * count < total:
        return DerivedLevel(level=None, observed=count, total=total, low=low)
    # round-half-down(sum / count) == floor((2 * sum + count - 1) / (2 * count))
    level = (2 * sum(observed) + count - 1) // (2 * count)
    return DerivedLevel(level=level, observed=count, total=total, low=low)
