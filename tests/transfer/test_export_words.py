"""Issue 9.2 and 12: the export page warns the head what handing the card over does and does not do (the child
stays in the group until the kindergarten ends the enrolment), and explains "age", "minisign" and "BIN" in plain
words; index.txt explains itself in the cards' language and names refusals in words, not codes."""
from __future__ import annotations

import datetime as dt
import html

import pytest

from sabidamu.services.transfer import export as svc
from sabidamu.services.transfer.importing import retention_until
from tests.support.i18n import t
from tests.transfer.conftest import give_school_consent


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_export_page_warns_and_explains(app, client, handover, sign_in, lang):
    sign_in("head1@example.kz")
    client.post("/lang", data={"lang": lang})
    page = html.unescape(client.get(f"/orgs/{handover.org.id}/transfer/export").text)
    with app.test_request_context("/"):
        from flask import session
        session["lang"] = lang
        from sabidamu.web.formatting import date_until
        until = date_until(retention_until(dt.date.today()))
    assert html.unescape(t(app, "Handing the card over does not take the child out of your group: you keep entering "
                  "the intermediate and final stages as usual. The child leaves the group only when you end the "
                  "enrolment, at graduation at the end of the academic year or on a leave date you enter on the "
                  "group page. After that your kindergarten can read the card until %(date)s, but can no longer "
                  "change it.", lang, date=until)) in page
    assert html.unescape(t(app, "The school's public key lets you lock (encrypt) the cards so that only that school "
                  "can open them. The school makes it with the free program “age”; it begins with age1.", lang)) in page
    assert html.unescape(t(app, "BIN: the school's business identification number, 12 digits. The parent's consent "
                  "must name the school with this BIN.", lang)) in page


def _result(app, db, keyring, handover, lang):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    with app.app_context():
        return svc.export_cards(db, keyring, handover.head, [handover.child_a.id, handover.child_a2.id], to_org_id=handover.school.id,
                                lang=lang)


def test_index_txt_explains_itself_in_kazakh(app, db, keyring, handover):
    index = svc.index_text(_result(app, db, keyring, handover, "kk"))
    assert "School 45 (kk) (БСН 990140005555)" in index and "(BIN" not in index
    assert "БСН — ұйымның бизнес-сәйкестендіру нөмірі (12 цифр)." in index
    assert "«Карталарды импорттау»" in index and "age" in index and "minisign" in index
    assert "Бекзат Оспанов\tата-ананың картаны осы мектепке беруге келісімі жоқ" in index
    assert "no_consent" not in index


def test_index_txt_explains_itself_in_russian(app, db, keyring, handover):
    index = svc.index_text(_result(app, db, keyring, handover, "ru"))
    assert "School 45 (ru) (БИН 990140005555)" in index
    assert "БИН — бизнес-идентификационный номер организации (12 цифр)." in index
    assert "«Импорт карт»" in index
    assert "Бекзат Оспанов\tнет согласия родителя на передачу карты в эту школу" in index
    assert "no_consent" not in index
