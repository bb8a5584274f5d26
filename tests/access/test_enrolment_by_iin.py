"""Attack (issue 10, item 1): enrolment by IIN across organizations. Any head (a kindergarten the admin has just
created, a school with a "grade 1" group) typed the IIN of a child active in another kindergarten and got the
child's page, card and screenings at once. Now a known child waits for its guardian or the organization that holds
it, a school takes children only through the card transfer, the form answers the same for a known and an unknown
IIN, and attempts are throttled per user."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from sabidamu import access
from sabidamu.iin import make_iin
from sabidamu.models import Child, Enrollment, LoginThrottle
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services import children as children_svc
from sabidamu.services import enrolment_requests as requests_svc
from sabidamu.services import orgs as orgs_svc
from sabidamu.services.children import ENROL_LIMIT
from tests.factories import PASSWORD, enrol_totp, make_group, make_school

BIRTH = dt.date(2020, 10, 5)  # tests/factories.make_child's default
BIRTH_TEXT = BIRTH.isoformat()


def iin_of(keyring, child) -> str:
    return keyring.open("child", child.id, "iin", child.iin_ct)


def new_kindergarten_by_admin(db, keyring, world):
    """What a platform admin can do on their own: an organization, its head with a password the admin chose."""
    admin = world.users["admin"]
    org = orgs_svc.create_org(db, keyring, admin, kind="kindergarten", name_kk="Жаңа бақша", name_ru="Новый сад",
                              region="Астана", bin=None)
    head = orgs_svc.add_staff(db, admin, org, full_name="Жаңа Меңгеруші", login="newhead@example.kz",
                              password=PASSWORD + "-x", role="head")
    db.commit()
    enrol_totp(db, keyring, head)
    group = make_group(db, org, "Жаңа топ")
    db.commit()
    return org, head, group


def test_a_new_kindergartens_head_gets_nothing_of_a_child_active_elsewhere(db, keyring, world):
    _org, head, group = new_kindergarten_by_admin(db, keyring, world)
    child_c = world.children["C"]  # active in org2, created by it, no guardian account
    enrollment = children_svc.enroll_by_iin(db, keyring, head, group, iin=iin_of(keyring, child_c),
                                            name="Кез келген ат", birth_date=BIRTH)
    assert enrollment.status == "pending" and enrollment.confirm_org_id == world.orgs["org2"].id
    for part in (None, "card", "screenings", "conclusions"):
        assert access.child_view_role(db, head, child_c.id, part) is None
    # Its guardian-held sibling case: child A (parent A has an account) waits for the parent, as before.
    other = children_svc.enroll_by_iin(db, keyring, head, group, iin=iin_of(keyring, world.children["A"]),
                                       name="Кез келген", birth_date=BIRTH)
    assert other.status == "pending" and other.confirm_org_id is None
    assert access.child_view_role(db, head, world.children["A"].id) is None


def test_a_head_of_another_kindergarten_waits_for_the_holding_organization(db, keyring, world):
    head1, head2, child_c = world.users["head1"], world.users["head2"], world.children["C"]
    enrollment = children_svc.enroll_by_iin(db, keyring, head1, world.groups["A"], iin=iin_of(keyring, child_c),
                                            name="Сәуле", birth_date=BIRTH)
    assert enrollment.status == "pending"
    assert access.child_view_role(db, head1, child_c.id, "card") is None
    assert access.child_view_role(db, head2, child_c.id) == "head"  # still org2's child
    # Only org2's head answers: not the asker, not a parent, not another head.
    for outsider in (head1, world.users["parentA"], world.users["teacher2"]):
        with pytest.raises(AccessDenied):
            requests_svc.decide_by_org(db, keyring, outsider, enrollment.id, True)
        db.rollback()
    with pytest.raises(AccessDenied):
        children_svc.decide_enrollment(db, keyring, world.users["parentA"], enrollment.id, True)
    db.rollback()
    asked = requests_svc.requests_for_org(db, keyring, head2, world.orgs["org2"])
    assert [(r.child_id, r.asking_org.id) for r in asked] == [(child_c.id, world.orgs["org1"].id)]
    requests_svc.decide_by_org(db, keyring, head2, enrollment.id, True)
    assert access.child_view_role(db, head1, child_c.id, "card") == "head"
    assert access.child_view_role(db, head2, child_c.id) is None
    child = db.get(Child, child_c.id)
    assert keyring.open("child", child.id, "name", child.name_ct) == "Сәуле Нұрова"  # moved to org1's key, intact


def test_a_declined_request_gives_nothing(db, keyring, world):
    head1, child_c = world.users["head1"], world.children["C"]
    enrollment = children_svc.enroll_by_iin(db, keyring, head1, world.groups["A"], iin=iin_of(keyring, child_c),
                                            name="x", birth_date=BIRTH)
    requests_svc.decide_by_org(db, keyring, world.users["head2"], enrollment.id, False)
    assert db.get(Enrollment, enrollment.id).status == "declined"
    assert access.child_view_role(db, head1, child_c.id) is None


def test_a_school_takes_children_only_through_the_transfer(db, keyring, world):
    school = make_school(db, keyring, head_email="schoolhead@example.kz")
    grade1 = make_group(db, school.org, "1 А", age_group="grade1")
    db.commit()
    known, unknown = iin_of(keyring, world.children["C"]), make_iin(BIRTH, "m", 7777)
    children_before = len(db.exec(select(Child.id)).all())
    codes = []
    for iin in (known, unknown):
        with pytest.raises(ServiceError) as refused:
            children_svc.enroll_by_iin(db, keyring, school.head, grade1, iin=iin, name="Бала", birth_date=BIRTH)
        db.rollback()
        codes.append(refused.value.code)
    assert codes == ["school_by_transfer", "school_by_transfer"]  # the same answer, known or not
    assert len(db.exec(select(Child.id)).all()) == children_before
    assert access.child_view_role(db, school.head, world.children["C"].id) is None
    # A kindergarten's "grade 1" group is no way around it either.
    kg_grade1 = make_group(db, world.orgs["org1"], "1 сынып", age_group="grade1")
    db.commit()
    with pytest.raises(ServiceError, match="school_by_transfer"):
        children_svc.enroll_by_iin(db, keyring, world.users["head1"], kg_grade1, iin=known, name="Бала",
                                   birth_date=BIRTH)


def _enrol(client, group, iin, name="Жаңа Бала", birth=BIRTH_TEXT):
    return client.post(f"/groups/{group.id}/enroll", data={"iin": iin, "name": name, "birth_date": birth})


def test_the_form_answers_the_same_for_a_known_and_an_unknown_iin(client, db, keyring, world, sign_in):
    sign_in("head1")
    group = world.groups["A"]
    known, unknown = iin_of(keyring, world.children["C"]), make_iin(BIRTH, "f", 8881)
    answers = []
    for iin in (known, unknown):
        response = _enrol(client, group, iin)
        page = client.get(response.headers["Location"])
        flash = page.text.split('class="flash')[1].split("</")[0] if 'class="flash' in page.text else ""
        answers.append((response.status_code, response.headers["Location"], flash.split(">", 1)[-1].strip()))
    assert answers[0] == answers[1] and answers[0][0] == 302 and answers[0][2]
    # Without a name or a birth date the refusal is the same too (it used to say "no child with this IIN").
    refusals = []
    for iin in (make_iin(BIRTH, "m", 4441), known):
        response = _enrol(client, group, iin, name="", birth="")
        refusals.append((response.status_code, response.text.count('class="error'),
                         "registered" in response.text or "тіркелмеген" in response.text))
    assert refusals[0] == refusals[1] and refusals[0][0] == 422
    with Session(db.get_bind()) as fresh:  # the known child was not handed over
        assert fresh.exec(select(Enrollment).where(Enrollment.child_id == world.children["C"].id,
                                                   Enrollment.group_id == group.id)).one().status == "pending"
        assert client.get(f"/children/{world.children['C'].id}").status_code == 403


def test_enrolment_attempts_are_throttled_per_user(db, keyring, world):
    head1, group = world.users["head1"], world.groups["A"]
    for _attempt in range(ENROL_LIMIT):
        with pytest.raises(ServiceError):  # invalid or refused attempts count too
            children_svc.enroll_by_iin(db, keyring, head1, group, iin=iin_of(keyring, world.children["A"]),
                                       name=None, birth_date=None)
        db.rollback()
    with pytest.raises(ServiceError) as refused:
        children_svc.enroll_by_iin(db, keyring, head1, group, iin=make_iin(BIRTH, "f", 5551), name="Бала",
                                   birth_date=BIRTH)
    assert refused.value.code == "enrol_throttled" and refused.value.params["minutes"] >= 1
    db.rollback()
    # Per user: another head is not held back; the row holds no IIN.
    children_svc.enroll_by_iin(db, keyring, world.users["head2"], world.groups["C"], iin=make_iin(BIRTH, "f", 5552),
                               name="Бала", birth_date=BIRTH)
    row = db.get(LoginThrottle, f"enrol:{head1.id}")
    assert row.failures == ENROL_LIMIT
