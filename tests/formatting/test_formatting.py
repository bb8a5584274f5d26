"""Dates, months and numbers as a Kazakh or Russian reader expects them: exact strings in both languages.

Kazakh: a date that says *when* something happens takes the locative (-да/-де/-та/-те; -нда/-нде after a
possessive), a date before «дейін» takes the dative (-ға/-ге/-қа/-ке). Russian: «4 декабря 2026 г.» and never
«г..» at the end of a sentence. Numbers: the decimal comma and the minus sign U+2212.
"""
from __future__ import annotations

import datetime as dt

import pytest
from flask import render_template_string, session

from sabidamu.web import formatting as f

D = dt.date
# CLDR puts a narrow no-break space (U+202F) between the year and «ж.» / «г.».


@pytest.fixture
def in_lang(app):
    def run(lang, fn, *args, **kwargs):
        with app.test_request_context("/"):
            session["lang"] = lang
            return fn(*args, **kwargs)
    return run


@pytest.mark.parametrize("word, expected", [
    ("қаңтар", "қаңтарда"), ("ақпан", "ақпанда"), ("наурыз", "наурызда"), ("сәуір", "сәуірде"),
    ("мамыр", "мамырда"), ("маусым", "маусымда"), ("шілде", "шілдеде"), ("тамыз", "тамызда"),
    ("қыркүйек", "қыркүйекте"), ("қазан", "қазанда"), ("қараша", "қарашада"), ("желтоқсан", "желтоқсанда"),
    ("мектеп", "мектепте"), ("кітап", "кітапта"), ("үй", "үйде"), ("Қазақстан", "Қазақстанда"),
])
def test_kazakh_locative(word, expected):
    assert f.kk_locative(word) == expected


@pytest.mark.parametrize("word, expected", [("ауылы", "ауылында"), ("үйі", "үйінде"), ("мектебі", "мектебінде")])
def test_kazakh_locative_after_possessive(word, expected):
    assert f.kk_locative(word, possessive=True) == expected


@pytest.mark.parametrize("word, expected", [
    ("қаңтар", "қаңтарға"), ("ақпан", "ақпанға"), ("сәуір", "сәуірге"), ("шілде", "шілдеге"),
    ("қыркүйек", "қыркүйекке"), ("желтоқсан", "желтоқсанға"), ("мектеп", "мектепке"), ("ай", "айға"),
])
def test_kazakh_dative(word, expected):
    assert f.kk_dative(word) == expected


@pytest.mark.parametrize("lang, value, expected", [
    ("kk", D(2027, 1, 4), "2027\u202fж. 4 қаңтарда"),
    ("kk", D(2026, 12, 5), "2026\u202fж. 5 желтоқсанда"),
    ("kk", D(2027, 3, 1), "2027\u202fж. 1 наурызда"),
    ("kk", D(2027, 9, 15), "2027\u202fж. 15 қыркүйекте"),
    ("ru", D(2027, 1, 4), "4 января 2027\u202fг."),
    ("ru", D(2026, 12, 5), "5 декабря 2026\u202fг."),
])
def test_date_on(in_lang, lang, value, expected):
    assert in_lang(lang, f.date_on, value) == expected


@pytest.mark.parametrize("lang, value, expected", [
    ("kk", D(2027, 1, 4), "2027\u202fж. 4 қаңтар"), ("ru", D(2027, 1, 4), "4 января 2027\u202fг."),
])
def test_long_date_stays_nominative(in_lang, lang, value, expected):
    assert in_lang(lang, f.long_date, value) == expected


@pytest.mark.parametrize("lang, value, expected", [
    ("kk", D(2027, 5, 31), "2027\u202fж. 31 мамырға"), ("ru", D(2027, 5, 31), "31 мая 2027\u202fг."),
])
def test_date_until(in_lang, lang, value, expected):
    assert in_lang(lang, f.date_until, value) == expected


@pytest.mark.parametrize("month, kk, ru", [
    (1, "қаңтарда", "в январе"), (2, "ақпанда", "в феврале"), (3, "наурызда", "в марте"),
    (4, "сәуірде", "в апреле"), (5, "мамырда", "в мае"), (6, "маусымда", "в июне"), (7, "шілдеде", "в июле"),
    (8, "тамызда", "в августе"), (9, "қыркүйекте", "в сентябре"), (10, "қазанда", "в октябре"),
    (11, "қарашада", "в ноябре"), (12, "желтоқсанда", "в декабре"),
])
def test_month_on(in_lang, month, kk, ru):
    assert in_lang("kk", f.month_on, month) == kk
    assert in_lang("ru", f.month_on, month) == ru


