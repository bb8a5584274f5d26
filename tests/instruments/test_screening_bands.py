from datetime import date

import pytest

from sabidamu.instruments import age_at

BIRTH = date(2024, 1, 15)


@pytest.mark.parametrize(
    ("on", "band_id"),
    [
        (date(2024, 2, 14), None),  # 0 m 30 d: the day before the first band
        (date(2024, 2, 15), "m02"),  # 1 m 0 d: min is inclusive
        (date(2024, 4, 14), "m02"),  # 2 m 30 d: the day before max
        (date(2024, 4, 15), "m04"),  # 3 m 0 d: max is exclusive, next band starts
        (date(2024, 6, 14), "m04"),  # 4 m 30 d
        (date(2024, 6, 15), None),  # 5 m 0 d: past the last band
    ],
)
def test_band_boundaries(dev, on, band_id):
    band = dev.band_for(age_at(BIRTH, on))
    assert (band.id if band else None) == band_id


@pytest.mark.parametrize(
    ("on", "chronological_band", "corrected_band"),
    [
        # Born at 32 weeks: corrected age counts from the due date 2024-03-11 (8 weeks later).
        (date(2024, 4, 10), "m02", None),  # corrected 0 m 30 d
        (date(2024, 4, 11), "m02", "m02"),  # corrected 1 m 0 d
        (date(2024, 6, 10), "m04", "m02"),  # corrected 2 m 30 d
        (date(2024, 6, 11), "m04", "m04"),  # corrected 3 m 0 d
    ],
)
def test_band_uses_corrected_age(dev, on, chronological_band, corrected_band):
    term = dev.band_for(age_at(BIRTH, on))
    assert (term.id if term else None) == chronological_band
    info = age_at(BIRTH, on, 32)
    assert info.used == "corrected"
    preterm = dev.band_for(info)
    assert (preterm.id if preterm else None) == corrected_band


@pytest.mark.parametrize(
    ("on", "inside"),
    [
        (date(2025, 9, 14), False),  # 15 m 30 d
        (date(2025, 9, 15), True),  # 16 m 0 d
        (date(2026, 11, 14), True),  # 29 m 30 d
        (date(2026, 11, 15), False),  # 30 m 0 d
    ],
)
def test_social_communication_band(sc, on, inside):
    band = sc.band_for(age_at(date(2024, 5, 15), on))
    assert (band is not None) == inside
    if inside:
        assert band.id == "m16-30"
