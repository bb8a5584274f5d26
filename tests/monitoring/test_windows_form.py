"""Stage windows are chosen with date pickers (issue 9, item 11): input type=date limited to the academic year the
page shows, validated, with Kazakh and Russian messages and the typed values kept."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from sabidamu.models import Organization
from tests.support.i18n import t

GOOD = {"start_from": "2026-09-01", "start_to": "2026-11-30", "intermediate_from": "2027-01-10",
        "intermediate_to": "2027-02-10", "final_from": "2027-05-01", "final_to": "2027-05-31"}


def _stored(db, org_id):
    with Session(db.get_bind()) as fresh:
        return fresh.get(Organization, org_id).stage_windows


def test_the_page_offers_date_pickers_within_the_academic_year(client, world, on_day, sign_in):
    sign_in("head1")  # on_day: 1 October 2026, academic year 2026-2027
    page = client.get(f"/orgs/{world.orgs['org1'].id}/monitoring/windows")
    assert page.status_code == 200
    inputs = re.findall(r"<input[^>]+name=\"(?:start|intermediate|final)_(?:from|to)\"[^>]*>", page.text)
    assert len(inputs) == 6
    for tag in inputs:
        assert 'type="date"' in tag and 'min="2026-09-01"' in tag and 'max="2027-08-31"' in tag, tag
    assert 'value="2026-09-01"' in page.text  # the default start, as a date of this academic year
    assert "MM-DD" not in page.text


def test_dates_are_saved_as_days_of_every_year(client, db, world, on_day, sign_in):
    sign_in("head1")
    org = world.orgs["org1"]
    response = client.post(f"/orgs/{org.id}/monitoring/windows", data=GOOD)
    assert response.status_code == 302
    assert _stored(db, org.id)["start"] == ["09-01", "11-30"]
    assert _stored(db, org.id)["intermediate"] == ["01-10", "02-10"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("field, value, msgid", [
    ("final_to", "2027-09-15", "Choose a day between %(first)s and %(last)s."),
    ("final_to", "5-31", "Choose a date in the calendar."),
    ("start_to", "", "Choose a date in the calendar."),
])
def test_bad_dates_are_refused_in_the_users_language(app, client, db, world, on_day, sign_in, lang, field, value,
                                                     msgid):
    sign_in("head1")
    client.post("/lang", data={"lang": lang, "next": "/"})
    response = client.post(f"/orgs/{world.orgs['org1'].id}/monitoring/windows", data={**GOOD, field: value})
    assert response.status_code == 422
    if "%(first)s" in msgid:
        import datetime as dt

        from flask import session

        from sabidamu.web.formatting import long_date
        with app.test_request_context("/"):
            session["lang"] = lang
            expected = t(app, msgid, lang, first=long_date(dt.date(2026, 9, 1)), last=long_date(dt.date(2027, 8, 31)))
    else:
        expected = t(app, msgid, lang)
    from sabidamu.web.formatting import tidy_output
    expected = tidy_output(expected)  # the page shows «г.» once where a Russian date ends the sentence
    assert expected != msgid and expected in response.text
    assert f'id="{field}-err"' in response.text
    if value:
        assert f'value="{value}"' in response.text  # typed values are kept
    assert _stored(db, world.orgs["org1"].id) is None
    db.commit()


def test_29_february_is_refused_even_in_a_leap_year(app, client, db, world, on_day, sign_in):
    import datetime as dt
    on_day(dt.date(2027, 10, 1))  # academic year 2027-2028 has a 29 February
    sign_in("head1")
    data = {k: v.replace("2027-", "2028-").replace("2026-", "2027-") for k, v in GOOD.items()}
    response = client.post(f"/orgs/{world.orgs['org1'].id}/monitoring/windows",
                           data={**data, "intermediate_to": "2028-02-29"})
    assert response.status_code == 422
    assert t(app, "One of the days does not exist every year (29 February cannot be used).") in response.text
    assert 'value="2028-02-29"' in response.text
    assert _stored(db, world.orgs["org1"].id) is None
    db.commit()
