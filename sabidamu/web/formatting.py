"""Formatting helpers for templates (ages, counts, academic years) in the user's language."""
from __future__ import annotations

import datetime as dt
import functools

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from ..localized import DEFAULT_LANG, LANGS
from ..models.base import KAZAKHSTAN_TIME


def current_lang() -> str:
    """The page's language: one of LANGS (kk when the locale is anything else)."""
    locale = str(get_locale())
    return locale if locale in LANGS else DEFAULT_LANG


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
    labels = {
        "early": _l("Early age group (1-2 years)"),
        "junior": _l("Junior group (2-3 years)"),
        "middle": _l("Middle group (3-4 years)"),
        "senior": _l("Senior group (4-5 years)"),
        "preschool": _l("Pre-school group (5-6 years)"),
        "grade1": _l("Grade 1 class"),
    }
    return str(labels.get(code, code))


# Every role in the user's language, the one table: a member's role in an organization (org pages, the staff form),
# who answered a screening, and the role under which someone acted (the access log).
ROLE_LABELS = {
    "head": _l("Head"), "teacher": _l("Teacher"), "specialist": _l("Specialist"),
    "school_teacher": _l("Primary school teacher"), "parent": _l("Parent"), "admin": _l("Administrator"),
    "school": _l("School"), "system": _l("System"),
    # Translators: the role of a kindergarten's staff who read a card after it was handed to a school.
    "former_kindergarten": _l("Kindergarten (the card was handed to a school)"),
}
# Translators: the access log's role for someone whose role was not recorded.
UNKNOWN_ROLE = _l("Staff member of an organization")


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


def actor_role_label(code: str | None) -> str:
    """The role under which someone acted, as the access log shows it: never a code, never "None"."""
    return str(ROLE_LABELS.get(code or "", UNKNOWN_ROLE))


def org_kind_label(code: str) -> str:
    labels = {"kindergarten": _l("Kindergarten"), "school": _l("Primary school"),
              "correction_room": _l("Correction room (PPTK)"), "pmpk": _l("PMPK")}
    return str(labels.get(code, code))


def long_date(value: dt.date | None) -> str:
    """A date standing alone (a table cell, «Туған күні: 2021 ж. 15 наурыз»): «4 декабря 2026 г.»."""
    return _long_date(value, str(get_locale())) if value else ""


def moment_text(value: dt.datetime | None) -> str:
    """A moment in Kazakhstan time, standing alone: «2026 ж. 5 желтоқсан, 14:05», «5 декабря 2026 г., 14:05»."""
    if value is None:
        return ""
    local = value.astimezone(KAZAKHSTAN_TIME)
    return f"{long_date(local.date())}, {local:%H:%M}"


@functools.lru_cache(maxsize=8192)
def _long_date(value: dt.date, locale: str) -> str:
    return babel_format_date(value, format="long", locale=locale)


# ---------------------------------------------------------------- dates inside sentences
# Kazakh puts the case ending on the month: «2027 ж. 4 қаңтарда қайта өткізіңіз» (when: locative),
# «2027 ж. 31 мамырға дейін» (until: dative). Russian needs no change («4 января 2027 г.», «до 31 мая 2027 г.»).
KK_MONTHS = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
             "қараша", "желтоқсан")
RU_MONTHS_PREPOSITIONAL = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                           "октябре", "ноябре", "декабре")
_KK_BACK, _KK_FRONT = set("аоұыяё"), set("әөүіеэ")
_KK_VOICELESS = set("пфкқтсшщхһцч")


def _kk_front(word: str) -> bool:
    """Vowel harmony: the last unambiguous vowel decides (у, и, ю alone: у is back, и front)."""
    for ch in reversed(word.lower()):
        if ch in _KK_BACK:
            return False
        if ch in _KK_FRONT:
            return True
    return "и" in word.lower()


def kk_locative(word: str, possessive: bool = False) -> str:
    """-да/-де after a vowel or a voiced consonant, -та/-те after a voiceless one, -нда/-нде after a possessive."""
    front = _kk_front(word)
    if possessive:
        return word + ("нде" if front else "нда")
    first = "т" if word[-1].lower() in _KK_VOICELESS else "д"
    return word + first + ("е" if front else "а")


