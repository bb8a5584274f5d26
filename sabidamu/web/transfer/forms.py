"""Forms of the transfer pages: rotating the organization's keys and handing cards to a school."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..cards.forms import LANG_CHOICES

OTHER_SCHOOL = "other"
MAX_KEY_FILE = 4096  # an age recipient is 62 characters; a key file with comments stays far below this


class RotateKeysForm(FlaskForm):
    pass


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(html_tag="ul", prefix_label=False)
    option_widget = CheckboxInput()


class ExportForm(FlaskForm):
    children = MultiCheckboxField(_l("Children"), choices=[], validate_choice=True, validators=[
        InputRequired(message=_l("Tick at least one child."))])
    school = SelectField(_l("School"), choices=[], validate_choice=True, validators=[
        InputRequired(message=_l("Choose the school."))])
    recipient_file = FileField(_l("The school's public key file (age-recipient.txt)"))
    recipient_text = TextAreaField(_l("…or paste the school's public key (age1…)"), validators=[
        Optional(), Length(max=MAX_KEY_FILE, message=_l("At most %(max)d characters."))])
    school_name = StringField(_l("School name"), validators=[
        Optional(), Length(max=300, message=_l("At most %(max)d characters."))])
    school_bin = StringField(_l("School BIN"), validators=[
        Optional(), Regexp(r"^[0-9]{12}$", message=_l("The BIN must have exactly 12 digits."))])
    lang = SelectField(_l("Language of the cards"), choices=LANG_CHOICES,
                       validators=[InputRequired(message=_l("Choose the language of the cards."))])
    confirm = HiddenField()
