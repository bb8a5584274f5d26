"""Screening instruments: loading, validation and scoring (pure: no Flask, no database).

Typical use::

    registry = load_registry(directory)
    instrument = registry.get("sabidamu-dev-screen")          # latest version
    age = age_at(birth_date, screening_date, gestational_weeks)
    band = instrument.band_for(age)                             # None: no band for this age
    result = score(instrument, band, answers, age, follow_ups)
    result.to_dict()                                            # plain JSON
"""

from .age import AgeInfo, AgeSpan, add_months_clamped, age_at, calendar_age
from .errors import InstrumentError, InstrumentValidationError, ScreeningInputError, UnknownInstrument, UnknownVersion
from .loader import InstrumentRegistry, load_instrument, load_registry
from .model import (
    ANSWERS,
    AnswerScale,
    Band,
    ConcernCountScoring,
    Domain,
    FollowUp,
    Instrument,
    Item,
    PointsScoring,
    Text,
    Thresholds,
    activities_for,
)
from .scoring import DomainResult, Rescreen, ScreeningResult, rescreen_after_specialist, score
from .validation import validate_file

__all__ = [
    "ANSWERS", "AgeInfo", "AgeSpan", "AnswerScale", "Band", "ConcernCountScoring", "Domain",
    "DomainResult", "FollowUp", "Instrument", "InstrumentError", "InstrumentRegistry",
    "InstrumentValidationError", "Item", "PointsScoring", "Rescreen", "ScreeningInputError",
    "ScreeningResult", "Text", "Thresholds", "UnknownInstrument", "UnknownVersion",
    "activities_for", "add_months_clamped", "age_at", "calendar_age", "load_instrument",
    "load_registry", "rescreen_after_specialist", "score", "validate_file",
]
