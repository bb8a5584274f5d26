"""All tables, imported here so SQLModel.metadata (and Alembic) sees every one."""
from .audit import AuditEvent
from .child import Child, Enrollment, Guardianship
from .org import AGE_GROUPS, ORG_KINDS, STAFF_ROLES, DataKey, Group, GroupTeacher, Membership, Organization
from .screening import Screening
from .user import LoginThrottle, User, UserSession

__all__ = [
    "AGE_GROUPS", "ORG_KINDS", "STAFF_ROLES", "AuditEvent", "Child", "DataKey", "Enrollment", "Group",
    "GroupTeacher", "Guardianship", "LoginThrottle", "Membership", "Organization", "Screening", "User", "UserSession",
]
