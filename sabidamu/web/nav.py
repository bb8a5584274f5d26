"""The navigation for the signed-in user: what they can reach, by their memberships.

The menu is drawn on every page, so a user's memberships are cached per process for a short time.
This cache only shapes the menu: every access decision still asks sabidamu.access against the database,
so a role taken away disappears from the menu within NAV_TTL seconds and is refused at once.
"""
from __future__ import annotations

import threading
import time
import uuid

from flask import g, url_for
from flask_babel import gettext, ngettext

from .. import access
from .. import db as dbmod
from .formatting import current_lang

NAV_TTL = 30.0
_cache: dict[uuid.UUID, tuple[float, list[tuple[uuid.UUID, str, str, str]], bool, bool]] = {}
_lock = threading.Lock()


def _memberships(user) -> tuple[list[tuple[uuid.UUID, str, str, str]], bool, bool]:
    """(the user's memberships, whether they are a guardian of any child, whether they are an education
    department's login)."""
    now = time.monotonic()
    hit = _cache.get(user.id)
    if hit and now - hit[0] < NAV_TTL:
        return hit[1], hit[2], hit[3]
    from sqlmodel import select

    from ..models import Guardianship
    from ..services.orgs import orgs_of
    db = dbmod.get_db()
    rows = [(org.id, org.name_kk, org.name_ru, role) for org, role in orgs_of(db, user)]
    guardian = db.exec(select(Guardianship.id).where(Guardianship.user_id == user.id).limit(1)).first() is not None
    department = access.department_scope(db, user) is not None
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[user.id] = (now, rows, guardian, department)
    return rows, guardian, department


def forget(user_id: uuid.UUID) -> None:
    """Drop a user's cached menu (after a role grant or removal in this process)."""
    _cache.pop(user_id, None)


def nav_items() -> list[tuple[str, str]]:
    user = g.get("user")
    if user is None:
        return []
    items = []
    if user.is_admin:
        items.append((url_for("admin.index"), gettext("Organizations")))
        items.append((url_for("admin.api_clients"), gettext("API clients of regions")))
    kk = current_lang() == "kk"
    seen = set()
    memberships, guardian, department = _memberships(user)
    for org_id, name_kk, name_ru, _role in memberships:
        if org_id not in seen:
            seen.add(org_id)
            items.append((url_for("org.overview", org_id=org_id), name_kk if kk else name_ru))
    if any(role == "specialist" for *_rest, role in memberships):
        items.append((url_for("specialist.index"), gettext("Referred children")))
    if department:
        items.append((url_for("analytics.index"), gettext("Analytics")))
    elif not user.is_admin and (guardian or not memberships):  # parents, and staff who are parents too
        items.append((url_for("parent.dashboard"), gettext("My children")))
        from .consent.notices import unread_notices
        unread = unread_notices()
        items.append((url_for("consent.notices"), ngettext("Notices (%(num)d new)", "Notices (%(num)d new)", unread)
                      if unread else gettext("Notices")))
    items.append((url_for("settings.index"), gettext("Account")))
    return items


def org_name(org) -> str:
    return org.name_kk if current_lang() == "kk" else org.name_ru
