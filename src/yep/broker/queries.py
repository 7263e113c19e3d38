"""Scoped reads of brokerage data. Deny by default: a user sees the referrals of the LAs where they are the EPC,
and the referrals they made themselves; anyone else sees none."""

from typing import Any

from django.db.models import Q, QuerySet

from yep.people.models import Organisation, Role

from .models import Allocation, Referral


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
