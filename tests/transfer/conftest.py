"""Fixtures of the export tests: the world (tests/factories.build_world) plus a school of this installation, BINs,
child A's parent consenting to hand the card to that school, a second child of group A without consent, a filled
card (three stages), a specialist's conclusion and a home observation of child A."""
from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest

from sabidamu.demo import fill_monitoring
from sabidamu.models import HomeObservation, Referral, SpecialistConclusion
from sabidamu.services import consent as consent_svc
from tests.factories import add_member, make_child, make_org, make_user
from tests.support.transfer import export_on_paper_consent

CONCLUSION = "Дыбыстарды айтуы жасына сай. / Звукопроизношение соответствует возрасту."
HOME_NOTE = "Үйде кітап оқығанды ұнатады. / Дома любит читать книги."


def give_school_consent(db, keyring, parent, child, school, parts=()):
    return consent_svc.give(db, keyring, parent, child.id, purpose="school_transfer",
                            recipient=consent_svc.Recipient(school.id), parts=list(parts))


def add_parent(db, child, email="parentz@example.kz"):
    from sabidamu.models import Guardianship
    parent = make_user(db, email)
    db.add(Guardianship(child_id=child.id, user_id=parent.id))
    db.commit()
    return parent


@pytest.fixture
def handover(db, keyring, world):
    """The world ready for a card handover: school 45 (with its head), BINs, child A with a filled card, a
    specialist's conclusion and a home note; child A2 of group A without consent."""
    org1 = world.orgs["org1"]
    org1.bin, world.orgs["org2"].bin = "990140001111", "990140002222"
    school = make_org(db, keyring, "School 45", kind="school")
    school.bin = "990140005555"
    school_head = make_user(db, "schoolhead@example.kz")
    add_member(db, school_head, school, "head")
    child_a = world.children["A"]
    child_a2 = make_child(db, keyring, "Бекзат Оспанов", sex="m", group=world.groups["A"])
    # The end of the group's academic year (2026-2027): every stage's period has closed, all three are filled.
    fill_monitoring(db, keyring, world.groups["A"], world.users["head1"], random.Random(5), dt.date(2027, 8, 31))
    ref = Referral(child_id=child_a.id, to_org_id=org1.id, key_id=child_a.key_id, status="open",
                   created_by=world.users["teacher1"].id, created_by_role="teacher")
    db.add(ref)
    db.flush()
    conclusion = SpecialistConclusion(child_id=child_a.id, referral_id=ref.id, org_id=org1.id,
                                      author_id=world.users["teacher1"].id, specialist_kind="speech_therapist",
                                      key_id=child_a.key_id)
    conclusion.conclusion_ct = keyring.seal(child_a.key_id, "specialistconclusion", conclusion.id, "conclusion",
                                            CONCLUSION)
    conclusion.recommendations_ct = keyring.seal(child_a.key_id, "specialistconclusion", conclusion.id,
                                                 "recommendations", "Ертегілер оқу.")
    note = HomeObservation(child_id=child_a.id, key_id=child_a.key_id, author_id=world.users["parentA"].id,
                           skill_group="communicative")
    note.text_ct = keyring.seal(child_a.key_id, "homeobservation", note.id, "text", HOME_NOTE)
    db.add_all([conclusion, note])
    db.commit()
    return SimpleNamespace(world=world, school=school, school_head=school_head, child_a=child_a, child_a2=child_a2,
                           head=world.users["head1"], org=org1)


@pytest.fixture
def accepted(app, db, keyring, handover):
    """Child A's card handed over and accepted by the school; the kindergarten then ended the enrolment today.
    (The accepted inbox row, the exported item.)"""
    from sqlmodel import select

    from sabidamu.models import TransferPackage
    from sabidamu.services import enrolment_end
    from sabidamu.services.transfer import inbox as inbox_svc
    item = export_on_paper_consent(app, db, keyring, handover)
    inbox = db.exec(select(TransferPackage).where(TransferPackage.direction == "inbox")).one()
    result = inbox_svc.accept(db, keyring, handover.school_head, inbox.id)
    assert result.status == "imported" and result.child_id == handover.child_a.id
    enrolment_end.end_enrolment(db, handover.head, handover.world.groups["A"].id, handover.child_a.id, leave_date=dt.date.today())
    db.expire_all()
    return db.get(TransferPackage, inbox.id), item