def kk_dative(word: str) -> str:
    """-ға/-ге after a vowel or a voiced consonant, -қа/-ке after a voiceless one."""
    front = _kk_front(word)
    if word[-1].lower() in _KK_VOICELESS:
        return word + ("ке" if front else "қа")
    return word + ("ге" if front else "ға")


def _date_with_case(value: dt.date, case) -> str:
    text = long_date(value)  # CLDR's long form, with its narrow no-break spaces: «2027 ж. 4 қаңтар»
    month = KK_MONTHS[value.month - 1]
    if str(get_locale()) == "kk" and text.endswith(month):
        return text[: -len(month)] + case(month)
    return text


def date_on(value: dt.date | None) -> str:
    """A date that says when something happens: kk «2027 ж. 4 қаңтарда», ru «4 января 2027 г.»."""
    return _date_with_case(value, kk_locative) if value else ""


def date_until(value: dt.date | None) -> str:
    """A date before «дейін» / after «до»: kk «2027 ж. 31 мамырға», ru «31 мая 2027 г.»."""
    return _date_with_case(value, kk_dative) if value else ""


def month_on(month: int) -> str:
    """A month that says when: kk «қазанда», ru «в октябре»."""
    if str(get_locale()) == "kk":
        return kk_locative(KK_MONTHS[month - 1])
    return f"в {RU_MONTHS_PREPOSITIONAL[month - 1]}"


def tidy_output(value):
    """Jinja's finalize: a Russian date ending a sentence must not leave «г..» (one full stop, not two)."""
    if isinstance(value, str) and "г.." in value:
        return value.replace("г..", "г.")
    return value


# ---------------------------------------------------------------- numbers
MINUS = "\u2212"


def number(value: float, digits: int = 1, signed: bool = False) -> str:
    """The locale's decimal comma and the minus sign U+2212: «+30,0», «−25,0», «1 234,5»."""
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0  # no «−0,0»
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(abs(rounded), format=pattern, locale=str(get_locale()))
    if rounded < 0:
        return MINUS + text
    return ("+" + text) if signed and rounded > 0 else text


def specialist_kind_label(code: str | None) -> str:
    labels = {"speech_therapist": _l("Speech therapist"), "psychologist": _l("Psychologist"),
              "defectologist": _l("Defectologist")}
    return str(labels.get(code, _l("Specialist"))) if code else str(_l("Specialist"))


def consent_purpose_label(code: str) -> str:
    labels = {"kindergarten_monitoring": _l("Monitoring in the kindergarten"),
              "specialist_access": _l("Access for a specialist"),
              "school_transfer": _l("Transfer of the card to a school")}
    return str(labels.get(code, code))


def consent_part_label(code: str) -> str:
    labels = {"screenings": _l("screening results"), "card": _l("the individual development card"),
              "conclusions": _l("specialists' conclusions"), "home_observations": _l("home observations")}
    return str(labels.get(code, code))


def referral_status_label(code: str) -> str:
    labels = {"awaiting_consent": _l("Awaiting the parent's consent"), "open": _l("Open"), "closed": _l("Closed")}
    return str(labels.get(code, code))


def localized_params(params: dict) -> dict:
    """A refusal's parameters as the page's language shows them: a date as «when» (date_on), a name given in both
    languages ({"kk": ..., "ru": ...}) in the page's language only."""
    lang = current_lang()
    out = {}
    for key, value in params.items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = date_on(value)
        elif isinstance(value, dict) and set(value) == set(LANGS):
            value = value[lang] or value["kk"] or value["ru"]
        out[key] = value
    return out


def iso_date(value: str | None) -> str:
    """A date kept as ISO text (an imported card's JSON) shown as long_date; text that is not a date stays as is."""
    if not value:
        return ""
    try:
        return long_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def day_month(value) -> str:
    """A day of every year (a MonthDay or a date), without the year: kk «1 қыркүйек», ru «1 сентября»."""
    month, day = value.month, value.day
    return babel_format_date(dt.date(2000, month, day), format="d MMMM", locale=str(get_locale()))
