"""Brokerage's data: referrals, allocation rules, lead workers and their allocations."""

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
from .referrals import Decision, Need, Referral, ReferralSource, ReferralStatus, Stage, Urgency

__all__ = [
    "Allocation", "AllocationRule", "Decision", "EndReason", "FamiliesFirstCondition", "HostType",
    "LeadWorkerProfile", "Need", "Outcome", "Referral", "ReferralSource", "ReferralStatus", "Stage",
    "StageCondition", "Urgency",
]
