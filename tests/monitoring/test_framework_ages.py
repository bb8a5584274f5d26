"""Item 12 of issue 11: no skill of the development card is above its age group, and skill ages agree
with the home screen (sabidamu-dev-screen v2)."""
from __future__ import annotations

import re

from sabidamu.instruments import load_registry
from sabidamu.instruments.loader import DEFAULT_DIR
from sabidamu.monitoring import load_framework

FW = load_framework(None)
SCREEN = load_registry(DEFAULT_DIR).get("sabidamu-dev-screen", 2)
# Months at the end of each age group (a card skill is expected by the end of the year).
GROUP_END = {"early": 24, "junior": 36, "middle": 48, "senior": 60, "preschool": 72}


def _skills(age_group: str):
    for group in FW.skill_group_ids:
        yield from FW.skills(age_group, group)


def _find(pattern: str) -> set[str]:
    rx = re.compile(pattern, re.I)
    return {a for a in GROUP_END for s in _skills(a) if rx.search(s.text.ru)}


def test_no_colour_words_or_pencil_grip_at_one_to_two_years():
    for skill in _skills("early"):
        assert not re.search(r"цвет|держ\w* карандаш", skill.text.ru, re.I), skill.id  # scribbling is fine
        assert not re.search(r"\bтүс(?!ін)\w*|қарындашты дұрыс", skill.text.kk, re.I), skill.id


def test_colours_are_named_only_from_three_years():
    assert _find(r"называет[^.]*цвет") <= {"middle", "senior", "preschool"}
    for skill in _skills("junior"):
        assert not re.search(r"называет[^,]*цвет", skill.text.ru, re.I), skill.id


def _screen_age(skill_id: str) -> float:
    return next(i.age75 for b in SCREEN.bands for i in b.items if i.skill == skill_id)


def test_cutting_on_a_line_and_first_sound_agree_with_the_screen():
    # The screen gives both at 66 months (75 % age): the card may not expect them in an earlier group.
    for skill_id, pattern in (("f-cut-line", r"по прям|вырезает[^.]*(круг|овал)"),
                              ("c-first-sound", r"первый звук")):
        for age_group in _find(pattern):
            assert GROUP_END[age_group] >= _screen_age(skill_id), (skill_id, age_group)
