"""Scoped reads of brokerage data. Deny by default: a user sees the referrals of the LAs where they are the EPC,
and the referrals they made themselves; anyone else sees none."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yep.people.models import Membership, Organisation, Role, User

from .models import Allocation, LeadWorkerProfile, Referral


def is_epc_of(user: Any, la_id: int | None) -> bool:
    """Whether ``user`` holds an active EPC membership of the local authority ``la_id``."""
    if la_id is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(m.role == Role.EPC and m.organisation_id == la_id for m in user.active_memberships())


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """Referrals the user may see: their LA's as EPC, and their own. Empty for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    las = [m.organisation_id for m in user.active_memberships() if m.role == Role.EPC]
    return Referral.objects.filter(Q(la_id__in=las) | Q(referred_by=user)).select_related("person", "la")


def active_allocation(person_id: int) -> Allocation | None:
    """The young person's active lead worker allocation, if any (there is at most one)."""
    return (Allocation.objects.filter(person_id=person_id, end__isnull=True)
            .select_related("lead_worker", "host_organisation").first())


def caseload(user: Any) -> QuerySet[Allocation]:
    """A lead worker's own active allocations (their caseload)."""
    if not getattr(user, "is_authenticated", False):
        return Allocation.objects.none()
    return Allocation.objects.filter(lead_worker=user, end__isnull=True).select_related("person", "referral")


def unmet_welsh_demand(la: Organisation, *, since: Any = None) -> int:
    """Allocations in the LA where the young person prefers Welsh and the lead worker does not speak it (R40,
    Estyn F9), since a date when given. Counted at allocation, when no Welsh speaker could be allocated."""
    rows = Allocation.objects.filter(referral__la=la, welsh_unmet=True)
    if since is not None:
        rows = rows.filter(start__gte=since)
    return rows.count()


def epc_la(user: Any) -> Organisation | None:
    """The local authority where ``user`` is the EPC (the earliest such membership), or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = (user.active_memberships().filter(role=Role.EPC).select_related("organisation")
                  .order_by("start", "pk").first())
    return membership.organisation if membership else None


def referral_visible_to(user: Any, pk: int) -> Referral | None:
    """One referral the user may see (see ``referrals_visible_to``), or None, whether it exists or not."""
    return referrals_visible_to(user).filter(pk=pk).first()


def allocations_visible_to(user: Any) -> QuerySet[Allocation]:
    """Allocations from the referrals the user may see: their LA's as EPC, and those of their own referrals."""
    return Allocation.objects.filter(referral__in=referrals_visible_to(user).values("pk")).select_related(
        "referral", "person", "lead_worker", "host_organisation")


def lead_workers_of(la: Organisation, *, active_only: bool = False) -> QuerySet[LeadWorkerProfile]:
    """The lead workers registered with the LA's brokerage, by host type and username."""
    rows = LeadWorkerProfile.objects.filter(la=la).select_related("user", "host_organisation")
    return rows.filter(active=True) if active_only else rows


def organisations_of(la: Organisation) -> QuerySet[Organisation]:
    """The LA and the organisations in it: where its lead workers may be hosted."""
    return Organisation.objects.filter(Q(pk=la.pk) | Q(la=la))


def staff_of(la: Organisation) -> QuerySet[Any]:
    """Users with an active membership of the LA or of an organisation in it: who may be registered as a lead
    worker there."""
    day = timezone.localdate()
    current = (Membership.objects.filter(organisation__in=organisations_of(la), start__lte=day)
               .filter(Q(end__isnull=True) | Q(end__gte=day)))
    return User.objects.filter(is_active=True, pk__in=current.values("user_id"))
