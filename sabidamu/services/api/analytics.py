"""The analytics counts through the API (scope analytics:read): the tables of services.analytics.report for the
client's area (the region of the client's organization, or a region client's own region; one of its districts
when asked), already protected by small-number suppression: a hidden cell is null. Counts only: nothing about a
child is read or decrypted."""
from __future__ import annotations

from sqlmodel import Session

from ... import access
from ...analytics import areas
from ...models import Organization, User
from .. import AccessDenied, ServiceError, fetch
from ..analytics import snapshots
from ..analytics.departments import check_area
from ..audit import record
from .clients import API_ROLE, Caller

SCOPE = "analytics:read"


def counts(db: Session, user: User, caller: Caller, year: int, stage: str, district: str | None,
           lang: str) -> dict:
    """The protected tables as JSON: region-wide (one row per district) or of one district of the client's region
    (one row per organization). Raises AccessDenied without the scope (or, for a region client, for another
    region's district), ServiceError for an unknown district."""
    if caller.region is not None:
        region, district = _region_client_area(caller, district)
    else:
        if caller.org_id is None or access.api_role(db, user, caller.scopes, SCOPE, org_id=caller.org_id) is None:
            raise AccessDenied()
        org = fetch(db, Organization, caller.org_id)
        code = areas.region_code(org.region)
        if code is None:
            raise ServiceError("unknown_region", field="region")
        region, district = check_area(code, district)  # another region's district: 422, as before
    report = snapshots.report(db, region, district, year, stage, lang)
    record(db, user, "api.analytics", role=API_ROLE, org_id=caller.org_id,  # None for a region client
           detail={"client_id": str(caller.client_id), "region": region, "district": district, "year": year,
                   "stage": stage})
    db.commit()
    return {"region": report.region, "district": report.district, "academic_year": report.year,
            "stage": report.stage, "area_name": report.area_name,
            "counts_as_of": report.counts_as_of.isoformat() if report.counts_as_of else None,
            "tables": [{"section": t.section, "key": t.key, "title": t.title,
                        "columns": [{"id": str(cid), "label": t.columns[i] if i < len(t.columns) else str(cid)}
                                    for i, cid in enumerate(t.column_ids)],
                        "rows": [{"kind": r.kind, "id": str(r.key[1]), "label": r.label, "values": list(r.values)}
                                 for r in t.rows]}
                       for t in report.tables]}


def _region_client_area(caller: Caller, district: str | None) -> tuple[str, str | None]:
    """A region client's (region, district): its own region, or a district of it. A known district of another
    region is refused (403: the area exists, it is not the client's); a code nobody knows is a 422 as for every
    client."""
    wanted = (district or "").strip().upper() or None
    wanted_region = caller.region
    if wanted is not None and wanted in areas.DISTRICTS:
        wanted_region = areas.district_region(wanted)
    if not access.api_area_allowed(caller.scopes, SCOPE, caller.region, wanted_region):
        raise AccessDenied()
    return check_area(caller.region, wanted)
