"""The shipped framework file: schema, semantic rules, and the errors a broken copy produces."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from jsonschema import Draft202012Validator

from sabidamu.monitoring import DEFAULT_PATH, SCHEMA_PATH, FrameworkError, load_framework, validate_framework
from sabidamu.monitoring.loader import EXPECTED_AGE_GROUPS, EXPECTED_LEVELS, EXPECTED_SKILL_GROUPS, EXPECTED_STAGES

KAZAKH_LETTERS = set("әғқңөұүһі")


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write_copy(tmp_path, data: dict, name: str = "framework.broken.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- the real file


def test_schema_is_valid_draft_2020_12_and_strict():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_shipped_framework_has_no_problems():
    assert validate_framework() == []
    assert validate_framework(DEFAULT_PATH) == []


def test_identity_and_titles():
    fw = load_framework()
    assert (fw.id, fw.version) == ("sabidamu-monitoring", 1)
    assert "картасы" in fw.title.in_("kk") and "карта" in fw.title.in_("ru")


def test_age_groups_names_and_ages():
    fw = load_framework()
    assert fw.age_group_ids == ("early", "junior", "middle", "senior", "preschool")
    for group in fw.age_groups:
        kk, ru, age_from, age_to = EXPECTED_AGE_GROUPS[group.id]
        assert (group.in_("kk"), group.in_("ru"), group.age_from, group.age_to) == (kk, ru, age_from, age_to)
    assert fw.age_group("preschool").in_("kk") == "мектепалды топ / сынып (мектепке даярлық тобы)"
    assert fw.age_group("early").in_("ru") == "группа раннего возраста"


def test_skill_group_names_exactly_as_on_the_card():
    fw = load_framework()
    assert fw.skill_group_ids == ("physical", "communicative", "cognitive", "creative", "social_emotional")
    assert fw.skill_group("creative").in_("kk") == "Шығармашылық дағдыларын, зерттеу іс-әрекетін дамыту"
    assert fw.skill_group("social_emotional").in_("ru") == "Формирование социально-эмоциональных навыков"
    for group in fw.skill_groups:
        assert (group.in_("kk"), group.in_("ru")) == EXPECTED_SKILL_GROUPS[group.id]


def test_every_cell_has_six_to_eight_skills_with_ordered_ids():
    fw = load_framework()
    for age in fw.age_groups:
        for group in fw.skill_groups:
            skills = fw.skills(age.id, group.id)
            assert 6 <= len(skills) <= 8, (age.id, group.id)
            assert [s.id for s in skills] == [f"{age.prefix}-{group.prefix}-{n}" for n in range(1, len(skills) + 1)]
            assert all(s.age_group_id == age.id and s.skill_group_id == group.id for s in skills)
    ids = [s.id for s in fw.all_skills]
    assert len(ids) == len(set(ids))
    assert fw.skill("pre-phy-1").skill_group_id == "physical"


def test_skill_texts_fit_a_column_header_and_are_in_the_right_alphabet():
    fw = load_framework()
    for skill in fw.all_skills:
        for lang in ("kk", "ru"):
            assert 0 < len(skill.in_(lang)) <= 120, skill.id
            assert not re.search(r"[A-Za-z]", skill.in_(lang)), skill.id
        assert not set(skill.in_("ru").lower()) & KAZAKH_LETTERS, skill.id
        assert skill.observe is not None and skill.observe_in("kk") and skill.observe_in("ru")
        assert skill.source.startswith("ҮОБ/ТУП 2022 — ")
    all_kazakh = "".join(s.in_("kk") for s in fw.all_skills).lower()
    # every specific letter is really used (һ only occurs in a few loanwords)
    assert KAZAKH_LETTERS - {"һ"} <= set(all_kazakh)


def test_levels_names_and_meanings():
    fw = load_framework()
    assert [lv.value for lv in fw.levels] == [3, 2, 1]
    for level in fw.levels:
        name_kk, name_ru, short_kk, short_ru = EXPECTED_LEVELS[level.value]
        assert (level.in_("kk"), level.in_("ru")) == (name_kk, name_ru)
        assert (level.short_in("kk"), level.short_in("ru")) == (short_kk, short_ru)
        assert level.description.in_("kk") and level.description.in_("ru")
    assert fw.level(3).in_("kk") == "III деңгей – жоғары"
    assert fw.level(1).short_in("ru") == "низкий"
    assert fw.not_observed.in_("kk") == "бақыланбады"


def test_stages_windows_and_corrective_periods():
    fw = load_framework()
    assert [(s.id, s.in_("kk"), s.in_("ru")) for s in fw.stages] == [
        (sid, *EXPECTED_STAGES[sid]) for sid in ("start", "intermediate", "final")]
    windows = {s.id: (str(s.default_window.start), str(s.default_window.end)) for s in fw.stages}
    assert windows == {"start": ("09-01", "10-31"), "intermediate": ("01-01", "01-31"), "final": ("05-01", "05-31")}
    corrective = {s.id: (str(s.corrective.start), str(s.corrective.end), s.corrective.in_("ru")) for s in fw.stages}
    assert corrective == {
        "start": ("10-01", "12-31", "октябрь – декабрь"),
        "intermediate": ("02-01", "04-30", "февраль – апрель"),
        "final": ("06-01", "08-31", "июнь – август"),
    }
    assert fw.stage("intermediate").corrective.in_("kk") == "ақпан – сәуір"


def test_framework_objects_are_immutable_and_cached():
    fw = load_framework()
    assert load_framework() is fw
    assert load_framework(DEFAULT_PATH) is fw
    with pytest.raises(AttributeError):
        fw.skill("ear-phy-1").id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        fw._by_id["x"] = None  # type: ignore[index]


def test_lookups_of_unknown_ids_and_languages_fail_loudly():
    fw = load_framework()
    with pytest.raises(KeyError, match="age group 'toddlers'"):
        fw.age_group("toddlers")
    with pytest.raises(KeyError, match="skill group"):
        fw.skills("middle", "musical")
    with pytest.raises(KeyError, match="skill 'mid-phy-99'"):
        fw.skill("mid-phy-99")
    with pytest.raises(ValueError, match="unsupported language"):
        fw.age_group("middle").in_("en")


# ---------------------------------------------------------------------------- broken copies


def test_valid_copy_elsewhere_loads(tmp_path, raw):
    path = write_copy(tmp_path, raw, "framework.copy.yaml")
    assert validate_framework(path) == []
    assert len(load_framework(path).all_skills) == len(load_framework().all_skills)


def test_too_few_skills_names_path_and_cell(tmp_path, raw):
    data = copy.deepcopy(raw)
    del data["skills"]["middle"]["physical"][5:]
    path = write_copy(tmp_path, data)
    problems = validate_framework(path)
    assert problems == [f"{path}: skills/middle/physical: 5 skills; expected 6 to 8"]
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert info.value.problems == problems and info.value.code == "invalid_framework"


def test_renamed_skill_group_is_refused(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["skill_groups"][0]["name"]["ru"] = "Физическое развитие"
    problems = validate_framework(write_copy(tmp_path, data))
    assert len(problems) == 1
    assert "skill_groups/0/name" in problems[0] and "'Развитие физических качеств'" in problems[0]


def test_duplicate_and_misnumbered_skill_ids(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["skills"]["senior"]["cognitive"][1]["id"] = "sen-cog-1"
    data["skills"]["junior"]["creative"][2]["id"] = "jun-cre-9"
    problems = validate_framework(write_copy(tmp_path, data))
    assert any("skills/senior/cognitive/1: duplicate skill id 'sen-cog-1'" in p for p in problems)
    assert any("skills/junior/creative/2: skill id 'jun-cre-9' should be 'jun-cre-3'" in p for p in problems)


def test_missing_age_group_cell_and_unknown_cell(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["skills"]["early"]["musical"] = data["skills"]["early"].pop("creative")
    problems = validate_framework(write_copy(tmp_path, data))
    assert any("skills/early: no skills for skill group 'creative'" in p for p in problems)
    assert any("skills/early/musical: unknown skill group 'musical'" in p for p in problems)


def test_latin_letter_in_kazakh_text(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["skills"]["early"]["physical"][0]["kk"] = "Тепе-теңдiгiн сақтап жүредi"  # Latin i
    problems = validate_framework(write_copy(tmp_path, data))
    assert len(problems) == 1
    assert "skills/early/physical/0/kk: Latin letter 'i' in kk text" in problems[0]


def test_kazakh_letter_in_russian_text(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["levels"][0]["description"]["ru"] = "Навык сформирован: ребенок қолданады."
    problems = validate_framework(write_copy(tmp_path, data))
    assert problems and "levels/0/description/ru: Kazakh letter 'қ' in Russian text" in problems[0]


def test_schema_violation_names_the_field(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["skills"]["middle"]["physical"][0]["colour"] = "red"
    data["skills"]["middle"]["physical"][1]["kk"] = "ө" * 121
    path = write_copy(tmp_path, data)
    problems = validate_framework(path)
    assert any(p.startswith(f"{path}: skills/middle/physical/0: Additional properties") for p in problems)
    assert any("skills/middle/physical/1/kk" in p and "too long" in p for p in problems)


def test_overlapping_default_windows_are_refused(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["stages"][1]["default_window"]["from"] = "10-15"
    problems = validate_framework(write_copy(tmp_path, data))
    assert len(problems) == 1 and "stages: the start window (09-01..10-31) overlaps" in problems[0]


def test_impossible_corrective_date(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["stages"][1]["corrective"]["to"] = "04-31"
    problems = validate_framework(write_copy(tmp_path, data))
    assert len(problems) == 1 and "stages/1/corrective" in problems[0] and "04-31" in problems[0]


def test_wrong_level_name(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["levels"][1]["name"]["kk"] = "II деңгей – орташа"
    problems = validate_framework(write_copy(tmp_path, data))
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'framework.broken.yaml'}: levels/1:")


def test_unreadable_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert validate_framework(missing) == [f"{missing}: file not found"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    problems = validate_framework(bad)
    assert len(problems) == 1 and problems[0].startswith(f"{bad}: not valid YAML")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n", encoding="utf-8")
    assert validate_framework(scalar) == [f"{scalar}: the top level must be a mapping"]
    with pytest.raises(FrameworkError):
        load_framework(missing)
