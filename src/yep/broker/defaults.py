"""The default allocation rules an LA starts from: the framework's starting assumptions (YEPF §5 and Figure 6),
which reproduce acceptance scenario AT-4. An LA changes its own copy (``AllocationRule`` rows)."""

from typing import Any

# Each rule: order, stage, bands, tiers, families_first (yes/no/any), outcome, host types best first, rationale.
# Plain data (no models), so the seeding migration and the services read the same list.
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {"order": 10, "stage": "pre16", "bands": ["none"], "tiers": [], "families_first": "any",
     "outcome": "no_lead_worker", "host_types": [],
     "rationale": "Settled and not judged at risk: no lead worker."},
    {"order": 20, "stage": "pre16", "bands": [], "tiers": [], "families_first": "yes",
     "outcome": "lead_worker", "host_types": ["families_first"],
     "rationale": "Pre-16, already in Families First / TAF-led arrangements: the existing key worker."},
    {"order": 30, "stage": "pre16", "bands": ["high", "medium"], "tiers": [], "families_first": "no",
     "outcome": "lead_worker", "host_types": ["youth_service"],
     "rationale": "Pre-16, high or medium risk, not supported by Families First: the Youth Service."},
    {"order": 40, "stage": "pre16", "bands": ["low"], "tiers": [], "families_first": "any",
     "outcome": "lead_worker", "host_types": ["learning_coach", "careers_wales"],
     "rationale": "Pre-16, lower risk: a learning coach or Careers Wales, depending on need."},
    {"order": 50, "stage": "post16", "bands": [], "tiers": [5], "families_first": "any",
     "outcome": "no_lead_worker", "host_types": [],
     "rationale": "Tier 5, engaged in EET and not judged at risk: no lead worker."},
    {"order": 60, "stage": "post16", "bands": ["high"], "tiers": [4], "families_first": "yes",
     "outcome": "taf_decides", "host_types": [],
     "rationale": "Tier 4, high risk, Families First involved: the team around the family decides."},
    {"order": 70, "stage": "post16", "bands": ["high"], "tiers": [4], "families_first": "any",
     "outcome": "lead_worker", "host_types": ["youth_service", "careers_wales"],
     "rationale": "Tier 4, high risk: the Youth Service or Careers Wales."},
    {"order": 80, "stage": "post16", "bands": [], "tiers": [4], "families_first": "any",
     "outcome": "lead_worker", "host_types": ["learning_coach", "provider_pastoral"],
     "rationale": "Tier 4, low or medium risk: a learning coach and/or the provider's pastoral support."},
    {"order": 90, "stage": "post16", "bands": [], "tiers": [3], "families_first": "any",
     "outcome": "lead_worker", "host_types": ["careers_wales"],
     "rationale": "Tier 3, unemployed and known to Careers Wales: Careers Wales in nearly all cases."},
    {"order": 100, "stage": "post16", "bands": [], "tiers": [2], "families_first": "any",
     "outcome": "lead_worker", "host_types": ["youth_service"],
     "rationale": "Tier 2, not available for EET: the Youth Service in nearly all cases."},
)
# Tier 1 (unknown) has no rule on purpose: once found, a young person is placed in a tier first (Figure 6).
