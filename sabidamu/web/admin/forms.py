from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ...analytics import areas
from ..choices import options
from ..formatting import current_lang
from ..validators import login_value, strong_password

_MAX = _l("At most %(max)d characters.")


class OrgForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options([
        ("kindergarten", _l("Kindergarten")), ("school", _l("Primary school")),
        ("correction_room", _l("Correction room (PPTK)")), ("pmpk", _l("PMPK"))]))
    name_kk = StringField(_l("Name in Kazakh"), validators=[
        DataRequired(_l("Enter the name in Kazakh.")), Length(max=200, message=_MAX)])
    name_ru = StringField(_l("Name in Russian"), validators=[
        DataRequired(_l("Enter the name in Russian.")), Length(max=200, message=_MAX)])
    region = StringField(_l("Region"), validators=[
        DataRequired(_l("Enter the region.")), Length(max=100, message=_MAX)])
    bin = StringField(_l("BIN (12 digits)"), validators=[
        Optional(), Regexp(r"^\d{12}$", message=_l("The BIN must have exactly 12 digits."))])
    head_name = StringField(_l("Head's full name"), validators=[
        DataRequired(_l("Enter the head's name.")), Length(max=200, message=_MAX)])
    head_login = StringField(_l("Head's e-mail or phone"), validators=[
        DataRequired(_l("Enter an e-mail or phone.")), login_value])
    head_password = PasswordField(_l("Head's first password"), validators=[
        DataRequired(_l("Enter a password.")), strong_password])


class RegionClientForm(FlaskForm):
    """A region's API client: a name and the region; its scope is fixed (models.api.REGION_SCOPES), so nothing else
    is offered to tick."""
    name = StringField(_l("Name of the system"), validators=[
        DataRequired(_l("Enter the name of the system.")), Length(max=100, message=_MAX)])
    # Any value the list does not hold is refused by the service in the user's language (unknown_region).
    region = SelectField(_l("Region"), validate_choice=False, validators=[DataRequired(_l("Choose the region."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        named = sorted(((code, areas.region_name(code, lang)) for code in areas.REGIONS), key=lambda pair: pair[1])
        self.region.choices = options([("", _l("Choose the region")), *named])


class RevokeForm(FlaskForm):
    """A button: only the CSRF token."""
