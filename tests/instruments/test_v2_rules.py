"""Screening v2 (real content): scoring rules 1-3 and 7, band boundaries, warning ages, what each band asks,
and kk/ru parity. The engine runs on the committed YAML files, never on a copy."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

from sabidamu.instruments import ScreeningInputError, age_at, load_registry, score
from sabidamu.instruments.age import AgeSpan, date_at_age
from sabidamu.instruments.loader import DEFAULT_DIR
from sabidamu.instruments.model import NO_CHANCE

REGISTRY = load_registry(DEFAULT_DIR)
DEV = REGISTRY.get("sabidamu-dev-screen", 2)
SC = REGISTRY.get("sabidamu-social-communication", 2)
BIRTH = date(2021, 3, 10)
WHO_WINDOWS = {  # WHO MGRS 2006, 1st-99th percentile, months
    "g-sit-alone": (3.8, 9.2), "g-crawl": (5.2, 13.5), "g-stand-assist": (4.8, 11.4),
    "g-cruise": (5.9, 13.7), "g-stand-alone": (6.9, 16.9), "g-walk-alone": (8.2, 17.6),
}


def calm(item) -> str:
    """The answer without concern: 'yes', or 'no' (stored as not_yet) on a reversed question."""
    return "not_yet" if item.reverse else "yes"


def at(band, offset_days: int = 10):
    on = date_at_age(BIRTH, band.min_age) + timedelta(days=offset_days)
    age = age_at(BIRTH, on)
    assert DEV.band_for(age) is band or SC.band_for(age) is band
    return age


def all_calm(band) -> dict[str, str]:
    return {i.id: calm(i) for i in band.items}


def first(band, predicate):
    return next(i for i in band.items if predicate(i))


def band_with(predicate, instrument=DEV):
    return next(b for b in instrument.bands if any(predicate(i) for i in b.items))


# -- rule 1: a warning sign cannot be skipped --------------------------------------------------------

def test_a_skipped_warning_sign_makes_the_domain_incomplete():
    band = band_with(lambda i: i.warning_sign and i.kind == "skill")
    item = first(band, lambda i: i.warning_sign and i.kind == "skill")
    answers = all_calm(band)
    del answers[item.id]
    result = score(DEV, band, answers, at(band, 40))
    domain = result.domain(item.domain)
    assert domain.zone == "incomplete" and domain.score is None and item.id in domain.missing
    assert result.zone == "incomplete"


def test_an_ordinary_item_may_still_be_skipped_once():
    band = DEV.bands[5]
    item = first(band, lambda i: not i.warning_sign and i.kind == "skill")
    answers = all_calm(band)
    del answers[item.id]
    assert score(DEV, band, answers, at(band, 40)).domain(item.domain).zone == "on_track"


def test_v1_keeps_its_own_rules():
    v1 = REGISTRY.get("sabidamu-dev-screen", 1)
    band = band_with(lambda i: i.warning_sign, v1)
    item = first(band, lambda i: i.warning_sign)
    answers = {i.id: "yes" for i in band.items}
    del answers[item.id]
    on = date_at_age(BIRTH, band.min_age)
    assert score(v1, band, answers, age_at(BIRTH, on)).domain(item.domain).zone == "on_track"


# -- rule 2: 'sometimes' on a warning sign is never on track ------------------------------------------

@pytest.mark.parametrize("band", DEV.bands, ids=lambda b: b.id)
def test_sometimes_on_any_warning_sign_is_never_on_track(band):
    age = at(band, 40)
    for item in (i for i in band.items if i.warning_sign):
        answers = all_calm(band) | {item.id: "sometimes"}
        domain = score(DEV, band, answers, age).domain(item.domain)
        assert domain.zone == "monitor", (band.id, item.id)
        assert domain.warning_doubts == (item.id,)


# -- rule 3: routing per item -------------------------------------------------------------------------

@pytest.mark.parametrize("band", DEV.bands, ids=lambda b: b.id)
def test_general_questions_route_per_item_in_every_band(band):
    age = at(band, 20)
    expected = {"gen-hearing": ("pediatrician", "audiologist"), "gen-vision": ("ophthalmologist",),
                "gen-loss": ("pediatrician", "neurologist"), "gen-worry": ("pediatrician",),
                "gen-feed-sleep": ("pediatrician",)}
    for skill, specialists in expected.items():
        item = first(band, lambda i, s=skill: i.skill == s)
        concern = "yes" if item.reverse else "not_yet"  # "has lost skills?" -> yes
        result = score(DEV, band, all_calm(band) | {item.id: concern}, age)
        assert result.zone == "refer" and result.specialists == specialists, (band.id, skill)


def test_hearing_items_in_the_communication_domain_go_to_an_audiologist():
    band = band_with(lambda i: i.warning_sign and i.skill == "c-turn-voice")
    item = first(band, lambda i: i.skill == "c-turn-voice")
    result = score(DEV, band, all_calm(band) | {item.id: "not_yet"}, at(band, 20))
    assert result.domain("communication").specialists[:2] == ("pediatrician", "audiologist")


def test_motor_delay_under_12_months_goes_to_a_pediatrician_or_neurologist_first():
    for band in (b for b in DEV.bands if b.max_age.months <= 12):
        for item in band.items_by_domain["gross_motor"]:
            assert item.specialists == ("pediatrician", "neurologist"), (band.id, item.id)
    band = band_with(lambda i: i.warning_sign and i.domain == "gross_motor" and i.age75 and i.age75 < 12)
    band = next(b for b in DEV.bands if b.max_age.months <= 12
                and any(i.warning_sign and i.domain == "gross_motor" for i in b.items))
    item = first(band, lambda i: i.warning_sign and i.domain == "gross_motor")
    result = score(DEV, band, all_calm(band) | {item.id: "not_yet"}, at(band, 20))
    assert result.specialists == ("pediatrician", "neurologist")


# -- rule 7: "had no chance to see" ---------------------------------------------------------------------

def test_no_chance_is_offered_only_on_opportunity_items_and_counts_as_missing():
    band = band_with(lambda i: i.opportunity)
    item = first(band, lambda i: i.opportunity)
    assert not item.warning_sign and NO_CHANCE in item.answers
    age = date_at_age(BIRTH, band.max_age) - timedelta(days=1)  # every item due
    age = age_at(BIRTH, age)
    result = score(DEV, band, all_calm(band) | {item.id: NO_CHANCE}, age)
    domain = result.domain(item.domain)
    assert item.id in domain.missing and domain.zone == "on_track"
    assert domain.score == domain.max  # scaled like a skipped item, never counted as "not yet"
    other = first(band, lambda i: not i.opportunity and i.kind == "skill")
    with pytest.raises(ScreeningInputError) as error:
        score(DEV, band, all_calm(band) | {other.id: NO_CHANCE}, age)
    assert error.value.code == "bad_answer"


def test_opportunity_items_exist_for_stairs_scissors_and_other_children():
    skills = {i.skill for b in DEV.bands for i in b.items if i.opportunity}
    assert {"g-stairs-up", "f-cut-line", "s-play-beside", "s-join-children"} <= skills


# -- bands ------------------------------------------------------------------------------------------------

def test_band_widths():
    assert 18 <= len(DEV.bands) <= 22
    previous = None
    for band in DEV.bands:
        width = band.max_age.months - band.min_age.months
        assert band.min_age.days == band.max_age.days == 0
        assert width <= (3 if band.min_age.months < 24 else 6), band.id
        assert previous is None or previous == band.min_age.months  # no gap between bands
        previous = band.max_age.months
    assert (DEV.bands[0].min_age.months, DEV.bands[-1].max_age.months) == (2, 72)


@pytest.mark.parametrize("instrument", [DEV, SC], ids=["dev", "sc"])
def test_band_boundaries(instrument):
    for band in instrument.bands:
        start = date_at_age(BIRTH, band.min_age)
        end = date_at_age(BIRTH, band.max_age)
        assert instrument.band_for(age_at(BIRTH, start)) is band
        assert instrument.band_for(age_at(BIRTH, end - timedelta(days=1))) is band  # the last day
        before = instrument.band_for(age_at(BIRTH, start - timedelta(days=1)))
        assert before is not band
        assert instrument.band_for(age_at(BIRTH, end)) is not band


@pytest.mark.parametrize("instrument", [DEV, SC], ids=["dev", "sc"])
def test_no_warning_sign_precedes_its_who_or_cdc_age(instrument):
    checked = 0
    for band in instrument.bands:
        start = band.min_age.months + band.min_age.days / 30.4375
        for item in band.items:
            if item.warning_sign and item.age75 is not None:
                checked += 1
                assert item.age75 < item.warning_age < start, (band.id, item.id)
                window = WHO_WINDOWS.get(item.skill or "")
                if window:
                    assert item.warning_age == window[1], item.id
    assert checked > 20 if instrument is DEV else checked >= 2


def test_who_windows_give_the_75_percent_age_and_spread():
    for band in DEV.bands:
        for item in band.items:
            if item.skill in WHO_WINDOWS:
                low, high = WHO_WINDOWS[item.skill]
                mean, sd = (low + high) / 2, (high - low) / 4.652
                assert item.age75 == pytest.approx(mean + 0.674 * sd, abs=0.05)
                assert item.spread == pytest.approx(sd, abs=0.01)


def _skills(band) -> set[str]:
    return {i.skill for i in band.items}


def test_what_the_bands_ask_around_walking_running_and_phrases():
    by_id = {b.id: b for b in DEV.bands}
    assert {"g-pull-stand", "g-cruise", "g-stand-assist"} <= _skills(by_id["m09"])  # before 12-13 months
    for band_id in ("m15", "m18", "m21"):
        assert {"g-few-steps", "g-stand-alone"} <= _skills(by_id[band_id]), band_id
    for band_id in ("m24", "m27", "m30"):
        assert {"g-run", "c-two-words"} <= _skills(by_id[band_id]), band_id
    walk = [i for b in DEV.bands for i in b.items if i.skill == "g-walk-alone" and i.warning_sign]
    assert walk and all(DEV.band_of_item[i.id].min_age.months >= 18 for i in walk)


def test_every_item_is_due_by_the_end_of_its_band():
    for band in DEV.bands:
        for item in band.items:
            if item.age75 is not None:
                assert item.age75 <= band.max_age.months, (band.id, item.id)


# -- text --------------------------------------------------------------------------------------------------

NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _texts(instrument):
    yield "title", instrument.title
    yield "description", instrument.description
    for band in instrument.bands:
        yield band.id, band.label
        for item in band.items:
            yield item.id, item.text
            if item.how_to_check:
                yield item.id + ".how_to_check", item.how_to_check
        for domain_id, texts in band.activities.items():
            for n, text in enumerate(texts):
                yield f"{band.id}.{domain_id}.{n}", text


@pytest.mark.parametrize("instrument", [DEV, SC], ids=["dev", "sc"])
def test_kk_and_ru_parity(instrument):
    for where, text in _texts(instrument):
        assert text.kk.strip() and text.ru.strip(), where
        assert sorted(NUMBER.findall(text.kk)) == sorted(NUMBER.findall(text.ru)), where  # same numbers


def test_every_skill_item_has_a_how_to_check_tip_and_a_source():
    for instrument in (DEV, SC):
        for band in instrument.bands:
            for item in band.items:
                assert item.how_to_check is not None, item.id
                assert item.source.strip(), item.id


def test_word_counts_and_intelligibility_are_worded_for_several_languages():
    texts = {i.skill: i.text for b in DEV.bands for i in b.items}
    for skill in ("c-first-words", "c-three-words", "c-50-words"):
        assert "тіл" in texts[skill].kk and "язык" in texts[skill].ru, skill
    assert "слушатель знает" in texts["c-intelligible"].ru and "тыңдаушы білетін" in texts["c-intelligible"].kk


def test_generated_file_is_up_to_date():
    script = DEFAULT_DIR / "_generator" / "generate.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, timeout=600)
    assert done.returncode == 0, "run screening_instruments/_generator/generate.py and commit the result"


def test_v1_is_still_loadable_beside_v2():
    assert {i.version for i in REGISTRY.all() if i.id == "sabidamu-dev-screen"} == {1, 2}
    assert {i.version for i in REGISTRY.all() if i.id == "sabidamu-social-communication"} == {1, 2}
    assert REGISTRY.get("sabidamu-social-communication").version == 2  # v1 retired for new screenings
    assert AgeSpan(0, 0) < DEV.bands[0].min_age


GLOSSARY_AVOIDED = {"kk": re.compile(r"\b(кубик\w*|табақ\w*|тарелка\w*|кітапша\w*)", re.I),
                    "ru": re.compile(r"\b(машинк\w*|книг[аеиуо]\w*|книг\b)", re.I)}


@pytest.mark.parametrize("instrument", [DEV, SC], ids=["dev", "sc"])
def test_one_term_per_concept(instrument):
    """docs/screening.md, "Glossary": текше, тәрелке, машина, книжка (not кубик, табақ, машинка, книга)."""
    for where, text in _texts(instrument):
        for lang in ("kk", "ru"):
            found = GLOSSARY_AVOIDED[lang].findall(getattr(text, lang))
            assert not found, (where, lang, found)


def test_several_areas_behind_at_once_is_a_referral():
    band = DEV.band("m36")
    age = at(band, 100)
    skill_domains = ["communication", "gross_motor", "fine_motor", "problem_solving", "personal_social"]

    def monitor_in(domains):
        """Answers with just enough 'sometimes' for each of `domains` to be 'monitor' (not 'refer')."""
        answers = all_calm(band)
        for domain in domains:
            for item in band.items_by_domain[domain]:
                if item.warning_sign:
                    continue
                answers[item.id] = "sometimes"
                if score(DEV, band, answers, age).domain(domain).zone != "on_track":
                    break
        return score(DEV, band, answers, age)

    three = monitor_in(skill_domains[:3])
    assert [three.domain(d).zone for d in skill_domains[:3]] == ["monitor"] * 3
    assert three.zone == "monitor" and not three.several_areas
    four = monitor_in(skill_domains[:4])
    assert [four.domain(d).zone for d in skill_domains[:4]] == ["monitor"] * 4
    assert four.zone == "refer" and four.several_areas
    assert four.specialists == ("pediatrician", "defectologist")
    assert four.to_dict()["several_areas"] is True
