"""Proposing a lead worker for a referral (a read; nothing is written): the LA's first matching allocation rule
gives the outcome and host types, and the lead workers of those host types in the LA are ranked.

Ranking (R32, R40): a Welsh speaker first when the young person prefers Welsh, then the most spare capacity,
then someone who already knows the young person (continuity), then the rule's order of host types and name.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from yep.access.models import Relationship

from .defaults import DEFAULT_RULES
from .models import Allocation, AllocationRule, HostType, LeadWorkerProfile, Outcome, Referral


@dataclass(frozen=True)
class Candidate:
    """A lead worker who could be allocated, with their caseload against the capacity agreed for them."""

    profile: LeadWorkerProfile
    caseload: int
    knows_young_person: bool

    @property
    def capacity(self) -> int:
        return self.profile.capacity

    @property
    def spare(self) -> int:
        return self.capacity - self.caseload

    @property
    def speaks_welsh(self) -> bool:
        return self.profile.speaks_welsh

    @property
    def caseload_label(self) -> str:
        return f"{self.caseload}/{self.capacity}"

    @property
    def at_capacity(self) -> bool:
        return self.caseload >= self.capacity

    @property
    def warning(self) -> str:
        """A capacity warning for the EPC, or "" when the worker has room for another young person."""
        if self.caseload > self.capacity:
            return _("Over capacity: caseload %(caseload)s") % {"caseload": self.caseload_label}
        if self.at_capacity:
            return _("At capacity: caseload %(caseload)s") % {"caseload": self.caseload_label}
        return ""


@dataclass(frozen=True)
class Proposal:
    """What the rules propose for a referral, and the ranked candidates."""

    referral: Referral
    rule: AllocationRule | None
    candidates: list[Candidate] = field(default_factory=list)
    welsh_preferred: bool = False

    @property
    def outcome(self) -> str:
        return self.rule.outcome if self.rule else ""

    @property
    def host_types(self) -> list[str]:
        return list(self.rule.host_types) if self.rule and self.rule.outcome == Outcome.LEAD_WORKER else []

    @property
    def host_type(self) -> str:
        """The host type proposed first, or "" when the proposal is not a lead worker."""
        return self.host_types[0] if self.host_types else ""

    @property
    def welsh_unmet(self) -> bool:
        """The young person prefers Welsh and no candidate speaks it (unmet Welsh-language demand)."""
        return self.welsh_preferred and bool(self.host_types) and not any(c.speaks_welsh for c in self.candidates)

    @property
    def summary(self) -> str:
        """The proposal in words, for the EPC and the audit log."""
        if self.rule is None:
            return _("No rule applies: the EPC decides (set the young person's tier first if it is unknown).")
        if self.rule.outcome != Outcome.LEAD_WORKER:
            return str(Outcome(self.rule.outcome).label)
        labels = [str(HostType(h).label) for h in self.host_types]
        if len(labels) == 1:
            return labels[0]
        return _("%(choices)s or %(last)s") % {"choices": ", ".join(labels[:-1]), "last": labels[-1]}

    def allows(self, host_type: str) -> bool:
        """Whether allocating a worker of ``host_type`` follows the proposal (else it is an override). When the team
        around the family decides, the EPC records the TAF's choice, whatever its host type."""
        return self.outcome == Outcome.TAF_DECIDES or host_type in self.host_types


def rules_for(la_id: int) -> list[AllocationRule]:
    """The LA's allocation rules in order; the defaults (unsaved) when the LA has none of its own yet."""
    rules = list(AllocationRule.objects.filter(la_id=la_id).order_by("order"))
    return rules or [AllocationRule(la_id=la_id, **row) for row in DEFAULT_RULES]


def matching_rule(referral: Referral, rules: Iterable[AllocationRule] | None = None) -> AllocationRule | None:
    """The first of the LA's rules whose conditions hold for the referral, or None."""
    for rule in rules if rules is not None else rules_for(referral.la_id):
        if rule.matches(referral):
            return rule
    return None


def caseloads(user_ids: Iterable[int]) -> dict[int, int]:
    """Active allocations per lead worker (the caseload), in one query."""
    rows = (Allocation.objects.filter(lead_worker_id__in=list(user_ids), end__isnull=True)
            .values("lead_worker_id").annotate(n=Count("pk")))
    return {row["lead_worker_id"]: row["n"] for row in rows}


def caseload_of(user_id: int) -> int:
    return caseloads([user_id]).get(user_id, 0)


def propose(referral: Referral) -> Proposal:
    """The rules' proposal for ``referral`` with its ranked candidates (empty unless the outcome is a lead
    worker). Reads only; the caller must already be allowed to see the referral."""
    rule = matching_rule(referral)
    welsh = referral.person.preferred_language == "cy"
    if rule is None or rule.outcome != Outcome.LEAD_WORKER:
        return Proposal(referral, rule, [], welsh)
    profiles = list(LeadWorkerProfile.objects.filter(la_id=referral.la_id, host_type__in=rule.host_types,
                                                     active=True).select_related("user", "host_organisation"))
    users = [p.user_id for p in profiles]
    counts = caseloads(users)
    # Continuity: any relationship, past or present (lead worker, panel, referral), with this young person.
    known = set(Relationship.objects.filter(person_id=referral.person_id, user_id__in=users)
                .values_list("user_id", flat=True))
    candidates = [Candidate(p, counts.get(p.user_id, 0), p.user_id in known) for p in profiles]
    order = {h: i for i, h in enumerate(rule.host_types)}
    candidates.sort(key=lambda c: (welsh and not c.speaks_welsh, -c.spare, not c.knows_young_person,
                                   order[c.profile.host_type], c.profile.user.get_username()))
    return Proposal(referral, rule, candidates, welsh)
