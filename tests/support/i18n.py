"""Messages as the pages show them: tests assert on the translation, not on the English msgid."""
from __future__ import annotations


def t(app, msgid: str, lang: str = "kk", **params) -> str:
    from flask import session
    from flask_babel import gettext
    from markupsafe import escape
    with app.test_request_context("/"):
        session["lang"] = lang
        return str(escape(gettext(msgid, **params)))
