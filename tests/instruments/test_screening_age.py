from datetime import date

import pytest

from sabidamu.instruments import AgeSpan, ScreeningInputError, age_at, calendar_age
from sabidamu.instruments.age import add_months_clamped, date_at_age


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (date(2024, 1, 31), date(2024, 2, 29), (0, 29)),  # February has no 31st: month not yet done
        (date(2024, 1, 31), date(2024, 3, 1), (1, 0)),  # ... it completes on the 1st of March
        (date(2024, 1, 31), date(2024, 3, 30), (1, 29)),
        (date(2024, 1, 31), date(2024, 3, 31), (2, 0)),
        (date(2023, 1, 31), date(2023, 2, 28), (0, 28)),
        (date(2024, 1, 15), date(2024, 3, 14), (1, 28)),
        (date(2024, 1, 15), date(2024, 3, 15), (2, 0)),
        (date(2023, 12, 31), date(2024, 12, 31), (12, 0)),
        (date(2024, 2, 29), date(2025, 2, 28), (11, 30)),  # no 29 Feb in 2025
        (date(2024, 2, 29), date(2025, 3, 1), (12, 0)),
        (date(2024, 5, 5), date(2024, 5, 5), (0, 0)),
    ],
)
def test_calendar_months_and_days(birth, on, expected):
    assert calendar_age(birth, on) == AgeSpan(*expected)
    # and the inverse gives the first date of that age
    if expected[1] == 0:
        assert date_at_age(birth, AgeSpan(*expected)) == on


def test_term_child_uses_chronological_age():
    info = age_at(date(2024, 1, 31), date(2024, 2, 29))
    assert info.chronological == AgeSpan(0, 29)
    assert info.corrected is None
    assert (info.used, info.reason) == ("chronological", "term")


def test_37_weeks_is_term_and_36_weeks_is_corrected():
    birth, on = date(2024, 1, 1), date(2024, 6, 1)
    term = age_at(birth, on, 37)
    assert (term.used, term.reason, term.corrected) == ("chronological", "term", None)
    preterm = age_at(birth, on, 36)
    assert (preterm.used, preterm.reason) == ("corrected", "preterm_corrected")
    # 4 weeks earlier than the due date: counted from 2024-01-29
    assert preterm.corrected == calendar_age(date(2024, 1, 29), on) == AgeSpan(4, 3)
    assert preterm.chronological == AgeSpan(5, 0)
    assert preterm.used_age == preterm.corrected


def test_correction_subtracts_40_minus_weeks():
    info = age_at(date(2024, 1, 1), date(2024, 7, 1), 30)  # 10 weeks = 70 days early
    assert info.due_date == date(2024, 3, 11)
    assert info.corrected == AgeSpan(3, 20)


def test_correction_stops_at_24_months():
    birth = date(2022, 1, 10)
    before = age_at(birth, date(2024, 1, 9), 32)
    assert before.chronological == AgeSpan(23, 30)
    assert (before.used, before.reason) == ("corrected", "preterm_corrected")
    assert before.used_age == AgeSpan(22, 2)
    at = age_at(birth, date(2024, 1, 10), 32)
    assert at.chronological == AgeSpan(24, 0)
    assert (at.used, at.reason) == ("chronological", "preterm_over_24_months")
    assert at.used_age == AgeSpan(24, 0)
    assert at.corrected is not None  # still reported, not used


def test_corrected_age_before_due_date_is_negative():
    info = age_at(date(2024, 1, 1), date(2024, 1, 21), 30)
    assert info.corrected == AgeSpan(0, -50)
    assert info.used_age < AgeSpan(0, 0)


def test_screening_date_before_birth_is_rejected():
    with pytest.raises(ScreeningInputError) as caught:
        age_at(date(2024, 5, 2), date(2024, 5, 1))
    assert caught.value.code == "date_before_birth"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("weeks", [21, 45, 0, -3, 36.5, True])
def test_gestational_weeks_out_of_range(weeks):
    with pytest.raises(ScreeningInputError) as caught:
        age_at(date(2024, 1, 1), date(2024, 3, 1), weeks)
    assert caught.value.code == "gestational_weeks_out_of_range"


@pytest.mark.parametrize("weeks", [22, 44])
def test_gestational_weeks_limits_are_accepted(weeks):
    assert age_at(date(2024, 1, 1), date(2024, 3, 1), weeks).gestational_weeks == weeks


def test_add_months_clamped_for_planning():
    assert add_months_clamped(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months_clamped(date(2024, 11, 30), 2) == date(2025, 1, 30)
