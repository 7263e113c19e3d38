"""The only writers of the register. Each function takes the acting user and an audit context, runs in one
transaction, and writes its audit row in that transaction."""

from .organisations import add_membership, create_organisation, create_user, set_preferred_language
from .persons import add_characteristic, add_contact, create_person, end_enrolment, enrol, update_person
from .reference import load_reference_data
from .retention import anonymise_person, delete_person

__all__ = [
    "add_characteristic",
    "add_contact",
    "add_membership",
    "anonymise_person",
    "create_organisation",
    "create_person",
    "create_user",
    "delete_person",
    "end_enrolment",
    "enrol",
    "load_reference_data",
    "set_preferred_language",
    "update_person",
]
