"""District and regional analytics: counts only, never a child (docs/privacy.md, "Analytics").

counting.py keeps ScreeningZoneCount beside a completed screening; departments.py creates the department users and
reads their scope; report.py builds the protected tables the page, the downloads and `flask analytics export`
show; files.py writes them as CSV (UTF-8 with BOM) and XLSX.
"""
