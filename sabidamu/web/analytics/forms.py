from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..validators import login_value, strong_password

_MAX = _l("At most %(max)d characters.")


class DepartmentForm(FlaskForm):
    region = StringField(_l("Region code (for example KZ-75)"), validators=[
        DataRequired(_l("Enter the region.")), Length(max=100, message=_MAX)])
    district = StringField(_l("District code (empty for a regional department)"), validators=[
        Optional(), Length(max=20, message=_MAX)])
    full_name = StringField(_l("Department and person"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=200, message=_MAX)])
    login = StringField(_l("E-mail or phone"), validators=[DataRequired(_l("Enter an e-mail or phone.")), login_value])
    password = PasswordField(_l("First password"), validators=[DataRequired(_l("Enter a password.")), strong_password])
