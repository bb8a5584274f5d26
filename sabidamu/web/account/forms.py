from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..validators import strong_password


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app"), validators=[
        DataRequired(_l("Enter the 6-digit code from your authenticator app.")),
        Length(max=40, message=_l("At most %(max)d characters."))])


class SignInCodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app, or a recovery code"), validators=[
        DataRequired(_l("Enter the 6-digit code from your authenticator app, or one of your recovery codes.")),
        Length(max=40, message=_l("At most %(max)d characters."))])


class ReplaceForm(FlaskForm):
    """Moving two-step sign-in to a new phone: proof that the person is the account's owner."""
    proof = PasswordField(_l("A current code from the app, a recovery code or your password"), validators=[
        DataRequired(_l("Enter a current code from your app, one of your recovery codes or your password.")),
        Length(max=200, message=_l("At most %(max)d characters."))])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class DeletionForm(FlaskForm):
    confirm = BooleanField(_l("I understand that the deleted data cannot be restored."),
                           validators=[DataRequired(_l("Tick the box to confirm the deletion."))])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=200, message=_l("At most %(max)d characters."))])
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[
        DataRequired(_l("Enter a new password.")), strong_password])
    password2 = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")), EqualTo("password", _l("The two passwords differ."))])
