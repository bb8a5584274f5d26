from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..validators import not_in_future, valid_iin

_MAX = _l("At most %(max)d characters.")

PURPOSES = [("specialist_access", _l("Access for a specialist")),
            ("kindergarten_monitoring", _l("Monitoring in the kindergarten")),
            ("school_transfer", _l("Transfer of the card to a school"))]


class PartsMixin:
    """Which parts a consent covers; the service refuses parts that do not fit the purpose."""

    part_screenings = BooleanField(_l("Screening results"))
    part_card = BooleanField(_l("The individual development card"))
    part_conclusions = BooleanField(_l("Other specialists' conclusions"))
    part_home_observations = BooleanField(_l("Home observations (for a school)"))

    PART_FIELDS = ("screenings", "card", "conclusions", "home_observations")

    def parts(self) -> list[str]:
        return [p for p in self.PART_FIELDS if getattr(self, f"part_{p}", None) is not None
                and getattr(self, f"part_{p}").data]


class ConsentForm(PartsMixin, FlaskForm):
    purpose = SelectField(_l("What the consent is for"), choices=PURPOSES)
    recipient = SelectField(_l("Who receives the data"), choices=[], validate_choice=True)
    valid_until = DateField(_l("Valid until (optional; empty = until you revoke it)"), validators=[Optional()])


class PaperConsentForm(PartsMixin, FlaskForm):
    iin = StringField(_l("Child's IIN (from the paper form)"), validators=[valid_iin(required=True)])
    purpose = SelectField(_l("What the consent is for"), choices=PURPOSES)
    school = SelectField(_l("School (only for the transfer of the card to a school)"), choices=[],
                         validate_choice=False)
    for_me = BooleanField(_l("The form names me personally (not the whole organization)"))
    guardian_name = StringField(_l("Parent's or legal representative's name, as written on the form"), validators=[
        DataRequired(_l("Enter the parent's name as written on the form.")), Length(max=200, message=_MAX)])
    paper_date = DateField(_l("Date on the form"), validators=[
        DataRequired(_l("Enter the date written on the form, for example 2026-11-20.")), not_in_future])
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()])


class RevokeForm(FlaskForm):
    pass
