import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml

from sabidamu.instruments import (
    InstrumentValidationError,
    UnknownInstrument,
    UnknownVersion,
    load_instrument,
    load_registry,
    validate_file,
)
from sabidamu.instruments.validation import read_yaml, validate_data

FIXTURES = Path(__file__).parent / "fixtures"
DEV_FILE = FIXTURES / "test-dev-screen.v1.yaml"
SC_FILE = FIXTURES / "test-social-communication.v1.yaml"

DEV = "test-dev-screen.v1.yaml"
SC = "test-social-communication.v1.yaml"


def test_fixtures_are_valid():
    assert validate_file(DEV_FILE) == []
    assert validate_file(SC_FILE) == []


def test_yaml_yes_and_no_stay_strings(dev_data, sc_data):
    assert dev_data["answer_scale"] == {"yes": 10, "sometimes": 5, "not_yet": 0}
    assert sc_data["bands"][0]["items"][0]["follow_up"][0]["concern_if"] == "no"
    assert dev_data["bands"][0]["items"][0]["warning_sign"] is True


def test_empty_text_names_file_path_and_reason(dev_data):
    dev_data["bands"][0]["items"][2]["text"]["ru"] = ""
    assert validate_data(dev_data, DEV) == [f"{DEV}: bands[0].items[2].text.ru: '' is too short"]


def test_blank_text_is_rejected(dev_data):
    dev_data["title"]["kk"] = "   "
    assert validate_data(dev_data, DEV) == [f"{DEV}: title.kk: '   ' is blank"]


def test_missing_language(dev_data):
    del dev_data["bands"][1]["label"]["kk"]
    assert validate_data(dev_data, DEV) == [f"{DEV}: bands[1].label: 'kk' is a required property"]


def test_unknown_property_is_rejected(dev_data):
    dev_data["bands"][0]["items"][0]["colour"] = "red"
    [error] = validate_data(dev_data, DEV)
    assert error.startswith(f"{DEV}: bands[0].items[0]: Additional properties")
    assert "'colour'" in error


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.__setitem__("id", "Test_Dev"), "id: 'Test_Dev' does not match"),
        (lambda d: d["bands"][0].__setitem__("id", "M 02"), "bands[0].id: 'M 02' does not match"),
        (lambda d: d["domains"][0].__setitem__("specialist", "dentist"),
         "domains[0].specialist: 'dentist' is not one of"),
        (lambda d: d["bands"][0]["min_age"].__setitem__("days", 31), "bands[0].min_age.days: 31 is greater than"),
        (lambda d: d.__setitem__("version", "1"), "version: '1' is not of type 'integer'"),
        (lambda d: d["scoring"]["default"].__setitem__("refer_below", 1.5),
         "scoring.default.refer_below: 1.5 is greater than"),
        (lambda d: d["bands"][0]["items"][0].__setitem__("warning_sign", "no"),
         "bands[0].items[0].warning_sign: 'no' is not of type 'boolean'"),
        (lambda d: d["bands"][0]["activities"]["communication"].pop(), "bands[0].activities.communication: [{"),
    ],
)
def test_schema_errors_have_paths(dev_data, mutate, expected):
    mutate(dev_data)
    errors = validate_data(dev_data, DEV)
    assert any(e.startswith(f"{DEV}: {expected}") for e in errors), errors


def test_concern_count_scoring_schema(sc_data):
    sc_data["scoring"]["refer_at"] = 0
    assert validate_data(sc_data, SC) == [f"{SC}: scoring.refer_at: 0 is less than the minimum of 1"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["bands"][1].__setitem__("min_age", {"months": 2, "days": 15}),
         "bands[1].min_age: 2 m 15 d overlaps or precedes the previous band"),
        (lambda d: d["bands"].reverse(), "bands[1].min_age: 1 m 0 d overlaps or precedes"),
        (lambda d: d["bands"][0].__setitem__("max_age", {"months": 1, "days": 0}),
         "bands[0]: min_age 1 m 0 d must be below max_age 1 m 0 d"),
        (lambda d: d["bands"][1]["items"][0].__setitem__("id", "m02-com-1"),
         "bands[1].items[0].id: duplicate id 'm02-com-1' (also at bands[0].items[0].id)"),
        (lambda d: d["bands"][1].__setitem__("id", "m02"), "bands[1].id: duplicate band id 'm02'"),
        (lambda d: d["bands"][0]["items"][0].__setitem__("domain", "fine_motor"),
         "bands[0].items[0].domain: domain 'fine_motor' is not declared"),
        (lambda d: d["bands"][0]["items"].pop(), "bands[0].items: domain 'gross_motor' has 4 items; at least 5"),
        (lambda d: d["bands"][0]["activities"].pop("gross_motor"),
         "bands[0].activities: domain 'gross_motor' has 0 activities; at least 3"),
        (lambda d: d["bands"][0]["activities"].__setitem__("fine_motor", d["bands"][0]["activities"]["communication"]),
         "bands[0].activities.fine_motor: domain 'fine_motor' is not declared"),
        (lambda d: d["scoring"]["default"].update(monitor_below=0.4),
         "scoring.default: refer_below must not be greater than monitor_below"),
        (lambda d: d["scoring"]["by_domain"].__setitem__("fine_motor", {"monitor_below": 0.7, "refer_below": 0.4}),
         "scoring.by_domain.fine_motor: domain 'fine_motor' is not declared"),
        (lambda d: d["bands"][0]["items"][0].__setitem__(
            "follow_up", [{"id": "f-1", "text": {"kk": "а", "ru": "б"}, "concern_if": "no"}]),
         "bands[0].items[0].follow_up[0]: follow-up questions are allowed only with scoring method concern_count"),
        (lambda d: d.__setitem__("version", 2), "$: file name 'test-dev-screen.v1.yaml' does not match its content"),
        (lambda d: d["answer_scale"].update(sometimes=20), "answer_scale: points must satisfy"),
    ],
)
def test_semantic_errors(dev_data, mutate, expected):
    mutate(dev_data)
    errors = validate_data(dev_data, DEV)
    assert any(e.startswith(f"{DEV}: {expected}") for e in errors), errors


