"""The register's models: reference data, organisations and staff, and young people.

Other apps read these through ``people.queries`` and ``access``; only ``people.services`` writes them.
"""

from .organisations import Membership, Organisation, OrganisationKind, Role, SchoolType, User
from .persons import (
    Characteristic,
    CharacteristicKind,
    Contact,
    Enrolment,
    EnrolmentEndReason,
    Person,
    PersonName,
    Sex,
)
from .reference import (
    ActivityCode,
    ActivityGroup,
    AlnCategory,
    Bilingual,
    EthnicityCode,
    NameForm,
    ReferenceVersion,
    Tier,
    YearGroup,
)

__all__ = [
    "ActivityCode",
    "ActivityGroup",
    "AlnCategory",
    "Bilingual",
    "Characteristic",
    "CharacteristicKind",
    "Contact",
    "Enrolment",
    "EnrolmentEndReason",
    "EthnicityCode",
    "Membership",
    "NameForm",
    "Organisation",
    "OrganisationKind",
    "Person",
    "PersonName",
    "ReferenceVersion",
    "Role",
    "SchoolType",
    "Sex",
    "Tier",
    "User",
    "YearGroup",
]
