"""The school's pages: upload of several files with a result table, inbox, held packages, readiness, card + PDF."""
from __future__ import annotations

import uuid

from sqlmodel import select

from sabidamu.crypto import minisign
from sabidamu.crypto.package import SenderInfo
from sabidamu.models import ImportedCard, TransferPackage
from sabidamu.services.transfer import importing as svc
from sabidamu.services.transfer import inbox as inbox_svc
from tests.factories import make_group
from tests.support.auth import sign_in_with_password
from tests.support.i18n import t
from tests.support.school import upload

from .conftest import counts


def test_upload_many_files_with_a_result_table(app, client, db, ctx):
    sign_in_with_password(client, "schoolteacher@example.kz")
    assert client.get(f"/orgs/{ctx.school.id}/school/import").status_code == 200
    good = ctx.build.build(ctx.build.new_child(name="Дана Серікова"))
    bad = bytearray(ctx.build.build())
    bad[-20] ^= 1
    response = upload(client, ctx.school.id, [("dana.sdcard", good), ("broken.sdcard", bytes(bad)),
                                              ("dana-again.sdcard", good)])
    assert response.status_code == 422  # one file was refused
    page = response.get_data(as_text=True)
    assert "dana.sdcard" in page and "broken.sdcard" in page and "Дана Серікова" in page
    assert t(app, "The card has been imported.") in page
    assert t(app, "The file is damaged or was changed after the kindergarten made it, so it cannot be opened. Ask the kindergarten for the file again.") in page
    assert "(corrupt)" not in page and "corrupt" not in page.split("<main", 1)[1]  # a sentence, never the code
    assert t(app, "This card has already been imported; nothing was changed.") in page
    assert counts(db)["imported_card"] == 1


