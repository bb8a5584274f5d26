"""What a department user may read: their own region, or their own district, for an academic year and stage."""
from __future__ import annotations

from sqlmodel import Session

from ...analytics.areas import district_region
from ...models import User
from ...monitoring.academic_calendar import STAGE_IDS
from .. import AccessDenied, ServiceError
from . import report as report_svc
from . import snapshots
from .departments import scope_of


def department_report(db: Session, user: User | None, *, year: int, stage: str, district: str | None, lang: str,
                      domain_titles=None) -> report_svc.Report:
    """The protected report a department user asked for: a district department sees its district only; a regional
    one its region or one of its districts. Refused (AccessDenied) for anybody else."""
    scope = scope_of(db, user)
    if stage not in STAGE_IDS:
        raise ServiceError("unknown_stage", field="stage")
    if not 2000 <= year <= 2100:
        raise ServiceError("unknown_year", field="year")
    if scope.district is not None:
        if district not in (None, scope.district):
            raise AccessDenied()
        district = scope.district
    elif district is not None and district != "-" and district_region(district) != scope.region:
        raise AccessDenied()
    return snapshots.report(db, scope.region, district, year, stage, lang, domain_titles)


def suppressed_table(db: Session, *, region: str, district: str | None, year: int, stage: str, lang: str,
                     domain_titles=None) -> report_svc.Report:
    """THE public entry (API, command line): the protected tables of a region or one of its districts, as stored."""
    return snapshots.report(db, region, district, year, stage, lang, domain_titles)
