"""card.json of a package: built from the card, valid against card.schema.json, and carrying the specialists'
conclusions and the home observations only when the caller passes them (the consent allows them)."""
from __future__ import annotations

import datetime as dt

import pytest

from sabidamu.crypto.package import validate_card
from sabidamu.services import cards as cards_svc
from sabidamu.services.children import open_child
from sabidamu.services.transfer.card_json import (
    CardJsonError,
    ConclusionItem,
    build_card_json,
    screening_summaries,
    stage_dates,
)
from tests.transfer.conftest import HOME_NOTE

NOW = dt.datetime(2027, 5, 30, 8, 15, tzinfo=dt.UTC)


def _card(db, keyring, handover):
    return cards_svc._assemble(db, keyring, handover.child_a, "head")


def _build(db, keyring, handover, **kw):
    view = open_child(keyring, handover.child_a)
    args = {"iin": view.iin, "org": handover.org, "lang": "kk", "dates": stage_dates(db, handover.child_a.id),
                "screenings": screening_summaries(db, keyring, handover.child_a.id), "conclusions": None,
                "include_home_observations": False, "exported_at": NOW}
    args.update(kw)
    return view, build_card_json(_card(db, keyring, handover), **args)


def test_card_json_is_valid_and_has_the_three_stages(db, keyring, handover):
    view, card = _build(db, keyring, handover)
    assert validate_card(card) == []
    assert card["child"] == {"iin": view.iin, "full_name": "Әлия Ахметова", "birth_date": "2020-10-05"}
    assert card["organization"]["bin"] == "990140001111" and card["organization"]["id"] == str(handover.org.id)
    assert card["exported_at"] == "2027-05-30T08:15:00Z" and card["language"] == "kk"
    year = card["years"][0]
    assert year["academic_year"] == "2026-2027" and year["age_group"] == "preschool"
    assert sorted(year["stages"]) == ["final", "intermediate", "start"]
    entries = year["stages"]["start"]["entries"]
    assert [e["skill_group"] for e in entries] == ["physical", "communicative", "cognitive", "creative",
                                                   "social_emotional"]
    assert all(e["level"] in (1, 2, 3) and e["observed"] == e["total"] > 0 for e in entries)
    assert set(year["final_levels"]) == {e["skill_group"] for e in entries}


def test_conclusions_and_home_observations_only_when_passed(db, keyring, handover):
    _view, without = _build(db, keyring, handover)
    assert "specialist_conclusions" not in without and "home_observations" not in without
    items = [ConclusionItem(kind="speech_therapist", date=dt.date(2027, 3, 1), text="Жақсы", recommendations="Оқу")]
    _view, with_all = _build(db, keyring, handover, conclusions=items, include_home_observations=True)
    assert validate_card(with_all) == []
    assert with_all["specialist_conclusions"] == [
        {"kind": "speech_therapist", "date": "2027-03-01", "text": "Жақсы", "recommendations": "Оқу"}]
    assert [o["text"] for o in with_all["home_observations"]] == [HOME_NOTE]
    assert with_all["home_observations"][0]["skill_group"] == "communicative"


def test_a_card_without_iin_or_bin_is_refused(db, keyring, handover):
    with pytest.raises(CardJsonError) as caught:
        _build(db, keyring, handover, iin=None)
    assert "iin" in caught.value.problems[0]
    handover.org.bin = None
    with pytest.raises(CardJsonError) as caught:
        _build(db, keyring, handover)
    assert "bin" in caught.value.problems[0]
