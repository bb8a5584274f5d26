"""Attack (issue 10, item 3): after a parent withdraws "kindergarten monitoring", the teacher and the head kept
reaching the child through the grid, the measures page, the cell and row saves, the group report's list and
the group PDF, although the child's page already refused them. Every path now uses access.withdrawn_children."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from sabidamu.models import AuditEvent, CardStage
from sabidamu.monitoring import load_framework
from sabidamu.services import AccessDenied
from sabidamu.services import cards as cards_svc
from sabidamu.services import consent as consent_svc
from sabidamu.services.consent import Recipient
from sabidamu.web.monitoring.forms import CELL_PREFIX, VERSION_PREFIX
from tests.access.conftest import OPEN_DAY
from tests.factories import make_child
from tests.support.auth import world_user
from tests.support.cards import fill, skills

FW = load_framework()
NAME_A = "Әлия"


@pytest.fixture
def withdrawn(db, keyring, world):
    """Child A (group A) at level I everywhere at the start stage, then the parent withdraws monitoring;
    child D, in the same group, stays (its name must still show)."""
    group, teacher, child = world.groups["A"], world.users["teacher1"], world.children["A"]
    fill(db, keyring, teacher, group, child, "start", {sg: [1] * len(skills(group, sg)) for sg in FW.skill_group_ids})
    other = make_child(db, keyring, "Дәулет Серікұлы", group=group, sex="m")
    fill(db, keyring, teacher, group, other, "start", {sg: [1] * len(skills(group, sg)) for sg in FW.skill_group_ids})
    db.commit()
    parent = world.users["parentA"]
    consent = consent_svc.give(db, keyring, parent, child.id, purpose="kindergarten_monitoring",
                               recipient=Recipient(world.orgs["org1"].id), parts=[])
    consent_svc.revoke(db, parent, consent.id)
    db.rollback()
    return {"group": group, "child": child, "other": other}


def _stored(db, child_id):
    with Session(db.get_bind()) as fresh:
        return fresh.exec(select(CardStage).where(CardStage.child_id == child_id, CardStage.stage == "start")).one()


@pytest.mark.parametrize("who", ["teacher1", "head1"])
def test_grid_and_group_page_hide_the_child(client, sign_in, on_day, withdrawn, who):
    sign_in(who)
    gid = withdrawn["group"].id
    for url in (f"/groups/{gid}/monitoring?stage=start&skill_group=physical", f"/groups/{gid}"):
        page = client.get(url)
        assert page.status_code == 200
        assert NAME_A not in page.text and "Дәулет" in page.text
        assert str(withdrawn["child"].id) not in page.text


@pytest.mark.parametrize("who", ["teacher1", "head1"])
def test_measures_page_and_saves_are_refused(client, db, sign_in, on_day, withdrawn, who):
    sign_in(who)
    gid, child = withdrawn["group"].id, withdrawn["child"]
    before = _stored(db, child.id)
    skill = skills(withdrawn["group"], "physical")[0].id
    measures = f"/groups/{gid}/monitoring/start/children/{child.id}/measures"
    assert client.get(measures).status_code == 403
    assert client.post(measures, data={"version": before.version, "measures_physical": "x"}).status_code == 403
    cell = client.post(f"/groups/{gid}/monitoring/cell", json={
        "child_id": str(child.id), "skill_id": skill, "stage": "start", "level": "3", "version": before.version})
    assert cell.status_code == 403
    grid = client.post(f"/groups/{gid}/monitoring", data={
        "stage": "start", "skill_group": "physical", "academic_year": "2026",
        f"{VERSION_PREFIX}{child.id}": str(before.version), f"{CELL_PREFIX}{child.id}-{skill}": "3"})
    assert grid.status_code == 403
    after = _stored(db, child.id)
    assert (after.version, after.levels_ct) == (before.version, before.levels_ct)
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                               AuditEvent.object_id == child.id)).all()
    assert refused  # tied to the child: the parent sees the attempts


@pytest.mark.parametrize("who", ["teacher1", "head1"])
def test_group_report_list_and_group_pdf_leave_the_child_out(client, db, keyring, sign_in, withdrawn, who):
    actor = world_user(db, who)
    report = cards_svc.group_report(db, keyring, actor, withdrawn["group"].id)
    names = [c.name for c in report.need_support]
    assert names == ["Дәулет Серікұлы"]
    _group, _role, ids = cards_svc.group_for_pdf(db, actor, withdrawn["group"].id)
    assert ids == [withdrawn["other"].id]
    # Ids handed in from elsewhere (a job started before the withdrawal) are checked again, one by one.
    cards = list(cards_svc.group_cards_data(db, keyring, actor, [withdrawn["child"].id, withdrawn["other"].id], "kk"))
    assert [c["name"] for _i, _t, c in cards] == ["Дәулет Серікұлы"]
    sign_in(who)
    page = client.get(f"/groups/{withdrawn['group'].id}/report")
    assert page.status_code == 200 and NAME_A not in page.text and "Дәулет" in page.text


def test_services_refuse_directly(db, keyring, world, withdrawn):
    from sabidamu.services import monitoring as svc
    teacher, gid, child = world_user(db, "teacher1"), withdrawn["group"].id, withdrawn["child"]
    skill = skills(withdrawn["group"], "physical")[0].id
    version = _stored(db, child.id).version
    events = len(db.exec(select(AuditEvent.id)).all())
    calls = [lambda: svc.child_stage(db, keyring, teacher, gid, child.id, "start", OPEN_DAY),
             lambda: svc.save_cell(db, keyring, teacher, gid, child.id, "start", skill, "3", version, OPEN_DAY),
             lambda: svc.save_rows(db, keyring, teacher, gid, "start", "physical", {child.id: (version, {skill: "3"})},
                                   OPEN_DAY),
             lambda: svc.save_measures(db, keyring, teacher, gid, child.id, "start", {"physical": "x"}, {}, version,
                                       OPEN_DAY)]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
        db.rollback()
    assert len(db.exec(select(AuditEvent.id)).all()) == events  # nothing shown, nothing saved
    assert _stored(db, child.id).version == version
