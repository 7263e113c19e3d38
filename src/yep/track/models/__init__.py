"""Tracking's records: the activity timeline, provider notifications, the unknowns and JWT follow-up, and the
destinations survey."""

from .notifications import (
    ACTIVITY_SOURCE,
    LEFT_ACTIVITY,
    NOTIFY_WITHIN_DAYS,
    LeftReason,
    MatchMethod,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    ProviderNotification,
)
from .surveys import DestinationSurvey, PostSixteenRiskRule, SurveyDestination
from .timeline import Activity
from .unknowns import (
    CareersContact,
    ContactMethod,
    ContactOutcome,
    ContactPurpose,
    ContactReport,
    ContactReportStatus,
    LaMove,
    OfferKind,
    OfferStatus,
    TracingSource,
    TrainingOffer,
)

__all__ = [
    "ACTIVITY_SOURCE", "LEFT_ACTIVITY", "NOTIFY_WITHIN_DAYS", "Activity", "CareersContact", "ContactMethod",
    "ContactOutcome", "ContactPurpose", "ContactReport", "ContactReportStatus", "DestinationSurvey", "LaMove",
    "LeftReason", "MatchMethod", "NotificationChannel", "NotificationKind", "NotificationStatus", "OfferKind",
    "OfferStatus", "PostSixteenRiskRule", "ProviderNotification", "SurveyDestination", "TracingSource",
    "TrainingOffer",
]
