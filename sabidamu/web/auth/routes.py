"""Registration, sign-in and sign-out."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from ...services import ServiceError, recovery, registration
from ...services.auth import authenticate, end_session
from ...services.totp_setup import is_enabled
from ..common import apply_service_error, db, form_status
from ..redirects import safe_next
from ..signin import begin_second_step, fresh_session, sign_in
from .forms import CodeResetForm, ConfirmForm, ForgotForm, LoginForm, NewPasswordForm, RegisterForm
from .mailing import deliver

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """The same answer for a new and a known e-mail or phone (services/registration.py)."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            done = registration.register(db(), full_name=form.full_name.data, login=form.login.data,
                                         password=form.password.data, locale=str(get_locale()), ip=_ip())
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
            return render_template("auth/register.html", form=form), 429 if exc.code == "too_many_requests" else 422
        deliver(done.mail)
        return render_template("auth/registered.html", by_phone=done.by_phone, login=form.login.data.strip())
    return render_template("auth/register.html", form=form), form_status()


def _ip() -> str:
    return request.remote_addr or "?"


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            out = recovery.request_reset(db(), form.login.data, _ip())
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
            return render_template("auth/forgot.html", form=form), 429
        deliver(out)
        return render_template("auth/forgot_sent.html", by_phone="@" not in form.login.data)
    return render_template("auth/forgot.html", form=form), form_status()


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    if recovery.peek(db(), "email", token) is None:
        return render_template("auth/link_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_link(db(), token, form.password.data)
        except ServiceError as exc:
            db().rollback()
            if exc.code == "link_invalid":
                return render_template("auth/link_invalid.html"), 410
            apply_service_error(form, exc)
        else:
            flash(gettext("Your new password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), form_status()


@bp.route("/reset/code", methods=["GET", "POST"])
def reset_code():
    form = CodeResetForm()
    if form.validate_on_submit():
        try:
            recovery.use_code(db(), form.login.data, form.code.data, form.password.data, _ip())
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Your new password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_code.html", form=form), form_status()


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    if recovery.peek(db(), "confirm", token) is None:
        return render_template("auth/link_invalid.html"), 410
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = recovery.confirm_with_link(db(), token, form.password.data, _ip())
        except ServiceError as exc:
            db().rollback()
            if exc.code == "link_invalid":
                return render_template("auth/link_invalid.html"), 410
            apply_service_error(form, exc)
        else:
            sign_in(user)
            flash(gettext("Welcome to SabiDamu! Add your child to begin."), "success")
            return redirect(url_for("parent.dashboard"))
    return render_template("auth/confirm.html", form=form), form_status()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(db(), form.login.data, form.password.data, request.remote_addr or "?")
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if is_enabled(db(), user):  # staff with TOTP: the code page comes before the session
                return begin_second_step(user, _safe_next(request.args.get("next")))
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
    status = form_status()
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session(db(), g.user, g.user_session)
    fresh_session()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("public.index"))
