"""Education department users: created by the platform admin for a region or a district; their scope."""
from __future__ import annotations

from sqlmodel import Session, col, select

from ... import access
from ...analytics.areas import DISTRICTS, REGIONS, district_region, region_code
from ...models import User
from ...models.analytics import DepartmentScope
from ...models.enums import Role
from .. import AccessDenied, ServiceError
from ..audit import record
from ..auth import new_account


def check_area(region: str | None, district: str | None) -> tuple[str, str | None]:
    """(region code, district code or None) for the codes or names given; ServiceError when unknown."""
    code = region_code(region)
    if code is None:
        raise ServiceError("unknown_region", field="region")
    district = (district or "").strip().upper() or None
    if district is not None and (district not in DISTRICTS or district_region(district) != code):
        raise ServiceError("unknown_district", field="district")
    return code, district


def create_department_user(db: Session, admin: User | None, *, region: str, district: str | None, full_name: str,
                           login: str, password: str, locale: str | None = None) -> User:
    """The platform admin (None: the command line) creates a department login for a region or one of its
    districts. Audited; the caller commits."""
    if admin is not None and not admin.is_admin:
        raise AccessDenied()
    code, district_code = check_area(region, district)
    user = new_account(db, full_name=full_name, login=login, password=password, locale=locale)
    user.must_change_password = admin is not None
    db.add(DepartmentScope(user_id=user.id, region=code, district=district_code,
                           created_by=admin.id if admin else None))
    db.info.get("sabidamu.department_users", {}).pop(user.id, None)  # access.is_department's memo
    record(db, admin, "role.grant", role=Role.ADMIN if admin else None, object_type="user", object_id=user.id,
           detail={"role": Role.EDUCATION_DEPARTMENT, "region": code, "district": district_code})
    return user


def create_department(db: Session, admin: User | None, **fields) -> User:
    """create_department_user, committed (the admin's page and the command line)."""
    user = create_department_user(db, admin, **fields)
    db.commit()
    return user


def scope_of(db: Session, user: User | None) -> DepartmentScope:
    scope = access.department_scope(db, user)
    if scope is None:
        raise AccessDenied()
    return scope


def all_departments(db: Session, admin: User) -> list[tuple[User, DepartmentScope]]:
    if not admin.is_admin:
        raise AccessDenied()
    query = select(User, DepartmentScope).join(DepartmentScope, col(DepartmentScope.user_id) == col(User.id))
    return list(db.exec(query.order_by(col(DepartmentScope.region), col(DepartmentScope.district))).all())


def known_regions() -> list[str]:
    return list(REGIONS)


