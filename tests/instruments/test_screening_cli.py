import json
from datetime import date, timedelta
from pathlib import Path

import flask
import pytest
from click.testing import CliRunner

from sabidamu.cli.context import instruments_dir
from sabidamu.cli.instruments import instruments_cli
from sabidamu.cli.screening import MAX_INPUT_BYTES, screening_cli

FIXTURES = Path(__file__).parent / "fixtures"
BIRTH = ["--birth-date", "2024-01-15", "--date", "2024-03-20"]


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setenv("SABIDAMU_INSTRUMENTS_DIR", str(FIXTURES))
    try:  # click < 8.2 mixes stderr into output unless told not to
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def write_json(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


ALL_YES = {f"m02-{d}-{i}": "yes" for d in ("com", "gm") for i in range(1, 6)}


def test_bands_all_instruments(runner):
    result = runner.invoke(screening_cli, ["bands", *BIRTH])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["age"]["chronological"] == {"months": 2, "days": 5}
    assert data["age"]["reason"] == "term"
    bands = {i["id"]: i["band"] for i in data["instruments"]}
    assert bands["test-dev-screen"]["id"] == "m02"
    assert bands["test-social-communication"] is None


def test_bands_one_instrument_with_correction(runner):
    result = runner.invoke(
        screening_cli,
        ["bands", *BIRTH, "--gestational-weeks", "32", "--instrument", "test-dev-screen"],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["age"]["used"] == "corrected"
    assert data["age"]["corrected"] == {"months": 0, "days": 9}
    assert data["instruments"] == [{"id": "test-dev-screen", "version": 1, "band": None}]


def test_score_prints_the_result(runner, tmp_path):
    answers = write_json(tmp_path, "a.json", {**ALL_YES, "m02-com-1": "not_yet"})
    result = runner.invoke(
        screening_cli, ["score", "--instrument", "test-dev-screen", "--version", "1", *BIRTH, "--answers", answers]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["zone"] == "refer"
    assert data["domains"][0]["warning_signs"] == ["m02-com-1"]
    assert data["specialists"] == ["speech_therapist"]
    assert result.stderr == ""


def test_score_with_follow_ups(runner, tmp_path):
    items = {f"sc-0{i}": "yes" for i in range(1, 7)}
    answers = write_json(tmp_path, "a.json", {**items, "sc-01": "sometimes", "sc-03": "sometimes"})
    follow_ups = write_json(tmp_path, "f.json", {"sc-01-f1": "yes", "sc-01-f2": "yes"})
    result = runner.invoke(
        screening_cli,
        ["score", "--instrument", "test-social-communication", "--birth-date", "2024-05-15",
         "--date", "2025-11-20", "--answers", answers, "--follow-ups", follow_ups],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["domains"][0]["concerns"] == ["sc-03"]


def test_show_in_one_language(runner):
    result = runner.invoke(screening_cli, ["show", "--instrument", "test-dev-screen", "--band", "m04", "--lang", "ru"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [b["id"] for b in data["bands"]] == ["m04"]
    assert data["bands"][0]["items"][0] == {
        "id": "m04-com-1", "domain": "communication", "text": "Гулит ли ребенок?", "warning_sign": True,
        "answers": ["yes", "sometimes", "not_yet"],
    }
    assert [d["id"] for d in data["domains"]] == ["communication", "gross_motor"]


def test_show_both_languages(runner):
    result = runner.invoke(screening_cli, ["show", "--instrument", "test-social-communication"])
    data = json.loads(result.stdout)
    item = data["bands"][0]["items"][0]
    assert item["text"]["kk"] and item["text"]["ru"]
    assert item["follow_up"][0]["concern_if"] == "no"


def bad(runner, args):
    result = runner.invoke(screening_cli, args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_errors_exit_2_with_a_code(runner, tmp_path):
    good = write_json(tmp_path, "good.json", ALL_YES)
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        (["score", "--instrument", "nope", *BIRTH, "--answers", good], "unknown_instrument"),
        (["score", "--instrument", "test-dev-screen", "--version", "9", *BIRTH, "--answers", good], "unknown_version"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "m.json", "{nope")], "bad_json"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "l.json", ["yes"])], "answers_not_object"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "u.json", {"zz-1": "yes"})], "unknown_item"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "b.json", {"m02-com-1": "perhaps"})], "bad_answer"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "n.json", {"m02-com-1": 1})], "bad_answer"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "o.json", {"m04-com-1": "yes"})], "item_not_in_band"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", str(tmp_path / "missing.json")], "file_not_found"),
        (["score", "--instrument", "test-dev-screen", *BIRTH, "--answers", write_json(tmp_path, "big.json", " " * (MAX_INPUT_BYTES + 1))], "file_too_large"),
        (["score", "--instrument", "test-social-communication", *BIRTH, "--answers", good], "no_band"),
        (["bands", "--birth-date", future, "--date", future], "birth_date_in_future"),
        (["bands", "--birth-date", "2024-03-20", "--date", "2024-03-19"], "date_before_birth"),
        (["bands", *BIRTH, "--gestational-weeks", "21"], "gestational_weeks_out_of_range"),
        (["bands", *BIRTH, "--gestational-weeks", "45"], "gestational_weeks_out_of_range"),
        (["bands", "--birth-date", "15.01.2024", "--date", "2024-03-20"], "bad_date"),
        (["bands", "--birth-date", "2024-02-30", "--date", "2024-03-20"], "bad_date"),
        (["show", "--instrument", "test-dev-screen", "--band", "m99"], "unknown_band"),
    ]
    for args, code in cases:
        line = bad(runner, args)
        assert line.startswith(f"error[{code}]: "), (args, line)


