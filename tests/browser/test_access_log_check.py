"""The parent's access log in a real browser, kk and ru, desktop and phone: each entry has a "check" link whose
download (a real browser download) verifies with the independent script. Screenshots go to build/screenshots."""
from __future__ import annotations

import subprocess
import sys

import pytest

from sabidamu.config import REPO_ROOT
from sabidamu.jobs.periodic import run_once
from tests.factories import PASSWORD, add_member, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def family(live_server):
    from sabidamu.db import session_scope
    from sabidamu.services.audit import record
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балапан")
        teacher = make_user(s, "teacher@balapan.kz")
        add_member(s, teacher, org, "teacher")
        group = make_group(s, org, "Күншуақ", teacher)
        parent = make_user(s, "parent@example.kz")
        child = make_child(s, live_server.keyring, "Әлия Ахметова", parent=parent, group=group)
        ids = {"child": child.id, "teacher": teacher.id, "org": org.id}
    with session_scope(live_server.app.extensions["sabidamu.engine"]) as s:
        teacher_row = s.get(type(parent), ids["teacher"])
        for action in ("child.view", "card.stage.update"):
            record(s, teacher_row, action, role="teacher", org_id=ids["org"], object_type="child",
                   object_id=ids["child"])
    run_once(live_server.app)
    return ids


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_access_log_check_link_downloads_a_verifiable_proof(new_page, live_server, family, lang, tmp_path):
    for name, viewport in (("desktop", None), ("phone", PHONE)):
        page = new_page(accept_language=lang, **({"viewport": viewport} if viewport else {}))
        sign_in(page, "parent@example.kz", PASSWORD)
        page.goto(f"/account/children/{family['child']}/access-log")
        assert html_lang(page) == lang
        links = page.locator("a[download]")
        assert links.count() == 2
        assert not has_horizontal_scroll(page)
        assert_accessible(page)
        shot(page, f"{lang}-access-log-check-{name}")
        with page.expect_download() as info:
            links.first.click()
        path = tmp_path / f"{lang}-{name}.json"
        info.value.save_as(path)
        done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "verify_audit_proof.py"), str(path)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.startswith("VERIFIED"), done.stderr
