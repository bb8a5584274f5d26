"""A view never commits and never writes an audit event: the admin's new organization, the head's new staff
account and the language switch are saved by services, each change with its audit event in one transaction."""
from __future__ import annotations

import pathlib
import re

from sqlmodel import select

from sabidamu.models import Membership, Organization
from sabidamu.services.auth import find_user
from tests.support.audit import audit_events

WEB = pathlib.Path(__file__).resolve().parents[2] / "sabidamu" / "web"
PASSWORD = "a long first password 42"


def test_no_view_commits_or_writes_an_audit_event():
    offenders = [f"{path.relative_to(WEB)}:{n}" for path in WEB.rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\.commit\(|services\.audit import|\brecord_many\(|(?<![\w.])record\(", line)]
    assert offenders == []


def test_the_admin_creates_an_organization_with_its_head_in_one_step(client, db, world, sign_in):
    sign_in("admin")
    response = client.post("/admin/orgs/new", data={
        "kind": "kindergarten", "name_kk": "Жаңа балабақша", "name_ru": "Новый детский сад", "region": "Алматы",
        "bin": "", "head_name": "Айгүл Сәрсенова", "head_login": "new.head@example.kz", "head_password": PASSWORD})
    assert response.status_code == 302
    db.commit()
    org = db.exec(select(Organization).where(Organization.name_ru == "Новый детский сад")).one()
    head = find_user(db, "new.head@example.kz")
    assert db.exec(select(Membership.role).where(Membership.user_id == head.id, Membership.org_id == org.id)).one() \
        == "head"
    assert org.id in [e.object_id for e in audit_events(db, "org.create")]
    assert head.id in [e.object_id for e in audit_events(db, "role.grant")]


def test_a_taken_head_login_is_shown_beside_the_head_login_and_nothing_is_saved(client, db, world, sign_in):
    sign_in("admin")
    response = client.post("/admin/orgs/new", data={
        "kind": "kindergarten", "name_kk": "Екінші бақша", "name_ru": "Второй сад", "region": "Алматы", "bin": "",
        "head_name": "Тест", "head_login": "head1@example.kz", "head_password": PASSWORD})
    assert response.status_code == 422
    db.commit()
    assert db.exec(select(Organization).where(Organization.name_ru == "Второй сад")).first() is None
    # The refusal stands beside the head's login field (the service names the field "login").
    error = re.search(r'<p class="error" id="head_login-err">([^<]+)</p>', response.text)
    assert error is not None and "бұрыннан бар" in error.group(1)  # Kazakh, the default language


def test_the_head_hires_a_teacher_and_the_grant_is_audited(client, db, world, sign_in):
    sign_in("head1")
    org = world.orgs["org1"]
    response = client.post(f"/orgs/{org.id}/staff/new", data={
        "full_name": "Жаңа тәрбиеші", "login": "new.teacher@example.kz", "role": "teacher", "specialist_kind": "",
        "password": PASSWORD})
    assert response.status_code == 302
    db.commit()
    teacher = find_user(db, "new.teacher@example.kz")
    assert teacher is not None and teacher.must_change_password
    assert teacher.id in [e.object_id for e in audit_events(db, "role.grant")]


def test_the_chosen_language_is_remembered_for_a_signed_in_user(client, db, world, sign_in):
    user = sign_in("teacher1")
    assert client.post("/lang", data={"lang": "ru", "next": "/"}).status_code == 302
    db.commit()
    db.refresh(user)
    assert user.locale == "ru"
    assert client.post("/lang", data={"lang": "en", "next": "/"}).status_code == 302  # not a language here
    db.commit()
    db.refresh(user)
    assert user.locale == "ru"