def test_bad_follow_ups_file(runner, tmp_path):
    good = write_json(tmp_path, "good.json", {f"sc-0{i}": "yes" for i in range(1, 7)})
    args = ["score", "--instrument", "test-social-communication", "--birth-date", "2024-05-15",
            "--date", "2025-11-20", "--answers", good, "--follow-ups"]
    assert bad(runner, [*args, write_json(tmp_path, "f.json", [])]).startswith("error[follow_ups_not_object]")
    assert bad(runner, [*args, write_json(tmp_path, "g.json", {"x-f1": "no"})]).startswith("error[unknown_follow_up]")


def test_validate_directory_ok(runner):
    result = runner.invoke(instruments_cli, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["OK test-dev-screen.v1.yaml", "OK test-social-communication.v1.yaml"]


def test_validate_files_with_errors(runner, tmp_path):
    broken = tmp_path / "test-dev-screen.v1.yaml"
    broken.write_text((FIXTURES / broken.name).read_text(encoding="utf-8").replace('ru: "2 месяца"', 'ru: ""'),
                      encoding="utf-8")
    result = runner.invoke(instruments_cli, ["validate", str(broken), str(FIXTURES / "test-social-communication.v1.yaml")])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "test-dev-screen.v1.yaml: bands[0].label.ru: '' is too short",
        "OK test-social-communication.v1.yaml",
    ]


def test_validate_empty_directory_fails(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("SABIDAMU_INSTRUMENTS_DIR", str(tmp_path))
    result = runner.invoke(instruments_cli, ["validate"])
    assert result.exit_code == 1


def test_instruments_dir_prefers_flask_config(monkeypatch, tmp_path):
    monkeypatch.setenv("SABIDAMU_INSTRUMENTS_DIR", str(FIXTURES))
    assert instruments_dir() == FIXTURES
    app = flask.Flask("test")
    app.config["INSTRUMENTS_DIR"] = str(tmp_path)
    with app.app_context():
        assert instruments_dir() == tmp_path
    monkeypatch.delenv("SABIDAMU_INSTRUMENTS_DIR")
    assert instruments_dir().name == "screening_instruments"
