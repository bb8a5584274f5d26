"""Stored analytics tables (issue 15, the region page after a count change): the page, downloads and API read the
protected tables stored per part of a region's year; saves mark what changed; the queue's periodic refresh works the
changed parts out again. The stored report is exactly the fresh one; a stale one says when it was worked out."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu.models import LevelCount
from sabidamu.models.analytics import AnalyticsChange, AnalyticsSnapshot
from sabidamu.models.base import utcnow
from sabidamu.monitoring.academic_calendar import academic_year_of
from sabidamu.services.analytics import changes, report, snapshots, tables
from tests.support.analytics import YEAR, make_department, seed_astana


def _values(rep):
    return [(t.section, t.key, [(r.kind, str(r.key[1]), r.values) for r in t.rows]) for t in rep.tables]


def _add_level_one(db, world, n):
    """n more children of group A at level I of the start stage's physical skills, as a save would record them."""
    row = db.exec(select(LevelCount).where(LevelCount.group_id == world.groups["A"].id, LevelCount.level == 1,
                                           LevelCount.skill_group == "physical")).one()
    row.count += n
    changes.mark_changed(db, row.org_id, YEAR, "start")
    db.commit()


@pytest.mark.parametrize("district", [None, "KZ-71-ESL", "KZ-71-SAR"])
def test_the_stored_report_is_the_fresh_one(db, keyring, world, district):
    seed_astana(db, keyring, world)
    for lang in ("kk", "ru"):
        stored = snapshots.report(db, "KZ-71", district, YEAR, "start", lang)
        fresh = report.build(db, "KZ-71", district, YEAR, "start", lang)
        assert _values(stored) == _values(fresh) and stored.area_name == fresh.area_name
        assert [r.label for t in stored.tables for r in t.rows] == [r.label for t in fresh.tables for r in t.rows]
        assert stored.districts == fresh.districts
        assert stored.counts_as_of is not None and fresh.counts_as_of is None
    assert sorted(s.part for s in db.exec(select(AnalyticsSnapshot)).all()) == ["start", "year"]


def test_a_view_reads_the_stored_tables_until_the_refresh(app, client, db, keyring, world, auth):
    seed_astana(db, keyring, world)
    auth.sign_in(make_department(db))
    url = f"/analytics/export.csv?year={YEAR}&stage=start&lang=ru"
    before = client.get(url).get_data().decode("utf-8-sig")
    first = snapshots.stored_part(db, "KZ-71", YEAR, "start")
    assert first is not None
    _add_level_one(db, world, 7)
    assert client.get(url).get_data().decode("utf-8-sig") == before  # the stored tables until they are refreshed
    assert db.exec(select(AnalyticsChange)).all()
    done = snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1))
    assert ("KZ-71", YEAR, "start") in done.parts and done.failed == []
    assert db.exec(select(AnalyticsChange)).all() == []
    after = client.get(url).get_data().decode("utf-8-sig")
    assert after != before
    physical = [t for t in snapshots.report(db, "KZ-71", None, YEAR, "start", "ru").tables if t.key == "physical"]
    assert physical[0].rows[-1].kind == "region" and physical[0].rows[-1].values[-1] == 92 + 7
    assert snapshots.stored_part(db, "KZ-71", YEAR, "start")[0] > first[0]


