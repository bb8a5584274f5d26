"""The card's transfer pages in a real browser, in Kazakh and Russian, on a desktop (1280 px) and a phone (390 px):
the head's export page (what handing over does, the words explained), the school's inbox (accept, decline…,
accept all), the 'accept all' confirmation and the result of uploading the kindergarten's ZIP. Every page passes
axe, none scrolls sideways on a phone (the inbox's buttons fit 390 px), and each gets a screenshot."""
from __future__ import annotations

import io
import uuid
import zipfile
from types import SimpleNamespace

import pytest

from sabidamu.crypto import minisign
from sabidamu.crypto.package import SenderInfo
from sabidamu.services.children import open_child
from sabidamu.services.identity import login_of
from sabidamu.services.transfer import importing as transfer_import
from sabidamu.services.transfer import inbox as inbox_svc
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_school, make_user
from tests.school.conftest import KG_BIN, Builder
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in
from tests.support.i18n import t

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWS = [("kk", DESKTOP), ("ru", PHONE), ("ru", DESKTOP), ("kk", PHONE)]
IDS = ["kk-1280", "ru-390", "ru-1280", "kk-390"]


def _check(page, lang, viewport, what):
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, f"{lang}-{what}-{viewport['width']}")
    assert_accessible(page)
    if viewport is PHONE:
        assert not has_horizontal_scroll(page), f"{what} scrolls sideways on a phone"


@pytest.fixture
def transfer(live_server):
    keyring = live_server.keyring
    with live_server.session() as s:
        kg = make_org(s, keyring, "Балдырған")
        kg.bin = KG_BIN
        head = make_user(s, "head@baldyrgan.kz")
        add_member(s, head, kg, "head")
        enrol_totp(s, keyring, head)
        group = make_group(s, kg, "Күнбағыс")
        school = make_school(s, keyring, "№45 мектеп-гимназия", head_email="head@school45.kz")
        build = Builder(s, keyring, kg, school.org)
        names = ["Әлия Ахметова", "Бекзат Оспанов", "Дана Серікова", "Нұрсұлтан Жақыпов"]
        children = [make_child(s, keyring, n, group=group) for n in names]
        rows = []
        for child in children:
            view = open_child(keyring, child)
            pid = uuid.uuid4()
            data = build.build(SimpleNamespace(iin=view.iin, name=view.name, birth=view.birth_date), package_id=pid)
            rows.append(inbox_svc.deliver_to_inbox(s, data, kg.id, school.org.id, pid, child.id, None))
        s.commit()
        inbox_svc.accept(s, keyring, school.head, rows[0].id)
        inbox_svc.decline(s, school.head, rows[1].id)
        secret, _public = minisign.generate_keypair()
        stranger = SenderInfo(org_id=str(uuid.uuid4()), name="«Айгөлек» бөбекжайы (Шымкент)", bin="990340012345",
                              signing_secret=secret)
        first = transfer_import.import_package(s, keyring, school.org.id, build.build(sender=stranger), school.head)
        held_row = [r for r in inbox_svc.held_packages(s, school.head, school.org.id)
                    if r.package_id == first.package_id][0]
        inbox_svc.confirm_sender_key(s, keyring, school.head, held_row.id, _public.to_base64())
        other_secret, _other = minisign.generate_keypair()
        impostor = SenderInfo(org_id=stranger.org_id, name=stranger.name, bin=stranger.bin,
                              signing_secret=other_secret)
        again = transfer_import.import_package(s, keyring, school.org.id, build.build(sender=impostor), school.head)
        held = [r for r in inbox_svc.held_packages(s, school.head, school.org.id)
                if r.package_id == again.package_id][0]
        good = build.build(build.new_child(name="Мирас Төлегенов"))
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w") as archive:
            archive.writestr("card-1.sdcard", good)
            archive.writestr("card-2.sdcard", good[:-40])
            archive.writestr("index.txt", "Мектеп\n")
            archive.writestr("photo.jpg", b"\xff\xd8")
        return SimpleNamespace(kg=str(kg.id), school=str(school.org.id), head=login_of(head), group=str(group.id),
                               child=str(children[2].id), held=str(held.id),
                               school_head=login_of(school.head), bundle=bundle.getvalue())


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_inbox_and_accept_all(live_server, new_page, transfer, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, transfer.school_head, PASSWORD)
    page.goto(f"/orgs/{transfer.school}/school/inbox")
    main = page.locator("main").inner_text()
    assert "Дана Серікова" in main and "Нұрсұлтан Жақыпов" in main
    for code in ("corrupt", "delivered", "unknown_sender"):
        assert code not in main
    for button in page.locator("main li .actions .button").all():  # every button fits the screen
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    _check(page, lang, viewport, "school-inbox")
    with page.expect_navigation():
        page.locator("main a[href$='/school/inbox/accept-all']").click()
    assert _plural(live_server, lang, "Accept %(num)d card?", "Accept all %(num)d cards?", 2) in \
        page.locator("main h1").inner_text()
    _check(page, lang, viewport, "school-accept-all")
    page.goto(f"/orgs/{transfer.school}/school/inbox")
    with page.expect_navigation():
        page.locator("main a[href$='/decline']").first.click()
    _check(page, lang, viewport, "school-decline-confirm")


def _plural(live_server, lang, singular, plural, num):
    from flask import session
    from flask_babel import ngettext
    with live_server.app.test_request_context("/"):
        session["lang"] = lang
        return ngettext(singular, plural, num)


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_upload_of_the_kindergartens_zip(live_server, new_page, transfer, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, transfer.school_head, PASSWORD)
    page.goto(f"/orgs/{transfer.school}/school/import")
    page.set_input_files("#files", files=[{"name": "cards-for-school-kk.zip", "mimeType": "application/zip",
                                           "buffer": transfer.bundle}])
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    main = page.locator("main").inner_text()
    assert "Мирас Төлегенов" in main
    assert t(live_server.app, "This file in the ZIP file is not a card package, so it was skipped.", lang) in main
    for code in ("not_a_package", "truncated", "corrupt", "age-encrypted"):
        assert code not in page.locator("section[aria-labelledby=results-h]").inner_text()
    _check(page, lang, viewport, "school-upload-result")


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_export_page(live_server, new_page, transfer, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, transfer.head, PASSWORD)
    page.goto(f"/orgs/{transfer.kg}/transfer/export")
    assert "age1" in page.locator("#key-explained").inner_text()
    _check(page, lang, viewport, "transfer-export")


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_held_package_with_a_known_senders_other_key(live_server, new_page, transfer, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, transfer.school_head, PASSWORD)
    page.goto(f"/school/held/{transfer.held}/confirm")
    assert t(live_server.app, "This school already confirmed another key for this sender.", lang) in \
        page.locator("main [role=alert]").inner_text()
    _check(page, lang, viewport, "school-held-known-sender")


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_group_leave_and_graduation_pages(live_server, new_page, transfer, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, transfer.head, PASSWORD)
    page.goto(f"/groups/{transfer.group}")
    _check(page, lang, viewport, "group-head")
    with page.expect_navigation():
        page.locator(f"main a[href$='/children/{transfer.child}/leave']").click()
    page.fill("#leave_date", "2099-01-01")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#leave_date-err").count() == 1
    _check(page, lang, viewport, "enrolment-leave-error")
    page.goto(f"/groups/{transfer.group}/graduate")
    _check(page, lang, viewport, "group-graduation")