@pytest.mark.parametrize("lang, value, kwargs, expected", [
    ("kk", 30.0, {"signed": True}, "+30,0"), ("ru", 30.0, {"signed": True}, "+30,0"),
    ("kk", -25.0, {"signed": True}, "\u221225,0"), ("ru", -25.0, {"signed": True}, "\u221225,0"),
    ("ru", -25.04, {}, "\u221225,0"), ("kk", 0.0, {"signed": True}, "0,0"), ("ru", 1234.5, {}, "1\u00a0234,5"),
    ("ru", 62.4, {"digits": 0}, "62"), ("kk", 12.25, {"digits": 2}, "12,25"),
])
def test_number(in_lang, lang, value, kwargs, expected):
    assert in_lang(lang, f.number, value, **kwargs) == expected


def test_russian_date_at_end_of_sentence_has_one_full_stop(app):
    """«Действует до 4 декабря 2026 г.» — never «г..», whatever the sentence around the date."""
    with app.test_request_context("/"):
        session["lang"] = "ru"
        out = render_template_string('{{ _("Valid until %(date)s.", date=fmt_date_until(d)) }}', d=D(2026, 12, 4))
    assert out == "Действует до 4 декабря 2026\u202fг."
    assert "г.." not in out


def test_kazakh_sentence_with_dates(app):
    with app.test_request_context("/"):
        session["lang"] = "kk"
        out = render_template_string('{{ _("Screen again on %(date)s.", date=fmt_date_on(d)) }}', d=D(2027, 1, 4))
        until = render_template_string('{{ _("Valid until %(date)s.", date=fmt_date_until(d)) }}', d=D(2027, 5, 31))
    assert out == "Скринингті 2027\u202fж. 4 қаңтарда қайта өткізіңіз."
    assert until == "2027\u202fж. 31 мамырға дейін жарамды."


@pytest.mark.parametrize("lang, expected", [("kk", "2026\u202fж. 4 желтоқсан"), ("ru", "4 декабря 2026\u202fг.")])
def test_iso_text_from_an_imported_card_is_shown_in_the_locale(in_lang, lang, expected):
    assert in_lang(lang, f.iso_date, "2026-12-04") == expected
    assert in_lang(lang, f.iso_date, "not a date") == "not a date"


@pytest.mark.parametrize("lang, school, date", [("kk", "№45 мектеп", "2027\u202fж. 4 қаңтарда"),
                                                ("ru", "Школа №45", "4 января 2027\u202fг.")])
def test_refusal_shows_the_name_in_the_page_language_only(in_lang, lang, school, date):
    from sabidamu.services import ServiceError
    from sabidamu.web.messages import service_message
    error = ServiceError("handed_to_school", school={"kk": "№45 мектеп", "ru": "Школа №45"}, date=D(2027, 1, 4))
    text = in_lang(lang, service_message, error)
    assert school in text and date in text
    assert ("Школа" in text) == (lang == "ru") and ("мектеп" in text) == (lang == "kk")


def test_a_notice_mailed_as_plain_text_has_one_full_stop_after_a_russian_date(app):
    """E-mails do not pass through the templates' finalize: the notice text tidies itself."""
    from types import SimpleNamespace

    from sabidamu.web.consent.notices import render_mail
    view = SimpleNamespace(kind="paper_consent", org=None, child_first_name="Иван",
                           params={"paper_date": "2026-12-04", "purpose": "school_transfer"})
    with app.test_request_context("/"):
        _subject, body = render_mail(view, "ru")
    assert "4 декабря 2026\u202fг. " in body and "г.." not in body


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_group_report_changes_use_the_decimal_comma_and_the_minus_sign(client, db, keyring, world, lang):
    """Child A: all physical skills at III at the start, at I at the intermediate stage: −100,0 and +100,0."""
    from tests.support.auth import sign_in_with_password
    from tests.support.cards import fill, skills
    group, child = world.groups["A"], world.children["A"]
    n = len(list(skills(group, "physical")))
    fill(db, keyring, world.users["teacher1"], group, child, "start", {"physical": [3] * n})
    fill(db, keyring, world.users["teacher1"], group, child, "intermediate", {"physical": [1] * n})
    db.commit()
    sign_in_with_password(client, "teacher1@example.kz")
    client.post("/lang", data={"lang": lang, "next": "/"})
    page = client.get(f"/groups/{group.id}/report")
    assert page.status_code == 200
    assert "<td>\u2212100,0</td>" in page.text and "<td>+100,0</td>" in page.text
    assert "-100.0" not in page.text and "+100.0" not in page.text


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_scaled_screening_score_has_the_decimal_comma(in_lang, lang):
    from sabidamu.web.screening.presenting import score_text
    text = in_lang(lang, score_text, {"score": 42.5, "max": 50}, "points")
    assert "42,5" in text and "42.5" not in text
    assert "40" in in_lang(lang, score_text, {"score": 40.0, "max": 50}, "points")
