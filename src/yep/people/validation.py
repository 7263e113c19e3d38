"""Validation of a young person's details, shared by the web form, the API and imports.

``clean_person`` checks every field, collects every problem, and raises one ``ValidationError`` whose
messages are keyed by field, in the user's language. Nothing is written here.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto, identifiers
from .models import Organisation, OrganisationKind, Person, Sex
from .models.persons import academic_age

NAME_FIELDS = ("legal_forenames", "legal_surname", "preferred_forename", "preferred_surname")
TEXT_FIELDS = ("gender", "address_line1", "address_line2", "town", "phone")
MIN_AGE, MAX_AGE = 4, 25  # the register holds anyone of academic age 5-24 (DESIGN: ages), a year either side


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _clean_dob(raw: Any, errors: dict[str, str]) -> datetime.date | None:
    if isinstance(raw, datetime.date):
        dob = raw
    else:
        try:
            dob = datetime.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            errors["dob"] = _("Enter a real date of birth, for example 2009-03-27.")
            return None
    today = timezone.localdate()
    if dob > today:
        errors["dob"] = _("Date of birth must be in the past.")
    elif not MIN_AGE <= academic_age(dob, today) <= MAX_AGE:
        errors["dob"] = _("The register holds young people aged 5 to 24; check the date of birth.")
    return dob


def _clean_identifiers(data: Mapping[str, Any], cleaned: dict[str, Any], errors: dict[str, str],
                       instance: Person | None) -> None:
    others = Person.objects.exclude(pk=instance.pk) if instance else Person.objects.all()
    checks = (
        ("upn", identifiers.check_upn),
        ("uln", identifiers.check_uln),
        ("ni_number", identifiers.check_ni_number),
    )
    for field, check in checks:
        raw = _text(data, field)
        if not raw:
            cleaned[field] = None
            continue
        try:
            cleaned[field] = check(raw)
        except ValueError as error:
            errors[field] = str(error)
            continue
        taken = (others.filter(ni_number_digest=crypto.digest(cleaned[field])) if field == "ni_number"
                 else others.filter(**{field: cleaned[field]}))
        if taken.exists():
            # Says the identifier is in use without saying whose record holds it.
            errors[field] = _("This identifier is already on the register. Search for the young person instead.")


def _clean_la(data: Mapping[str, Any], cleaned: dict[str, Any], errors: dict[str, str]) -> None:
    code = _text(data, "la_code")
    if not code:
        cleaned["la_of_residence"] = None
        return
    la = Organisation.objects.filter(kind=OrganisationKind.LA, code=code).first()
    if la is None:
        errors["la_code"] = _("There is no local authority with code %(code)s.") % {"code": code}
    cleaned["la_of_residence"] = la


def _clean_contact_details(data: Mapping[str, Any], cleaned: dict[str, Any], errors: dict[str, str]) -> None:
    postcode = _text(data, "postcode")
    cleaned["postcode"] = ""
    if postcode:
        try:
            cleaned["postcode"] = identifiers.check_postcode(postcode)
        except ValueError as error:
            errors["postcode"] = str(error)
    email = _text(data, "email")
    cleaned["email"] = email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter an email address in the right format, like name@example.com.")


def _clean_choices(data: Mapping[str, Any], cleaned: dict[str, Any], errors: dict[str, str]) -> None:
    sex = _text(data, "sex") or Sex.NOT_KNOWN
    if sex not in Sex.values:
        errors["sex"] = _("Sex must be F, M or U (not known).")
    cleaned["sex"] = sex
    language = _text(data, "preferred_language") or "en"
    if language not in ("en", "cy"):
        errors["preferred_language"] = _("Preferred language must be cy (Welsh) or en (English).")
    cleaned["preferred_language"] = language


def clean_person(data: Mapping[str, Any], *, instance: Person | None = None) -> dict[str, Any]:
    """Check a young person's details; return them cleaned, or raise one ValidationError listing every problem."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in NAME_FIELDS + TEXT_FIELDS:
        cleaned[field] = " ".join(_text(data, field).split())
    for field in ("legal_forenames", "legal_surname"):
        if not cleaned[field]:
            errors[field] = _("Enter the young person's legal name.")
    cleaned["dob"] = _clean_dob(data.get("dob"), errors)
    _clean_choices(data, cleaned, errors)
    _clean_contact_details(data, cleaned, errors)
    _clean_identifiers(data, cleaned, errors, instance)
    _clean_la(data, cleaned, errors)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return cleaned
