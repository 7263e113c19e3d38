"""Brokerage's data: referrals, allocation rules, lead workers and their allocations, support packages and
reviews, school panels and business cases, continuity and follow-ups."""

from .allocation import (
    Allocation,
    AllocationRule,
    EndReason,
    FamiliesFirstCondition,
    HostType,
    LeadWorkerProfile,
    Outcome,
    StageCondition,
)
from .continuity import ContinuityKind, ContinuityPolicy, DestinationType, EetStatus, FollowUp
from .packages import (
    Action,
    AdditionalNeed,
    AdditionalNeedStatus,
    Channel,
    Contact,
    ContactOutcome,
    Escalation,
    EscalationDecision,
    Goal,
    GoalStatus,
    PackageService,
    Progress,
    ProgressUpdate,
    ReviewParticipant,
    ServiceRole,
    SupportPackage,
    SupportReview,
)
from .panels import BusinessCase, BusinessCaseStatus, PanelMeeting, PanelMember, PanelOutcome, PanelPupil, PanelRole
from .referrals import Decision, Need, Referral, ReferralSource, ReferralStatus, Stage, Urgency

__all__ = [
    "Action", "AdditionalNeed", "AdditionalNeedStatus", "Allocation", "AllocationRule", "BusinessCase",
    "BusinessCaseStatus", "Channel", "Contact", "ContactOutcome", "ContinuityKind", "ContinuityPolicy", "Decision",
    "DestinationType", "EetStatus", "EndReason", "Escalation", "EscalationDecision", "FamiliesFirstCondition",
    "FollowUp", "Goal", "GoalStatus", "HostType", "LeadWorkerProfile", "Need", "Outcome", "PackageService",
    "PanelMeeting", "PanelMember", "PanelOutcome", "PanelPupil", "PanelRole", "Progress", "ProgressUpdate",
    "Referral", "ReferralSource", "ReferralStatus", "ReviewParticipant", "ServiceRole", "Stage", "StageCondition",
    "SupportPackage", "SupportReview", "Urgency",
]
