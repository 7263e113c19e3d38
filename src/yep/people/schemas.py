"""API shapes of the register (pydantic, via django-ninja)."""

import datetime

from ninja import P, PathEx, Schema

MAX_ID = 2**63 - 1  # ids are 64-bit: a larger number is no id at all (422, not a database error)
RecordId = PathEx[int, P(ge=1, le=MAX_ID)]


class PersonSummary(Schema):
    id: int
    legal_forenames: str
    legal_surname: str
    preferred_forename: str
    dob: datetime.date
    postcode: str
    la_code: str | None
    upn: str | None
    uln: str | None


class CharacteristicOut(Schema):
    kind: str
    value: str
    start: datetime.date
    end: datetime.date | None


class EnrolmentOut(Schema):
    organisation: str
    organisation_ref: str
    year_group: int | None
    start: datetime.date
    end: datetime.date | None
    end_reason: str


class ContactOut(Schema):
    name: str
    relationship: str
    phone: str
    email: str
    has_parental_responsibility: bool


class AccessOut(Schema):
    """What the caller may see of this record and why: the categories opened, the mode and the grounds."""

    mode: str
    categories: list[str]
    grounds: list[str]


class PersonDetail(PersonSummary):
    """A young person's record. Fields in a category the caller's access does not open are null."""

    postcode: str | None  # type: ignore[assignment]  # null without the contact category
    preferred_surname: str
    sex: str
    gender: str
    address_line1: str | None
    address_line2: str | None
    town: str | None
    preferred_language: str
    phone: str | None
    email: str | None
    academic_age: int
    ni_number_recorded: bool
    contacts: list[ContactOut] | None
    characteristics: list[CharacteristicOut]
    restricted_characteristics: int
    enrolments: list[EnrolmentOut] | None
    access: AccessOut


class PersonIn(Schema):
    """A young person to add. Every field is checked by the register's validation, which lists every problem."""

    legal_forenames: str
    legal_surname: str
    dob: str
    preferred_forename: str = ""
    preferred_surname: str = ""
    sex: str = "U"
    gender: str = ""
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    postcode: str = ""
    la_code: str = ""
    preferred_language: str = "en"
    phone: str = ""
    email: str = ""
    upn: str = ""
    uln: str = ""
    ni_number: str = ""


class OrganisationOut(Schema):
    ref: str
    kind: str
    name: str
    name_cy: str
    code: str
    la_code: str | None


class Error(Schema):
    detail: str