def test_semantic_errors_on_concern_count(sc_data):
    data = copy.deepcopy(sc_data)
    data["bands"][0]["items"][1]["follow_up"][0]["id"] = "sc-01-f1"
    assert validate_data(data, SC) == [
        f"{SC}: bands[0].items[1].follow_up[0].id: duplicate id 'sc-01-f1' "
        "(also at bands[0].items[0].follow_up[0].id)"
    ]
    sc_data["scoring"]["monitor_at"] = 5
    assert validate_data(sc_data, SC) == [f"{SC}: scoring: monitor_at must not be greater than refer_at"]


def test_bad_file_name_and_bad_yaml(tmp_path):
    odd = tmp_path / "dev-screen.yaml"
    shutil.copy(DEV_FILE, odd)
    assert validate_file(odd) == ["dev-screen.yaml: $: file name must be <id>.v<version>.yaml"]
    broken = tmp_path / "broken.v1.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    [error] = validate_file(broken)
    assert error.startswith("broken.v1.yaml: line ") and "invalid YAML" in error
    duplicated = tmp_path / "dup.v1.yaml"
    duplicated.write_text("id: a\nid: b\n", encoding="utf-8")
    [error] = validate_file(duplicated)
    assert "duplicate key 'id'" in error


# --- registry -------------------------------------------------------------------------------------------


def write_version(directory: Path, version: int) -> Path:
    data = read_yaml(DEV_FILE)
    data["version"] = version
    data["title"]["ru"] = f"Тестовый скрининг, версия {version}"
    path = directory / f"test-dev-screen.v{version}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_registry_get_latest_and_specific_version(instruments_copy):
    write_version(instruments_copy, 2)
    registry = load_registry(instruments_copy)
    assert [i.key for i in registry.all()] == [
        ("test-dev-screen", 1), ("test-dev-screen", 2), ("test-social-communication", 1)
    ]
    assert registry.get("test-dev-screen").version == 2
    assert registry.get("test-dev-screen", 1).title.ru == "Тестовый скрининг"
    with pytest.raises(UnknownInstrument, match="unknown instrument 'nope'"):
        registry.get("nope")
    with pytest.raises(UnknownVersion, match="'test-dev-screen' has no version 7 \\(known versions: 1, 2\\)"):
        registry.get("test-dev-screen", 7)


def test_registry_skips_parts_monitoring_and_schema(instruments_copy):
    for folder in ("_parts", "monitoring", "schema"):
        (instruments_copy / folder).mkdir()
        (instruments_copy / folder / "not-an-instrument.v1.yaml").write_text("bands: [", encoding="utf-8")
    assert {i.id for i in load_registry(instruments_copy).all()} == {
        "test-dev-screen", "test-social-communication"
    }


def test_registry_refuses_an_invalid_file(instruments_copy):
    path = instruments_copy / DEV
    path.write_text(path.read_text(encoding="utf-8").replace('ru: "2 месяца"', 'ru: ""'), encoding="utf-8")
    with pytest.raises(InstrumentValidationError) as caught:
        load_registry(instruments_copy)
    assert caught.value.errors == [f"{DEV}: bands[0].label.ru: '' is too short"]


def test_loading_is_cached_and_sees_changes(instruments_copy):
    path = instruments_copy / DEV
    first = load_instrument(path)
    assert load_instrument(path) is first
    path.write_text(path.read_text(encoding="utf-8").replace("Тестовый скрининг", "Новое название"),
                    encoding="utf-8")
    os.utime(path, ns=(first_stamp := path.stat().st_mtime_ns, first_stamp + 1_000_000))
    second = load_instrument(path)
    assert second is not first
    assert second.title.ru == "Новое название"


def test_instruments_are_immutable(dev):
    with pytest.raises(AttributeError):
        dev.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        dev.bands[0].activities["communication"] = ()  # type: ignore[index]


def test_fixture_directory_has_both_methods():
    registry = load_registry(FIXTURES)
    assert [i.is_concern_count for i in registry.latest()] == [False, True]
