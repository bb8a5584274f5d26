"""Download names say what and whom, in Latin letters, never an IIN; one helper builds every Content-Disposition."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sabidamu.web.downloads import content_disposition, download_name, latin, person_part

WEB = Path(__file__).resolve().parents[2] / "sabidamu" / "web"


@pytest.mark.parametrize("name, expected", [
    ("Айжан Серікова", "Aizhan-S"), ("Әлихан Сәрсенұлы", "Alikhan-S"), ("Ғалым Қасымов", "Galym-Q"),
    ("Юлия Щербакова", "Yuliya-S"), ("Нұрсұлтан", "Nursultan"), ("  ", ""),
    ("Өмір 040315650123 Үсенов", "Omir-U"),
])
def test_person_part(name, expected):
    assert person_part(name) == expected


def test_transliteration_keeps_case_and_latin():
    assert latin("Шұғыла Ivanova") == "Shugyla Ivanova"


def test_download_name_says_what_and_whom():
    assert download_name("screening", "Айжан Серікова", dt.date(2026, 12, 4), "pdf") == \
        "Aizhan-S_screening_2026-12-04.pdf"
    assert download_name("group-cards", "Құлыншақ", dt.date(2026, 12, 4), "pdf", person=False, extra="kk") == \
        "Qulynshaq_group-cards_2026-12-04_kk.pdf"
    assert download_name("data-export", "Әлия Ахметова", dt.date(2026, 12, 4), "zip") == \
        "Aliya-A_data-export_2026-12-04.zip"
    iin = "210315500123"
    assert iin not in download_name("card", f"Әлия {iin} Ахметова", None, "sdcard")


def test_content_disposition_has_filename_and_filename_star():
    header = content_disposition("Aizhan-S_screening_2026-12-04.pdf")
    assert header == ("attachment; filename=\"Aizhan-S_screening_2026-12-04.pdf\"; "
                      "filename*=UTF-8''Aizhan-S_screening_2026-12-04.pdf")
    assert 'filename="a-b.pdf"' in content_disposition('a"b.pdf')


def test_no_download_is_named_outside_the_helper():
    """Every route hands its file out through sabidamu.web.downloads (grep, so a new route cannot forget)."""
    offenders = []
    for path in WEB.rglob("*.py"):
        if path.name == "downloads.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"Content-Disposition", r"download_name=(?!name\b)", r"as_attachment=True"):
            for m in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(WEB)}:{text[:m.start()].count(chr(10)) + 1}: {pattern}")
    assert not offenders, "\n".join(offenders)


def test_card_pdf_report_csv_and_data_export_say_whom(client, world):
    """The teacher's card PDF and group CSV, the parent's data export: names built by the one helper."""
    from tests.support.auth import sign_in_with_password
    from tests.support.exports import export_zip
    today = dt.date.today().isoformat()
    child = world.children["A"].id
    sign_in_with_password(client, "teacher1@example.kz")
    card = client.get(f"/children/{child}/card.pdf?lang=ru")
    assert card.status_code == 200
    assert card.headers["Content-Disposition"] == (f'attachment; filename="Aliya-A_card_{today}_ru.pdf"; '
                                                   f"filename*=UTF-8''Aliya-A_card_{today}_ru.pdf")
    csv = client.get(f"/groups/{world.groups['A'].id}/report.csv?lang=kk")
    assert csv.status_code == 200
    assert f'filename="Group-A_group-report_{today}_kk.csv"' in csv.headers["Content-Disposition"]
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    export = export_zip(client, child)
    assert export.status_code == 200 and export.mimetype == "application/zip"
    assert f'filename="Aliya-A_data-export_{today}.zip"' in export.headers["Content-Disposition"]



def test_the_data_export_names_its_pdfs_after_the_child(client, world):
    import io
    import zipfile

    from tests.support.auth import sign_in_with_password
    from tests.support.exports import export_zip
    sign_in_with_password(client, "parenta@example.kz")
    export = export_zip(client, world.children['A'].id)
    names = zipfile.ZipFile(io.BytesIO(export.data)).namelist()
    pdfs = [n for n in names if n.startswith("pdf/")]
    assert pdfs and all(re.fullmatch(r"pdf/Aliya-A_(card|screening)_[0-9a-z_-]+\.pdf", n) for n in pdfs), names
