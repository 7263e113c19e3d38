"""The only writer of England's September Guarantee records (issue 6, item 2): the careers service or the EPC
records the offer made to a young person finishing Year 11 or 12 (or that none was made, or that an offer is not
appropriate). Records are history: each call adds a row, and the latest counts.

``record_offer`` takes the acting user and an audit context, checks the actor's right first (refusals are
audited), validates all its input before writing anything, and runs in one transaction."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import Organisation, Person

from . import guarantee as reads
from .models import GuaranteeOffer, GuaranteeOfferType, GuaranteeStatus
from .queries import tracked_las

MAX_NOTES = 2000
PERMISSION = "track.collect_destinations"

Errors = dict[str, list[str]]


def _check(actor: Any, person: Person, context: audit.AuditContext) -> None:
    """The careers service or the EPC, able to change the young person's record; a command (no user) may."""
    if not getattr(actor, "pk", None):
        return
    decision = decide(actor, person.pk)
    if not (actor.has_perm(PERMISSION) and decision is not None and decision.can_change):
        audit.record(actor, "denied", context, person_id=person.pk, object_type="guarantee_offer",
                     detail={"wanted": "record_offer"})
        raise PermissionDenied(_("You cannot record a September Guarantee offer for this young person."))


def _year(value: Any, errors: Errors) -> int | None:
    this_year = timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not this_year - 1 <= year <= this_year + 1:
        errors["year"] = [_("Enter the September of the guarantee: last year, this year or next year.")]
        return None
    return year


def _year_group(value: Any, errors: Errors) -> int | None:
    try:
        year_group = int(value)
    except (TypeError, ValueError):
        year_group = None
    if year_group not in reads.YEAR_GROUPS:
        errors["year_group"] = [_("Choose Year 11 or Year 12.")]
        return None
    return year_group


def _offer_type(status: str, value: Any, errors: Errors) -> str:
    offer_type = str(value or "").strip()
    if status == GuaranteeStatus.OFFER_MADE:
        if offer_type not in GuaranteeOfferType.values:
            errors["offer_type"] = [_("Choose the type of place offered.")]
    elif offer_type:
        errors["offer_type"] = [_("Only give the type of place when an offer was made.")]
    return offer_type


def _provider(value: Any, errors: Errors) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        provider: Organisation | None = value
    else:
        pk = str(value).strip()
        provider = Organisation.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if provider is None or provider.kind not in reads.PROVIDER_KINDS:
        errors["provider"] = [_("Choose a school, college, training provider or employer.")]
        return None
    return provider


def _in_cohort(actor: Any, person: Person, year: int | None, year_group: int | None, errors: Errors) -> None:
    if year is None or year_group is None:
        return
    las = tracked_las(actor) if getattr(actor, "pk", None) else list(
        Organisation.objects.filter(kind="la").values_list("pk", flat=True))
    if not reads.in_cohort(person, year, year_group, las):
        errors["year_group"] = [_("This young person is not in your area's Year %(group)s cohort for September "
                                  "%(year)s.") % {"group": year_group, "year": year}]


def record_offer(person: Person, *, year: Any, year_group: Any, status: Any, offer_type: Any = "",
                 provider: Any = None, notes: Any = "", actor: Any, context: audit.AuditContext) -> GuaranteeOffer:
    """Record ``person``'s September Guarantee status for ``year`` (the September) and ``year_group`` (11 or
    12): an offer made (with its type and, optionally, where), an offer not appropriate, or no offer."""
    _check(actor, person, context)
    errors: Errors = {}
    checked_year = _year(year, errors)
    checked_group = _year_group(year_group, errors)
    status = str(status or "").strip()
    if status not in GuaranteeStatus.values:
        errors["status"] = [_("Choose whether an offer was made.")]
    checked_type = _offer_type(status, offer_type, errors)
    checked_provider = _provider(provider, errors)
    if checked_provider is not None and status != GuaranteeStatus.OFFER_MADE and "status" not in errors:
        errors["provider"] = [_("Only give where the place is when an offer was made.")]
    notes = str(notes or "").strip()
    if len(notes) > MAX_NOTES:
        errors["notes"] = [_("Keep the notes under %(max)s characters.") % {"max": MAX_NOTES}]
    _in_cohort(actor, person, checked_year, checked_group, errors)
    if errors:
        raise ValidationError(errors)
    assert checked_year is not None and checked_group is not None  # noqa: S101 - checked above
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        offer = GuaranteeOffer.objects.create(
            person=person, guarantee_year=checked_year, year_group=checked_group, status=status,
            offer_type=checked_type, provider=checked_provider, notes=notes, recorded_at=timezone.now(),
            recorded_by=user, recorded_by_label=audit.label(actor))
        audit.record(actor, "create", context, person_id=person.pk, object_type="guarantee_offer",
                     object_id=offer.pk, fields=["september_guarantee"],
                     detail={"year": checked_year, "year_group": checked_group, "status": status,
                             "offer_type": checked_type, "provider": checked_provider.pk if checked_provider
                             else None})
    return offer
