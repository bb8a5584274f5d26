from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..choices import options
from ..validators import not_in_future, valid_iin

_MAX = _l("At most %(max)d characters.")

PURPOSES = options([("specialist_access", _l("Access for a specialist")),
                    ("kindergarten_monitoring", _l("Monitoring in the kindergarten")),
                    ("school_transfer", _l("Transfer of the card to a school"))])


# Translators: why the parent's form shows these parts (or none) for the chosen purpose.
PURPOSE_PARTS_WHY = {
    "specialist_access": _l("Besides the child's name and age, the specialist sees only what you tick."),
    "kindergarten_monitoring": _l("Monitoring covers the kindergarten's individual development card as a whole, "
                                  "so there is nothing to choose here."),
    "school_transfer": _l("The card itself always goes to the school. Tick whether it also carries specialists' "
                          "conclusions and home observations; screening results never go to a school."),
}


class PartsMixin:
    """Which parts a consent covers. `keep_parts(purpose)` drops the boxes that do not fit the purpose, so the
    form offers only those; a refusal about the parts lands in `group_errors['parts']` (shown in the fieldset)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors = {"parts": []}

    part_screenings = BooleanField(_l("Screening results"))
    part_card = BooleanField(_l("The individual development card"))
    part_conclusions = BooleanField(_l("Other specialists' conclusions"))
    part_home_observations = BooleanField(_l("Home observations (for a school)"))

    PART_FIELDS = ("screenings", "card", "conclusions", "home_observations")

    def keep_parts(self, purpose: str) -> None:
        from ...models.consent import CONSENT_PARTS
        for part in self.PART_FIELDS:
            if part not in CONSENT_PARTS.get(purpose, ()) and getattr(self, f"part_{part}", None) is not None:
                delattr(self, f"part_{part}")

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
