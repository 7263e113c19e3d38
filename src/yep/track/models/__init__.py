"""Tracking's records: the activity timeline, provider notifications, the unknowns and JWT follow-up, the
destinations survey and the September Guarantee."""

from .guarantee import GuaranteeOffer, GuaranteeOfferType, GuaranteeStatus
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
from .timeline import Activity, Confidence
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
    "ACTIVITY_SOURCE", "LEFT_ACTIVITY", "NOTIFY_WITHIN_DAYS", "Activity", "Confidence", "CareersContact",
    "ContactMethod",
    "ContactOutcome", "ContactPurpose", "ContactReport", "ContactReportStatus", "DestinationSurvey",
    "GuaranteeOffer", "GuaranteeOfferType", "GuaranteeStatus", "LaMove",
    "LeftReason", "MatchMethod", "NotificationChannel", "NotificationKind", "NotificationStatus", "OfferKind",
    "OfferStatus", "PostSixteenRiskRule", "ProviderNotification", "SurveyDestination", "TracingSource",
    "TrainingOffer",
]
