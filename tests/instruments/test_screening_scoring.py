import json
from datetime import date

import pytest

from sabidamu.instruments import ScreeningInputError, Text, activities_for, age_at, rescreen_after_specialist, score

BIRTH = date(2024, 1, 15)
ON = date(2024, 3, 20)  # 2 m 5 d -> band m02
COM = [f"m02-com-{i}" for i in range(1, 6)]
GM = [f"m02-gm-{i}" for i in range(1, 6)]


def answers(com, gm=("yes",) * 5):
    """Answers for band m02; None leaves an item out."""
    result = {}
    for ids, values in ((COM, com), (GM, gm)):
        for item_id, value in zip(ids, values, strict=True):
            if value is not None:
                result[item_id] = value
    return result


def run(dev, com, gm=("yes",) * 5, on=ON, gestational_weeks=None):
    age = age_at(BIRTH, on, gestational_weeks)
    band = dev.band_for(age)
    return score(dev, band, answers(com, gm), age)


def test_all_yes_is_on_track(dev):
    result = run(dev, ["yes"] * 5)
    com = result.domain("communication")
    assert (com.score, com.max, com.zone, com.answered, com.item_count) == (50.0, 50, "on_track", 5, 5)
    assert result.zone == "on_track"
    assert result.specialists == ()
    assert result.band_id == "m02"


def test_one_missing_answer_is_scaled(dev):
    result = run(dev, ["yes", "yes", "yes", "sometimes", None])
    com = result.domain("communication")
    assert com.answered == 4
    assert com.missing == ("m02-com-5",)
    assert com.score == 43.8  # 35 * 5 / 4 = 43.75, rounded to one decimal
    assert com.zone == "on_track"  # 35 / 40 = 0.875


def test_one_missing_answer_at_threshold_keeps_better_zone(dev):
    # 30 of 40 answered points = exactly 0.75 -> not below monitor_below -> on_track
    result = run(dev, ["yes", "yes", "sometimes", "sometimes", None])
    assert result.domain("communication").score == 37.5
    assert result.domain("communication").zone == "on_track"


def test_two_missing_answers_make_the_domain_incomplete(dev):
    result = run(dev, ["yes", "yes", "yes", None, None])
    com = result.domain("communication")
    assert (com.score, com.zone, com.answered) == (None, "incomplete", 3)
    assert com.missing == ("m02-com-4", "m02-com-5")
    assert result.zone == "incomplete"
    assert result.rescreen.to_dict() == {"date": None, "rule": "complete_answers"}


@pytest.mark.parametrize(
    ("com", "zone"),
    [
        (["yes", "yes", "yes", "yes", "not_yet"], "on_track"),  # 40/50 = 0.8
        (["yes", "yes", "yes", "sometimes", "not_yet"], "monitor"),  # 35/50 = 0.7
        (["yes", "yes", "sometimes", "not_yet", "not_yet"], "monitor"),  # 25/50 = 0.5: not below
        (["yes", "sometimes", "sometimes", "not_yet", "not_yet"], "refer"),  # 20/50 = 0.4
    ],
)
def test_zones_from_default_thresholds(dev, com, zone):
    # m02-com-1 is a warning sign: keep it 'yes' so only the score decides.
    assert run(dev, com).domain("communication").zone == zone


@pytest.mark.parametrize(
    ("gm", "zone"),
    [
        (["yes", "yes", "yes", "sometimes", "not_yet"], "on_track"),  # 0.7: not below 0.7
        (["yes", "sometimes", "sometimes", "not_yet", "not_yet"], "monitor"),  # 0.4: not below 0.4
        (["yes", "sometimes", "not_yet", "not_yet", "not_yet"], "refer"),  # 0.3
    ],
)
def test_zones_from_by_domain_override(dev, gm, zone):
    assert run(dev, ["yes"] * 5, gm).domain("gross_motor").zone == zone


def test_warning_sign_not_yet_refers_whatever_the_score(dev):
    result = run(dev, ["not_yet", "yes", "yes", "yes", "yes"])  # 40/50 would be on_track
    com = result.domain("communication")
    assert com.zone == "refer"
    assert com.warning_signs == ("m02-com-1",)
    assert result.zone == "refer"
    assert result.specialists == ("speech_therapist",)
    assert result.rescreen.to_dict() == {"date": None, "rule": "after_specialist_visit"}


def test_warning_sign_answered_sometimes_is_not_a_warning(dev):
    result = run(dev, ["sometimes", "yes", "yes", "yes", "yes"])
    assert result.domain("communication").warning_signs == ()
    assert result.domain("communication").zone == "on_track"


