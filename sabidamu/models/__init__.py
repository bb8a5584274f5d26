"""All tables, imported here so SQLModel.metadata (and Alembic) sees every one."""
from .analytics import AnalyticsChange, AnalyticsSnapshot, DepartmentScope, ScreeningZoneCount  # noqa: F401
from .api import ApiClient, ApiRateWindow, ApiToken  # noqa: F401
from .audit import AuditCheckpoint, AuditEvent, AuditNode
from .child import Child, Enrollment, Guardianship
from .consent import Consent, Referral, SpecialistConclusion
from .jobs import JobResult  # noqa: F401
from .monitoring import STAGES, CardStage, HomeObservation, LevelCount
from .notification import Notification  # noqa: F401
from .org import AGE_GROUPS, ORG_KINDS, STAFF_ROLES, DataKey, Group, GroupTeacher, Membership, Organization
from .reminders import CardHomeShare, ReminderOptOut, SentReminder  # noqa: F401
from .screening import Screening
from .security import DeletionRequest, RefusedAttempt, StaffTotp  # noqa: F401
from .transfer import OrgTransferKey
from .transfer_package import ImportedCard, TransferPackage, TrustedSenderKey
from .user import LoginThrottle, PasswordReset, User, UserSession

__all__ = [
    "OrgTransferKey", "ImportedCard", "TransferPackage", "TrustedSenderKey",
    "Consent", "Referral", "SpecialistConclusion",
    "AGE_GROUPS", "ORG_KINDS", "STAFF_ROLES", "STAGES", "AuditCheckpoint", "AuditEvent", "AuditNode", "CardStage",
    "Child", "DataKey", "Enrollment",
    "Group", "HomeObservation", "LevelCount",
    "GroupTeacher", "Guardianship", "LoginThrottle", "PasswordReset", "Membership", "Organization", "Screening",
    "DeletionRequest",
    "StaffTotp", "User", "UserSession",
]
