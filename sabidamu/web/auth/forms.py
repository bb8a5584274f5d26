from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..validators import login_value, strong_password


class LoginForm(FlaskForm):
    login = StringField(_l("E-mail or phone"), validators=[
        DataRequired(_l("Enter your e-mail or phone.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=200, message=_l("At most %(max)d characters."))])
    login = StringField(_l("E-mail or phone"), validators=[
        DataRequired(_l("Enter your e-mail or phone.")), login_value])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[
        DataRequired(_l("Enter a password.")), strong_password])
    password2 = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))])
    agree = BooleanField(_l("I have read the privacy notice and agree to the processing of my and my child's "
                            "personal data as described there."),
                         validators=[DataRequired(_l("Without this consent we cannot create an account."))])


class ForgotForm(FlaskForm):
    login = StringField(_l("E-mail or phone"), validators=[
        DataRequired(_l("Enter your e-mail or phone.")), login_value])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[
        DataRequired(_l("Enter a password.")), strong_password])
    password2 = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))])


class CodeResetForm(NewPasswordForm):
    login = StringField(_l("Phone number"), validators=[DataRequired(_l("Enter your phone number.")), login_value])
    code = StringField(_l("Code from the kindergarten head"), validators=[
        DataRequired(_l("Enter the code the kindergarten head gave you.")), Length(max=40)])


class ConfirmForm(FlaskForm):
    password = PasswordField(_l("The password you chose"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=200)])
