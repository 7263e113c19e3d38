"""The one access policy: which young people a user may see, for what purpose, and which fields.

Deny by default: a user sees a young person only through an active membership whose role gives a live
relationship with them. Every list, search, page and API answer about young people starts from
``people_visible_to``; no view decides for itself. ``get_person_for`` raises the same 404 for "no such
person" and "not yours", so an answer never reveals that a record exists.
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yep.people.models import Enrolment, Membership, Organisation, OrganisationKind, Person, Role

from . import audit

# Roles that work with named young people in their area (by residence or where they are educated).
AREA_ROLES = {Role.EPC, Role.CAREERS_ADVISER}
# Roles that see the young people currently enrolled at their own organisation.
ORGANISATION_ROLES = {Role.SCHOOL_STAFF, Role.PROVIDER_STAFF}
# Roles that may see special-category characteristics of the young people they can see.
SENSITIVE_ROLES = {Role.EPC, Role.CAREERS_ADVISER}


def _memberships(user: Any, day: datetime.date) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.active_memberships(day))


def _area_las(membership: Membership) -> set[int]:
    """The local authorities a membership's organisation serves."""
    org = membership.organisation
    if org.kind == OrganisationKind.LA:
        return {org.pk}
    covered = set(org.covers.values_list("pk", flat=True))
    if covered:
        return covered
    return {org.la_id} if org.la_id else set()


def _current_enrolment_at(org_ids: set[int], day: datetime.date) -> Exists:
    enrolments = Enrolment.objects.filter(person=OuterRef("pk"), organisation_id__in=org_ids, start__lte=day)
    return Exists(enrolments.filter(Q(end__isnull=True) | Q(end__gte=day)))


def people_visible_to(user: Any, purpose: str = "casework", on: datetime.date | None = None) -> QuerySet[Person]:
    """The young people ``user`` may see for ``purpose``; empty when no membership gives a relationship."""
    day = on or timezone.localdate()
    memberships = _memberships(user, day)
    las: set[int] = set()
    orgs: set[int] = set()
    for membership in memberships:
        if membership.role in AREA_ROLES:
            las |= _area_las(membership)
        if membership.role in ORGANISATION_ROLES:
            orgs.add(membership.organisation_id)
    clause = Q(pk__in=[])
    if las:
        educated_here = Organisation.objects.filter(la_id__in=las).values_list("pk", flat=True)
        clause |= Q(la_of_residence_id__in=las)
        clause |= Q(_current_enrolment_at(set(educated_here), day))
    if orgs:
        clause |= Q(_current_enrolment_at(orgs, day))
    if not las and not orgs:
        return Person.objects.none()
    return Person.objects.filter(clause)


def get_person_for(user: Any, person_id: int, purpose: str, context: audit.AuditContext) -> Person:
    """The person, if ``user`` may see them; otherwise the same 404 as for a person who does not exist.

    The read is written to the audit log; a refused read is logged as ``denied``.
    """
    person = people_visible_to(user, purpose).filter(pk=person_id).select_related("la_of_residence").first()
    if person is None:
        audit.record(user, "denied", context, person_id=person_id, detail={"reason": "no relationship"})
        raise Http404("No such young person")
    audit.record(user, "view", context, person_id=person.pk, fields=["identity", "characteristics", "enrolments"])
    return person


def can_see_sensitive(user: Any, on: datetime.date | None = None) -> bool:
    """Whether ``user`` may see special-category characteristics of the people visible to them."""
    return any(m.role in SENSITIVE_ROLES for m in _memberships(user, on or timezone.localdate()))
