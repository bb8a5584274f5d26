"""The group report: counts from LevelCount equal a recount of the sealed cards; change between stages; the
"need support" list; the CSV for Excel; access; the pages."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, CardStage
from sabidamu.monitoring import derive_level, load_framework
from sabidamu.services import AccessDenied, NotFound
from sabidamu.services import cards as svc
from sabidamu.services.monitoring import open_levels
from tests.factories import make_child
from tests.support.auth import world_user
from tests.support.cards import fill


@pytest.fixture
def group_filled(db, keyring, world, filled):
    """Group A: child A (filled), plus two children: one at level I in communication at the final stage."""
    group, teacher = world.groups["A"], world.users["teacher1"]
    n = filled["n"]
    low = make_child(db, keyring, "Ерасыл Бекұлы", group=group)
    mid = make_child(db, keyring, "Аружан Мұратқызы", group=group)
    fill(db, keyring, teacher, group, low, "start", {sg: [1] * n[sg] for sg in n})
    fill(db, keyring, teacher, group, low, "final", {"communicative": [1] * n["communicative"],
                                                     "physical": [2] * n["physical"]})
    fill(db, keyring, teacher, group, mid, "start", {"physical": [2] * n["physical"], "creative": [3] * n["creative"]})
    db.commit()
    return {"low": low, "mid": mid}


def recount(db, keyring, group) -> dict:
    """What the counts must equal: every card row of the group opened and its levels derived again."""
    fw = load_framework()
    out: Counter = Counter()
    for row in db.exec(select(CardStage).where(CardStage.group_id == group.id)).all():
        levels = open_levels(keyring, row)
        for sg in fw.skill_group_ids:
            level = derive_level([levels.get(s.id) for s in fw.skills(group.age_group, sg)]).level or 0
            out[(sg, row.stage, level)] += 1
    return dict(out)


def test_report_counts_equal_a_recount(db, keyring, world, group_filled):
    group = world.groups["A"]
    report = svc.group_report(db, keyring, world_user(db, "teacher1"), group.id)
    counted = {(sg, s.stage, lvl): n for sg, stages in report.distribution.items() for s in stages
               for lvl, n in s.counts.items() if n}
    assert counted == recount(db, keyring, group)
    physical = {s.stage: s for s in report.distribution["physical"]}
    assert physical["start"].counts == {3: 0, 2: 1, 1: 2, 0: 0} and physical["start"].total == 3
    assert physical["final"].counts == {3: 1, 2: 1, 1: 0, 0: 0}
    assert report.latest_stage == "final"
    # change between stages, in percentage points of the share at each level
    change = report.change("physical")
    assert change == [{"from": "start", "to": "final", "delta": {3: 50.0, 2: round(50 - 100 / 3, 1),
                                                                 1: round(-200 / 3, 1)}}]
    # need support: level I in any skill group at the latest stage, names from this group only
    assert [(c.name, c.skill_groups) for c in report.need_support] == [("Ерасыл Бекұлы", ["communicative"])]


def test_report_audited_without_names(db, keyring, world, group_filled):
    svc.group_report(db, keyring, world_user(db, "head1"), world.groups["A"].id)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "group.report")).one()
    assert event.object_id == world.groups["A"].id and event.actor_role == "head"
    assert "Ерасыл" not in str(event.detail)


@pytest.mark.parametrize("who", ["teacher1b", "head2", "teacher2", "parentA", "admin"])
def test_report_refused_to_others(db, keyring, world, who):
    with pytest.raises(AccessDenied):
        svc.group_report(db, keyring, world_user(db, who), world.groups["A"].id)


def test_report_of_another_year_is_not_found(db, keyring, world):
    with pytest.raises(NotFound):
        svc.group_report(db, keyring, world_user(db, "head1"), world.groups["A"].id, academic_year=2025)


@pytest.mark.parametrize("lang,headers", [
    ("kk", ["Құзыреттіліктер", "Бақылау кезеңі", "III деңгей – жоғары", "II – орташа", "I – төмен",
            "деңгей анықталмады", "Барлығы"]),
    ("ru", ["Компетенции", "Этап мониторинга", "III уровень – высокий", "II – средний", "I – низкий",
            "уровень не определен", "Всего"]),
])
def test_csv_for_excel(client, world, group_filled, sign_in, lang, headers):
    sign_in("teacher1")
    response = client.get(f"/groups/{world.groups['A'].id}/report.csv?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == headers
    fw = load_framework()
    physical = [r for r in rows[1:] if r[0] == fw.skill_group("physical").in_(lang)]
    assert [r[1] for r in physical] == [fw.stage("start").in_(lang), fw.stage("final").in_(lang)]
    assert physical[0][2:] == ["0", "1", "2", "0", "3"]


def test_report_page(client, world, group_filled, sign_in):
    sign_in("teacher1")
    response = client.get(f"/groups/{world.groups['A'].id}/report")
    assert response.status_code == 200
    html = response.text
    assert "<svg" in html and 'role="img"' in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "Ерасыл Бекұлы" in html and f"/children/{group_filled['low'].id}/card" in html
    assert "<script>" not in html and "style=" not in html
    sign_in("teacher1b")
    assert client.get(f"/groups/{world.groups['A'].id}/report").status_code == 403


def test_report_page_without_counts(client, world, sign_in):
    sign_in("head1")
    response = client.get(f"/groups/{world.groups['B'].id}/report")
    assert response.status_code == 200 and "<svg" not in response.text


def test_card_page(client, world, filled, sign_in):
    sign_in("parentA")
    response = client.get(f"/children/{world.children['A'].id}/card")
    assert response.status_code == 200
    html = response.text
    assert "Әлия Ахметова" in html and "Үйде өзі киінеді." in html
    assert "Физикалық қасиеттерді дамыту" in html and "II – орташа" in html  # locale kk by default
    assert f"/children/{world.children['A'].id}/card.pdf?lang=ru" in html
    assert "<form" not in html.split('<main', 1)[1]  # read-only for the parent
    assert "2025-2026" in html  # the earlier year below
    sign_in("parentB")
    assert client.get(f"/children/{world.children['A'].id}/card").status_code == 403
