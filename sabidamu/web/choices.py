"""Options of select boxes as WTForms' SelectChoice objects (WTForms 3.3 deprecates (value, label) tuples and
dicts of groups; 3.4 removes them)."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """[(value, label), ...] -> SelectChoice objects, in the same order."""
    return [SelectChoice(value, label) for value, label in pairs]


def grouped(groups: Iterable[tuple[str, Iterable[tuple[str, object]]]]) -> list[SelectChoice]:
    """[(group label, [(value, label), ...]), ...] -> SelectChoice objects drawn in <optgroup>s."""
    return [SelectChoice(value, label, optgroup=group) for group, pairs in groups for value, label in pairs]


def values(choices: Iterable[SelectChoice]) -> list[str]:
    return [choice.value for choice in choices]
