"""Scoped reads for the lead worker's pages: the caseload with its alerts, the support packages a user may open,
escalations and additional needs, a young person's Families First involvement, and the risk trend.

Deny by default: a lead worker sees their own caseload and packages; the EPC sees those of their LA (by the
referral's LA); anyone else sees none. The young person's record must also be open to the user (the access
policy, with the support needs category), so a package never shows more than the record would.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import categories
from yep.access.policy import decide, people_visible_to
from yep.identify.models import Band, Result, RunStatus
from yep.people.models import Characteristic, CharacteristicKind, Person, Role

from .allocation import caseload_of
from .models import (
    AdditionalNeed,
    Allocation,
    Escalation,
    HostType,
    LeadWorkerProfile,
    ReviewParticipant,
    SupportReview,
)
from .queries import caseload

CONTACT_EVERY = datetime.timedelta(days=14)  # keeping in touch: a contact at least every fortnight (R33)
NO_CONTACT_ALERT = 28  # days without contact before the caseload flags it
CONTINUITY_WARNING = 14  # days before the continuity period ends that the caseload warns


def epc_las(user: Any) -> list[int]:
    """The local authorities where ``user`` is the EPC."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [m.organisation_id for m in user.active_memberships() if m.role == Role.EPC]


def _open_escalations() -> Exists:
    return Exists(Escalation.objects.filter(allocation=OuterRef("pk"), decision=""))


