"""Public pages: the landing page and the language switch."""
from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from ...localized import LANGS
from ...services import account
from ...services.orgs import orgs_of
from ...services.registration import PRIVACY_NOTICE_VERSION
from ..common import db
from ..formatting import current_lang
from ..redirects import safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    if g.user is not None:
        return redirect(url_for("public.home"))
    return render_template("public/index.html")


@bp.get("/privacy")
def privacy():
    """The privacy notice the registration form refers to; the version a registration accepts is recorded."""
    lang = current_lang()
    return render_template("public/privacy.html", lang=lang, version=PRIVACY_NOTICE_VERSION,
                           notice=f"public/privacy/{PRIVACY_NOTICE_VERSION}.{lang}.html",
                           contact=current_app.config["SETTINGS"].privacy_contact)


@bp.get("/home")
def home():
    """Where a signed-in user starts: their organization, the admin page, or their children."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    if g.user.is_admin:
        return redirect(url_for("admin.index"))
    orgs = orgs_of(db(), g.user)
    if orgs and all(role == "specialist" for _org, role in orgs):  # a specialist works from their children list
        return redirect(url_for("specialist.index"))
    if orgs:
        return redirect(url_for("org.overview", org_id=orgs[0][0].id))
    return redirect(url_for("parent.dashboard"))


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
        if g.user is not None:
            account.set_locale(db(), g.user, lang)
    return redirect(safe_next(request.form.get("next"), url_for("public.index")))
