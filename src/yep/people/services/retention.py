"""The register's side of retention: anonymising a young person's record for statistics, or deleting it.

Called by ``access.services.run_retention`` when a retention rule says a record is due; each call is audited.
Anonymising keeps what statistics need (year of birth, sex, local authority, characteristics and enrolments) and
removes everything that identifies the young person or reaches them (names, contact details, identifiers,
parents and carers, search keys).
"""

import datetime
from typing import Any

from django.db import transaction

from yep.access import audit

from ..models import Person

# Stored, not shown through gettext: it is data, and must read the same in every language and in every export.
ANONYMISED = "Anonymised"

# Cleared to "" (or None for the unique identifiers) when a record is anonymised.
_CLEARED_TEXT = ("preferred_forename", "preferred_surname", "gender", "address_line1", "address_line2", "town",
                 "postcode", "postcode_key", "phone", "email", "ni_number_encrypted")
_CLEARED_NULL = ("upn", "uln", "ni_number_digest")


def is_anonymised(person: Person) -> bool:
    return person.legal_forenames == ANONYMISED and person.legal_surname == ANONYMISED


def _anonymised_dob(dob: datetime.date) -> datetime.date:
    """Keep the year of birth only: mid-year, so an age computed from it is never more than six months out."""
    return datetime.date(dob.year, 7, 1)


@transaction.atomic
def anonymise_person(person: Person, *, actor: Any, context: audit.AuditContext) -> list[str]:
    """Remove everything that identifies ``person``; keep year of birth, sex, LA, characteristics and enrolments.

    Idempotent: an anonymised record is left as it is, unaudited, and ``[]`` returned. Otherwise returns the
    fields cleared.
    Parents' and carers' details (``Contact``) and the name search keys (``PersonName``) are deleted.
    """
    targets: dict[str, Any] = {"legal_forenames": ANONYMISED, "legal_surname": ANONYMISED,
                               "dob": _anonymised_dob(person.dob)}
    targets.update(dict.fromkeys(_CLEARED_TEXT, ""))
    targets.update(dict.fromkeys(_CLEARED_NULL))
    changed = [field for field, value in targets.items() if getattr(person, field) != value]
    for field in changed:
        setattr(person, field, targets[field])
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    contacts, _by_model = person.contacts.all().delete()
    names, _by_model = person.names.all().delete()
    if contacts:
        changed.append("contacts")
    if not changed and not names:
        return []
    audit.record(actor, "change", context, person_id=person.pk, fields=changed,
                 detail={"retention": "anonymised", "contacts_deleted": contacts})
    return changed


@transaction.atomic
def delete_person(person: Person, *, actor: Any, context: audit.AuditContext) -> None:
    """Delete ``person`` and everything hanging from their record (names, contacts, characteristics, enrolments,
    relationships, consents, objections, break-glass accesses, rectification requests).

    The audit log keeps the person's id, never their details; the deletion itself is logged first, in the same
    transaction, so a failed delete leaves no event behind.
    """
    audit.record(actor, "change", context, person_id=person.pk, fields=["*"], detail={"retention": "deleted"})
    person.delete()
