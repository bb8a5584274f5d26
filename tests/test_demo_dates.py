"""`flask demo` makes data that fits the day it runs on (issue 9, item 15): a stage is filled only once its window
has opened, final levels follow the final stage's skill levels, every teacher's note is in one language, paper
consents carry a person's name (not a Kazakh label), and one stage window is open so a newcomer can try the grid."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu.demo import KINDERGARTEN_BIN, load_demo
from sabidamu.models import CardStage, Consent, Enrollment, Group, Organization, Referral
from sabidamu.monitoring import current_stage, derive_level
from sabidamu.services.monitoring import _open_json, framework, org_windows
from tests.support.browser import KAZAKH_LETTERS


def _rows(db, group):
    return db.exec(select(CardStage).where(CardStage.group_id == group.id)).all()


def _preschool(db):
    kg = db.exec(select(Organization).where(Organization.bin == KINDERGARTEN_BIN)).one()
    group = db.exec(select(Group).where(Group.org_id == kg.id, Group.age_group == "preschool")).one()
    children = db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id)).all()
    return kg, group, children


@pytest.mark.parametrize("today, closed, open_stage", [
    (dt.date(2026, 12, 4), {"start"}, "intermediate"),          # between windows: the next one is opened early
    (dt.date(2026, 9, 10), set(), "start"),                     # the start window is open by default
    (dt.date(2027, 3, 20), {"start", "intermediate"}, "final"),
    (dt.date(2027, 6, 15), {"start", "intermediate"}, "final"),  # after the final window: it stays open till August
])
def test_stages_follow_the_date(db, keyring, today, closed, open_stage):
    load_demo(db, keyring, today=today)
    kg, group, children = _preschool(db)
    windows = org_windows(kg)
    assert current_stage(windows, today) == open_stage  # a newcomer can try the grid today
    by_stage: dict[str, int] = {}
    for row in _rows(db, group):
        by_stage[row.stage] = by_stage.get(row.stage, 0) + 1
    for stage in closed:
        assert by_stage.get(stage) == len(children), stage
    assert 0 < by_stage.get(open_stage, 0) < len(children)  # partly entered: cells left to try
    for stage in {"start", "intermediate", "final"} - closed - {open_stage}:
        assert stage not in by_stage, stage


def test_final_levels_follow_the_final_stage(db, keyring):
    load_demo(db, keyring, today=dt.date(2027, 8, 20))
    _kg, group, _children = _preschool(db)
    fw = framework()
    finals = [r for r in _rows(db, group) if r.stage == "final"]
    assert finals
    checked = 0
    for row in finals:
        levels = _open_json(keyring, row, "levels", {})
        final = _open_json(keyring, row, "final_levels", None)
        if final is None:
            continue
        for sg in fw.skill_group_ids:
            expected = derive_level(levels.get(s.id) for s in fw.skills(group.age_group, sg)).level
            assert final.get(sg) == expected, (sg, final.get(sg), expected)
            checked += 1
    assert checked


def test_notes_are_in_one_language_and_consents_name_a_person(db, keyring):
    load_demo(db, keyring, today=dt.date(2027, 6, 15))
    texts = []
    for row in db.exec(select(CardStage)).all():
        texts += list((_open_json(keyring, row, "measures", {}) or {}).values())
    for ref in db.exec(select(Referral)).all():
        texts.append(keyring.open("referral", ref.id, "reason", ref.reason_ct))
    assert texts
    for text in texts:
        assert " / " not in text, text  # not two languages glued into one note
    for consent in db.exec(select(Consent)).all():
        if consent.guardian_name_ct:
            name = keyring.open("consent", consent.id, "guardian_name", consent.guardian_name_ct)
            assert "өкіл" not in name and "нұсқа" not in name, name
    assert any(KAZAKH_LETTERS.search(t) for t in texts)


def test_readme_lists_every_demo_login_with_its_role(db, keyring):
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    summary = load_demo(db, keyring, today=dt.date(2026, 12, 4))
    roles = {"head": "head", "teacher": "teacher", "specialist": "speech therapist", "parent": "parent",
             "admin": "admin", "education_department": "education department"}
    for login in summary["logins"]:
        line = next((text for text in readme.splitlines() if f"`{login['login']}`" in text), None)
        assert line is not None, login["login"]
        assert roles[login["role"]] in line.lower(), (login["login"], line)
    assert "SabiDamu-demo-2026" in readme
    assert "PORT=" in readme and "one-time" in readme.lower()
