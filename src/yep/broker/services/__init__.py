"""The only writers of brokerage data. Each takes the acting user and an audit context, runs in one transaction
and writes its audit row in it."""

from .allocations import allocate, end_allocation
from .referrals import decide_referral, latest_result, make_referral
from .rules import ensure_default_rules, set_allocation_rules
from .workers import change_lead_worker, register_lead_worker

__all__ = ["allocate", "change_lead_worker", "decide_referral", "end_allocation", "ensure_default_rules",
           "latest_result", "make_referral", "register_lead_worker", "set_allocation_rules"]
