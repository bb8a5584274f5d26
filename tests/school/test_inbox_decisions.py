"""Issue 11 (part): the inbox has 'accept all' behind a confirmation page, declining asks for confirmation (pages,
no inline script: the CSP forbids it), and the school is told at acceptance that the child stays in the
kindergarten group until the kindergarten ends the enrolment (issue 9.2)."""
from __future__ import annotations

import uuid

from sqlmodel import select

from sabidamu.models import AuditEvent, TransferPackage
from sabidamu.services.transfer import inbox as inbox_svc
from tests.support.auth import sign_in_with_password
from tests.support.i18n import t


def _n(app, singular, plural, num, lang="kk"):
    from flask import session
    from flask_babel import ngettext
    with app.test_request_context("/"):
        session["lang"] = lang
        return ngettext(singular, plural, num)


def _deliver(db, ctx, names):
    rows = []
    for name in names:
        pid = uuid.uuid4()
        rows.append(inbox_svc.deliver_to_inbox(db, ctx.build.build(ctx.build.new_child(name=name), package_id=pid),
                                         ctx.kg.id, ctx.school.id, pid, None, None))
    db.commit()
    return [r.id for r in rows]


def _statuses(db, ids):
    db.commit()
    db.expire_all()
    return [db.get(TransferPackage, i).status for i in ids]


def test_accept_all_asks_first_then_accepts_each(app, client, db, ctx):
    ids = _deliver(db, ctx, ["Ержан", "Жанна", "Дина"])
    sign_in_with_password(client, "schoolteacher@example.kz")
    inbox = client.get(f"/orgs/{ctx.school.id}/school/inbox").get_data(as_text=True)
    url = f"/orgs/{ctx.school.id}/school/inbox/accept-all"
    assert url in inbox
    assert "onclick" not in inbox and "<script>" not in inbox  # confirmation without inline JS
    assert t(app, "Accepting a card does not take the child out of the kindergarten: the child stays in the "
                  "kindergarten group until the kindergarten ends the enrolment (at graduation at the end of the "
                  "academic year, or on the day the child leaves). Until then the kindergarten keeps filling in the "
                  "card; ask it for the card again after the final stage in May.") in inbox
    confirm = client.get(url)
    assert confirm.status_code == 200 and _statuses(db, ids) == ["delivered"] * 3  # a GET changes nothing
    assert _n(app, "Accept %(num)d card?", "Accept all %(num)d cards?", 3) in confirm.get_data(as_text=True)
    done = client.post(url, follow_redirects=True)
    assert done.status_code == 200
    assert _n(app, "%(num)d card has been accepted.", "%(num)d cards have been accepted.", 3) in done.get_data(
        as_text=True)
    assert _statuses(db, ids) == ["accepted"] * 3
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "transfer.accept")).all()
    assert len(events) == 3
    assert client.get(url).status_code == 302  # nothing left: back to the inbox


def test_accept_all_refuses_a_bad_package_and_accepts_the_rest(app, client, db, ctx):
    ids = _deliver(db, ctx, ["Ержан", "Жанна"])
    row = db.get(TransferPackage, ids[0])
    damaged = bytearray(row.package_bytes)
    damaged[-20] ^= 1
    row.package_bytes = bytes(damaged)
    db.commit()
    sign_in_with_password(client, "schoolhead@example.kz")
    page = client.post(f"/orgs/{ctx.school.id}/school/inbox/accept-all", follow_redirects=True).get_data(as_text=True)
    assert _statuses(db, ids) == ["rejected", "accepted"]
    assert _n(app, "%(num)d card could not be accepted; see the list below.",
              "%(num)d cards could not be accepted; see the list below.", 1) in page
    # The refusal is a sentence, never the internal code.
    assert t(app, "The file is damaged or was changed after the kindergarten made it, so it cannot be opened. Ask "
                  "the kindergarten for the file again.") in page
    assert "(corrupt)" not in page


def test_decline_asks_for_confirmation(app, client, db, ctx):
    ids = _deliver(db, ctx, ["Ержан"])
    sign_in_with_password(client, "schoolteacher@example.kz")
    inbox = client.get(f"/orgs/{ctx.school.id}/school/inbox").get_data(as_text=True)
    confirm_url = f"/school/transfers/{ids[0]}/decline"
    assert f'href="{confirm_url}"' in inbox and f'action="{confirm_url}"' not in inbox  # a link, not a form
    page = client.get(confirm_url)
    assert page.status_code == 200 and t(app, "Decline this card?") in page.get_data(as_text=True)
    assert _statuses(db, ids) == ["delivered"]
    assert client.post(confirm_url).status_code == 302
    assert _statuses(db, ids) == ["declined"]
    assert client.get(confirm_url).status_code == 302  # already decided: back to the inbox


def test_decisions_are_refused_to_other_schools(client, db, ctx):
    ids = _deliver(db, ctx, ["Ержан"])
    sign_in_with_password(client, "otherhead@example.kz")
    assert client.get(f"/school/transfers/{ids[0]}/decline").status_code == 403
    assert client.get(f"/orgs/{ctx.school.id}/school/inbox/accept-all").status_code == 403
    assert client.post(f"/orgs/{ctx.school.id}/school/inbox/accept-all").status_code == 403
    assert _statuses(db, ids) == ["delivered"]
