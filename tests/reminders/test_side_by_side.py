"""Home and kindergarten side by side (issue 15, item 1): the pure mapping, the child page for the parent, the
group's teacher and the head (never a specialist or another kindergarten), the plain-words sentences in kk and ru,
and the parent's agreement for the card's PDF (audited)."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid

from sqlmodel import select

from sabidamu.models import AuditEvent, Screening
from sabidamu.models.reminders import CardHomeShare
from sabidamu.monitoring.home_compare import (
    HOME_CONCERN,
    KINDERGARTEN_CONCERN,
    SKILL_GROUP_DOMAINS,
    compare,
    disagreement,
    home_zone,
)
from tests.support.cards import earlier_year, skills


def test_mapping_covers_the_five_skill_groups_and_takes_the_less_favourable_zone():
    assert set(SKILL_GROUP_DOMAINS) == {"physical", "communicative", "cognitive", "creative", "social_emotional"}
    zones = {"gross_motor": "on_track", "fine_motor": "monitor", "communication": "refer",
             "problem_solving": "incomplete"}
    assert home_zone(zones, "physical") == "monitor"
    assert home_zone(zones, "communicative") == "refer"
    assert home_zone(zones, "cognitive") is None  # incomplete is no zone
    assert home_zone({}, "social_emotional") is None


def test_only_the_clear_opposites_are_disagreements():
    assert disagreement(3, "refer") == HOME_CONCERN
    assert disagreement(1, "on_track") == KINDERGARTEN_CONCERN
    assert [disagreement(level, zone) for level, zone in
            ((3, "monitor"), (2, "refer"), (1, "refer"), (3, "on_track"), (None, "refer"), (1, None))] == [None] * 6
    rows = compare({"physical": 1, "communicative": 3}, {"gross_motor": "on_track", "fine_motor": "on_track",
                                                         "communication": "refer"})
    assert [(r.skill_group, r.level, r.zone, r.disagreement) for r in rows] == [
        ("physical", 1, "on_track", KINDERGARTEN_CONCERN), ("communicative", 3, "refer", HOME_CONCERN),
        ("cognitive", None, None, None), ("creative", None, "on_track", None), ("social_emotional", None, None, None)]


def _levels(db, keyring, world):
    group, child = world.groups["A"], world.children["A"]
    levels = {s.id: 1 for s in skills(group, "physical")} | {s.id: 3 for s in skills(group, "communicative")}
    earlier_year(db, keyring, child, group, "start", levels)


def _screening(db, keyring, child, zones: dict[str, str], on=dt.date(2026, 11, 20)):
    row = Screening(id=uuid.uuid4(), child_id=child.id, key_id=child.key_id, instrument_id="sabidamu-dev-screen",
                    instrument_version=2, band_id="m60", status="completed",
                    completed_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC))
    result = {"screening_date": on.isoformat(), "zone": "refer",
              "domains": [{"id": d, "zone": z} for d, z in zones.items()]}
    row.result_ct = keyring.seal(row.key_id, "screening", row.id, "result", json.dumps(result))
    row.screening_date_ct = keyring.seal(row.key_id, "screening", row.id, "screening_date", on.isoformat())
    db.add(row)
    db.commit()


ZONES = {"communication": "refer", "gross_motor": "on_track", "fine_motor": "on_track",
         "problem_solving": "monitor", "personal_social": "on_track"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_parent_sees_the_table_and_the_sentences_in_kazakh(client, auth, db, keyring, world):
    _levels(db, keyring, world)
    _screening(db, keyring, world.children["A"], ZONES)
    auth.sign_in("parentA")
    client.post("/lang", data={"lang": "kk"})
    page = client.get(f"/children/{world.children['A'].id}").get_data(as_text=True)
    text = _text(page)
    assert "Үй мен балабақша қатар" in text
    assert ("«Коммуникативтік дағдыларды дамыту»: балабақшада III деңгей байқалады, ал үйдегі скрининг маманға "
            "көрсетуді ұсынады. Бала үйде және топта өзін әртүрлі көрсетуі мүмкін.") in text
    assert ("«Физикалық қасиеттерді дамыту»: үйдегі скрининг бойынша бала жасына сай дамып келеді, ал балабақшада "
            "I деңгей байқалады. Бала үйде және топта өзін әртүрлі көрсетуі мүмкін.") in text
    assert "Бұл туралы тәрбиешімен сөйлесіп көріңіз: бірге балаңызды толығырақ көресіздер." in text
    assert "2026 ж. 20 қараша" in text  # the screening's date


def test_teacher_reads_it_in_russian_with_the_conversation_for_staff(client, auth, db, keyring, world):
    _levels(db, keyring, world)
    _screening(db, keyring, world.children["A"], ZONES)
    auth.sign_in("teacher1")
    client.post("/lang", data={"lang": "ru"})
    text = _text(client.get(f"/children/{world.children['A'].id}").get_data(as_text=True))
    assert "Дом и детский сад рядом" in text
    assert ("«Развитие коммуникативных навыков»: в детском саду наблюдается III уровень, а домашний скрининг "
            "советует показать ребенка специалисту. Дома и в группе ребенок может проявлять себя по-разному.") in text
    assert ("«Развитие физических качеств»: по домашнему скринингу ребенок развивается по возрасту, а в детском "
            "саду наблюдается I уровень. Дома и в группе ребенок может проявлять себя по-разному.") in text
    assert "Поговорите об этом с родителем: вместе вы увидите ребенка полнее." in text
    assert "Include this table" not in text and "Включать эту таблицу" not in text  # only the parent agrees


def test_no_sentence_when_they_agree(client, auth, db, keyring, world):
    _levels(db, keyring, world)
    _screening(db, keyring, world.children["A"], dict.fromkeys(ZONES, "monitor"))
    auth.sign_in("head1")
    client.post("/lang", data={"lang": "ru"})
    text = _text(client.get(f"/children/{world.children['A'].id}").get_data(as_text=True))
    assert "Дом и детский сад рядом" in text and "Поговорите об этом" not in text


def test_parent_agreement_is_kept_and_audited_and_only_the_parent_may_give_it(client, auth, db, world):
    child = world.children["A"]
    auth.sign_in("teacher1")
    assert client.post(f"/children/{child.id}/home-share/agree").status_code == 403
    assert db.get(CardHomeShare, child.id) is None
    auth.sign_in("parentA")
    assert client.post(f"/children/{child.id}/home-share/agree").status_code == 302
    db.rollback()
    assert db.get(CardHomeShare, child.id) is not None
    client.post(f"/children/{child.id}/home-share/stop")
    db.rollback()
    assert db.get(CardHomeShare, child.id) is None
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "card.home_share",
                                              AuditEvent.object_id == child.id)).all()
    assert len(events) == 2


def _pdf_text(body: bytes) -> str:
    import subprocess
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", out.decode())


def test_card_pdf_includes_the_table_only_when_the_parent_agreed(client, auth, db, keyring, world):
    _levels(db, keyring, world)
    _screening(db, keyring, world.children["A"], ZONES)
    child = world.children["A"]
    auth.sign_in("teacher1")
    before = _pdf_text(client.get(f"/children/{child.id}/card.pdf?lang=ru").data)
    assert "Дом и детский сад рядом" not in before
    auth.sign_in("parentA")
    client.post(f"/children/{child.id}/home-share/agree")
    auth.sign_in("teacher1")
    body = client.get(f"/children/{child.id}/card.pdf?lang=ru").data
    text = _pdf_text(body)
    assert "Дом и детский сад рядом" in text
    assert "Поговорите об этом с родителем: вместе вы увидите ребенка полнее." in text
    db.rollback()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "card.pdf.home",
                                              AuditEvent.object_id == child.id)).all()
    assert [e.actor_role for e in events] == ["teacher"]
