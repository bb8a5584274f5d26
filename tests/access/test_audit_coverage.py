"""Audit coverage (issue 10, item 8): a page that shows several children wrote one event for the group only, so a
parent never learned that their child was on it; a school's reads of the imported card were missing from the
parent's log; and a stream of refused attempts flooded it. Now: one event per child shown (one INSERT for the
whole list), the school's reads appear, and refusals by one user on one child are written once an hour with a
count."""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import ImportedCard, RefusedAttempt
from sabidamu.monitoring import load_framework
from sabidamu.services import audit_ops
from sabidamu.services import cards as cards_svc
from sabidamu.services.transfer import school_view
from tests.factories import make_child
from tests.support.audit import audit_events
from tests.support.auth import world_user
from tests.support.cards import fill, skills
from tests.transfer.conftest import (
    accepted,  # noqa: F401 (fixture)
    handover,  # noqa: F401 (fixture)
)

FW = load_framework()


@contextmanager
def audit_inserts(engine):
    """Counts the INSERT statements into the audit table while the block runs."""
    seen = []

    def listen(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO AUDITEVENT"):
            seen.append(statement)
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def group_of_three(db, keyring, world):
    group, teacher = world.groups["A"], world.users["teacher1"]
    kids = [world.children["A"], make_child(db, keyring, "Дәулет Серікұлы", group=group, sex="m"),
            make_child(db, keyring, "Аружан Мұратқызы", group=group)]
    for kid in kids:  # everyone at level I at the start: all three are on the report's "need support" list
        fill(db, keyring, teacher, group, kid, "start", {sg: [1] * len(skills(group, sg)) for sg in FW.skill_group_ids})
    db.commit()
    return group, {k.id for k in kids}


@pytest.mark.parametrize("page,action", [("", "child.list.group"),
                                         ("/monitoring?stage=start&skill_group=physical", "child.list.grid"),
                                         ("/report", "child.list.report")])
def test_a_list_page_writes_one_event_per_child_in_one_insert(client, db, sign_in, on_day, group_of_three,
                                                              page, action):
    group, ids = group_of_three
    sign_in("teacher1")
    with audit_inserts(db.get_bind()) as inserts:
        assert client.get(f"/groups/{group.id}{page}").status_code == 200
    written = audit_events(db, action)
    assert {e.object_id for e in written} == ids and len(written) == 3
    assert all(e.object_type == "child" and e.actor_role == "teacher" for e in written)
    assert len(inserts) == 2  # the page's own event and one batch for the children (not 1 + 3)


def test_the_group_pdf_and_the_export_list_name_each_child(client, db, keyring, world, sign_in, group_of_three):
    group, ids = group_of_three
    _g, _r, pdf_ids = cards_svc.group_for_pdf(db, world_user(db, "head1"), group.id)
    assert {e.object_id for e in audit_events(db, "child.list.pdf")} == set(pdf_ids) == ids
    sign_in("head1")
    assert client.get(f"/orgs/{world.orgs['org1'].id}/transfer/export").status_code == 200
    assert ids <= {e.object_id for e in audit_events(db, "child.list.export")}


def test_the_parent_sees_the_lists_and_the_schools_reads_of_the_imported_card(client, db, keyring, handover, accepted,
                                                                                sign_in):
    # The head's list of cards handed to schools names the child too.
    from sabidamu.services import orgs as orgs_svc
    handed = orgs_svc.handed_to_school(db, keyring, handover.head, handover.org)
    assert handover.child_a.id in {h["child"].id for h in handed}
    assert handover.child_a.id in {e.object_id for e in audit_events(db, "child.list.handed")}
    card = db.exec(select(ImportedCard).where(ImportedCard.child_id == handover.child_a.id)).one()
    school_view.imported_card(db, keyring, handover.school_head, card.id)
    school_view.imported_card_pdf(db, keyring, handover.school_head, card.id)
    parent = handover.world.users["parentA"]
    log = audit_ops.access_log(db, parent, handover.child_a.id)
    actions = {e.action: e for e in log.entries}
    assert {"imported_card.view", "imported_card.pdf", "child.list.handed"} <= set(actions)
    assert actions["imported_card.view"].org.id == handover.school.id
    sign_in("parentA")
    page = client.get(f"/account/children/{handover.child_a.id}/access-log")
    assert page.status_code == 200 and "School 45" in page.text


def test_refused_attempts_are_written_once_an_hour_with_a_count(client, db, world, sign_in):
    child = world.children["A"]
    stranger = sign_in("teacher2")  # another kindergarten's teacher
    for _ in range(5):
        assert client.get(f"/children/{child.id}").status_code == 403
    first = [e for e in audit_events(db, "access.denied") if e.object_id == child.id]
    assert len(first) == 1 and first[0].detail["count"] == 1 and first[0].actor_id == stranger.id
    # An hour later the next refusal is written, carrying the four repeats it stood in for.
    row = db.get(RefusedAttempt, (stranger.id, child.id))
    assert row.unlogged == 4
    row.logged_at -= dt.timedelta(hours=1, minutes=1)
    db.add(row)
    db.commit()
    assert client.get(f"/children/{child.id}/card").status_code == 403
    refused = [e for e in audit_events(db, "access.denied") if e.object_id == child.id]
    assert [e.detail["count"] for e in sorted(refused, key=lambda e: e.at)] == [1, 5]
    # Another user's attempts are counted on their own.
    sign_in("head2")
    assert client.get(f"/children/{child.id}").status_code == 403
    assert len([e for e in audit_events(db, "access.denied") if e.object_id == child.id]) == 3
    sign_in("parentA")
    page = client.get(f"/account/children/{child.id}/access-log")
    assert page.status_code == 200
    assert re.search(r'class="muted">\([^)]*\b5\b', page.text)  # "(5 attempts, ...)" beside the entry
