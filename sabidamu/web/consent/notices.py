"""The user's notices (a paper consent recorded for their child, ...): the list, the unread count in the menu, and
the same text as an e-mail in the reader's language (services.notifications mails it after the commit)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale, gettext

from ...services import notifications as svc
from ...services import reminders
from ..common import db, keyring, login_required
from ..formatting import consent_purpose_label, current_lang, date_on, tidy_output
from ..nav import org_name
from .routes import bp


def notice_text(view: svc.NoticeView) -> str:
    """One notice as a sentence in the current language."""
    if view.kind == "paper_consent":
        p = view.params
        paper_date = dt.date.fromisoformat(p["paper_date"]) if p.get("paper_date") else None
        # Translators: %(purpose)s is the consent's purpose in «quotes», e.g. «Transfer of the card to a school».
        # tidy_output: a mail is plain text (no template finalize), and a Russian date ends in «г.».
        return tidy_output(gettext("%(org)s recorded a paper consent %(purpose)s for %(child)s, signed on %(date)s. "
                       "If you did not sign it, revoke it on your child's consents page.",
                       org=org_name(view.org) if view.org else "", child=view.child_first_name,
                       date=date_on(paper_date), purpose=f"«{consent_purpose_label(p.get('purpose', ''))}»"))
    if reminders.is_reminder(view.kind):
        return reminders.words(db(), view, current_lang())[1]
    return gettext("You have a new notice.")


def render_mail(view: svc.NoticeView, lang: str) -> tuple[str, str]:
    """Subject and body of a notice's e-mail, in `lang` (the reader's)."""
    with force_locale(lang):
        if view.kind == "paper_consent":
            subject = gettext("SabiDamu: a paper consent was recorded for %(child)s", child=view.child_first_name)
        else:
            subject = gettext("SabiDamu: a new notice")
        body = "\n\n".join([notice_text(view),
                            gettext("Sign in to SabiDamu to see your notices: %(link)s",
                                    link=url_for("consent.notices", _external=True)),
                            gettext("This message was sent automatically; please do not reply to it.")])
    return subject, body


def mailer() -> svc.Mailer:
    return svc.Mailer(settings=current_app.config["SETTINGS"], render=render_mail)


@bp.get("/notices")
@login_required
def notices():
    views = svc.notices_of(db(), keyring(), g.user)
    return render_template("consent/notices.html", notices=[(v, notice_text(v)) for v in views])


@bp.app_template_global("unread_notices")
def unread_notices() -> int:
    return svc.unread_count(db(), g.user) if g.get("user") is not None else 0
