"""Issue 15 in a real browser, kk and ru, desktop and phone: the child page's home-and-kindergarten table (the
parent's and the teacher's view, a disagreement said in plain words) and the reminders settings page. Each page
passes axe and has no horizontal scroll on a phone."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from sabidamu.models import Screening
from tests.factories import PASSWORD, add_member, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in
from tests.support.cards import earlier_year, skills


def _family(live_server, lang):
    with live_server.session() as s:
        keyring = live_server.keyring
        org = make_org(s, keyring, "Балдырған")
        teacher = make_user(s, f"teacher-{lang}@example.kz", locale=lang)
        add_member(s, teacher, org, "teacher")
        group = make_group(s, org, "Күншуақ", teacher)
        parent = make_user(s, f"parent-{lang}@example.kz", staff_name=False, locale=lang)
        child = make_child(s, keyring, "Әлия Ахметова", parent=parent, group=group)
        s.commit()
        levels = {x.id: 1 for x in skills(group, "physical")} | {x.id: 3 for x in skills(group, "communicative")} \
            | {x.id: 2 for x in skills(group, "cognitive")}
        earlier_year(s, keyring, child, group, "start", levels)
        row = Screening(id=uuid.uuid4(), child_id=child.id, key_id=child.key_id, instrument_id="sabidamu-dev-screen",
                        instrument_version=2, band_id="m60", status="completed",
                        completed_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
        zones = {"communication": "refer", "gross_motor": "on_track", "fine_motor": "on_track",
                 "problem_solving": "monitor", "personal_social": "on_track"}
        result = {"screening_date": "2026-11-20", "zone": "refer", "domains": [{"id": d, "zone": z}
                                                                              for d, z in zones.items()]}
        row.result_ct = keyring.seal(row.key_id, "screening", row.id, "result", json.dumps(result))
        row.screening_date_ct = keyring.seal(row.key_id, "screening", row.id, "screening_date", "2026-11-20")
        s.add(row)
        return child.id


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_child_page_side_by_side_and_reminders_settings(new_page, live_server, lang):
    child_id = _family(live_server, lang)
    for who in ("parent", "teacher"):
        for width in (1280, 390):
            page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
            sign_in(page, f"{who}-{lang}@example.kz", PASSWORD)
            page.goto(f"/children/{child_id}")
            assert html_lang(page) == lang
            table = page.locator("section.sd-side")
            assert table.locator("tbody tr").count() == 5
            assert table.locator(".sd-side-talk p").count() == 3  # two disagreements and the conversation
            table.scroll_into_view_if_needed()
            shot(page, f"{lang}-side-by-side-{who}-{width}")
            assert_accessible(page)
            assert width > 400 or not has_horizontal_scroll(page)
            page.goto("/account/reminders")
            assert page.locator("main input[type=checkbox]").count() == 2
            shot(page, f"{lang}-reminders-{who}-{width}")
            assert_accessible(page)
            assert width > 400 or not has_horizontal_scroll(page)
