import datetime as dt
import json

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.iin import parse_iin
from sabidamu.models import Child, Organization, User
from sabidamu.services.children import open_child


def test_demo_creates_once_and_reports_ids(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["created"] is True
    pre = [g for g in data["groups"] if g["age_group"] == "preschool"][0]
    assert len(pre["children"]) == 20 and len(data["groups"]) == 2
    roles = {login["role"] for login in data["logins"]}
    assert {"head", "teacher", "parent", "admin"} <= roles
    kinds = {o["kind"] for o in data["organizations"]}
    assert kinds == {"kindergarten", "school"}

    counts = lambda: [db.exec(sa.select(sa.func.count()).select_from(t)).one()[0] for t in (Child, User, Organization)]  # noqa: E731
    before = counts()
    second = runner.invoke(args=["demo", "--json"])
    assert json.loads(second.output)["created"] is False
    db.rollback()
    assert counts() == before

    keyring = app.extensions["sabidamu.keyring"]
    names = set()
    for child in db.exec(select(Child)).all():
        view = open_child(keyring, child)
        parse_iin(view.iin, view.birth_date)  # every demo IIN is valid and matches the birth date
        names.add(view.name)
    assert any(ch in "".join(names) for ch in "ӘҒҚҢӨҰҮҺІәғқңөұүһі")  # Kazakh names
    assert any("Иван" in n or "Анна" in n for n in names)              # and Russian ones


def test_demo_human_output(app):
    out = app.test_cli_runner().invoke(args=["demo"]).output
    assert "head@demo.sabidamu.kz" in out and "Күншуақ" in out


def test_demo_gives_the_departments_real_numbers_and_some_protected_cells(app, db):
    """Issue 15 item 6: two districts of kindergartens, a city and a district department login; the city's tables
    show counts of at least 5 and hide some (small kindergartens); the district department sees its district."""
    from sabidamu.monitoring.academic_calendar import academic_year_of
    from sabidamu.services.analytics.pages import department_report
    from sabidamu.services.auth import find_user
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.rollback()
    year = academic_year_of(dt.date.today())
    city = department_report(db, find_user(db, "city-department@demo.sabidamu.kz"), year=year, stage="start",
                             district=None, lang="kk")
    assert [code for code, _ in city.districts] == ["KZ-71-ESL", "KZ-71-SAR"]
    values = [v for t in city.tables for r in t.rows for v in r.values]
    assert None in values and any(v is not None and v >= 5 for v in values)
    assert all(v is None or v == 0 or v >= 5 for v in values)
    screening = [t for t in city.tables if t.section == "screening"]
    assert {t.key for t in screening} >= {"communication", "gross_motor"}
    district = department_report(db, find_user(db, "district-department@demo.sabidamu.kz"), year=year,
                                 stage="start", district=None, lang="ru")
    assert district.district == "KZ-71-ESL"
    assert {r.label for t in district.tables[:1] for r in t.rows if r.kind == "org"} >= {"Детский сад «Айголек»"}
