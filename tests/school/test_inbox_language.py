"""Issue 9, item 14: the school's inbox names a kindergarten of this installation in the page's language (both names
are known), never the Kazakh name on a Russian page or the Russian one on a Kazakh page."""
from __future__ import annotations

import re
import uuid

import pytest

from sabidamu.services.transfer import inbox as inbox_svc
from tests.support.auth import sign_in_with_password


@pytest.mark.parametrize("lang, own, other", [("kk", "Org One (kk)", "Org One (ru)"),
                                               ("ru", "Org One (ru)", "Org One (kk)")])
def test_inbox_names_the_sender_in_the_page_language(client, db, ctx, lang, own, other):
    pid = uuid.uuid4()
    inbox_svc.deliver_to_inbox(db, ctx.build.build(ctx.build.new_child(name="Дина"), package_id=pid), ctx.kg.id,
                         ctx.school.id, pid, None, None)
    db.commit()
    sign_in_with_password(client, "schoolteacher@example.kz")
    client.post("/lang", data={"lang": lang, "next": "/"})
    page = client.get(f"/orgs/{ctx.school.id}/school/inbox").get_data(as_text=True)
    main = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0])
    assert own in main and other not in main
