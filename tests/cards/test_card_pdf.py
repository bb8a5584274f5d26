"""The card as PDF (WeasyPrint, real rendering): text in kk and ru, the web download, the group job, the CLI."""
from __future__ import annotations

import io
import re
import time
import uuid

import pytest
from pypdf import PdfReader

from sabidamu.cli.cards import cards_cli
from sabidamu.monitoring import load_framework
from tests.factories import make_child
from tests.support.cards import fill, skills

TITLE = {"kk": "2026-2027 оқу жылына арналған баланың жеке даму картасы",
         "ru": "Индивидуальная карта развития ребенка на 2026-2027 учебный год"}
HEADER = {"kk": ("Баланың Т.А.Ә.", "Туған жылы", "Топ", "Ұйым", "Құзыреттіліктер", "дамыту, түзету іс-шаралары",
                 "Тәрбиеші", "Меңгеруші"),
          "ru": ("Ф.И.О. ребенка", "Дата рождения", "Группа", "Организация", "Компетенции",
                 "развивающие, коррекционные мероприятия", "Воспитатель", "Заведующий")}
LEVEL_WORDS = {"kk": ("III деңгей – жоғары", "II – орташа", "I – төмен"),
               "ru": ("III уровень – высокий", "II – средний", "I – низкий")}


def pdf_text(body: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"- (?=\w)", "-", text), len(reader.pages)  # words broken after a hyphen at a line end


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_card_pdf_has_the_official_texts(client, db, world, filled, sign_in, lang):
    sign_in("teacher1")
    response = client.get(f"/children/{world.children['A'].id}/card.pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text, _pages = pdf_text(response.data)
    assert TITLE[lang] in text
    for word in HEADER[lang]:
        assert word in text, word
    fw = load_framework()
    for group in fw.skill_groups:
        assert group.in_(lang) in text, group.in_(lang)
    for stage in fw.stages:
        assert stage.in_(lang).upper() in text.upper()
    for word in LEVEL_WORDS[lang]:
        assert word in text, word
    assert "Әлия Ахметова" in text and "05.10.2020" in text


def test_card_pdf_refuses_others_and_unknown_language(client, world, filled, sign_in):
    sign_in("parentB")
    assert client.get(f"/children/{world.children['A'].id}/card.pdf?lang=kk").status_code == 403
    sign_in("parentA")
    assert client.get(f"/children/{world.children['A'].id}/card.pdf?lang=en").status_code == 404
    assert client.get(f"/children/{world.children['A'].id}/card.pdf?lang=ru").status_code == 200


def wait_for_job(client, url: str) -> dict:
    """Polls the job's JSON until it is no longer running (bounded: a hung job fails the test, not the run)."""
    for _ in range(600):
        data = client.get(url).get_json()
        if data["state"] != "running":
            return data
        time.sleep(0.2)
    pytest.fail("the group PDF job did not finish")


def test_group_pdf_job(app, client, db, keyring, world, filled, sign_in):
    group = world.groups["A"]
    for name in ("Бекзат Омаров", "Дана Сейітова"):
        child = make_child(db, keyring, name, group=group)
        fill(db, keyring, world.users["teacher1"], group, child, "start",
             {"physical": [1] * len(skills(group, "physical"))})
    db.commit()
    sign_in("head1")
    response = client.post(f"/groups/{group.id}/cards.pdf", data={"lang": "ru"})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert re.fullmatch(r"/card-jobs/[A-Za-z0-9_-]+", job_url)
    page = client.get(job_url)
    assert page.status_code == 200 and "progress.js" in page.text
    data = wait_for_job(client, job_url + "/progress")
    assert data == {"state": "done", "done": 3, "total": 3, "waiting": False, "download": job_url + "/download"}
    page = client.get(job_url)
    assert job_url + "/download" in page.text and "<script>" not in page.text
    body = client.get(job_url + "/download")
    assert body.status_code == 200 and body.mimetype == "application/pdf"
    text, pages = pdf_text(body.data)
    assert text.count(TITLE["ru"]) == 3 and pages >= 3
    for name in ("Әлия Ахметова", "Бекзат Омаров", "Дана Сейітова"):
        assert name in text
    # Only who started a job sees it: another member of the same organization does not.
    sign_in("teacher1")
    for suffix in ("", "/progress", "/download"):
        assert client.get(job_url + suffix).status_code == 404


def test_group_pdf_form_validates_and_checks_access(client, world, sign_in):
    sign_in("teacher1")
    response = client.post(f"/groups/{world.groups['A'].id}/cards.pdf", data={"lang": "en"})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text
    sign_in("teacher1b")
    assert client.post(f"/groups/{world.groups['A'].id}/cards.pdf", data={"lang": "kk"}).status_code == 403


def run_cli(app, *args):
    return app.test_cli_runner().invoke(cards_cli, ["pdf", *args])  # click >= 8.2 keeps stderr apart


def test_cli_writes_a_card_and_a_group(app, world, filled, tmp_path):
    out = tmp_path / "card.pdf"
    result = run_cli(app, "--child", str(world.children["A"].id), "--lang", "kk", "--as", "head1@example.kz",
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    text, _ = pdf_text(out.read_bytes())
    assert TITLE["kk"] in text and "Әлия Ахметова" in text
    out = tmp_path / "group.pdf"
    result = run_cli(app, "--group", str(world.groups["A"].id), "--lang", "ru", "--as", "teacher1@example.kz",
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    assert pdf_text(out.read_bytes())[0].count(TITLE["ru"]) == 1


@pytest.mark.parametrize("args,message", [
    (["--child", str(uuid.UUID(int=7)), "--as", "head1@example.kz"], "no such child"),
    (["--child", "not-an-id", "--as", "head1@example.kz"], "is not an id"),
    (["--group", str(uuid.UUID(int=7)), "--as", "head1@example.kz"], "no such group"),
    (["--child", "{child_C}", "--as", "head1@example.kz"], "may not see"),
    (["--child", "{child_A}", "--as", "nobody@example.kz"], "no user"),
    (["--child", "{child_A}", "--group", "{group_A}", "--as", "head1@example.kz"], "exactly one"),
])
def test_cli_fails_cleanly(app, world, tmp_path, args, message):
    ids = {"child_A": world.children["A"].id, "child_C": world.children["C"].id, "group_A": world.groups["A"].id}
    out = tmp_path / "x.pdf"
    result = run_cli(app, *[a.format(**ids) for a in args], "--lang", "ru", "--out", str(out))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()
