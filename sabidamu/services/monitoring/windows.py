"""The organization's stage windows (head only)."""
from __future__ import annotations

import uuid

from sqlmodel import Session

from ... import access
from ...models import Organization, User
from ...models.enums import Role
from ...monitoring import StageWindows, default_stage_windows
from .. import AccessDenied, fetch
from ..audit import record
from .base import org_windows

# -- stage windows -------------------------------------------------------------------------------------

def _head_org(db: Session, user: User, org_id: uuid.UUID) -> Organization:
    org = fetch(db, Organization, org_id)
    if access.org_role(db, user, org.id) != Role.HEAD:
        raise AccessDenied()
    return org


def windows_of(db: Session, user: User, org_id: uuid.UUID) -> tuple[Organization, StageWindows, bool]:
    """The organization, its windows and whether they are the defaults (head only)."""
    org = _head_org(db, user, org_id)
    return org, org_windows(org), not org.stage_windows


def set_windows(db: Session, user: User, org_id: uuid.UUID, windows: dict[str, tuple[str, str]] | None) -> StageWindows:
    """Overrides the three windows (None: back to the defaults). Raises InvalidStageWindows / UnknownStage."""
    org = _head_org(db, user, org_id)
    if windows is None:
        value = default_stage_windows()
        org.stage_windows = None
    else:
        value = StageWindows.from_mapping(windows)
        org.stage_windows = None if value == default_stage_windows() else \
            {k: list(v) for k, v in value.as_dict().items()}
    db.add(org)
    record(db, user, "monitoring.windows.update", role=Role.HEAD, org_id=org.id, object_type="organization",
           object_id=org.id)
    db.commit()
    return value
