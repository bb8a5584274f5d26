"""One table of refusal messages (sabidamu.web.messages) and one way to put a refusal on a form."""
from __future__ import annotations

import pathlib
import re

import pytest
from flask import session
from flask_wtf import FlaskForm
from wtforms import StringField

from sabidamu.services import ServiceError
from sabidamu.web.common import apply_service_error
from sabidamu.web.messages import DEFAULT, MESSAGES, import_message, service_message

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "sabidamu"
# Codes their pages answer with a page of their own (a notice with a link, the first open domain), not a sentence.
HANDLED_BY_THEIR_PAGE = {"already_completed", "no_band", "incomplete"}


def raised_codes() -> set[str]:
    codes = set()
    for path in SOURCE.rglob("*.py"):
        codes |= set(re.findall(r'ServiceError\(\s*"([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    return codes


def test_every_refusal_a_service_raises_has_a_sentence():
    missing = raised_codes() - set(MESSAGES) - HANDLED_BY_THEIR_PAGE
    assert not missing


@pytest.fixture
def in_lang(app):
    def run(lang, fn, *args, **kwargs):
        with app.test_request_context("/"):
            session["lang"] = lang
            return fn(*args, **kwargs)
    return run


def test_a_school_class_and_a_kindergarten_group_refuse_in_their_own_words(in_lang):
    # Once both were "already_enrolled" in two tables; now each has its own code.
    group = in_lang("ru", service_message, ServiceError("already_enrolled"))
    klass = in_lang("ru", service_message, ServiceError("already_in_class"))
    assert group == "Этот ребенок уже состоит в этой группе."
    assert klass == "Этот ребенок уже состоит в этом классе."


def test_a_package_refusal_raised_by_a_service_reads_as_the_upload_line_does(in_lang):
    by_service = in_lang("kk", service_message, ServiceError("package_bad_signature"))
    assert by_service == in_lang("kk", import_message, "bad_signature")
    assert by_service != in_lang("kk", lambda: str(DEFAULT))


def test_an_unknown_code_never_shows_the_code(in_lang):
    text = in_lang("ru", service_message, ServiceError("no_such_code_here"))
    assert text == in_lang("ru", lambda: str(DEFAULT)) and "no_such_code" not in text


def test_parameters_are_filled_in_the_page_language(in_lang):
    assert "7" in in_lang("ru", service_message, ServiceError("login_locked", minutes=7))
    unconfirmed = in_lang("ru", service_message, ServiceError("account_unconfirmed", by_phone=True))
    assert "код" in unconfirmed


class ChildForm(FlaskForm):
    class Meta:
        csrf = False
    name = StringField()


def make_form(app):
    form = ChildForm()
    form.validate()
    form.form_errors = []
    form.group_errors = {"parts": []}
    return form


@pytest.mark.parametrize("field, aliases, where", [
    ("name", None, "name"),
    ("full_name", {"full_name": "name"}, "name"),
    ("parts", None, "group"),
    ("validate", None, "form"),   # a method of the form, never taken for a field
    ("data", None, "form"),
    (None, None, "form"),
])
def test_a_refusal_lands_beside_its_field_or_above_the_form(app, field, aliases, where):
    with app.test_request_context("/", method="POST"):
        form = make_form(app)
        apply_service_error(form, ServiceError("stale", field=field), aliases=aliases)
        text = service_message(ServiceError("stale"))
        assert form.name.errors == ([text] if where == "name" else [])
        assert form.group_errors["parts"] == ([text] if where == "group" else [])
        assert form.form_errors == ([text] if where == "form" else [])
