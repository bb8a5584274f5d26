from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    files = MultipleFileField(
        _l("Card packages: .sdcard files or the kindergarten's ZIP file (you can choose several)"))


class ConfirmKeyForm(FlaskForm):
    public_key = TextAreaField(_l("The sender's public key (minisign), as the sender gave it to you"), validators=[
        DataRequired(_l("Paste the sender's public key.")), Length(max=400, message=_l("At most %(max)d characters."))])
    confirmed = BooleanField(_l("I confirmed this key's fingerprint with the sender by phone"), validators=[
        DataRequired(_l("Confirm that you checked the fingerprint with the sender by phone."))])


class DecisionForm(FlaskForm):
    """Accept or decline: only the CSRF token."""


class PlaceForm(FlaskForm):
    group = SelectField(_l("First-grade class"), choices=[], validate_choice=True)
