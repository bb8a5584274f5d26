"""Consents in a real browser: the parent chooses the purpose first and sees only its parts (kk and ru, desktop
and phone, axe); a specialist whose consent covers the card lands on their list and reads the card."""
from __future__ import annotations

import pytest

from sabidamu.models import Membership
from sabidamu.services import consent as consent_svc
from sabidamu.services import referrals as ref_svc
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in, switch_language

PARTS = {"specialist_access": 3, "kindergarten_monitoring": 0, "school_transfer": 2}


@pytest.fixture
def family(live_server):
    keyring = live_server.keyring
    with live_server.session() as s:
        org = make_org(s, keyring, "Балапан")
        make_org(s, keyring, "Мектеп 7", kind="school")
        teacher, parent, psy = (make_user(s, "teacher@balapan.kz"), make_user(s, "parent@balapan.kz"),
                                make_user(s, "psy@balapan.kz"))
        s.add(Membership(user_id=teacher.id, org_id=org.id, role="teacher"))
        s.add(Membership(user_id=psy.id, org_id=org.id, role="specialist", specialist_kind="psychologist"))
        group = make_group(s, org, "Күншуақ", teacher)
        child = make_child(s, keyring, "Әлия Ахметова", parent=parent, group=group)
        s.flush()
        ref_svc.create_referral(s, keyring, parent, child.id, recipient=consent_svc.Recipient(org.id, psy.id),
                                reason="Сөйлеуі", consent=True, parts=["card"])
        return {"child": str(child.id), "parent": login_of(parent), "psy": login_of(psy)}


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_consent_form_offers_the_parts_of_the_chosen_purpose(new_page, family, width):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, family["parent"], PASSWORD)
    for lang in ("kk", "ru"):
        page.goto(f"/children/{family['child']}/consents/new")
        switch_language(page, lang)
        for purpose, parts in PARTS.items():
            page.goto(f"/children/{family['child']}/consents/new?purpose={purpose}")
            assert page.locator("input[type=checkbox][name^=part_]").count() == parts
            assert page.locator(".choice-tabs a[aria-current=page]").count() == 1
            assert not has_horizontal_scroll(page)
            assert_accessible(page)
            shot(page, f"consent-{purpose}-{width}")
    # the school purpose through its link, then a refusal keeps the typed date
    page.goto(f"/children/{family['child']}/consents/new")
    page.locator(".choice-tabs a").nth(2).click()
    page.fill("#valid_until", "2020-01-31")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#valid_until-err").is_visible() and page.input_value("#valid_until") == "2020-01-31"


@pytest.mark.browser
def test_the_specialist_lands_on_the_list_and_reads_the_card(page, family):
    sign_in(page, family["psy"], PASSWORD)
    assert page.url.endswith("/specialist")
    page.locator("ul.cards h2 a").first.click()
    page.locator(f"a[href='/children/{family['child']}/card']").click()
    assert page.url.endswith("/card") and "Әлия Ахметова" in page.content()
    assert_accessible(page)
    shot(page, "specialist-card")


@pytest.fixture
def two_heads(live_server):
    from sabidamu.services.children import open_child
    from tests.factories import enrol_totp
    keyring = live_server.keyring
    with live_server.session() as s:
        org = make_org(s, keyring, "Балдырған")
        heads = [make_user(s, "head1@baldyrgan.kz"), make_user(s, "head2@baldyrgan.kz")]
        for head in heads:
            s.add(Membership(user_id=head.id, org_id=org.id, role="head"))
            enrol_totp(s, keyring, head)
        group = make_group(s, org, "Күншуақ")
        child = make_child(s, keyring, "Дана Есенова", parent=make_user(s, "mum@baldyrgan.kz"), group=group)
        return {"org": str(org.id), "iin": open_child(keyring, child).iin,
                "heads": [login_of(h) for h in heads]}


@pytest.mark.browser
def test_a_paper_consent_naming_the_kindergarten_is_confirmed_by_the_other_head(new_page, two_heads):
    import datetime as dt
    url = f"/orgs/{two_heads['org']}/consents/paper?purpose=kindergarten_monitoring"
    first = new_page(viewport={"width": 390, "height": 900})
    sign_in(first, two_heads["heads"][0], PASSWORD)
    first.goto(url)
    first.fill("#iin", two_heads["iin"])
    first.fill("#guardian_name", "Есенова Айгүл")
    first.fill("#paper_date", dt.date.today().isoformat())
    first.locator("main form button[type=submit]").first.click()
    first.wait_for_load_state()
    assert "Дана Есенова" in first.content()  # listed, but the recorder cannot confirm it
    assert first.locator("form[action$='/confirm']").count() == 0
    second = new_page(viewport={"width": 390, "height": 900})
    sign_in(second, two_heads["heads"][1], PASSWORD)
    for lang in ("kk", "ru"):
        second.goto(url)
        switch_language(second, lang)
        assert second.locator("form[action$='/confirm']").count() == 1
        assert not has_horizontal_scroll(second)
        assert_accessible(second)
        shot(second, "paper-pending-390")
    second.locator("form[action$='/confirm'] button").click()
    second.wait_for_load_state()
    assert second.locator("form[action$='/confirm']").count() == 0
