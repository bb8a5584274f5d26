"""Formatting helpers for templates (ages, counts, academic years) in the user's language."""
from __future__ import annotations

import datetime as dt

import functools

from babel.dates import format_date as babel_format_date
from flask_babel import get_locale, gettext, ngettext


def age_parts(birth: dt.date, today: dt.date | None = None) -> tuple[int, int]:
    today = today or dt.date.today()
    months = (today.year - birth.year) * 12 + today.month - birth.month - (1 if today.day < birth.day else 0)
    months = max(months, 0)
    return months // 12, months % 12


def age_text(birth: dt.date, today: dt.date | None = None) -> str:
    return _age_text(birth, today or dt.date.today(), str(get_locale()))


@functools.lru_cache(maxsize=8192)
def _age_text(birth: dt.date, today: dt.date, _locale: str) -> str:
    # Cached per (birth, today, locale): a group page shows the same 25 ages on every view.
    years, months = age_parts(birth, today)
    y = ngettext("%(num)d year", "%(num)d years", years)
    m = ngettext("%(num)d month", "%(num)d months", months)
    if years and months:
        return gettext("%(years)s %(months)s", years=y, months=m)
    return y if years else m


def children_count(n: int) -> str:
    return ngettext("%(num)d child", "%(num)d children", n)


def academic_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"




def age_group_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {
        "early": _l("Early age group (1-2 years)"),
        "junior": _l("Junior group (2-3 years)"),
        "middle": _l("Middle group (3-4 years)"),
        "senior": _l("Senior group (4-5 years)"),
        "preschool": _l("Pre-school group (5-6 years)"),
        "grade1": _l("Grade 1 class"),
    }
    return str(labels.get(code, code))


def role_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"head": _l("Head"), "teacher": _l("Teacher"), "specialist": _l("Specialist"),
              "school_teacher": _l("Primary school teacher"), "parent": _l("Parent"), "admin": _l("Administrator")}
    return str(labels.get(code, code))


def org_kind_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"kindergarten": _l("Kindergarten"), "school": _l("Primary school"),
              "correction_room": _l("Correction room (PPTK)"), "pmpk": _l("PMPK")}
    return str(labels.get(code, code))


def long_date(value: dt.date | None) -> str:
    return _long_date(value, str(get_locale())) if value else ""


@functools.lru_cache(maxsize=8192)
def _long_date(value: dt.date, locale: str) -> str:
    return babel_format_date(value, format="long", locale=locale)


def specialist_kind_label(code: str | None) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"speech_therapist": _l("Speech therapist"), "psychologist": _l("Psychologist"),
              "defectologist": _l("Defectologist")}
    return str(labels.get(code, _l("Specialist"))) if code else str(_l("Specialist"))


def consent_purpose_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"kindergarten_monitoring": _l("Monitoring in the kindergarten"),
              "specialist_access": _l("Access for a specialist"),
              "school_transfer": _l("Transfer of the card to a school")}
    return str(labels.get(code, code))


def consent_part_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"screenings": _l("screening results"), "card": _l("the individual development card"),
              "conclusions": _l("specialists' conclusions"), "home_observations": _l("home observations")}
    return str(labels.get(code, code))


def referral_status_label(code: str) -> str:
    from flask_babel import lazy_gettext as _l
    labels = {"awaiting_consent": _l("Awaiting the parent's consent"), "open": _l("Open"), "closed": _l("Closed")}
    return str(labels.get(code, code))
