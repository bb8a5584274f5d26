"""The v2 development screen in a real browser, on the real instrument: the question page offers its answers
with their meaning and "had no chance to see"; the result routes a hearing concern to a pediatrician and an
audiologist, says the screen is not validated in Kazakhstan and what each zone means — in kk and ru, on a
desktop (1280 px) and a phone (390 px), with no horizontal scroll and no serious accessibility violation. The
PDF says the same. Screenshots go to build/screenshots (SABIDAMU_SCREENSHOT_DIR)."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from sabidamu.instruments import load_registry
from sabidamu.instruments.loader import DEFAULT_DIR
from sabidamu.services import screening as svc
from tests.factories import PASSWORD, make_user
from tests.support.browser import (
    assert_accessible,
    has_horizontal_scroll,
    screenshot_dir,
    shot,
    sign_in,
    switch_language,
)
from tests.support.screening import baby

pytestmark = pytest.mark.browser
DEV_ID = "sabidamu-dev-screen"


def msg(live_server, lang, msgid, **params):
    with live_server.app.test_request_context(), force_locale(lang):
        return gettext(msgid, **params)


@pytest.fixture
def screening(live_server, tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(DEFAULT_DIR / f"{DEV_ID}.v2.yaml", folder)
    live_server.app.config["INSTRUMENTS_DIR"] = str(folder)
    registry = load_registry(folder)
    with live_server.session() as db:
        parent = make_user(db, "aigerim@example.kz")
        child = baby(db, live_server.keyring, "Әлия Ғалымқызы", months=25, parent=parent)
        row = svc.start(db, live_server.keyring, registry, parent, child.id, DEV_ID)
        view = svc.get_screening(db, live_server.keyring, registry, parent, row.id)
        for domain_id in view.domain_ids[:-1]:  # all but the general questions, answered in the browser
            answers = {i.id: ("no_chance" if i.opportunity else "yes")
                       for i in view.band.items_by_domain[domain_id]}
            view = svc.save_domain(db, live_server.keyring, registry, parent, row.id, domain_id,
                                   version=view.version, answers=answers)
        general = view.band.items_by_domain["general"]
        return {"id": row.id, "view": view, "general": general, "steps": len(view.domain_ids)}


def _sizes(page, name):
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        assert not has_horizontal_scroll(page), (name, label)
        shot(page, f"{name}-{label}")


def test_v2_questions_and_result_in_both_languages(live_server, screening, page):
    sign_in(page, "aigerim@example.kz", PASSWORD)
    sid, view = screening["id"], screening["view"]
    gm = view.domain_ids.index("gross_motor") + 1
    page.goto(f"/screenings/{sid}/domain/{gm}")
    stairs = next(i for i in view.band.items_by_domain["gross_motor"] if i.opportunity)
    assert page.is_checked(f"#a-{stairs.id}-no_chance")
    for lang in ("kk", "ru"):
        if lang == "ru":
            switch_language(page, "ru")
        labels = page.locator(f"fieldset:has(#a-{stairs.id}-yes) .sd-choice").all_inner_texts()
        assert [t.strip() for t in labels] == [msg(live_server, lang, m) for m in (
            "Yes", "Sometimes, or only with help", "Not yet", "Had no chance to see")]
        assert_accessible(page)
        _sizes(page, "screening-v2-question")
    switch_language(page, "kk")

    # The general questions, answered here: a hearing concern, no other concern.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/screenings/{sid}/domain/{screening['steps']}")
    for item in screening["general"]:
        value = "not_yet" if item.skill == "gen-hearing" or item.reverse else "yes"
        page.check(f"#a-{item.id}-{value}")
    assert page.locator(".sd-required").count() == len(screening["general"])  # all are warning signs
    _sizes(page, "screening-v2-general")
    with page.expect_navigation():
        page.locator("button[value=finish]").click()
    assert f"/screenings/{sid}" in page.url

    for lang in ("kk", "ru"):
        if lang == "ru":
            switch_language(page, "ru")
        body = page.locator("main").inner_text()
        for text in (msg(live_server, lang, "This checklist has not yet been validated on children in Kazakhstan: "
                         "its cut-offs come from international milestone ages and a model, not from a study here."),
                     msg(live_server, lang, "What the results mean"), msg(live_server, lang, "audiologist"),
                     msg(live_server, lang, "a doctor who checks hearing with special devices, at any age, even in "
                         "babies"), msg(live_server, lang, "version %(version)s", version=2)):
            assert text in body, (lang, text)
        assert_accessible(page)
        _sizes(page, "screening-v2-result")
        with page.expect_download() as download:
            page.locator("a[href$='/pdf']").click()
        data = Path(download.value.path()).read_bytes()
        (screenshot_dir() / f"{lang}-screening-v2-result.pdf").write_bytes(data)
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
        assert msg(live_server, lang, "What the results mean") in text
        assert msg(live_server, lang, "audiologist") in text
