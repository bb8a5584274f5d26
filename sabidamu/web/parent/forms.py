from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..validators import not_in_future, plausible_child_birth, valid_iin


class ChildForm(FlaskForm):
    name = StringField(_l("Child's full name"), validators=[
        DataRequired(_l("Enter the child's name.")), Length(max=200, message=_l("At most %(max)d characters."))])
    birth_date = DateField(_l("Birth date"), validators=[
        DataRequired(_l("Enter the birth date as a date, for example 2022-05-14.")), not_in_future,
        plausible_child_birth])
    iin = StringField(_l("IIN (12 digits, optional)"), validators=[Optional(), valid_iin("birth_date")])
    gestational_weeks = IntegerField(_l("Born at week of pregnancy (if born early)"), validators=[
        Optional(), NumberRange(22, 44, _l("Enter a week from 22 to 44, or leave it empty for a birth at term."))])
    notes = TextAreaField(_l("Notes for yourself (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters."))])


class ChildEditForm(ChildForm):
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The birth date and IIN are fixed once given: they identify the child.
        del self.birth_date
        del self.iin


class DecisionForm(FlaskForm):
    pass
