"""The EPC's brokerage board in figures (Estyn F4, R41): referrals waiting, time to allocation, capacity by host
organisation and lead worker, referral trends, unmet Welsh-language demand, open escalations and additional needs.

Every function takes the LA and a day and only reads. They count an LA's own brokerage records; the pages and the
API decide who may see them (the EPC of that LA) and which young people's names a list may show.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from yep.people.models import Organisation

from .allocation import caseloads
from .models import (
    AdditionalNeed,
    AdditionalNeedStatus,
    Allocation,
    Escalation,
    LeadWorkerProfile,
    Referral,
    ReferralStatus,
)
from .queries import unmet_welsh_demand

ALLOCATION_WINDOW_DAYS = 91  # "the last 3 months" for time to allocation
TREND_MONTHS = 12


@dataclass(frozen=True)
class Waiting:
    """A referral waiting for the EPC's decision (open, or deferred and still open), with how long it has waited."""

    referral: Referral
    days: int


@dataclass(frozen=True)
class TimeToAllocation:
    """Median days from a referral being received to its allocation, over allocations decided in the window."""

    since: datetime.date
    allocations: int
    median_days: float | None


@dataclass
class WorkerLoad:
    profile: LeadWorkerProfile
    caseload: int

    @property
    def capacity(self) -> int:
        return self.profile.capacity

    @property
    def at_capacity(self) -> bool:
        return self.caseload >= self.capacity


@dataclass
class HostLoad:
    """A host organisation's active lead workers, their agreed capacity and their active caseload, added up."""

    organisation: Organisation
    workers: list[WorkerLoad] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return sum(w.capacity for w in self.workers)

    @property
    def caseload(self) -> int:
        return sum(w.caseload for w in self.workers)

    @property
    def at_capacity(self) -> bool:
        return self.caseload >= self.capacity

    @property
    def over_capacity(self) -> bool:
        return self.caseload > self.capacity


@dataclass(frozen=True)
class Month:
    """Referrals received in one calendar month, and the median number of needs per referral."""

    start: datetime.date
    referrals: int
    median_needs: float | None


@dataclass(frozen=True)
class Dashboard:
    la: Organisation
    day: datetime.date
    waiting: list[Waiting]
    time_to_allocation: TimeToAllocation
    hosts: list[HostLoad]
    trends: list[Month]
    unmet_welsh: int
    open_escalations: int
    open_additional_needs: int

    @property
    def hosts_at_capacity(self) -> list[HostLoad]:
        return [h for h in self.hosts if h.at_capacity]


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the current time zone, for "received on or before" comparisons."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def waiting_referrals(la: Organisation, day: datetime.date) -> list[Waiting]:
    """Open referrals of the LA (deferred ones stay open), oldest first, with the days each has waited."""
    rows = (Referral.objects.filter(la=la, status=ReferralStatus.OPEN, received_at__lt=_end_of(day))
            .select_related("person").order_by("received_at", "pk"))
    return [Waiting(r, max((day - timezone.localtime(r.received_at).date()).days, 0)) for r in rows]


def time_to_allocation(la: Organisation, day: datetime.date) -> TimeToAllocation:
    """Median days from received to allocated, for allocations decided in the 3 months up to ``day``."""
    since = day - datetime.timedelta(days=ALLOCATION_WINDOW_DAYS)
    rows = (Allocation.objects.filter(referral__la=la, decided_at__gte=_end_of(since - datetime.timedelta(days=1)),
                                      decided_at__lt=_end_of(day))
            .values_list("decided_at", "referral__received_at"))
    days = [max((decided - received).total_seconds() / 86400, 0.0) for decided, received in rows]
    median = round(statistics.median(days), 1) if days else None
    return TimeToAllocation(since, len(days), median)


def capacity_by_host(la: Organisation) -> list[HostLoad]:
    """The LA's active lead workers grouped by host organisation, with capacity and active caseload; the hosts
    most stretched (caseload against capacity) first."""
    profiles = list(LeadWorkerProfile.objects.filter(la=la, active=True)
                    .select_related("user", "host_organisation").order_by("host_organisation__name", "user__username"))
    counts = caseloads(p.user_id for p in profiles)
    hosts: dict[int, HostLoad] = {}
    for profile in profiles:
        host = hosts.setdefault(profile.host_organisation_id, HostLoad(profile.host_organisation))
        host.workers.append(WorkerLoad(profile, counts.get(profile.user_id, 0)))
    return sorted(hosts.values(), key=lambda h: (-h.caseload / max(h.capacity, 1), h.organisation.name))


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def referral_trends(la: Organisation, day: datetime.date, months: int = TREND_MONTHS) -> list[Month]:
    """Referrals received per calendar month for the ``months`` months up to ``day``'s month (oldest first), with
    the median number of needs per referral."""
    first = _month_start(day, months - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    needs: dict[datetime.date, list[int]] = {_month_start(day, back): [] for back in range(months)}
    for received, listed in Referral.objects.filter(la=la, received_at__gte=start, received_at__lt=_end_of(day)) \
            .values_list("received_at", "needs"):
        local = timezone.localtime(received).date()
        needs[local.replace(day=1)].append(len(listed or []))
    return [Month(month, len(counts), statistics.median(counts) if counts else None)
            for month, counts in sorted(needs.items())]


def open_escalations(la: Organisation) -> QuerySet[Escalation]:
    return Escalation.objects.filter(allocation__referral__la=la, decision="")


def open_additional_needs(la: Organisation) -> QuerySet[AdditionalNeed]:
    return AdditionalNeed.objects.filter(allocation__referral__la=la, status=AdditionalNeedStatus.OPEN)


def dashboard(la: Organisation, day: datetime.date) -> Dashboard:
    """Everything the board shows, for the LA on ``day``. Unmet Welsh-language demand counts the last 12 months."""
    return Dashboard(
        la=la, day=day, waiting=waiting_referrals(la, day), time_to_allocation=time_to_allocation(la, day),
        hosts=capacity_by_host(la), trends=referral_trends(la, day),
        unmet_welsh=unmet_welsh_demand(la, since=_month_start(day, TREND_MONTHS - 1)),
        open_escalations=open_escalations(la).count(), open_additional_needs=open_additional_needs(la).count())
