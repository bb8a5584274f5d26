from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

# Each language is named in itself (and marked so: a screen reader reads it in that language).
LANG_CHOICES = [SelectChoice("kk", "Қазақша", render_kw={"lang": "kk"}),
                SelectChoice("ru", "Русский", render_kw={"lang": "ru"})]


class GroupPdfForm(FlaskForm):
    lang = SelectField(_l("Language of the cards"), choices=LANG_CHOICES,
                       validators=[InputRequired(message=_l("Choose the language of the cards."))])