def test_upload_without_files_and_too_many_files(app, client, db, ctx):
    sign_in_with_password(client, "schoolteacher@example.kz")
    response = client.post(f"/orgs/{ctx.school.id}/school/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and t(app, "Choose one or more .sdcard files or the ZIP file from the kindergarten.") in response.get_data(as_text=True)
    before = counts(db)
    many = [(f"f{i}.sdcard", b"x") for i in range(svc.UPLOAD_LIMITS.max_files + 1)]
    response = upload(client, ctx.school.id, many)
    assert response.status_code == 422 and t(app, "Too many files at once: upload at most %(count)s files.", count=40).split(":")[0] in response.get_data(as_text=True)
    assert counts(db) == before


def test_upload_refused_to_others(client, db, ctx):
    for email in ("otherhead@example.kz", "teacher1@example.kz", "parenta@example.kz"):
        client.post("/logout")
        sign_in_with_password(client, email)
        assert client.get(f"/orgs/{ctx.school.id}/school/import").status_code == 403
        assert upload(client, ctx.school.id, [("a.sdcard", ctx.build.build())]).status_code == 403
    assert counts(db)["imported_card"] == 0


def test_upload_needs_csrf(app, client, db, ctx):
    sign_in_with_password(client, "schoolteacher@example.kz")
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(client, ctx.school.id, [("a.sdcard", ctx.build.build())])
    assert response.status_code == 400 and counts(db)["imported_card"] == 0


def test_inbox_accept_and_decline_pages(app, client, db, keyring, ctx):
    rows = []
    for name in ("Ержан", "Жанна"):
        pid = uuid.uuid4()
        rows.append(inbox_svc.deliver_to_inbox(db, ctx.build.build(ctx.build.new_child(name=name), package_id=pid),
                                         ctx.kg.id, ctx.school.id, pid, None, None))
    db.commit()
    db.expire_all()  # the fixture session keeps objects across commits
    sign_in_with_password(client, "schoolteacher@example.kz")
    page = client.get(f"/orgs/{ctx.school.id}/school/inbox")
    assert page.status_code == 200 and t(app, "Accept") in page.get_data(as_text=True)
    assert client.get(f"/school/transfers/{rows[0].id}/accept").status_code == 405  # no change on GET
    response = client.post(f"/school/transfers/{rows[0].id}/accept", follow_redirects=True)
    assert response.status_code == 200 and t(app, "The card has been accepted. The child stays in the kindergarten group until the kindergarten ends the enrolment; then the kindergarten can read the card, but not change it, until the date shown.") in response.get_data(as_text=True)
    assert client.post(f"/school/transfers/{rows[1].id}/decline").status_code == 302
    db.commit()
    db.expire_all()  # the fixture session keeps objects across commits
    assert [db.get(TransferPackage, r.id).status for r in rows] == ["accepted", "declined"]
    page = client.get(f"/orgs/{ctx.school.id}/school/inbox").get_data(as_text=True)
    assert "Ержан" in page and t(app, "Accepted") in page and t(app, "Declined") in page
    client.post("/logout")
    sign_in_with_password(client, "otherhead@example.kz")
    assert client.get(f"/orgs/{ctx.school.id}/school/inbox").status_code == 403


def test_held_package_confirmed_by_the_head(app, client, db, keyring, ctx):
    secret, public = minisign.generate_keypair()
    stranger = SenderInfo(org_id=str(uuid.uuid4()), name="Алыстағы балабақша", bin="990340012345", signing_secret=secret)
    sign_in_with_password(client, "schoolteacher@example.kz")
    response = upload(client, ctx.school.id, [("far.sdcard", ctx.build.build(sender=stranger))])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert t(app, "The kindergarten's signature cannot be checked yet: its key is not known here. The package is kept until the school head confirms the key with the kindergarten by phone.").split("%")[0][:40] in response.get_data(as_text=True), response.get_data(as_text=True)
    db.commit()
    db.expire_all()  # the fixture session keeps objects across commits
    row = db.exec(select(TransferPackage).where(TransferPackage.status == "held")).one()
    inbox = client.get(f"/orgs/{ctx.school.id}/school/inbox").get_data(as_text=True)
    from sabidamu.services.transfer.keys_page import grouped as _grouped
    assert _grouped(public.fingerprint) in inbox and t(app, "Waiting for the head") in inbox
    assert client.get(f"/school/held/{row.id}/confirm").status_code == 403  # head only
    client.post("/logout")
    sign_in_with_password(client, "schoolhead@example.kz")
    from sabidamu.services.transfer.keys_page import grouped
    assert grouped(public.fingerprint) in client.get(f"/school/held/{row.id}/confirm").get_data(as_text=True)
    # Not ticked: refused with a message, the typed key stays.
    response = client.post(f"/school/held/{row.id}/confirm", data={"public_key": public.to_base64()})
    assert response.status_code == 422 and public.to_base64() in response.get_data(as_text=True)
    _, other = minisign.generate_keypair()
    response = client.post(f"/school/held/{row.id}/confirm", data={"public_key": other.to_base64(), "confirmed": "y"})
    assert response.status_code == 422 and t(app, "This key's fingerprint differs from the one in the package. Do not accept the package; call the sender again.") in response.get_data(as_text=True)
    response = client.post(f"/school/held/{row.id}/confirm", data={"public_key": public.to_base64(), "confirmed": "y"})
    assert response.status_code == 302
    db.commit()
    db.expire_all()  # the fixture session keeps objects across commits
    assert db.get(TransferPackage, row.id).status == "imported"


def test_readiness_card_and_pdf_pages(client, db, keyring, ctx):
    child = ctx.build.new_child(name="Зарина Әлиқызы")
    result = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(child), ctx.head)
    klass = make_group(db, ctx.school, "1 «Ә»", age_group="grade1")
    db.commit()
    db.expire_all()  # the fixture session keeps objects across commits
    sign_in_with_password(client, "schoolhead@example.kz")
    page = client.get(f"/orgs/{ctx.school.id}/school/readiness")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Зарина Әлиқызы" in text and "1 «Ә»" in text
    card = db.exec(select(ImportedCard).where(ImportedCard.child_id == result.child_id)).one()
    response = client.post(f"/orgs/{ctx.school.id}/school/children/{result.child_id}/place", data={"group": str(klass.id)})
    assert response.status_code == 302
    page = client.get(f"/school/cards/{card.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Зарина Әлиқызы" in text and "2025-2026" in text
    assert "Логопедпен жеке сабақтар" in text  # measures from card.json
    pdf = client.get(f"/school/cards/{card.id}/card.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    for email in ("otherhead@example.kz", "teacher1@example.kz", "parenta@example.kz"):
        client.post("/logout")
        sign_in_with_password(client, email)
        assert client.get(f"/school/cards/{card.id}").status_code == 403
        assert client.get(f"/school/cards/{card.id}/card.pdf").status_code == 403
        assert client.get(f"/orgs/{ctx.school.id}/school/readiness").status_code == 403


def test_overview_links_for_a_school(client, ctx):
    sign_in_with_password(client, "schoolteacher@example.kz")
    text = client.get(f"/orgs/{ctx.school.id}").get_data(as_text=True)
    for path in ("school/import", "school/inbox", "school/readiness"):
        assert f"/orgs/{ctx.school.id}/{path}" in text
