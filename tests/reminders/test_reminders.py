"""Reminders (issue 15, item 5): written once per occasion, mailed once through a real SMTP server, in the person's
language with exact subjects, nothing about the child beyond the first name; each kind can be turned off; the
card-arrival hook of the transfer delivery; `flask reminders send --now`."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlmodel import select

from sabidamu.jobs.reminders import run_reminders
from sabidamu.models import Consent, Notification, Screening, User
from sabidamu.models.reminders import SentReminder
from sabidamu.services.transfer.inbox import deliver_to_inbox
from tests.factories import make_school
from tests.support.smtp import smtp_server  # noqa: F401

KZ = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def app(environ, smtp_server):  # noqa: F811
    """The app of this module sends its mail to the test's SMTP server."""
    from sabidamu import create_app
    environ.update(smtp_server.environ)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=KZ)


def set_locale(db, user, lang):
    row = db.get(User, user.id)
    row.locale = lang
    db.commit()


def screened(db, keyring, child, rescreen: str):
    row = Screening(id=uuid.uuid4(), child_id=child.id, key_id=child.key_id, instrument_id="sabidamu-dev-screen",
                    instrument_version=2, band_id="m60", status="completed",
                    completed_at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    result = {"screening_date": "2026-06-01", "zone": "on_track", "domains": [],
              "rescreen": {"date": rescreen, "rule": "band"}}
    row.result_ct = keyring.seal(row.key_id, "screening", row.id, "result", json.dumps(result))
    db.add(row)
    db.commit()


def subjects(server, address):
    return [m.message["Subject"] for m in server.to(address)]


def test_screening_due_once_in_each_parents_language(app, db, keyring, world, smtp_server):  # noqa: F811
    set_locale(db, world.users["parentB"], "ru")
    screened(db, keyring, world.children["A"], "2026-12-01")
    screened(db, keyring, world.children["B"], "2026-12-03")
    assert run_reminders(app, at("2026-11-30")) == 0  # not due yet
    assert run_reminders(app, at("2026-12-04")) == 2
    smtp_server.wait_for(2)
    assert subjects(smtp_server, "parenta@example.kz") == ["SabiDamu: Әлия үшін келесі скрининг уақыты келді"]
    assert subjects(smtp_server, "parentb@example.kz") == ["SabiDamu: Борис — пора пройти следующий скрининг"]
    kk = smtp_server.to("parenta@example.kz")[0].body
    assert kk.startswith("Әлия үшін келесі үйдегі скринингтің уақыты келді (мерзімі: 2026 ж. 1 желтоқсан). "
                         "Скрининг шамамен 15 минут алады; оның нәтижесі диагноз емес.")
    assert "Ахметова" not in kk and "/account/reminders" in kk
    ru = smtp_server.to("parentb@example.kz")[0].body
    assert ru.startswith("Пришло время следующего домашнего скрининга для ребенка Борис (срок: 3 декабря 2026 г.).")
    assert "Иванов" not in ru
    # The same occasion never gives a second notice or mail.
    assert run_reminders(app, at("2026-12-05")) == 0
    assert len(smtp_server.messages) == 2
    db.rollback()
    notices = db.exec(select(Notification).where(Notification.user_id == world.users["parentA"].id)).all()
    assert [n.kind for n in notices] == ["screening_due"]


def test_stage_window_opens_and_closes_with_entries_missing(app, db, keyring, world, smtp_server):  # noqa: F811
    set_locale(db, world.users["teacher1"], "ru")
    run_reminders(app, at("2026-09-02"))
    smtp_server.wait_for(1)
    assert subjects(smtp_server, "teacher1@example.kz") == ["SabiDamu: в группе «Group A» начался стартовый мониторинг"]
    assert sorted(subjects(smtp_server, "head1@example.kz")) == [
        "SabiDamu: «Group A» тобында бастапқы бақылау басталды", "SabiDamu: «Group B» тобында бастапқы бақылау басталды"]
    assert smtp_server.to("teacher1@example.kz")[0].body.startswith(
        "В группе «Group A» начался стартовый мониторинг. Последний день ввода уровней — 31 октября 2026 г.")
    before = len(smtp_server.messages)
    run_reminders(app, at("2026-10-25"))  # a week before 31 October: group A has a child without levels
    smtp_server.wait_for(before + 2)
    new = smtp_server.messages[before:]
    assert sorted((m.rcpt_tos[0], m.message["Subject"]) for m in new if "head1" in m.rcpt_tos[0]
                  or "teacher1@" in m.rcpt_tos[0]) == [
        ("head1@example.kz", "SabiDamu: «Group A» тобында бастапқы бақылау бір аптадан кейін аяқталады"),
        ("teacher1@example.kz", "SabiDamu: в группе «Group A» стартовый мониторинг заканчивается через неделю")]
    head = next(m for m in new if m.rcpt_tos == ["head1@example.kz"]).body
    assert head.startswith("«Group A» тобында бастапқы бақылау бір аптадан кейін аяқталады, соңғы күні: "
                           "2026 ж. 31 қазан. Деңгейлері әлі енгізілмеген балалар саны: 1.")
    assert not [m for m in new if "teacher1b@" in m.rcpt_tos[0]]  # group B has no child: nothing missing


def test_a_kind_turned_off_sends_nothing(app, client, auth, db, world, smtp_server):  # noqa: F811
    auth.sign_in("teacher1")
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "stage_open" in page and "screening_due" not in page  # only the kinds that can reach a teacher
    assert client.post("/account/reminders", data={"stage_closing": "y"}).status_code == 302
    run_reminders(app, at("2026-09-02"))
    smtp_server.wait_for(1)
    assert subjects(smtp_server, "teacher1@example.kz") == []
    assert "SabiDamu: «Group A» тобында бастапқы бақылау басталды" in subjects(smtp_server, "head1@example.kz")
    db.rollback()
    assert not db.exec(select(SentReminder).where(SentReminder.user_id == world.users["teacher1"].id)).all()


def test_consent_about_to_expire(app, db, world, smtp_server):  # noqa: F811
    child = world.children["A"]
    db.add(Consent(child_id=child.id, purpose="school_transfer", recipient_org_id=world.orgs["org2"].id,
                   parts=["card"], method="in_app", given_by=world.users["parentA"].id, key_id=child.key_id,
                   valid_until=dt.date(2026, 12, 15)))
    db.commit()
    assert run_reminders(app, at("2026-11-20")) == 0  # more than two weeks before
    run_reminders(app, at("2026-12-04"))
    [message] = smtp_server.wait_for(1)
    assert message.message["Subject"] == "SabiDamu: Әлия бойынша келісімнің мерзімі аяқталып келеді"
    assert message.body.startswith("Әлия бойынша «Картаны мектепке беру» келісімінің соңғы күні: 2026 ж. 15 желтоқсан.")


def test_card_arrival_in_a_school_inbox(app, db, keyring, world, smtp_server):  # noqa: F811
    school = make_school(db, keyring, head_email="school.head@example.kz")
    set_locale(db, school.head, "ru")
    deliver_to_inbox(db, b"age-encrypted", world.orgs["org1"].id, school.org.id, uuid.uuid4(), None, None)
    db.commit()
    run_reminders(app, at("2026-12-04"))
    [message] = smtp_server.wait_for(1)
    assert message.rcpt_tos == ["school.head@example.kz"]
    assert message.message["Subject"] == "SabiDamu: во входящие школы поступила новая карта"
    assert message.body.startswith("От организации «Org One (ru)» поступила индивидуальная карта развития ребенка.")
    run_reminders(app, at("2026-12-04"))
    assert len(smtp_server.messages) == 1


def test_cli_send_with_a_moment_and_a_bad_one(app, world, smtp_server):  # noqa: F811
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--now", "2026-09-02"])
    assert result.exit_code == 0 and result.output.strip().endswith("reminders written")
    assert int(result.output.split()[0]) > 0
    bad = runner.invoke(args=["reminders", "send", "--now", "2 Sept"])
    assert bad.exit_code == 2 and "not an ISO 8601 date or time" in bad.output


def test_settings_page_in_both_languages_and_the_notice_in_app(app, client, auth, db, keyring, world,
                                                               smtp_server):  # noqa: F811
    auth.sign_in("parentA")
    client.post("/lang", data={"lang": "kk"})
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "Баламның келесі скринингінің уақыты келгенде" in page
    assert "Мен берген келісімнің мерзімі аяқталып келе жатқанда" in page
    assert "Топта бақылау кезеңі басталғанда" not in page  # a parent's page shows a parent's kinds
    client.post("/lang", data={"lang": "ru"})
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "Когда пора пройти следующий скрининг ребенка" in page
    screened(db, keyring, world.children["A"], "2026-12-01")
    run_reminders(app, at("2026-12-04"))
    notices = client.get("/notices").get_data(as_text=True)
    assert ("Пришло время следующего домашнего скрининга для ребенка Әлия (срок: 1 декабря 2026 г.). Скрининг "
            "занимает около 15 минут; его результат — не диагноз.") in notices


def test_a_newer_screening_under_way_stops_the_reminder_and_deletion_takes_the_rows(app, db, keyring, world,
                                                                                     smtp_server):  # noqa: F811
    from sabidamu.services.data_rights import request_deletion
    child = world.children["B"]
    screened(db, keyring, child, "2026-12-01")
    db.add(Screening(child_id=child.id, key_id=child.key_id, instrument_id="sabidamu-dev-screen",
                     instrument_version=2, band_id="m60", status="in_progress"))
    db.commit()
    assert run_reminders(app, at("2026-12-04")) == 0
    db.rollback()
    db.exec(select(Screening).where(Screening.child_id == child.id, Screening.status == "in_progress")).one()
    for row in db.exec(select(Screening).where(Screening.child_id == child.id,
                                               Screening.status == "in_progress")).all():
        db.delete(row)
    db.commit()
    assert run_reminders(app, at("2026-12-04")) == 1
    db.rollback()
    assert db.exec(select(SentReminder).where(SentReminder.child_id == child.id)).all()
    request_deletion(db, keyring, db.get(User, world.users["parentB"].id), child.id)
    db.rollback()
    assert not db.exec(select(SentReminder).where(SentReminder.child_id == child.id)).all()
