import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..choices import options
from ..formatting import ROLE_LABELS
from ..validators import login_value, not_in_future, plausible_child_birth, strong_password, valid_iin

_MAX = _l("At most %(max)d characters.")


def current_academic_year(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


class StaffForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=200, message=_MAX)])
    login = StringField(_l("E-mail or phone"), validators=[DataRequired(_l("Enter an e-mail or phone.")), login_value])
    role = SelectField(_l("Role"), choices=options(
        (r, ROLE_LABELS[r]) for r in ("teacher", "specialist", "school_teacher", "head")))
    specialist_kind = SelectField(_l("Specialist's field (for specialists)"), choices=options([
        ("", _l("— not a specialist —")), ("speech_therapist", _l("Speech therapist")),
        ("psychologist", _l("Psychologist")), ("defectologist", _l("Defectologist"))]))
    password = PasswordField(_l("First password (at least 10 characters; give it to the person)"),
                             validators=[DataRequired(_l("Enter a password.")), strong_password])


    def validate_specialist_kind(self, field):
        if self.role.data == "specialist" and not field.data:
            raise ValidationError(_l("Choose the specialist's field."))


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[
        DataRequired(_l("Enter the group's name.")), Length(max=100, message=_MAX)])
    age_group = SelectField(_l("Age group"), choices=options([
        ("early", _l("Early age group (1-2 years)")), ("junior", _l("Junior group (2-3 years)")),
        ("middle", _l("Middle group (3-4 years)")), ("senior", _l("Senior group (4-5 years)")),
        ("preschool", _l("Pre-school group (5-6 years)")), ("grade1", _l("Grade 1 class"))]))
    academic_year = IntegerField(_l("Academic year starts in (year)"), validators=[
        DataRequired(_l("Enter the year the academic year starts in, for example 2026.")),
        NumberRange(2000, 2100, _l("Enter a year from 2000 to 2100."))])
    teachers = SelectMultipleField(_l("Teachers"), choices=[], validate_choice=True)


class EnrollForm(FlaskForm):
    """Name and birth date are asked for every child, registered or not: the form must not tell whether an IIN
    is known to the platform (docs/threat_model.md, "Enrolment by IIN")."""

    iin = StringField(_l("Child's IIN"), validators=[valid_iin("birth_date", required=True)])
    name = StringField(_l("Child's full name"),
                       validators=[DataRequired(_l("Enter the child's full name.")), Length(max=200, message=_MAX)])
    birth_date = DateField(_l("Birth date"), validators=[
        DataRequired(_l("Enter the child's birth date.")), not_in_future, plausible_child_birth])


class DecisionForm(FlaskForm):
    """Accept / decline buttons (CSRF only)."""
