"""Creating and changing young people's records: identity, contacts, characteristics, enrolments."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.access import audit

from .. import crypto, identifiers, names
from ..models import Characteristic, CharacteristicKind, Contact, Enrolment, Organisation, Person, PersonName
from ..models.persons import Relationship
from ..validation import clean_person

_PERSON_FIELDS = (
    "legal_forenames", "legal_surname", "preferred_forename", "preferred_surname", "dob", "sex", "gender",
    "address_line1", "address_line2", "town", "postcode", "la_of_residence", "preferred_language", "phone",
    "email", "upn", "uln",
)


def name_rows(person: Person) -> list[PersonName]:
    """The search keys for every name the person is known by (legal and preferred), without duplicates."""
    forenames = {person.legal_forenames.split(" ")[0], person.preferred_forename}
    surnames = {person.legal_surname, person.preferred_surname}
    rows = {}
    for forename in filter(None, forenames):
        for surname in filter(None, surnames):
            key = names.surname_key(surname)
            row = PersonName(person=person, forename_key=names.fold(forename),
                             forename_group=names.forename_group(forename),
                             surname_key=key, surname_sound=names.sound(key))
            rows[(row.forename_key, row.surname_key)] = row
    return list(rows.values())


def _apply(person: Person, cleaned: Mapping[str, Any]) -> list[str]:
    changed = []
    for field in _PERSON_FIELDS:
        if getattr(person, field) != cleaned[field]:
            setattr(person, field, cleaned[field])
            changed.append(field)
    person.postcode_key = identifiers.postcode_key(person.postcode)
    ni = cleaned.get("ni_number")
    digest = crypto.digest(ni) if ni else None
    if digest != person.ni_number_digest:
        person.ni_number_encrypted = crypto.encrypt(ni) if ni else ""
        person.ni_number_digest = digest
        changed.append("ni_number")
    return changed


@transaction.atomic
def create_person(data: Mapping[str, Any], *, actor: Any, context: audit.AuditContext) -> Person:
    """Add a young person to the register after validating every field; raises ValidationError and saves nothing
    on bad input."""
    cleaned = clean_person(data)
    person = Person()
    fields = _apply(person, cleaned)
    person.save(force_insert=True)
    PersonName.objects.bulk_create(name_rows(person))
    audit.record(actor, "create", context, person_id=person.pk, fields=fields)
    return person


@transaction.atomic
def update_person(person: Person, data: Mapping[str, Any], *, actor: Any, context: audit.AuditContext) -> list[str]:
    """Change a young person's details; returns the names of the fields that changed."""
    current = {field: getattr(person, field) for field in _PERSON_FIELDS}
    current["la_code"] = person.la_of_residence.code if person.la_of_residence else ""
    current["ni_number"] = crypto.decrypt(person.ni_number_encrypted)
    cleaned = clean_person({**current, **data}, instance=person)
    changed = _apply(person, cleaned)
    if changed:
        person.save(update_fields=[f for f in changed if f != "ni_number"]
                    + ["postcode_key", "ni_number_encrypted", "ni_number_digest", "updated_at"])
        person.names.all().delete()
        PersonName.objects.bulk_create(name_rows(person))
        audit.record(actor, "change", context, person_id=person.pk, fields=changed)
    return changed


def set_merged_into(person: Person, into: Person | None, *, actor: Any, context: audit.AuditContext) -> None:
    """Record that ``person`` was merged into ``into`` (the data hub's merge), or that the merge was undone."""
    person.merged_into = into
    person.save(update_fields=["merged_into", "updated_at"])
    audit.record(actor, "change", context, person_id=person.pk, fields=["merged_into"],
                 detail={"merged_into": into.pk if into else None})


def _check_dates(start: datetime.date, end: datetime.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError({"end": [_("The end date must be on or after the start date.")]})


@transaction.atomic
def add_characteristic(person: Person, kind: str, *, start: datetime.date, end: datetime.date | None = None,
                       value: str = "", source: str = "", actor: Any, context: audit.AuditContext) -> Characteristic:
    """Record an effective-dated characteristic (FSM, looked after, ALN with its plan level, ...)."""
    if kind not in CharacteristicKind.values:
        raise ValidationError({"kind": [_("Unknown characteristic %(kind)s.") % {"kind": kind}]})
    _check_dates(start, end)
    characteristic = Characteristic.objects.create(
        person=person, kind=kind, value=value, start=start, end=end, source=source
    )
    audit.record(actor, "create", context, person_id=person.pk, object_type="characteristic",
                 object_id=characteristic.pk, fields=[kind])
    return characteristic


@transaction.atomic
def add_contact(person: Person, *, name: str, relationship: str, phone: str = "", email: str = "",
                has_parental_responsibility: bool = False, actor: Any, context: audit.AuditContext) -> Contact:
    if not name.strip():
        raise ValidationError({"name": [_("Enter the contact's name.")]})
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": [_("Unknown relationship %(value)s.") % {"value": relationship}]})
    contact = Contact.objects.create(person=person, name=name.strip(), relationship=relationship, phone=phone,
                                     email=email, has_parental_responsibility=has_parental_responsibility)
    audit.record(actor, "create", context, person_id=person.pk, object_type="contact", object_id=contact.pk,
                 fields=["name", "relationship", "phone", "email"])
    return contact


@transaction.atomic
def enrol(person: Person, organisation: Organisation, *, start: datetime.date, year_group: int | None = None,
          actor: Any, context: audit.AuditContext) -> Enrolment:
    """Start an enrolment; an open enrolment elsewhere ends the day before (the record follows the young person)."""
    for current in person.enrolments.filter(end__isnull=True).exclude(organisation=organisation):
        end_enrolment(current, end=start - datetime.timedelta(days=1), reason="moved_school",
                      actor=actor, context=context)
    if year_group is not None and not 1 <= year_group <= 14:
        raise ValidationError({"year_group": [_("Year group must be between 1 and 14.")]})
    enrolment = Enrolment.objects.create(person=person, organisation=organisation, start=start,
                                         year_group=year_group)
    audit.record(actor, "create", context, person_id=person.pk, object_type="enrolment",
                 object_id=enrolment.pk, fields=["organisation", "year_group", "start"])
    return enrolment


@transaction.atomic
def change_year_group(enrolment: Enrolment, year_group: int, *, actor: Any, context: audit.AuditContext) -> None:
    """Correct the year group of an enrolment (a school census moves pupils up a year at the same school)."""
    if not 1 <= year_group <= 14:
        raise ValidationError({"year_group": [_("Year group must be between 1 and 14.")]})
    enrolment.year_group = year_group
    enrolment.save(update_fields=["year_group"])
    audit.record(actor, "change", context, person_id=enrolment.person_id, object_type="enrolment",
                 object_id=enrolment.pk, fields=["year_group"])


@transaction.atomic
def end_enrolment(enrolment: Enrolment, *, end: datetime.date, reason: str, actor: Any,
                  context: audit.AuditContext) -> None:
    _check_dates(enrolment.start, end)
    enrolment.end = end
    enrolment.end_reason = reason
    enrolment.save(update_fields=["end", "end_reason"])
    audit.record(actor, "change", context, person_id=enrolment.person_id, object_type="enrolment",
                 object_id=enrolment.pk, fields=["end", "end_reason"])
