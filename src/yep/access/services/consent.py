"""Recording consent per purpose and objections to sharing, and withdrawing them (history is kept)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people.models import Person

from .. import audit
from ..models import Consent, ConsentPurpose, Objection

ADULT_FROM_AGE = 16  # under 16, consent is given by a parent or carer (Gillick competence is a judgement: noted)


@transaction.atomic
def record_consent(person: Person, purpose: str, *, given_by: str, given_by_name: str, method: str,
                   given_on: datetime.date | None = None, expires_on: datetime.date | None = None, actor: Any,
                   context: audit.AuditContext) -> Consent:
    """Record consent for one purpose. For an under-16 it must come from a parent or carer."""
    day = given_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Unknown purpose %(purpose)s.") % {"purpose": purpose}]
    if given_by not in Consent.GivenBy.values:
        errors["given_by"] = [_("Say who gave consent: the young person, or a parent or carer.")]
    elif given_by == Consent.GivenBy.YOUNG_PERSON and person.academic_age(day) < ADULT_FROM_AGE - 1:
        errors["given_by"] = [_("This young person is under 16: a parent or carer gives consent for them.")]
    if not given_by_name.strip():
        errors["given_by_name"] = [_("Enter the name of the person who gave consent.")]
    if method not in Consent.Method.values:
        errors["method"] = [_("Say how consent was given.")]
    if expires_on and expires_on <= day:
        errors["expires_on"] = [_("Consent must expire after the day it was given.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(person=person, purpose=purpose, given_by=given_by,
                                     given_by_name=given_by_name.strip(), method=method, given_on=day,
                                     expires_on=expires_on, recorded_by=audit.label(actor))
    audit.record(actor, "create", context, person_id=person.pk, object_type="consent", object_id=consent.pk,
                 fields=[purpose])
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, on: datetime.date | None = None, actor: Any,
                     context: audit.AuditContext) -> None:
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    audit.record(actor, "change", context, person_id=consent.person_id, object_type="consent",
                 object_id=consent.pk, fields=["withdrawn_on"])


@transaction.atomic
def record_objection(person: Person, *, made_by: str, start: datetime.date | None = None, actor: Any,
                     context: audit.AuditContext) -> Objection:
    """Record an ESA 2008 s72 'do not share' objection: from now only name, address and date of birth flow."""
    if made_by not in Consent.GivenBy.values:
        raise ValidationError({"made_by": [_("Say who objected: the young person, or a parent or carer.")]})
    objection = Objection.objects.create(person=person, made_by=made_by, start=start or timezone.localdate(),
                                         recorded_by=audit.label(actor))
    audit.record(actor, "create", context, person_id=person.pk, object_type="objection", object_id=objection.pk)
    return objection


@transaction.atomic
def end_objection(objection: Objection, *, on: datetime.date | None = None, actor: Any,
                  context: audit.AuditContext) -> None:
    objection.end = on or timezone.localdate()
    objection.save(update_fields=["end"])
    audit.record(actor, "change", context, person_id=objection.person_id, object_type="objection",
                 object_id=objection.pk, fields=["end"])


def has_consent(person: Person, purpose: str, on: datetime.date | None = None) -> bool:
    day = on or timezone.localdate()
    current = person.consents.filter(purpose=purpose, given_on__lte=day, withdrawn_on__isnull=True)
    return current.exclude(expires_on__lt=day).exists()
