"""Academic years, stage windows (defaults and an organization's overrides) and entry status."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sabidamu.monitoring import (
    InvalidStageWindows,
    MonthDay,
    StageWindows,
    UnknownStage,
    Window,
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
    corrective_period,
    current_stage,
    default_stage_windows,
    entry_status,
    parse_academic_year_label,
    stage_window,
)


@pytest.fixture
def default() -> StageWindows:
    return default_stage_windows()


# ---------------------------------------------------------------------------- academic years


@pytest.mark.parametrize("day, year", [
    (date(2026, 9, 1), 2026), (date(2027, 8, 31), 2026), (date(2026, 8, 31), 2025),
    (date(2026, 12, 31), 2026), (date(2027, 1, 1), 2026), (date(2028, 2, 29), 2027),
])
def test_academic_year_of_edges(day, year):
    assert academic_year_of(day) == year


def test_academic_year_of_refuses_datetimes():
    # 1 Sep 00:30 in Almaty is still 31 Aug in UTC: the caller must pass the local date.
    with pytest.raises(TypeError, match="local calendar date"):
        academic_year_of(datetime(2026, 8, 31, 19, 30, tzinfo=UTC))
    with pytest.raises(TypeError):
        academic_year_of("2026-09-01")  # type: ignore[arg-type]


def test_labels_and_bounds():
    assert academic_year_label(2026) == "2026-2027"
    assert parse_academic_year_label(" 2026-2027 ") == 2026
    for bad in ("2026-2028", "2026/2027", "26-27", ""):
        with pytest.raises(ValueError):
            parse_academic_year_label(bad)
    assert academic_year_bounds(2026) == (date(2026, 9, 1), date(2027, 8, 31))
    with pytest.raises(TypeError):
        academic_year_label(True)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- windows


def test_default_windows(default):
    assert default.as_dict() == {
        "start": ("09-01", "10-31"), "intermediate": ("01-01", "01-31"), "final": ("05-01", "05-31")}
    assert stage_window(default, 2026, "start") == (date(2026, 9, 1), date(2026, 10, 31))
    assert stage_window(default, 2026, "intermediate") == (date(2027, 1, 1), date(2027, 1, 31))
    assert stage_window(default, 2026, "final") == (date(2027, 5, 1), date(2027, 5, 31))


def test_override_one_stage_keeps_the_others(default):
    own = default.with_overrides({"start": ("09-15", "10-15")})
    assert stage_window(own, 2026, "start") == (date(2026, 9, 15), date(2026, 10, 15))
    assert own.intermediate == default.intermediate and own.final == default.final
    assert default.as_dict()["start"] == ("09-01", "10-31")  # the default is untouched


def test_override_forms_and_window_across_new_year(default):
    own = default.with_overrides({
        "intermediate": (MonthDay(12, 20), (1, 20)),
        "final": Window("04-20", "05-20"),
    })
    assert stage_window(own, 2026, "intermediate") == (date(2026, 12, 20), date(2027, 1, 20))
    assert stage_window(own, 2026, "final") == (date(2027, 4, 20), date(2027, 5, 20))


def test_whole_year_single_day_windows_are_allowed():
    windows = StageWindows.from_mapping({"start": ("09-01", "09-01"), "intermediate": ("09-02", "09-02"),
                                         "final": ("09-03", "08-31")})
    assert stage_window(windows, 2026, "final") == (date(2026, 9, 3), date(2027, 8, 31))


@pytest.mark.parametrize("overrides, code", [
    ({"final": ("08-01", "09-15")}, "outside_year"),      # crosses 31 August
    ({"start": ("10-31", "09-01")}, "outside_year"),      # ends before it starts
    ({"intermediate": ("10-15", "01-31")}, "overlap"),    # overlaps start (09-01..10-31)
    ({"intermediate": ("10-31", "11-30")}, "overlap"),    # shares one day with start
    ({"final": ("01-31", "02-28")}, "overlap"),           # shares 31 Jan with intermediate
    ({"intermediate": ("06-01", "06-30")}, "order"),      # after the final window
    ({"start": ("02-01", "02-15")}, "order"),             # after the intermediate window
    ({"final": ("02-29", "03-31")}, "bad_date"),          # not in every year
    ({"final": ("04-31", "05-31")}, "bad_date"),
    ({"final": ("5-1", "05-31")}, "bad_date"),
    ({"final": ("05-01",)}, "bad_window"),
])
def test_bad_overrides_are_refused_with_a_code(default, overrides, code):
    with pytest.raises(InvalidStageWindows) as info:
        default.with_overrides(overrides)
    assert info.value.code == code


def test_unknown_or_missing_stage(default):
    with pytest.raises(UnknownStage):
        default.with_overrides({"middle": ("11-01", "11-30")})
    with pytest.raises(InvalidStageWindows) as info:
        StageWindows.from_mapping({"start": ("09-01", "10-31")})
    assert info.value.code == "missing_stage"
    with pytest.raises(UnknownStage):
        stage_window(default, 2026, "spring")


# ---------------------------------------------------------------------------- entry status


@pytest.mark.parametrize("stage, on_date, status", [
    ("start", date(2026, 9, 1), "open"),
    ("start", date(2026, 10, 31), "open"),
    ("start", date(2026, 11, 1), "late"),
    ("start", date(2027, 8, 31), "late"),
    ("start", date(2026, 8, 31), "outside_year"),   # previous academic year
    ("start", date(2027, 9, 1), "outside_year"),    # next academic year
    ("intermediate", date(2026, 12, 31), "early"),
    ("intermediate", date(2027, 1, 1), "open"),
    ("intermediate", date(2027, 2, 1), "late"),
    ("final", date(2026, 9, 1), "early"),
    ("final", date(2027, 4, 30), "early"),
    ("final", date(2027, 5, 31), "open"),
    ("final", date(2027, 6, 1), "late"),
    ("final", date(2027, 8, 31), "late"),
])
def test_entry_status_default_windows(default, stage, on_date, status):
    assert entry_status(default, 2026, stage, on_date) == status


def test_entry_status_follows_the_override(default):
    own = default.with_overrides({"start": ("09-01", "09-30")})
    assert entry_status(default, 2026, "start", date(2026, 10, 10)) == "open"
    assert entry_status(own, 2026, "start", date(2026, 10, 10)) == "late"


@pytest.mark.parametrize("on_date, stage", [
    (date(2026, 9, 1), "start"), (date(2026, 10, 31), "start"), (date(2026, 11, 1), None),
    (date(2027, 1, 15), "intermediate"), (date(2027, 3, 1), None), (date(2027, 5, 31), "final"),
    (date(2027, 8, 31), None),
])
def test_current_stage(default, on_date, stage):
    assert current_stage(default, on_date) == stage


def test_corrective_periods():
    assert corrective_period(2026, "start") == (date(2026, 10, 1), date(2026, 12, 31))
    assert corrective_period(2026, "intermediate") == (date(2027, 2, 1), date(2027, 4, 30))
    assert corrective_period(2026, "final") == (date(2027, 6, 1), date(2027, 8, 31))
    assert corrective_period(2027, "intermediate") == (date(2028, 2, 1), date(2028, 4, 30))
    with pytest.raises(UnknownStage):
        corrective_period(2026, "summer")
