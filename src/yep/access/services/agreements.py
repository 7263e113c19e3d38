"""Registering sharing agreements and changing their status."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.people.models import Organisation

from .. import audit
from .. import categories as C
from ..models import SharingAgreement


def _check(name: str, parties: list[Organisation], lawful_basis: str, categories: set[str],
           special_category_condition: str, start: datetime.date, end: datetime.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the agreement a name.")]
    if len(parties) < 2:
        errors["parties"] = [_("An agreement needs at least two organisations.")]
    if not lawful_basis.strip():
        errors["lawful_basis"] = [_("Record the lawful basis under UK GDPR Article 6.")]
    if not categories:
        errors["categories"] = [_("Choose the categories of data the agreement allows to flow.")]
    elif categories - C.ALL:
        errors["categories"] = [_("Unknown data categories: %(names)s.")
                                % {"names": ", ".join(sorted(categories - C.ALL))}]
    elif C.SENSITIVE in categories and not special_category_condition.strip():
        errors["special_category_condition"] = [
            _("Sensitive characteristics are special category data: record the Article 9 condition.")]
    if end is not None and end < start:
        errors["end"] = [_("The end date must be on or after the start date.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_agreement(*, name: str, parties: Iterable[Organisation], purpose: str, lawful_basis: str,
                       categories: Iterable[str], start: datetime.date, end: datetime.date | None = None,
                       special_category_condition: str = "", statute: str = "", document_reference: str = "",
                       status: str = SharingAgreement.Status.ACTIVE, actor: Any,
                       context: audit.AuditContext) -> SharingAgreement:
    """Record an information sharing protocol. Every field is checked; nothing is saved when one is wrong."""
    parties, wanted = list(parties), set(categories)
    _check(name, parties, lawful_basis, wanted, special_category_condition, start, end)
    agreement = SharingAgreement.objects.create(
        name=name.strip(), purpose=purpose, lawful_basis=lawful_basis.strip(),
        special_category_condition=special_category_condition.strip(), statute=statute.strip(),
        categories=sorted(wanted), start=start, end=end, status=status, document_reference=document_reference,
        created_by=audit.label(actor))
    agreement.parties.set(parties)
    audit.record(actor, "create", context, object_type="sharing_agreement", object_id=agreement.pk,
                 detail={"parties": [p.ref for p in parties], "categories": sorted(wanted), "status": status})
    return agreement


@transaction.atomic
def set_agreement_status(agreement: SharingAgreement, status: str, *, actor: Any,
                         context: audit.AuditContext) -> None:
    if status not in SharingAgreement.Status.values:
        raise ValidationError({"status": [_("Unknown status %(status)s.") % {"status": status}]})
    agreement.status = status
    agreement.save(update_fields=["status"])
    audit.record(actor, "change", context, object_type="sharing_agreement", object_id=agreement.pk,
                 fields=["status"], detail={"status": status})
