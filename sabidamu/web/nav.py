"""The navigation for the signed-in user: what they can reach, by their memberships."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import get_locale, gettext

from .. import db as dbmod


def nav_items() -> list[tuple[str, str]]:
    user = g.get("user")
    if user is None:
        return []
    from ..services.orgs import orgs_of
    items = []
    if user.is_admin:
        items.append((url_for("admin.index"), gettext("Organizations")))
    for org, _role in orgs_of(dbmod.get_db(), user):
        items.append((url_for("org.overview", org_id=org.id), org_name(org)))
    if not user.is_admin:
        items.append((url_for("parent.dashboard"), gettext("My children")))
    return items


def org_name(org) -> str:
    return org.name_kk if str(get_locale()) == "kk" else org.name_ru
