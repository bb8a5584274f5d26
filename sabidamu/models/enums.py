"""The fixed vocabularies of the data: roles and statuses, named once.

StrEnum members are str: they compare equal to the stored strings ("head" == Role.HEAD), go into and come out
of the database as those strings (no migration), and serialize in JSON and audit details unchanged. The tuples
the models keep (STAFF_ROLES, CONSENT_PURPOSES, ...) are built from these classes.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who someone is towards an organization or a child (access.py answers with these)."""

    HEAD = "head"
    TEACHER = "teacher"
    SPECIALIST = "specialist"
    SCHOOL_TEACHER = "school_teacher"
    PARENT = "parent"
    ADMIN = "admin"
    EDUCATION_DEPARTMENT = "education_department"  # district / regional department: counts only, no child


STAFF = (Role.HEAD, Role.TEACHER, Role.SPECIALIST, Role.SCHOOL_TEACHER)


class EnrollmentStatus(StrEnum):
    PENDING = "pending"      # the kindergarten asked; the parent (or the holding organization) has not confirmed
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class EnrollmentEndReason(StrEnum):
    MOVED = "moved"
    LEFT = "left"
    GRADUATED = "graduated"


class ConsentPurpose(StrEnum):
    KINDERGARTEN_MONITORING = "kindergarten_monitoring"
    SPECIALIST_ACCESS = "specialist_access"
    SCHOOL_TRANSFER = "school_transfer"


class ReferralStatus(StrEnum):
    AWAITING_CONSENT = "awaiting_consent"
    OPEN = "open"
    CLOSED = "closed"


class ScreeningStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class TransferStatus(StrEnum):
    """A TransferPackage row: sent, waiting in a school's inbox, or what the school's import made of it."""

    EXPORTED = "exported"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IMPORTED = "imported"
    HELD = "held"
    REJECTED = "rejected"
