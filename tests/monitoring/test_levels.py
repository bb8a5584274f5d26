"""Level values and the skill-group level rule."""

from __future__ import annotations

import pytest

from sabidamu.monitoring import DerivedLevel, InvalidLevel, check_level, derive_level, parse_level


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("2", 2), ("3", 3),
    ("0", None), ("", None), ("  ", None),
    ("I", 1), ("II", 2), ("III", 3),
    (" ii ", 2), ("iii", 3),
    ("\u0406\u0406", 2),  # typed on a Kazakh keyboard: Cyrillic І
    (None, None), (2, 2),
])
def test_parse_level_accepts(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize("text", ["4", "-1", "IV", "1.5", "high", "I I", "x" * 100, "٣", 0, 4, True, 2.0])
def test_parse_level_refuses_with_a_code(text):
    with pytest.raises(InvalidLevel) as info:
        parse_level(text)
    assert info.value.code == "unknown_level"
    assert isinstance(info.value, ValueError)


def test_check_level_refuses_bool_and_zero():
    assert [check_level(v) for v in (1, 2, 3, None)] == [1, 2, 3, None]
    for bad in (True, 0, 5, "3"):
        with pytest.raises(InvalidLevel):
            check_level(bad)


@pytest.mark.parametrize("levels, expected", [
    ([3, 3, 3, 3, 3, 3], DerivedLevel(3, 6, 6, 0)),
    ([1, 1, 1, 1, 1, 1], DerivedLevel(1, 6, 6, 6)),
    ([2, 3], DerivedLevel(2, 2, 2, 0)),               # 2.5 rounds down
    ([1, 2], DerivedLevel(1, 2, 2, 1)),               # 1.5 rounds down: the unformed skill stays in view
    ([1, 2, 2, 3, 3, 3], DerivedLevel(2, 6, 6, 1)),   # 2.33 rounds down
    ([2, 3, 3], DerivedLevel(3, 3, 3, 0)),            # 2.67 rounds up
    ([1, 1, 2], DerivedLevel(1, 3, 3, 2)),            # 1.33 rounds down
    ([1, 2, 2, 2, 3, 3], DerivedLevel(2, 6, 6, 1)),   # 2.1666 -> 2
    ([1, 2, 2, 2, 2, 3], DerivedLevel(2, 6, 6, 1)),   # exactly 2, one skill not formed: low = 1
    ([3, 3, 2, 2, 2, 3, 2, 3], DerivedLevel(2, 8, 8, 0)),  # exactly 2.5 with 8 skills
    ([1, 3, 3, 3, 3, 3], DerivedLevel(3, 6, 6, 1)),   # 2.67 -> III, and the one level-I skill is counted
])
def test_rounded_mean_half_down_with_the_count_of_level_one_skills(levels, expected):
    assert derive_level(levels) == expected


def test_not_observed_skills_do_not_pull_the_level_down():
    assert derive_level([3, 3, 3, None, None, None]) == DerivedLevel(3, 3, 6)
    assert derive_level([1, 2, None, None]).level == 1
    assert derive_level([1, 2, None, None]).low == 1


def test_fewer_than_half_observed_gives_no_level():
    assert derive_level([3, 3, None, None, None, None, None]) == DerivedLevel(None, 2, 7)
    assert derive_level([2, 2, 2, None, None, None, None]) == DerivedLevel(None, 3, 7)  # 3 of 7 < half
    assert derive_level([2, 2, 2, 2, None, None, None]) == DerivedLevel(2, 4, 7)      # 4 of 7 >= half
    assert derive_level([2, 2, 2, None, None, None]) == DerivedLevel(2, 3, 6)         # exactly half
    assert derive_level([1, None, None, None]).low == 1  # counted even without a level


def test_nothing_observed_or_nothing_given():
    assert derive_level([None] * 6) == DerivedLevel(None, 0, 6)
    assert derive_level([]) == DerivedLevel(None, 0, 0)
    assert derive_level(iter([3, 2, 1])) == DerivedLevel(2, 3, 3, 1)  # any iterable, read once


def test_derive_level_refuses_invalid_values():
    with pytest.raises(InvalidLevel):
        derive_level([3, 2, 4])
    with pytest.raises(InvalidLevel):
        derive_level([3, "2"])  # strings must go through parse_level first
