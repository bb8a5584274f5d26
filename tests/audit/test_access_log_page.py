"""The parent's "who saw my child's data" page (issue 9, item 7): role names in the page's language (never a role
code or "None"), the parent's own actions left out unless asked for, wording that fits anyone (no gendered verb)."""
from __future__ import annotations

import re

import pytest

from sabidamu.services.audit import record
from tests.support.auth import sign_in_with_password


def _page_text(html: str) -> str:
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def logged(app, db, world):
    child = world.children["A"]
    org = world.orgs["org1"].id
    record(db, world.users["teacher1"], "child.view", role="teacher", org_id=org, object_type="child",
           object_id=child.id)
    record(db, world.users["head1"], "card.view", role="former_kindergarten", org_id=org, object_type="child",
           object_id=child.id)
    record(db, world.users["teacher1b"], "child.view", role=None, org_id=org, object_type="child", object_id=child.id)
    record(db, world.users["teacher2"], "access.denied", role="teacher", org_id=world.orgs["org2"].id,
           object_type="child", object_id=child.id)
    record(db, world.users["parentA"], "child.view", role="parent", object_type="child", object_id=child.id)
    db.commit()
    return child


@pytest.mark.parametrize("lang, you, roles, forbidden", [
    ("ru", "Вы", ("Воспитатель", "Детский сад (карта передана в школу)", "Сотрудник организации"),
     ("Пытался", "Пыталась", "получил ")),
    ("kk", "Сіз", ("Тәрбиеші", "Балабақша (карта мектепке берілген)", "Ұйым қызметкері"), ("тырысты",)),
])
def test_roles_in_the_page_language_and_own_actions_apart(app, client, db, logged, lang, you, roles, forbidden):
    sign_in_with_password(client, "parenta@example.kz")
    client.post("/lang", data={"lang": lang, "next": "/"})
    page = client.get(f"/account/children/{logged.id}/access-log")
    assert page.status_code == 200
    text = _page_text(page.text)
    for role in roles:
        assert role in text, role
    for code in ("former_kindergarten", "None", "teacher)", "school_teacher"):
        assert code not in text, code
    for word in forbidden:
        assert word not in text, word
    # The parent's own views are left out by default; a link shows them.
    assert f"<td>{you}</td>" not in page.text
    mine = client.get(f"/account/children/{logged.id}/access-log?mine=1")
    assert mine.status_code == 200 and f"<td>{you}</td>" in mine.text
    assert f'href="/account/children/{logged.id}/access-log"' in mine.text  # and back to the others only
