"""services.cards: the card's data (levels derived per the rule, measures, final levels, earlier years, home
observations) and who may read it."""
from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent
from sabidamu.monitoring import derive_level
from sabidamu.services import AccessDenied, NotFound
from sabidamu.services import cards as svc
from tests.cards.conftest import MEASURES_FINAL, MEASURES_START
from tests.support.auth import world_user


def cells(year, sg):
    return {c.stage: c for c in next(r for r in year.rows if r.skill_group == sg).stages}


def test_card_levels_measures_final_and_earlier_years(db, keyring, world, filled):
    card = svc.card_for(db, keyring, world_user(db, "teacher1"), world.children["A"].id)
    assert card.name == "Әлия Ахметова" and card.role == "teacher"
    assert [y.academic_year for y in card.years] == [2026, 2025]  # current first, then earlier
    now = card.current
    assert now.group_name == "Group A" and now.age_group == "preschool" and now.org_name_kk == "Org One (kk)"
    n = filled["n"]
    # The rule: mean of the observed skills, halves up; fewer than half observed gives no level.
    assert cells(now, "physical")["start"].level == 1
    assert cells(now, "communicative")["start"].level == 2
    cognitive = cells(now, "cognitive")["start"]
    assert (cognitive.level, cognitive.observed, cognitive.total) == (3, (n["cognitive"] + 1) // 2, n["cognitive"])
    creative = cells(now, "creative")["start"]
    assert (creative.level, creative.observed, creative.recorded) == (None, 2, True)
    social = [2, 3] * (n["social_emotional"] // 2) + [3] * (n["social_emotional"] % 2)
    assert cells(now, "social_emotional")["start"].level == derive_level(social).level == 3
    assert cells(now, "physical")["intermediate"].recorded is False
    assert all(cells(now, sg)["final"].level == 3 for sg in n)
    # Measures per stage and skill group; the final level per skill group.
    assert cells(now, "physical")["start"].measures == MEASURES_START
    assert cells(now, "creative")["final"].measures == MEASURES_FINAL
    assert cells(now, "creative")["start"].measures == ""
    assert {r.skill_group: r.final_level for r in now.rows} == dict.fromkeys(n, 3) | {"physical": 2}
    # Corrective periods: the card's fixed periods of that academic year.
    assert [str(d) for d in now.periods["start"]] == ["2026-10-01", "2026-12-31"]
    assert [str(d) for d in now.periods["final"]] == ["2027-06-01", "2027-08-31"]
    # The earlier year keeps its own group (age group) and levels.
    old = card.years[1]
    assert old.group_name == "Кіші топ 2025" and old.age_group == "senior"
    assert cells(old, "physical")["start"].level == 2
    assert cells(old, "physical")["start"].measures == "Таңертеңгі жаттығу"
    assert all(r.final_level is None for r in old.rows)
    assert [o.text for o in card.observations] == ["Үйде өзі киінеді."]


def test_card_context_names_exactly_as_the_framework(db, keyring, world, filled):
    card = svc.card_for(db, keyring, world_user(db, "head1"), world.children["A"].id)
    kk, ru = svc.card_context(card, "kk"), svc.card_context(card, "ru")
    assert kk["years"][0]["title"] == "2026-2027 оқу жылына арналған баланың жеке даму картасы"
    assert ru["years"][0]["title"] == "Индивидуальная карта развития ребенка на 2026-2027 учебный год"
    assert [r["name"] for r in kk["years"][0]["rows"]][0] == "Физикалық қасиеттерді дамыту"
    assert [s["name"] for s in ru["years"][0]["stages"]] == [
        "стартовый мониторинг", "промежуточный мониторинг", "итоговый мониторинг"]
    assert kk["years"][0]["rows"][0]["final_name"] == "II – орташа"
    assert ru["years"][0]["rows"][1]["final_name"] == "III уровень – высокий"
    assert kk["years"][0]["stages"][0]["period"] == "қазан – желтоқсан"
    with pytest.raises(ValueError):
        svc.card_context(card, "en")


@pytest.mark.parametrize("who,role", [("parentA", "parent"), ("teacher1", "teacher"), ("head1", "head")])
def test_who_may_read_the_card(db, keyring, world, filled, who, role):
    card = svc.card_for(db, keyring, world_user(db, who), world.children["A"].id)
    assert card.role == role
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "card.view")
                    .order_by(AuditEvent.seq.desc())).first()
    assert event.object_id == world.children["A"].id and event.actor_role == role
    assert "Әлия" not in str(event.detail)


@pytest.mark.parametrize("who", ["parentB", "teacher1b", "head2", "teacher2", "admin"])
def test_others_may_not(db, keyring, world, filled, who):
    # another family, a teacher of another group, the head of another organization, the platform admin
    with pytest.raises(AccessDenied):
        svc.card_for(db, keyring, world_user(db, who), world.children["A"].id)


def test_unknown_child(db, keyring, world):
    with pytest.raises(NotFound):
        svc.card_for(db, keyring, world_user(db, "head1"), uuid.uuid4())


def test_child_without_any_card_row(db, keyring, world):
    card = svc.card_for(db, keyring, world_user(db, "parentB"), world.children["B"].id)  # at home, never enrolled
    assert len(card.years) == 1 and card.current.group_name == ""
    assert all(not c.recorded and c.level is None for r in card.current.rows for c in r.stages)
