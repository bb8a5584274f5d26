"""Forms of the monitoring pages. The grid's cells are named after the child and the skill
(`L-<child id>-<skill id>`, row versions `v-<child id>`): they come from the framework and the group, so
they are read from the request and validated by the service; the form class carries the CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...services.monitoring import MAX_MEASURES_CHARS, MAX_OBSERVATION_CHARS
from ..choices import options

CELL_PREFIX = "L-"
VERSION_PREFIX = "v-"


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
                _l("Final level: %(group)s", group=label), choices=options([
                    ("", _l("Not set")), ("3", _l("III: high")), ("2", _l("II: medium")), ("1", _l("I: low"))]),
                default="", validate_choice=True))
    return MeasuresForm(formdata=formdata) if formdata is not None else MeasuresForm()


class HomeObservationForm(FlaskForm):
    text = TextAreaField(_l("What did you notice?"), validators=[
        DataRequired(_l("Write a few words about what you noticed.")),
        Length(max=MAX_OBSERVATION_CHARS, message=_l("At most %(max)d characters.", max=MAX_OBSERVATION_CHARS))])
    skill_group = SelectField(_l("Area of development (optional)"), choices=[], validate_choice=True)


class _DayField(DateField):
    """A date picker (input type=date); anything that is not a date gets the same plain message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_PICK_A_DATE)) from None


_PICK_A_DATE = _l("Choose a date in the calendar.")


def _day(label):
    return _DayField(label, format="%Y-%m-%d", validators=[InputRequired(_PICK_A_DATE)])


class WindowsForm(FlaskForm):
    """The three stage periods as dates of one academic year (the page's); they are kept as days of the year
    (MM-DD) and repeat every academic year."""
    start_from = _day(_l("Start stage: from"))
    start_to = _day(_l("Start stage: to"))
    intermediate_from = _day(_l("Intermediate stage: from"))
    intermediate_to = _day(_l("Intermediate stage: to"))
    final_from = _day(_l("Final stage: from"))
    final_to = _day(_l("Final stage: to"))
    STAGES = ("start", "intermediate", "final")

    def limit_to(self, first, last) -> None:
        """The pickers offer only days of the academic year [first, last]."""
        for f in self._days():
            f.render_kw = {"min": first.isoformat(), "max": last.isoformat()}

    def fill(self, windows: dict, in_year) -> None:
        """windows: stage -> (MM-DD, MM-DD); in_year(MM-DD) -> the date in the page's academic year."""
        for stage, (start, end) in windows.items():
            getattr(self, f"{stage}_from").data = in_year(start)
            getattr(self, f"{stage}_to").data = in_year(end)

    def check_year(self, first, last, message: str) -> bool:
        ok = True
        for f in self._days():
            if f.data is not None and not first <= f.data <= last:
                f.errors = list(f.errors) + [message]
                ok = False
        return ok

    def month_days(self) -> dict[str, tuple[str, str]]:
        return {stage: (getattr(self, f"{stage}_from").data.strftime("%m-%d"),
                        getattr(self, f"{stage}_to").data.strftime("%m-%d")) for stage in self.STAGES}

    def _days(self):
        return [getattr(self, f"{stage}_{end}") for stage in self.STAGES for end in ("from", "to")]


class ResetForm(FlaskForm):
    """Back to the framework's default periods (the CSRF token only)."""
