"""The outcome report (R89–R90, AT-24): for the lead worker cases an LA closed in a period, the EET status
recorded at each follow-up (6, 12 and 24 months), split by the combination of services that supported the young
person. Outcomes are the contribution of every service involved: there is, on purpose, no figure "attributed to
the lead worker". A read: nothing is written but the audit row of who looked."""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from yep.access import audit
from yep.people.models import Organisation, OrganisationKind

from .models import Allocation, EetStatus, FollowUp, PackageService, ServiceRole
from .queries import is_epc_of
from .services.followups import CHECKPOINTS, NOT_CLOSED

LEAD_WORKER_ONLY, WITH_YOUTH_SERVICE, WITH_FAMILIES_FIRST, WITH_OTHERS = (
    "lead_worker_only", "youth_service", "families_first", "other")
COMBINATIONS = {
    LEAD_WORKER_ONLY: _("Lead worker only"),
    WITH_YOUTH_SERVICE: _("Lead worker + Youth Service"),
    WITH_FAMILIES_FIRST: _("Lead worker + Families First"),
    WITH_OTHERS: _("Lead worker + other services"),
}
IN_EET = frozenset({EetStatus.EDUCATION, EetStatus.TRAINING, EetStatus.EMPLOYMENT})
NOT_RECORDED = "not_recorded"
# Counts of 1 to 4 are shown as "c" to anyone but the LA's own EPC, so a young person cannot be recognised.
SUPPRESS_BELOW = 5
SUPPRESSED = "c"


def combination_of(supporting_kinds: set[str]) -> str:
    """The support combination from the organisation kinds of a package's supporting services. Youth Service or
    Families First alone are their own rows; any other service, or more than one kind, is "other services"."""
    if not supporting_kinds:
        return LEAD_WORKER_ONLY
    if supporting_kinds == {OrganisationKind.YOUTH_SERVICE}:
        return WITH_YOUTH_SERVICE
    if supporting_kinds == {OrganisationKind.FAMILIES_FIRST}:
        return WITH_FAMILIES_FIRST
    return WITH_OTHERS


@dataclass(frozen=True)
class Row:
    """One support combination at one checkpoint: the cases, and how many were recorded in each EET status."""

    combination: str
    label: str
    cases: int
    counts: dict[str, int]

    @property
    def in_eet(self) -> int:
        return sum(self.counts.get(s, 0) for s in IN_EET)


@dataclass(frozen=True)
class OutcomeReport:
    la: Organisation
    closed_from: datetime.date
    closed_to: datetime.date
    exact: bool
    cases: int
    checkpoints: dict[int, list[Row]]

    def shown(self, count: int) -> int | str:
        """A count as this viewer may see it: exact for the LA's EPC, small counts suppressed for anyone else."""
        return count if self.exact or not 0 < count < SUPPRESS_BELOW else SUPPRESSED

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for the API and the command line), counts already suppressed."""
        return {
            "la": self.la.code, "closed_from": self.closed_from.isoformat(), "closed_to": self.closed_to.isoformat(),
            "exact": self.exact, "cases": self.shown(self.cases),
            "checkpoints": [{"months": months, "combinations": [
                {"combination": r.combination, "label": str(r.label), "cases": self.shown(r.cases),
                 "in_eet": self.shown(r.in_eet), "counts": {s: self.shown(n) for s, n in r.counts.items()}}
                for r in rows]} for months, rows in self.checkpoints.items()],
        }


def closed_cases(la: Organisation, closed_from: datetime.date, closed_to: datetime.date) -> Any:
    """The LA's lead worker cases that closed in the period (not re-brokered, moved away or handed to a new
    worker: those are not closures), with their supporting services and follow-ups."""
    supporting = PackageService.objects.filter(role=ServiceRole.SUPPORTING).select_related("organisation")
    return (Allocation.objects.filter(referral__la=la, end__gte=closed_from, end__lte=closed_to)
            .exclude(end_reason__in=NOT_CLOSED)
            .prefetch_related(Prefetch("package__services", queryset=supporting, to_attr="supporting"),
                              Prefetch("follow_ups", queryset=FollowUp.objects.all())))


def _combination(allocation: Allocation) -> str:
    package = getattr(allocation, "package", None)
    services = getattr(package, "supporting", []) if package is not None else []
    return combination_of({s.organisation.kind for s in services})


def outcome_report(la: Organisation, *, closed_from: datetime.date, closed_to: datetime.date, viewer: Any,
                   context: audit.AuditContext) -> OutcomeReport:
    """The outcome report for ``la``'s cases closed from ``closed_from`` to ``closed_to``. The LA's EPC sees
    exact counts; anyone else sees counts of 1 to 4 as "c". The read is audited."""
    cases = list(closed_cases(la, closed_from, closed_to))
    statuses = [*EetStatus.values, NOT_RECORDED]
    checkpoints: dict[int, list[Row]] = {}
    for months in CHECKPOINTS:
        tallies: dict[str, Counter[str]] = {c: Counter() for c in COMBINATIONS}
        totals: Counter[str] = Counter()
        for allocation in cases:
            combination = _combination(allocation)
            totals[combination] += 1
            follow_up = next((f for f in allocation.follow_ups.all() if f.months == months), None)
            tallies[combination][follow_up.status if follow_up and follow_up.status else NOT_RECORDED] += 1
        checkpoints[months] = [Row(c, str(label), totals[c], {s: tallies[c][s] for s in statuses})
                               for c, label in COMBINATIONS.items()]
    exact = is_epc_of(viewer, la.pk)
    audit.record(viewer, "view", context, object_type="outcome_report", object_id=la.pk,
                 detail={"closed_from": closed_from.isoformat(), "closed_to": closed_to.isoformat(),
                         "cases": len(cases), "exact": exact})
    return OutcomeReport(la, closed_from, closed_to, exact, len(cases), checkpoints)
