"""The analytics counts through the API (scope analytics:read): the tables of services.analytics.report for the
area of the client's organization (its district when the organization has one and no other is asked for within
the region; else the region), already protected by small-number suppression: a hidden cell is null. Counts
only: nothing about a child is read or decrypted."""
from __future__ import annotations

from sqlmodel import Session

from ... import access
from ...analytics import areas
from ...models import Organization, User
from .. import AccessDenied, ServiceError, fetch
from ..analytics import report as report_svc
from ..analytics.departments import check_area
from ..audit import record
from .clients import API_ROLE, Caller

SCOPE = "analytics:read"


def counts(db: Session, user: User, caller: Caller, year: int, stage: str, district: str | None,
           lang: str) -> dict:
    """The protected tables as JSON: region-wide (one row per district) or of one district of the client's region
    (one row per organization). Raises AccessDenied without the scope, ServiceError for an unknown district."""
    if access.api_role(db, user, caller.scopes, SCOPE, org_id=caller.org_id) is None:
        raise AccessDenied()
    org = fetch(db, Organization, caller.org_id)
    region = areas.region_code(org.region)
    if region is None:
        raise ServiceError("unknown_region", field="region")
    region, district = check_area(region, district)
    report = report_svc.build(db, region, district, year, stage, lang)
    record(db, user, "api.analytics", role=API_ROLE, org_id=caller.org_id,
           detail={"client_id": str(caller.client_id), "region": region, "district": district, "year": year,
                   "stage": stage})
    db.commit()
    return {"region": report.region, "district": report.district, "academic_year": report.year,
            "stage": report.stage, "area_name": report.area_name,
            "tables": [{"section": t.section, "key": t.key, "title": t.title,
                        "columns": [{"id": str(cid), "label": t.columns[i] if i < len(t.columns) else str(cid)}
                                    for i, cid in enumerate(t.column_ids)],
                        "rows": [{"kind": r.kind, "id": str(r.key[1]), "label": r.label, "values": list(r.values)}
                                 for r in t.rows]}
                       for t in report.tables]}