def test_the_page_and_the_files_say_when_the_counts_were_worked_out(app, client, db, keyring, world, auth):
    seed_astana(db, keyring, world)
    worked_out = dt.datetime(2026, 12, 5, 9, 5, tzinfo=dt.UTC)  # 14:05 in Kazakhstan
    for part in ("start", "year"):
        snapshots.store(db, "KZ-71", YEAR, part, tables.compute_part(db, "KZ-71", YEAR, part), worked_out)
    db.commit()
    auth.sign_in(make_department(db))
    kk = client.get(f"/analytics/?year={YEAR}&stage=start", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Сандар есептелді: 2026\u202fж. 5 желтоқсан, 14:05." in kk  # babel: a narrow no-break space
    assert "Өзгерген сандар әр 5 минут сайын қайта есептеледі." in kk
    ru = client.get(f"/analytics/?year={YEAR}&stage=start", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Данные рассчитаны: 5 декабря 2026\u202fг., 14:05." in ru
    assert "Изменившиеся данные пересчитываются каждые 5 минут." in ru
    csv_ru = client.get(f"/analytics/export.csv?year={YEAR}&stage=start&lang=ru").get_data().decode("utf-8-sig")
    assert "Данные рассчитаны: 2026-12-05 14:05 (UTC+5)" in csv_ru.splitlines()[0]


@pytest.mark.parametrize(("minutes", "ru"), [(1, "каждую 1 минуту"), (2, "каждые 2 минуты"),
                                             (5, "каждые 5 минут"), (21, "каждую 21 минуту")])
def test_the_refresh_pause_in_russian_plurals(app, minutes, ru):
    from flask import render_template_string, session
    with app.test_request_context("/"):
        session["lang"] = "ru"
        text = render_template_string(
            '{{ ngettext("Changed counts are worked out again every %(num)d minute.", '
            '"Changed counts are worked out again every %(num)d minutes.", n) }}', n=minutes)
    assert text == f"Изменившиеся данные пересчитываются {ru}."


def test_an_older_working_out_never_replaces_a_newer_one(db, keyring, world):
    seed_astana(db, keyring, world)
    new, old = utcnow(), utcnow() - dt.timedelta(minutes=3)
    snapshots.store(db, "KZ-71", YEAR, "start", {"marker": "new"}, new)
    db.commit()
    snapshots.store(db, "KZ-71", YEAR, "start", {"marker": "old"}, old)
    db.commit()
    (row,) = db.exec(select(AnalyticsSnapshot)).all()
    assert row.computed_at == new and '"new"' in row.payload


def test_a_failed_part_is_marked_again_and_the_others_go_on(db, keyring, world, monkeypatch):
    seed_astana(db, keyring, world)
    snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1))
    _add_level_one(db, world, 2)
    changes.mark_changed(db, world.orgs["org1"].id, YEAR, "year")
    db.commit()
    real = tables.compute_part

    def failing(db_, region, year, part):
        if part == "start":
            raise RuntimeError("the database went away")
        return real(db_, region, year, part)
    monkeypatch.setattr(snapshots, "compute_part", failing)
    done = snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1))
    assert done.failed == [("KZ-71", YEAR, "start")] and done.parts == [("KZ-71", YEAR, "year")]
    marks = db.exec(select(AnalyticsChange)).all()
    assert [(m.org_id, m.academic_year, m.part) for m in marks] == [(world.orgs["org1"].id, YEAR, "start")]
    monkeypatch.setattr(snapshots, "compute_part", real)
    assert snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1)).parts == [("KZ-71", YEAR, "start")]


def test_the_refresh_stores_this_and_last_year_and_leaves_older_unopened_years_to_their_first_view(db, keyring,
                                                                                                  world):
    seed_astana(db, keyring, world)
    changes.mark_changed(db, world.orgs["org1"].id, YEAR - 3, "start")  # e.g. a deletion touching an old year
    db.commit()
    done = snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1))
    assert sorted(done.parts) == [("KZ-71", y, p) for y in (YEAR - 1, YEAR) for p in sorted(tables.PARTS)]
    assert snapshots.stored_part(db, "KZ-71", YEAR - 3, "start") is None
    assert db.exec(select(AnalyticsChange)).all() == []
    assert snapshots.refresh_changed(db, today=dt.date(YEAR, 10, 1)).parts == []  # nothing changed, all stored


def test_the_queue_task_and_the_command_refresh(app, db, keyring, world):
    seed_astana(db, keyring, world)
    app.extensions["sabidamu.tasks"].analytics_refresh()  # the periodic task (immediate mode in tests)
    db.expire_all()
    year = academic_year_of(dt.date.today())
    for y in (year, year - 1):
        assert {s.part for s in db.exec(select(AnalyticsSnapshot).where(AnalyticsSnapshot.academic_year == y))} \
            == set(tables.PARTS)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analytics", "refresh", "--all", "--year", str(YEAR), "--region", "Астана"])
    assert result.exit_code == 0, result.output
    assert f"KZ-71 {YEAR} final" in result.output and "worked out: 4 parts" in result.output
    refused = runner.invoke(args=["analytics", "refresh", "--year", str(YEAR)])
    assert refused.exit_code == 2 and "--year and --region go with --all" in refused.output
    unknown = runner.invoke(args=["analytics", "refresh", "--all", "--region", "Atlantis"])
    assert unknown.exit_code == 2 and "unknown region: Atlantis" in unknown.output


def test_a_new_kindergarten_appears_after_the_next_refresh(db, keyring, world):
    from sabidamu.services.orgs import create_org
    seed_astana(db, keyring, world)
    today = dt.date.today()
    year = academic_year_of(today)
    snapshots.refresh_changed(db, today=today)
    org = create_org(db, keyring, None, kind="kindergarten", name_kk="Жаңа бақша", name_ru="Новый сад",
                     region="KZ-71", bin=None)
    db.commit()
    assert {(m.org_id, m.part) for m in db.exec(select(AnalyticsChange))} == {(org.id, p) for p in tables.PARTS}
    assert "Новый сад" not in [r.label for t in snapshots.report(db, "KZ-71", "-", year, "start", "ru").tables
                               for r in t.rows]
    snapshots.refresh_changed(db, today=today)
    rows = [r for t in snapshots.report(db, "KZ-71", "-", year, "start", "ru").tables for r in t.rows
            if r.label == "Новый сад"]
    assert rows and all(v == 0 for r in rows for v in r.values)
