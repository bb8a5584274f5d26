"""`flask analytics export` prints and writes the table of the department's page."""
from __future__ import annotations

from sabidamu.models import LevelCount
from sabidamu.models.base import utcnow


def _seed(db, world):
    for org, district in ((world.orgs["org1"], "KZ-71-ESL"), (world.orgs["org2"], "KZ-71-SAR")):
        org.district = district
        db.add(org)
    for group, levels in ((world.groups["A"], {3: 12, 2: 9, 1: 3}), (world.groups["C"], {3: 20, 2: 15, 1: 8})):
        for level, n in levels.items():
            db.add(LevelCount(org_id=group.org_id, group_id=group.id, academic_year=2026, stage="start",
                              skill_group="physical", level=level, count=n, updated_at=utcnow()))
    db.commit()


def test_export_writes_the_page_table(app, db, world, tmp_path):
    _seed(db, world)
    out = tmp_path / "astana.csv"
    result = app.test_cli_runner().invoke(args=["analytics", "export", "--region", "KZ-71", "--year", "2026",
                                                "--lang", "ru", "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = out.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "район Есиль" in text and "город Астана" in text
    assert "район Есиль" in result.output
    region_line = next(line for line in text.splitlines() if "город Астана" in line and "Всего" not in line
                       and line.count(",") > 3)
    numbers = [int(v) for v in region_line.split(",")[3:] if v]
    assert numbers and all(n == 0 or n >= 5 for n in numbers)
    assert 9 + 15 in numbers  # level II of the region: 9 + 15 children, shown
    assert ",3," not in text and not text.rstrip().endswith(",3")


def test_export_refuses_an_unknown_district(app, db, world, tmp_path):
    result = app.test_cli_runner().invoke(args=["analytics", "export", "--region", "KZ-71", "--district", "KZ-75-ALA",
                                                "--year", "2026", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "unknown district" in result.output
    assert not (tmp_path / "x.csv").exists()