def test_warning_sign_refers_even_when_domain_incomplete(dev):
    result = run(dev, ["not_yet", None, None, "yes", "yes"])
    assert result.domain("communication").zone == "refer"
    assert result.domain("communication").score is None


def test_overall_is_worst_domain_and_specialists_are_ordered(dev):
    result = run(dev, ["yes", "sometimes", "sometimes", "not_yet", "not_yet"], ["not_yet"] * 5)
    assert [d.zone for d in result.domains] == ["refer", "refer"]
    assert result.specialists == ("speech_therapist", "pediatrician")
    monitor = run(dev, ["yes", "yes", "yes", "sometimes", "not_yet"])
    assert (monitor.domain("gross_motor").zone, monitor.zone) == ("on_track", "monitor")


def test_rescreen_monitor_is_one_month_later_under_24_months(dev):
    result = run(dev, ["yes", "yes", "yes", "sometimes", "not_yet"])
    assert result.rescreen.to_dict() == {"date": "2024-04-20", "rule": "monitor_plus_1_month"}


def test_rescreen_on_track_is_next_band_start(dev):
    result = run(dev, ["yes"] * 5, on=date(2024, 2, 20))  # 1 m 5 d; m04 starts at 3 m = 2024-04-15
    assert result.rescreen.to_dict() == {"date": "2024-04-15", "rule": "next_band_start"}


def test_rescreen_on_track_is_at_least_one_month_away(dev):
    result = run(dev, ["yes"] * 5, on=date(2024, 4, 1))  # next band in 14 days
    assert result.rescreen.to_dict() == {"date": "2024-05-01", "rule": "next_band_start"}


def test_rescreen_next_band_start_uses_corrected_age(dev):
    # 32 weeks: due 2024-03-11; m04 starts at corrected 3 m = 2024-06-11
    result = run(dev, ["yes"] * 5, on=date(2024, 4, 20), gestational_weeks=32)
    assert result.age.used == "corrected"
    assert result.rescreen.date == date(2024, 6, 11)


def test_rescreen_after_specialist_is_one_month_after_the_visit():
    assert rescreen_after_specialist(date(2024, 1, 31)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("item", "answer", "code"),
    [
        ("m02-com-1", "maybe", "bad_answer"),
        ("m02-com-1", "YES", "bad_answer"),
        ("m02-com-99", "yes", "unknown_item"),
        ("m04-com-1", "yes", "item_not_in_band"),
    ],
)
def test_bad_answers_are_rejected_with_a_code(dev, item, answer, code):
    age = age_at(BIRTH, ON)
    with pytest.raises(ScreeningInputError) as caught:
        score(dev, dev.band_for(age), {item: answer}, age)
    assert caught.value.code == code
    assert item in str(caught.value)


def test_result_to_dict_is_plain_json(dev):
    result = run(dev, ["not_yet", "yes", "yes", "yes", None], gestational_weeks=35)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["instrument"] == {"id": "test-dev-screen", "version": 1}
    assert data["birth_date"] == "2024-01-15" and data["screening_date"] == "2024-03-20"
    assert data["age"]["used"] == "corrected" and data["age"]["reason"] == "preterm_corrected"
    assert data["age"]["chronological"] == {"months": 2, "days": 5}
    assert data["band"] == "m02"
    com = data["domains"][0]
    assert com["id"] == "communication"
    assert com["warning_signs"] == ["m02-com-1"]
    assert (com["score"], com["max"], com["answered"], com["item_count"]) == (37.5, 50, 4, 5)
    assert data["zone"] == "refer"
    assert data["specialists"] == ["speech_therapist"]


def test_activities_for_band_and_domain(dev):
    band = dev.band("m02")
    activities = activities_for(band, "communication")
    assert len(activities) == 3
    assert all(isinstance(a, Text) and a.in_("kk") and a.in_("ru") for a in activities)
    assert activities_for(band, dev.domains_by_id["gross_motor"])[0].in_("ru").startswith("Несколько")
    assert activities_for(band, "fine_motor") == ()


def test_text_in_language():
    text = Text(kk="Бала", ru="Ребенок")
    assert (text.in_("kk"), text.in_("ru")) == ("Бала", "Ребенок")
    with pytest.raises(ValueError):
        text.in_("en")


# --- concern_count (social-communication checklist) -------------------------------------------------

SC_ON = date(2025, 11, 20)  # born 2024-05-15: 18 m 5 d
SC_ITEMS = [f"sc-0{i}" for i in range(1, 7)]


