from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..consent.forms import PartsMixin

_MAX = _l("At most %(max)d characters.")


class ReferralForm(PartsMixin, FlaskForm):
    recipient = SelectField(_l("Refer to"), choices=[], validate_choice=True)
    reason = TextAreaField(_l("Reason for the referral"), validators=[
        DataRequired(_l("Write the reason for the referral.")), Length(max=1000, message=_MAX)])
    screening = HiddenField()
    consent = BooleanField(_l("I consent: the chosen specialist may see my child's name and age, the referral "
                              "and the parts ticked below, until I revoke this consent."))
    part_home_observations = None  # a school transfer's part, not a specialist's


class ConclusionForm(FlaskForm):
    referral = SelectField(_l("Referral"), choices=[], validate_choice=True)
    conclusion = TextAreaField(_l("Conclusion"), validators=[
        DataRequired(_l("Write the conclusion.")), Length(max=4000, message=_MAX)])
    recommendations = TextAreaField(_l("Recommendations for the family and the kindergarten"), validators=[
        DataRequired(_l("Write the recommendations.")), Length(max=4000, message=_MAX)])
