"""The real instrument files in screening_instruments/ must all be valid.

Fails loudly when the directory holds no instrument file: an empty directory would otherwise pass silently.
"""
from datetime import date

import pytest

from sabidamu.instruments import age_at, load_registry, score, validate_file
from sabidamu.instruments.age import date_at_age
from sabidamu.instruments.loader import DEFAULT_DIR, instrument_files


def test_every_instrument_file_is_valid():
    files = instrument_files(DEFAULT_DIR)
    assert files, f"no instrument files (*.yaml) in {DEFAULT_DIR}"
    problems = [problem for path in files for problem in validate_file(path)]
    assert problems == [], "\n".join(problems)


def test_real_instruments_score_an_all_yes_screening():
    registry = load_registry(DEFAULT_DIR)
    assert registry.all(), f"no instruments in {DEFAULT_DIR}"
    for instrument in registry.all():
        for band in instrument.bands:
            birth = date(2020, 1, 1)
            on = date_at_age(birth, band.min_age)  # the band's first day for a term child
            age = age_at(birth, on)
            assert instrument.band_for(age) is band
            # The answer without concern: 'yes', or 'no' on a reversed question ("lost skills?").
            answers = {i.id: "not_yet" if i.reverse else "yes" for i in band.items}
            result = score(instrument, band, answers, age)
            assert result.zone == "on_track", (instrument.id, band.id)


def test_social_communication_checklist_shape_when_present():
    registry = load_registry(DEFAULT_DIR)
    checklist = registry.get("sabidamu-social-communication", 1)
    assert checklist.is_concern_count
    assert [(d.id, d.specialist) for d in checklist.domains] == [("social_communication", "psychologist")]
    [band] = checklist.bands
    assert (band.min_age.months, band.max_age.months) == (16, 31)  # max is exclusive: through 30 m 30 d


@pytest.mark.parametrize("version, end", [(1, 73), (2, 72)])
def test_dev_screen_covers_2_to_72_months_with_enough_items(version, end):
    instrument = load_registry(DEFAULT_DIR).get("sabidamu-dev-screen", version)
    assert len(instrument.bands) >= 12
    assert (instrument.bands[0].min_age.months, instrument.bands[-1].max_age.months) == (2, end)
    for band in instrument.bands:
        for domain in instrument.domains:
            items = [i for i in band.items if i.domain == domain.id]
            assert len(items) >= 5, (band.id, domain.id)
            assert all(i.source for i in items)
