"""Forms of the monitoring pages. The grid's cells are named after the child and the skill
(`L-<child id>-<skill id>`, row versions `v-<child id>`): they come from the framework and the group, so
they are read from the request and validated by the service; the form class carries the CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ...services.monitoring import MAX_MEASURES_CHARS, MAX_OBSERVATION_CHARS

CELL_PREFIX = "L-"
VERSION_PREFIX = "v-"
_MONTH_DAY = Regexp(r"^\s*\d{2}-\d{2}\s*$", message=_l("Enter the day as MM-DD, for example 09-01."))


class GridForm(FlaskForm):
    """The whole grid (the path without JavaScript)."""

    stage = HiddenField(validators=[DataRequired()])
    skill_group = HiddenField(validators=[DataRequired()])
    academic_year = IntegerField(validators=[InputRequired()])


def grid_cells(form_data) -> dict[str, tuple[str | None, dict[str, str]]]:
    """{child id: (version text, {skill id: level text})} from the posted grid."""
    rows: dict[str, tuple[str | None, dict[str, str]]] = {}
    for key, value in form_data.items():
        if key.startswith(VERSION_PREFIX):
            child = key[len(VERSION_PREFIX):]
            rows[child] = (value, rows.get(child, (None, {}))[1])
    for key, value in form_data.items():
        if key.startswith(CELL_PREFIX):
            rest = key[len(CELL_PREFIX):]
            child, skill = rest[:36], rest[37:]  # a UUID has dashes itself: it is 36 characters
            rows.setdefault(child, (None, {}))[1][skill] = value
    return rows


def measures_form(skill_groups, final: bool, formdata=None):
    """One textarea per skill group and, at the final stage, the final level per skill group."""

    class MeasuresForm(FlaskForm):
        version = IntegerField(validators=[InputRequired(), NumberRange(min=0)])

    for sg_id, label in skill_groups:
        setattr(MeasuresForm, f"measures_{sg_id}", TextAreaField(
            label, validators=[Optional(), Length(max=MAX_MEASURES_CHARS, message=_l(
                "At most %(max)d characters.", max=MAX_MEASURES_CHARS))]))
        if final:
            setattr(MeasuresForm, f"final_{sg_id}", SelectField(
                _l("Final level: %(group)s", group=label), choices=[
                    ("", _l("Not set")), ("3", _l("III: high")), ("2", _l("II: medium")), ("1", _l("I: low"))],
                default="", validate_choice=True))
    return MeasuresForm(formdata=formdata) if formdata is not None else MeasuresForm()


class HomeObservationForm(FlaskForm):
    text = TextAreaField(_l("What did you notice?"), validators=[
        DataRequired(_l("Write a few words about what you noticed.")),
        Length(max=MAX_OBSERVATION_CHARS, message=_l("At most %(max)d characters.", max=MAX_OBSERVATION_CHARS))])
    skill_group = SelectField(_l("Area of development (optional)"), choices=[], validate_choice=True)


class WindowsForm(FlaskForm):
    start_from = StringField(_l("Start stage: from (MM-DD)"), validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])
    start_to = StringField(_l("Start stage: to (MM-DD)"), validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])
    intermediate_from = StringField(_l("Intermediate stage: from (MM-DD)"),
                                    validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])
    intermediate_to = StringField(_l("Intermediate stage: to (MM-DD)"),
                                  validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])
    final_from = StringField(_l("Final stage: from (MM-DD)"), validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])
    final_to = StringField(_l("Final stage: to (MM-DD)"), validators=[DataRequired(_l("Enter a day.")), _MONTH_DAY])


class ResetForm(FlaskForm):
    """Back to the framework's default periods (the CSRF token only)."""
