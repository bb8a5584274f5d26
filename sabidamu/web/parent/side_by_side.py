"""Home and kindergarten side by side on the child page (issue 15): the table's context in the page's language,
the plain-words sentence where home and kindergarten disagree, and the parent's agreement to include the table in
the card's PDF. Logic: services/monitoring/side_by_side.py; mapping: monitoring/home_compare.py."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ...instruments import InstrumentError, load_registry
from ...models.enums import Role
from ...monitoring.home_compare import HOME_CONCERN
from ...services.monitoring import side_by_side as svc
from ..common import db, keyring, login_required, parse_uuid
from ..formatting import academic_year_label, current_lang, long_date
from ..screening.presenting import ZONE_LABELS
from .routes import bp

CONVERSATION = {
    Role.PARENT: _l("Talk it over with the teacher: together you will see your child more fully."),
    "staff": _l("Talk it over with the parent: together you will see the child more fully."),
}


class ShareForm(FlaskForm):
    """The agree / stop button: only the CSRF token."""


def disagreement_text(kind: str, group_name: str) -> str:
    """The plain-words sentence for one disagreement (never a verdict)."""
    if kind == HOME_CONCERN:
        return gettext("«%(group)s»: the kindergarten sees level III, while the home screening suggests asking a "
                       "specialist. A child can show different sides at home and in the group.", group=group_name)
    return gettext("«%(group)s»: by the home screening the child is on track, while the kindergarten sees level I. "
                   "A child can show different sides at home and in the group.", group=group_name)


def conversation_text(role: str) -> str:
    return str(CONVERSATION[Role.PARENT if role == Role.PARENT else "staff"])


def _domain_names(lang: str) -> dict[str, str]:
    try:
        instrument = load_registry(current_app.config["INSTRUMENTS_DIR"]).get(svc.DEV_SCREEN)
    except (InstrumentError, KeyError):
        return {}
    return {d.id: d.title.in_(lang) for d in instrument.domains}


def table_context(data: svc.SideBySide | None, role: str, lang: str | None = None) -> dict | None:
    """Everything the table shows, as primitive values (also for the card's PDF)."""
    if data is None:
        return None
    lang = lang or current_lang()
    fw = svc.framework()
    names = _domain_names(lang)
    rows = []
    for row in data.rows:
        group = fw.skill_group(row.skill_group).in_(lang)
        rows.append({"id": row.skill_group, "name": group,
                     "domains": ", ".join(names.get(d, d) for d in row.domains),
                     "level": row.level or 0, "level_name": fw.level(row.level).in_(lang) if row.level else "",
                     "zone": row.zone or "", "zone_label": str(ZONE_LABELS[row.zone]) if row.zone else "",
                     "disagreement": disagreement_text(row.disagreement, group) if row.disagreement else ""})
    return {"rows": rows, "empty": data.empty, "shared": data.shared, "role": role,
            "stage": (f"{fw.stage(data.level_stage).in_(lang)}, {academic_year_label(data.level_year)}"
                      if data.level_year is not None and data.level_stage else ""),
            "date": long_date(data.screening_date) if data.screening_date else "",
            "disagree": bool(data.disagreements), "conversation": conversation_text(role)}


def pdf_table(child_id, lang: str) -> dict | None:
    """The table for the card's PDF in `lang`, when the parent agreed (audited by the service); else None."""
    found = svc.for_card_pdf(db(), keyring(), g.user, child_id)
    if found is None:
        return None
    with force_locale(lang):
        context = table_context(found[0], found[1], lang)
        if context is not None:
            context["labels"] = {
                "title": gettext("Home and kindergarten side by side"),
                "hint": gettext("The teacher's latest level in each skill group of the card beside the latest "
                                "home screening in the matching areas. They are two views of one child, not a "
                                "diagnosis."),
                "group": gettext("Skill group of the card"), "level": gettext("Kindergarten: latest level"),
                "areas": gettext("Screening areas"), "home": gettext("Home screening"),
                "no_level": gettext("No level yet"), "no_result": gettext("No result yet")}
    return context


def child_table(child_id, role: str) -> dict | None:
    return table_context(svc.side_by_side(db(), keyring(), child_id, role), role)


@bp.post("/children/<child_id>/home-share/<choice>")
@login_required
def home_share(child_id, choice):
    cid = parse_uuid(child_id)
    if choice not in ("agree", "stop") or not ShareForm().validate_on_submit():
        return redirect(url_for("parent.child", child_id=cid))
    svc.set_share(db(), g.user, cid, choice == "agree")
    flash(gettext("The card's PDF now includes the table of home and kindergarten.") if choice == "agree"
          else gettext("The card's PDF no longer includes the table of home and kindergarten."), "success")
    return redirect(url_for("parent.child", child_id=cid) + "#side-h")
