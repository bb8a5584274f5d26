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