def run_sc(sc, values, follow_ups=None, on=SC_ON):
    age = age_at(date(2024, 5, 15), on)
    band = sc.band_for(age)
    return score(sc, band, dict(zip(SC_ITEMS, values, strict=True)), age, follow_ups)


def test_concern_count_not_yet_counts(sc):
    result = run_sc(sc, ["yes", "yes", "yes", "not_yet", "yes", "yes"])
    domain = result.domain("social_communication")
    assert domain.concerns == ("sc-04",)
    assert (domain.score, domain.max, domain.zone) == (1, 6, "on_track")
    assert result.method == "concern_count"


def test_concern_count_sometimes_without_follow_up_answers_counts(sc):
    result = run_sc(sc, ["sometimes", "yes", "sometimes", "yes", "yes", "yes"])
    assert result.domain("social_communication").concerns == ("sc-01", "sc-03")
    assert result.zone == "monitor"  # 2 >= monitor_at


def test_concern_count_follow_ups_decide_sometimes(sc):
    values = ["sometimes", "sometimes", "sometimes", "yes", "yes", "yes"]
    follow_ups = {
        "sc-01-f1": "yes", "sc-01-f2": "yes",  # neither shows concern -> not a concern
        "sc-02-f1": "yes",  # concern_if yes -> concern
        "sc-03-f1": "yes",  # concern_if no -> not a concern
    }
    result = run_sc(sc, values, follow_ups)
    assert result.domain("social_communication").concerns == ("sc-02",)
    one_of_two = run_sc(sc, values, {**follow_ups, "sc-01-f2": "no"})
    assert one_of_two.domain("social_communication").concerns == ("sc-01", "sc-02")


def test_concern_count_not_yet_stays_a_concern_whatever_the_follow_ups(sc):
    result = run_sc(sc, ["not_yet", "yes", "yes", "yes", "yes", "yes"], {"sc-01-f1": "yes"})
    assert result.domain("social_communication").concerns == ("sc-01",)


def test_concern_count_refer_at_four(sc):
    result = run_sc(sc, ["not_yet", "yes", "not_yet", "not_yet", "not_yet", "yes"])
    assert result.zone == "refer"
    assert result.specialists == ("psychologist",)


def test_concern_count_warning_sign_refers(sc):
    result = run_sc(sc, ["yes", "not_yet", "yes", "yes", "yes", "yes"])
    domain = result.domain("social_communication")
    assert (domain.score, domain.warning_signs, domain.zone) == (1, ("sc-02",), "refer")


def test_concern_count_missing_answers(sc):
    one = run_sc(sc, ["yes", "yes", "yes", "yes", "yes", None])
    assert one.domain("social_communication").zone == "on_track"
    two = run_sc(sc, ["yes", "yes", "yes", "yes", None, None])
    assert two.domain("social_communication").zone == "incomplete"


@pytest.mark.parametrize(
    ("follow_ups", "code"),
    [({"sc-99-f1": "yes"}, "unknown_follow_up"), ({"sc-01-f1": "maybe"}, "bad_follow_up_answer")],
)
def test_bad_follow_ups(sc, follow_ups, code):
    with pytest.raises(ScreeningInputError) as caught:
        run_sc(sc, ["sometimes"] * 6, follow_ups)
    assert caught.value.code == code


def test_rescreen_in_last_band(sc):
    # on track at 18 m: six months later, still inside the 16-30 m band
    assert run_sc(sc, ["yes"] * 6).rescreen.to_dict() == {"date": "2026-05-20", "rule": "within_last_band"}
    # at 26 m: the band's last day (29 m 30 d) comes before six months
    late = run_sc(sc, ["yes"] * 6, on=date(2026, 7, 20))
    assert late.rescreen.to_dict() == {"date": "2026-11-14", "rule": "within_last_band"}
    # at 29 m: less than a month of the band left
    last = run_sc(sc, ["yes"] * 6, on=date(2026, 10, 20))
    assert last.rescreen.to_dict() == {"date": None, "rule": "after_last_band"}


def test_rescreen_monitor_from_24_months_is_two_months(sc):
    result = run_sc(sc, ["not_yet", "not_yet", "yes", "yes", "yes", "yes"], on=date(2026, 6, 1))
    assert result.zone == "refer"  # sc-02 is a warning sign
    result = run_sc(sc, ["not_yet", "yes", "not_yet", "yes", "yes", "yes"], on=date(2026, 6, 1))
    assert result.zone == "monitor"
    assert result.rescreen.to_dict() == {"date": "2026-08-01", "rule": "monitor_plus_2_months"}
