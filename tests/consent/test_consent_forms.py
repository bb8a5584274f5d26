"""The consent forms never answer 500: every purpose x every part, for the parent's form and the paper form.
A refusal from the service is shown beside its field with the typed values kept, and the form offers only the
parts that fit the chosen purpose."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from sabidamu.models.consent import CONSENT_PARTS, CONSENT_PURPOSES
from sabidamu.services import ServiceError
from sabidamu.services.children import open_child
from sabidamu.web.consent.forms import PartsMixin
from tests.factories import make_school
from tests.support.auth import AuthActions
from tests.support.consent import post

ALL_PARTS = PartsMixin.PART_FIELDS


def _recipient(w, purpose, school):
    return {"kindergarten_monitoring": f"org:{w.orgs['org1'].id}", "specialist_access": f"user:{w.users['psy'].id}",
            "school_transfer": f"org:{school.id}"}[purpose]


@pytest.mark.parametrize("purpose,part", list(itertools.product(CONSENT_PURPOSES, ALL_PARTS)))
def test_parent_form_never_500(spec, app, client, db, keyring, purpose, part):
    w = spec
    school = make_school(db, keyring, "School 7").org
    db.commit()
    AuthActions(client, db).sign_in(w.users["parentA"])
    url = f"/children/{w.children['A'].id}/consents/new"
    page = client.get(url, query_string={"purpose": purpose})
    assert page.status_code == 200
    data = {"purpose": purpose, "recipient": _recipient(w, purpose, school), f"part_{part}": "y",
            "valid_until": "2099-01-31"}
    answer = post(client, url, data)
    assert answer.status_code in (302, 422), answer.text[:400]
    if answer.status_code == 422:
        assert "2099-01-31" in answer.text  # the typed value stays


@pytest.mark.parametrize("purpose,part", list(itertools.product(CONSENT_PURPOSES, ALL_PARTS)))
def test_paper_form_never_500(spec, app, client, db, keyring, purpose, part):
    w = spec
    school = make_school(db, keyring, "School 8").org
    db.commit()
    AuthActions(client, db).sign_in(w.users["head1"])
    data = {"iin": open_child(keyring, w.children["A"]).iin, "purpose": purpose, "school": str(school.id),
            "guardian_name": "Ахметова Г. 4e1f", "paper_date": dt.date.today().isoformat(), f"part_{part}": "y"}
    answer = post(client, f"/orgs/{w.orgs['org1'].id}/consents/paper", data)
    assert answer.status_code in (302, 422), answer.text[:400]
    if answer.status_code == 422:
        assert "4e1f" in answer.text


@pytest.mark.parametrize("purpose", CONSENT_PURPOSES)
def test_parent_form_offers_only_the_parts_of_the_purpose(spec, client, db, purpose):
    w = spec
    AuthActions(client, db).sign_in(w.users["parentA"])
    page = client.get(f"/children/{w.children['A'].id}/consents/new", query_string={"purpose": purpose})
    offered = {p for p in ALL_PARTS if f'name="part_{p}"' in page.text}
    assert offered == set(CONSENT_PARTS[purpose])


def test_a_refusal_for_a_name_that_is_a_form_method_lands_on_the_form(app):
    """The shared helper: an error for 'parts' (a method of the parts mixin) or 'validate' never crashes."""
    from sabidamu.web.common import apply_service_error

    class Form(PartsMixin, FlaskForm):
        name = StringField()

    with app.test_request_context("/", method="POST"):
        form = Form(meta={"csrf": False})
        apply_service_error(form, ServiceError("parts_not_for_purpose", field="parts"))
        apply_service_error(form, ServiceError("bad_purpose", field="validate"))
        apply_service_error(form, ServiceError("guardian_name", field="name"))
        shown = [str(e) for e in form.form_errors] + [str(e) for errs in form.group_errors.values() for e in errs]
        assert form.name.errors and len(shown) == 2
