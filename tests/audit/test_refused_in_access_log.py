"""A refused attempt to open a child's page shows in that child's access log for the parent."""
from sqlmodel import select

from sabidamu.models import AuditEvent
from tests.support.auth import sign_in_with_password
from tests.support.i18n import t


def test_refused_attempt_is_tied_to_the_child_and_shown_to_the_parent(app, client, db, world):
    child = world.children["A"]
    sign_in_with_password(client, "teacher2@example.kz")  # another organization's teacher
    assert client.get(f"/children/{child.id}").status_code == 403
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert event.object_id == child.id and event.actor_id == world.users["teacher2"].id
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/account/children/{child.id}/access-log")
    assert page.status_code == 200
    assert t(app, "An attempt to open the child's page (refused)") in page.text
