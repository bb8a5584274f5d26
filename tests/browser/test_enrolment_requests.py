"""Enrolment by IIN across kindergartens in a real browser (issue 10, item 1): a head asks for a child another
kindergarten holds (no parent account), gets the same answer as for a new child and sees nothing of it; the holding
kindergarten's head finds the request on the organization page (kk and ru, desktop and phone) and accepts it.
A parent's access log shows the list entries and a refusal count."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from sabidamu.iin import make_iin
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in, switch_language

BIRTH = dt.date(2020, 10, 5)
HELD = "Сәуле Нұрова"


@pytest.fixture
def two_kindergartens(live_server):
    keyring = live_server.keyring
    with live_server.session() as s:
        holding, asking = make_org(s, keyring, "Балапан"), make_org(s, keyring, "Күншуақ")
        holding.bin, asking.bin = "990140001111", "990140002222"
        head_h, head_a = make_user(s, "head@balapan.kz"), make_user(s, "head@kunshuak.kz")
        add_member(s, head_h, holding, "head")
        add_member(s, head_a, asking, "head")
        enrol_totp(s, keyring, head_h)
        enrol_totp(s, keyring, head_a)
        group_h, group_a = make_group(s, holding, "Айгөлек"), make_group(s, asking, "Жұлдыз")
        child = make_child(s, keyring, HELD, group=group_h)
        iin = keyring.open("child", child.id, "iin", child.iin_ct)
        return {"holding": str(holding.id), "group_a": str(group_a.id), "child": str(child.id), "iin": iin,
                "head_h": login_of(head_h), "head_a": login_of(head_a)}


def _enrol(page, group_id, iin, name):
    page.goto(f"/groups/{group_id}/enroll")
    page.fill("#iin", iin)
    page.fill("#name", name)
    page.fill("#birth_date", BIRTH.isoformat())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    return page.locator(".flash-success").inner_text().strip()


def test_a_request_waits_for_the_holding_kindergarten(page, new_page, two_kindergartens):
    k = two_kindergartens
    sign_in(page, k["head_a"], PASSWORD)
    page.goto(f"/groups/{k['group_a']}/enroll")
    shot(page, "enrol-form")
    assert_accessible(page)
    known = _enrol(page, k["group_a"], k["iin"], "Кез келген ат")
    unknown = _enrol(page, k["group_a"], make_iin(BIRTH, "m", 6101), "Жаңа Бала")
    assert known == unknown  # the same answer for a known and an unknown IIN
    assert page.locator("main").inner_text().count(HELD) == 0
    assert page.goto(f"/children/{k['child']}").status == 403

    holder = new_page()
    sign_in(holder, k["head_h"], PASSWORD)
    holder.goto(f"/orgs/{k['holding']}")
    request = holder.locator("#asked-h + p + ul li")
    assert request.count() == 1 and HELD in request.inner_text() and "990140002222" in request.inner_text()
    shot(holder, "org-enrolment-request")
    assert_accessible(holder)
    holder.set_viewport_size({"width": 390, "height": 844})
    assert not has_horizontal_scroll(holder)
    shot(holder, "org-enrolment-request-phone")
    holder.set_viewport_size({"width": 1280, "height": 900})
    switch_language(holder, "ru")
    shot(holder, "org-enrolment-request")
    assert_accessible(holder)
    holder.set_viewport_size({"width": 390, "height": 844})
    shot(holder, "org-enrolment-request-phone")
    with holder.expect_navigation():
        holder.locator("#asked-h + p + ul li form").first.locator("button").click()
    assert holder.locator(".flash-success").is_visible()
    assert holder.locator("#asked-h").count() == 0
    assert page.goto(f"/children/{k['child']}").status == 200  # now the asking kindergarten's child


def test_the_parents_access_log_shows_list_entries_and_a_refusal_count(live_server, page, new_page):
    keyring = live_server.keyring
    with live_server.session() as s:
        org = make_org(s, keyring, "Балапан")
        other = make_org(s, keyring, "Күншуақ")
        teacher, stranger = make_user(s, "teacher@balapan.kz"), make_user(s, "teacher@kunshuak.kz")
        parent = make_user(s, "parent@example.kz")
        add_member(s, teacher, org, "teacher")
        add_member(s, stranger, other, "teacher")
        group = make_group(s, org, "Айгөлек", teacher)
        child = make_child(s, keyring, HELD, group=group, parent=parent)
        ids = {"group": str(group.id), "child": str(child.id), "stranger": stranger.id}
        logins = {"teacher": login_of(teacher), "stranger": login_of(stranger), "parent": login_of(parent)}
    sign_in(page, logins["teacher"], PASSWORD)
    page.goto(f"/groups/{ids['group']}")
    page.goto(f"/groups/{ids['group']}/monitoring?stage=start&skill_group=physical")
    intruder = new_page()
    sign_in(intruder, logins["stranger"], PASSWORD)
    for _ in range(3):
        assert intruder.goto(f"/children/{ids['child']}").status == 403
    with live_server.session() as s:  # an hour later: the next refusal carries the repeats
        from sabidamu.models import RefusedAttempt
        row = s.get(RefusedAttempt, (ids["stranger"], uuid.UUID(ids["child"])))
        row.logged_at -= dt.timedelta(hours=2)
    assert intruder.goto(f"/children/{ids['child']}/card").status == 403
    family = new_page()
    sign_in(family, logins["parent"], PASSWORD)
    family.goto(f"/account/children/{ids['child']}/access-log")
    rows = family.locator("main tbody tr")
    text = family.locator("main tbody").inner_text()
    assert rows.count() >= 4 and "бірге 3 әрекет" in text  # the refusal entry carries its repeats
    assert "Бала топ тізімінде көрінді" in text and "бақылау кестесінде" in text  # the group page and the grid
    shot(family, "access-log-lists")
    assert_accessible(family)
    family.set_viewport_size({"width": 390, "height": 844})
    shot(family, "access-log-lists-phone")
    family.set_viewport_size({"width": 1280, "height": 900})
    switch_language(family, "ru")
    shot(family, "access-log-lists")
    family.set_viewport_size({"width": 390, "height": 844})
    shot(family, "access-log-lists-phone")
