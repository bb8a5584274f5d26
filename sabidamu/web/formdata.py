"""Every form reads files only into its file fields.

Flask-WTF hands a form `request.files` merged with `request.form`, so a file sent under the name of a text field
reached that field as a FileStorage and the validators failed on it with a TypeError (a 500). The guard is the
form layer's own extension point (`Meta.wrap_formdata`), set once on FlaskForm's Meta, so every form of the app
(and every form added later) gets it: a file under the name of a field that is not a file field (or, in a JSON
body, a value that is not text) is a 400.
"""
from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms.fields import FileField
from wtforms.meta import DefaultMeta

_flask_wtf_wrap = FlaskForm.Meta.wrap_formdata


def _wrap_formdata(self: DefaultMeta, form, formdata):
    try:
        wrapped = _flask_wtf_wrap(self, form, formdata)
    except (TypeError, ValueError):  # a JSON body that is not an object of fields
        abort(400)
    if wrapped is None or wrapped is formdata:  # not read from the request: the caller's own data
        return wrapped
    for field in form:
        if isinstance(field, FileField):
            continue
        # Text fields take text only: a file (multipart) or a number, list or object (a JSON body) is refused.
        if any(not isinstance(value, str) for value in wrapped.getlist(field.name)):
            abort(400)
    return wrapped


def install() -> None:
    FlaskForm.Meta.wrap_formdata = _wrap_formdata
