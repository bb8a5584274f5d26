"""The analytics tables as files: CSV (UTF-8 with BOM, so spreadsheet programs read Kazakh and Russian letters) and
XLSX (openpyxl). Hidden cells are empty; the first lines say what the table is and why cells are empty."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from ...localized import Text
from ...models.base import KAZAKHSTAN_TIME
from ...monitoring.academic_calendar import academic_year_label
from .report import Report

HEAD = {
    "section": Text("Бөлім", "Раздел"),
    "table": Text("Кесте", "Таблица"),
    "row": Text("Ұйым / аудан / облыс", "Организация / район / область"),
    "note": Text("Бос ұяшық: аз сан жасырылған (5-тен кем балаларды анықтауға болмайды)",
                 "Пустая ячейка: малое число скрыто (нельзя установить детей, если их меньше 5)"),
    "year": Text("Оқу жылы", "Учебный год"),
    "stage": Text("Бақылау", "Мониторинг"),
    "as_of": Text("Сандар есептелді", "Данные рассчитаны"),
}
SECTIONS = {
    "levels": Text("Дағдылар тобы бойынша деңгейлер", "Уровни по группам навыков"),
    "screening": Text("Скрининг: маманға бару ұсынылған балалар", "Скрининг: дети, которым рекомендован специалист"),
    "referrals": Text("Жолдамалар маман түрі бойынша", "Направления по видам специалистов"),
    "seen": Text("Маман қабылдаған жолдамалар", "Направления, по которым специалист принял"),
    "cards": Text("Мектепке берілген карталар", "Карты, переданные в школу"),
}


def rows(report: Report, stage_name: str) -> list[list[str]]:
    """The table as lines of text cells: a heading block, then one block per table (header line, data lines)."""
    lang = report.lang
    heading = [report.area_name, f"{HEAD['year'].in_(lang)}: {academic_year_label(report.year)}",
               f"{HEAD['stage'].in_(lang)}: {stage_name}"]
    if report.counts_as_of is not None:  # the stored tables' moment, in Kazakhstan time
        heading.append(f"{HEAD['as_of'].in_(lang)}: {report.counts_as_of.astimezone(KAZAKHSTAN_TIME):%Y-%m-%d %H:%M}"
                       " (UTC+5)")
    out = [heading, [HEAD["note"].in_(lang)]]
    for table in report.tables:
        out.append([])
        out.append([HEAD["section"].in_(lang), HEAD["table"].in_(lang), HEAD["row"].in_(lang), *table.columns])
        for row in table.rows:
            out.append([SECTIONS[table.section].in_(lang), table.title, row.label,
                        *("" if v is None else str(v) for v in row.values)])
    return out


def to_csv(report: Report, stage_name: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows(report, stage_name))
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(report: Report, stage_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "SabiDamu"
    for line in rows(report, stage_name):
        sheet.append([int(c) if c.isdigit() else c for c in line])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 40
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
