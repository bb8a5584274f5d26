"""Registration, sign-in and sign-out."""
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext

from ...services import ServiceError
from ...services.auth import authenticate, end_session, register_parent, start_session
from ..common import apply_service_error, db, form_status
from ..redirects import safe_next
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("public.home"))


def _sign_in(user) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    if lang:
        session["lang"] = lang
    session["sid"] = start_session(db(), user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_parent(db(), full_name=form.full_name.data, login=form.login.data,
                                   password=form.password.data, locale=str(get_locale()))
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            _sign_in(user)
            flash(gettext("Welcome to SabiDamu! Add your child to begin."), "success")
            return redirect(url_for("parent.dashboard"))
    return render_template("auth/register.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(db(), form.login.data, form.password.data, request.remote_addr or "?")
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            from ...services.totp_setup import is_enabled
            if is_enabled(db(), user):  # staff with TOTP: the code page comes before the session
                from ..account.routes import begin_second_step
                return begin_second_step(user, _safe_next(request.args.get("next")))
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
    status = form_status()
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session(db(), g.user, g.user_session)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("public.index"))
