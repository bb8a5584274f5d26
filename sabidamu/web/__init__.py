"""Blueprints, the per-request user, and what every template gets."""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale

from .. import db as dbmod
from ..services.auth import load_session
from . import formatting


def register_web(app: Flask) -> None:
    from .account.routes import bp as account_bp
    from .account.routes import require_enrolment
    from .account.settings import bp as settings_bp
    from .admin.routes import bp as admin_bp
    from .analytics.routes import bp as analytics_bp
    from .api_clients.routes import bp as api_clients_bp
    from .auth.routes import bp as auth_bp
    from .cards.routes import bp as cards_bp
    from .consent.routes import bp as consent_bp
    from .monitoring.routes import bp as monitoring_bp
    from .ops.routes import bp as ops_bp
    from .org.routes import bp as org_bp
    from .parent.routes import bp as parent_bp
    from .public.routes import bp as public_bp
    from .school.routes import bp as school_bp
    from .screening.routes import bp as screening_bp
    from .specialist.routes import bp as specialist_bp
    from .transfer.routes import bp as transfer_bp

    for bp in (account_bp, public_bp, auth_bp, parent_bp, org_bp, admin_bp, screening_bp, monitoring_bp):
        app.register_blueprint(bp)
    for bp in (consent_bp, specialist_bp, cards_bp, school_bp, transfer_bp, ops_bp, settings_bp, api_clients_bp,
               analytics_bp):
        app.register_blueprint(bp)

    @app.teardown_request
    def reset_write_mode(_exc=None):
        # The flag is a context variable: do not let it outlive the request (test clients share the thread).
        dbmod.set_writing(False)

    @app.before_request
    def load_user():
        # Requests that may write take SQLite's write lock up front (see sabidamu.db).
        dbmod.set_writing(request.method not in ("GET", "HEAD", "OPTIONS"))
        g.user, g.user_session = None, None
        if request.path.startswith("/static/"):
            return
        token = session.get("sid")
        if token:
            found = load_session(dbmod.get_db(), token, current_app.config["SESSION_IDLE"],
                                 current_app.config["SESSION_ABSOLUTE"])
            if found is None:
                session.pop("sid", None)
                g.session_expired = True
            else:
                g.user, g.user_session = found

    app.before_request(require_enrolment)  # after load_user: heads and admins must enrol a second factor

    # Globals (not context) so that imported macros see them too.
    app.jinja_env.globals["attrs"] = lambda **kw: {k: v for k, v in kw.items() if v is not None}
    # A user's name and login are sealed: templates read them only through these (services/identity.py).
    from ..services.identity import display_name, login_of
    app.jinja_env.globals["display_name"] = display_name
    app.jinja_env.globals["login_of"] = login_of
    # Before any template is compiled: every {{ }} output passes formatting.tidy_output («г..» -> «г.»).
    app.jinja_env.finalize = formatting.tidy_output

    @app.context_processor
    def template_globals():
        from .nav import nav_items, org_name
        return {
            "org_name": org_name,
            "age_text": formatting.age_text,
            "children_count": formatting.children_count,
            "academic_year_label": formatting.academic_year_label,
            "age_group_label": formatting.age_group_label,
            "role_label": formatting.role_label,
            "org_kind_label": formatting.org_kind_label,
            "specialist_kind_label": formatting.specialist_kind_label,
            "consent_purpose_label": formatting.consent_purpose_label,
            "consent_part_label": formatting.consent_part_label,
            "actor_role_label": formatting.actor_role_label,
            "referral_status_label": formatting.referral_status_label,
            "current_user": g.get("user"),
            "current_locale": str(get_locale()),
            "nav_items": nav_items(),
            "fmt_date": formatting.long_date,
            "fmt_moment": formatting.moment_text,
            "fmt_date_on": formatting.date_on,
            "fmt_date_until": formatting.date_until,
            "fmt_month_on": formatting.month_on,
            "fmt_number": formatting.number,
            "fmt_iso_date": formatting.iso_date,
        }