def _with_facts(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    return (allocations.select_related("person", "referral", "lead_worker", "host_organisation", "package")
            .annotate(last_contact=Max("contacts__on"), open_escalation=_open_escalations())
            .order_by("person__legal_surname", "person__legal_forenames", "pk"))


# The caseload -------------------------------------------------------------------------------------------------


@dataclass
class CaseloadRow:
    """One young person on a caseload, with when they are next due contact and review, and what needs doing."""

    allocation: Allocation
    last_contact: datetime.date | None
    next_contact_due: datetime.date
    review_due: datetime.date | None
    alerts: list[str] = field(default_factory=list)


def _alerts(allocation: Allocation, last: datetime.date | None, review: datetime.date | None,
            today: datetime.date) -> list[str]:
    alerts = []
    quiet = (today - (last or allocation.start)).days
    if quiet >= NO_CONTACT_ALERT:
        alerts.append(_("No contact for %(days)s days") % {"days": quiet})
    if review is not None and review < today:
        alerts.append(_("Review overdue since %(day)s") % {"day": review.strftime("%d/%m/%Y")})
    if getattr(allocation, "open_escalation", False):
        alerts.append(_("Escalation waiting for the EPC"))
    end = allocation.continuity_end
    if end is not None and (end - today).days <= CONTINUITY_WARNING:
        alerts.append(_("Continuity period ends %(day)s") % {"day": end.strftime("%d/%m/%Y")})
    return alerts


def rows(allocations: QuerySet[Allocation], today: datetime.date | None = None) -> list[CaseloadRow]:
    """The caseload rows for ``allocations`` (already scoped to the user), in one query."""
    today = today or timezone.localdate()
    found = []
    for allocation in _with_facts(allocations):
        last = getattr(allocation, "last_contact", None)
        package = getattr(allocation, "package", None)
        review = package.next_review if package is not None else None
        found.append(CaseloadRow(allocation, last, (last or allocation.start) + CONTACT_EVERY, review,
                                 _alerts(allocation, last, review, today)))
    return found


def own_caseload(user: Any) -> QuerySet[Allocation]:
    """The signed-in lead worker's young people (active allocations) whose record they may open."""
    return caseload(user).filter(person__in=people_visible_to(user, category=categories.SUPPORT_NEEDS))


def la_caseload(user: Any, worker_id: int | None = None) -> QuerySet[Allocation]:
    """For the EPC: the active allocations of their LA, of one lead worker when ``worker_id`` is given."""
    las = epc_las(user)
    if not las:
        return Allocation.objects.none()
    found = Allocation.objects.filter(referral__la_id__in=las, end__isnull=True,
                                      person__in=people_visible_to(user, category=categories.SUPPORT_NEEDS))
    return found.filter(lead_worker_id=worker_id) if worker_id else found


@dataclass(frozen=True)
class Capacity:
    """A lead worker's caseload against the capacity agreed with their employer."""

    profile: LeadWorkerProfile
    caseload: int

    @property
    def label(self) -> str:
        return _("%(caseload)s of %(capacity)s") % {"caseload": self.caseload, "capacity": self.profile.capacity}

    @property
    def warning(self) -> str:
        if self.caseload > self.profile.capacity:
            return _("Over capacity: %(label)s") % {"label": self.label}
        if self.caseload >= self.profile.capacity:
            return _("At capacity: %(label)s") % {"label": self.label}
        return ""


def capacity_of(user_id: int) -> Capacity | None:
    """The lead worker's caseload and capacity, or None when they are not registered as a lead worker."""
    profile = LeadWorkerProfile.objects.filter(user_id=user_id).select_related("user", "host_organisation").first()
    return Capacity(profile, caseload_of(user_id)) if profile else None


def capacities(la_ids: list[int]) -> list[Capacity]:
    """Every registered lead worker of the LAs, with caseload and capacity (for the EPC's view)."""
    from .allocation import caseloads

    profiles = list(LeadWorkerProfile.objects.filter(la_id__in=la_ids).select_related("user", "host_organisation"))
    counts = caseloads(p.user_id for p in profiles)
    return [Capacity(p, counts.get(p.user_id, 0)) for p in profiles]


# Packages, escalations and additional needs --------------------------------------------------------------------


def may_open_package(user: Any, allocation: Allocation) -> bool:
    """Whether ``user`` may open the allocation's support package: its lead worker (while they may still read
    the record, history included) or the EPC of the referral's LA; and the record's support needs are open to
    them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if allocation.lead_worker_id != user.pk and allocation.referral.la_id not in epc_las(user):
        return False
    decision = decide(user, allocation.person_id)
    return bool(decision and decision.can_see(categories.SUPPORT_NEEDS))


def allocation_for(user: Any, pk: int) -> Allocation | None:
    """The allocation (with its package) if the user may open its package; None whether or not it exists."""
    allocation = (Allocation.objects.select_related("person", "referral__la", "lead_worker", "host_organisation",
                                                    "package").filter(pk=pk).first())
    if allocation is None or not may_open_package(user, allocation):
        return None
    return allocation


def package_parts(allocation: Allocation) -> dict[str, Any]:
    """Everything the package page and API show, each a list read in one query."""
    package = allocation.package
    services = list(package.services.select_related("organisation", "relationship"))
    for service in services:
        shared = service.relationship.categories if service.relationship else []
        labels = [str(categories.LABELS.get(c, c)) for c in shared]
        service.shared_labels = labels  # type: ignore[attr-defined]  # what it sees, in the reader's words
    return {
        "goals": list(package.goals.all()),
        "actions": list(package.actions.select_related("goal")),
        "services": services,
        "contacts": list(allocation.contacts.select_related("recorded_by")),
        "progress_updates": list(allocation.progress_updates.select_related("submitted_by")),
        "additional_needs": list(allocation.additional_needs.select_related("raised_by", "service__organisation",
                                                                             "task")),
        "escalations": list(allocation.escalations.select_related("raised_by", "decided_by", "referral", "task")),
        "reviews": list(reviews_of(package.reviews.all())),
    }


def reviews_of(reviews: QuerySet[SupportReview]) -> QuerySet[SupportReview]:
    return reviews.select_related("recorded_by").prefetch_related(
        Prefetch("participants", queryset=ReviewParticipant.objects.order_by("pk")))


def escalation_for(user: Any, pk: int) -> Escalation | None:
    """An escalation whose package the user may open, or None."""
    escalation = Escalation.objects.select_related("allocation", "referral", "task", "raised_by",
                                                   "decided_by").filter(pk=pk).first()
    if escalation is None or allocation_for(user, escalation.allocation_id) is None:
        return None
    return escalation


def additional_need_for(user: Any, pk: int) -> AdditionalNeed | None:
    """An additional need whose package the user may open, or None."""
    need = AdditionalNeed.objects.select_related("allocation", "task", "raised_by", "decided_by",
                                                 "service__organisation").filter(pk=pk).first()
    if need is None or allocation_for(user, need.allocation_id) is None:
        return None
    return need


# A young person's lead worker tab ------------------------------------------------------------------------------


def families_first_note(person: Person, allocation: Allocation | None, *, sensitive: bool) -> str:
    """ "FF/TAF active — social worker X" when Families First or a social worker is involved today (SC-2), else
    "". The social worker's name is a sensitive characteristic, shown only with that category; failing that,
    a Families First lead worker is named."""
    current = {c.kind: c for c in Characteristic.objects.current().filter(
        person=person, kind__in=[CharacteristicKind.FAMILIES_FIRST, CharacteristicKind.SOCIAL_WORKER])}
    worker = current.get(CharacteristicKind.SOCIAL_WORKER)
    name = worker.value.strip() if worker is not None and sensitive else ""
    if not name and allocation is not None and allocation.host_type == HostType.FAMILIES_FIRST:
        name = allocation.lead_worker.get_full_name() or allocation.lead_worker.get_username()
    if CharacteristicKind.FAMILIES_FIRST in current:
        return (_("FF/TAF active — social worker %(name)s") % {"name": name}) if name else _("FF/TAF active")
    if worker is not None and sensitive:
        return (_("Social worker %(name)s") % {"name": name}) if name else _("Has a social worker")
    return ""


class TrendPoint(NamedTuple):
    """A risk band at a date, from a support review or an early identification result."""

    on: datetime.date
    band: str
    source: str  # "review" or "early_identification"


REVIEW, EARLY_IDENTIFICATION = "review", "early_identification"
BAND_LEVEL: dict[str, int] = {Band.NONE: 0, Band.LOW: 1, Band.MEDIUM: 2, Band.HIGH: 3}


def risk_trend(person: Person) -> list[TrendPoint]:
    """The young person's risk over time, oldest first: the band agreed at each support review, and each
    released early identification result (the agreed band once reviewed, else the computed one). The caller
    must already have checked that the user may see risk data."""
    points = [TrendPoint(r.held_on, r.risk_band, REVIEW)
              for r in SupportReview.objects.filter(person=person).only("held_on", "risk_band")]
    results = Result.objects.filter(person=person, run__status=RunStatus.PUBLISHED).select_related("run")
    points += [TrendPoint(r.run.as_of, r.current_band, EARLY_IDENTIFICATION) for r in results]
    return sorted(points, key=lambda p: (p.on, p.source != EARLY_IDENTIFICATION))
