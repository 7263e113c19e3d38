"""The access app's models: the audit log and API tokens; live relationships; sharing agreements, consent and
objections; break-the-glass access; authentication records; subject access, rectification and retention.

Only ``access.services`` (and ``access.audit`` for the log) write them."""

from .audit import ApiToken, AuditAction, AuditEvent
from .authentication import LoginAttempt, TwoFactorDevice
from .governance import Consent, ConsentPurpose, Objection, SharingAgreement
from .relationships import BreakGlassAccess, Relationship, RelationshipKind
from .rights import RectificationRequest, RetentionRule

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "BreakGlassAccess",
    "Consent",
    "ConsentPurpose",
    "LoginAttempt",
    "Objection",
    "RectificationRequest",
    "Relationship",
    "RelationshipKind",
    "RetentionRule",
    "SharingAgreement",
    "TwoFactorDevice",
]
