"""Opening and ending relationships with a young person, and sharing a record with another organisation.

Brokerage, referrals, panels and applications (later apps) call these; the policy reads what they write.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people.models import Organisation, Person

from .. import audit
from .. import categories as C
from ..agreements import check_flow
from ..models import Relationship, RelationshipKind


class FlowBlocked(ValidationError):
    """A flow of personal data no agreement allows; the message says why and what would allow it."""


@transaction.atomic
def open_relationship(person: Person, kind: str, *, user: Any = None, organisation: Organisation | None = None,
                      start: datetime.date | None = None, source: str = "", actor: Any,
                      context: audit.AuditContext) -> Relationship:
    """Start a relationship (lead worker, referral, panel, applicant) that gives its holder access by the policy."""
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": [_("Unknown relationship %(kind)s.") % {"kind": kind}]})
    if user is None and organisation is None:
        raise ValidationError(_("A relationship needs a worker or an organisation."))
    relationship = Relationship.objects.create(
        person=person, kind=kind, user=user, organisation=organisation, start=start or timezone.localdate(),
        source=source, opened_by=audit.label(actor))
    audit.record(actor, "create", context, person_id=person.pk, object_type="relationship",
                 object_id=relationship.pk, detail={"kind": kind, "user": getattr(user, "username", None),
                                                    "organisation": organisation.ref if organisation else None})
    return relationship


@transaction.atomic
def end_relationship(relationship: Relationship, *, end: datetime.date | None = None, actor: Any,
                     context: audit.AuditContext) -> None:
    """End a relationship; access ends with it (history stays readable for the configured period)."""
    day = end or timezone.localdate()
    if day < relationship.start:
        raise ValidationError({"end": [_("The end date must be on or after the start date.")]})
    relationship.end = day
    relationship.save(update_fields=["end"])
    audit.record(actor, "change", context, person_id=relationship.person_id, object_type="relationship",
                 object_id=relationship.pk, fields=["end"])


def share_with_organisation(person: Person, organisation: Organisation, wanted: Iterable[str], *,
                            purpose: str, actor: Any, context: audit.AuditContext) -> Relationship:
    """Add ``organisation`` as a supporting service seeing ``wanted`` categories of the record.

    Allowed only under an active agreement between the young person's LA and the organisation that covers the
    categories (and never beyond name, address and date of birth after an ESA s72 objection). A blocked flow
    raises ``FlowBlocked`` saying why, is logged as denied, and changes nothing else.
    """
    wanted = set(wanted) | {C.IDENTITY}
    unknown = wanted - C.ALL
    if unknown:
        raise ValidationError({"categories": [_("Unknown data categories: %(names)s.")
                                              % {"names": ", ".join(sorted(unknown))}]})
    if person.la_of_residence is None:
        raise FlowBlocked(_("This young person has no local authority of residence to share from."))
    check = check_flow(person, person.la_of_residence, organisation, wanted)
    if not check.allowed:
        # Logged in its own transaction before refusing, so the refusal is on record.
        audit.record(actor, "denied", context, person_id=person.pk, object_type="flow", fields=sorted(wanted),
                     detail={"to": organisation.ref, "reason": check.message})
        raise FlowBlocked(check.message)
    with transaction.atomic():
        return _open_supporting_service(person, organisation, wanted, check.agreement, purpose, actor, context)


def _open_supporting_service(person: Person, organisation: Organisation, wanted: set[str], agreement: Any,
                             purpose: str, actor: Any, context: audit.AuditContext) -> Relationship:
    relationship = Relationship.objects.create(
        person=person, kind=RelationshipKind.SUPPORTING_SERVICE, organisation=organisation,
        categories=sorted(wanted), agreement=agreement, start=timezone.localdate(), source=purpose,
        opened_by=audit.label(actor))
    audit.record(actor, "share", context, person_id=person.pk, object_type="relationship",
                 object_id=relationship.pk, fields=sorted(wanted),
                 detail={"to": organisation.ref, "agreement": agreement.pk if agreement else None,
                         "purpose": purpose})
    return relationship
