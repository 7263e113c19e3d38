"""What a source's columns can mean: the person-layout fields linkage compares, and the payload fields that update
the activity timeline once a record is linked. Each source keeps a column mapping (field -> the file's column);
``clean_row`` checks one row against it, in the user's language, without touching the database.

DWP's Universal Credit claim closure reasons (seed 000 Table 4.1) are a payload field: those with a clear meaning
become an activity (full-time education, custody); the rest stay on the record for the careers adviser to read.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.people.identifiers import postcode_key

from .models import SourceKind


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    person: bool  # compared by linkage (else payload)


FIELDS: tuple[Field, ...] = (
    Field("record_id", _("The source's id for the row"), True),
    Field("first_name", _("Forename"), True),
    Field("last_name", _("Surname"), True),
    Field("date_of_birth", _("Date of birth"), True),
    Field("sex", _("Sex"), True),
    Field("postcode", _("Postcode"), True),
    Field("address", _("Address"), True),
    Field("upn", _("UPN"), True),
    Field("uln", _("ULN"), True),
    Field("ni_number", _("NI number"), True),
    Field("activity_code", _("Activity code (NCCIS)"), False),
    Field("activity_start", _("Activity start date"), False),
    Field("activity_end", _("Activity end date"), False),
    Field("hours_per_week", _("Hours a week"), False),
    Field("closure_reason", _("Universal Credit claim closure reason"), False),
    Field("year_group", _("Year group"), False),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
PERSON_FIELDS = tuple(f.name for f in FIELDS if f.person)

# Which fields each kind of source usually carries (seed 000 §2.4); its file's columns are named the same.
_CARRIES: dict[str, tuple[str, ...]] = {
    SourceKind.SCHOOL_CENSUS: ("first_name", "last_name", "date_of_birth", "sex", "postcode", "address", "upn",
                               "year_group"),
    SourceKind.EXAMINATIONS: ("first_name", "last_name", "date_of_birth", "sex", "postcode", "uln"),
    SourceKind.FE_LEARNERS: ("first_name", "last_name", "date_of_birth", "sex", "postcode", "uln", "activity_code",
                             "activity_start", "activity_end", "hours_per_week"),
    SourceKind.HIGHER_EDUCATION: ("first_name", "last_name", "date_of_birth", "postcode", "activity_code",
                                  "activity_start"),
    SourceKind.DWP: ("first_name", "last_name", "date_of_birth", "postcode", "ni_number", "closure_reason",
                     "activity_start"),
    SourceKind.CAREERS_CRM: ("first_name", "last_name", "date_of_birth", "sex", "postcode", "address", "upn", "uln",
                             "ni_number", "activity_code", "activity_start"),
    SourceKind.LA_TRACKING: ("first_name", "last_name", "date_of_birth", "sex", "postcode", "activity_code",
                             "activity_start"),
}

# Table 4.1 (seed 000): the closure reasons DWP sends. Those mapped here become an activity with that NCCIS code.
CLOSURE_REASONS = (
    "Ineligible Capital", "Ineligible, state pension age or pension credit age", "Fraud intervention",
    "Moved abroad", "Full time education", "Deceased", "Incorrect NINO", "New claim not eligible or entitled",
    "Ineligible aged 16 or 17", "In legal custody", "In prison", "Claimant commitment not accepted",
    "Insufficient evidence", "Moved to Northern Ireland", "Failed to book initial interview",
    "Outside UC digital postcode", "Failed to Attend",
)
CLOSURE_ACTIVITY = {"Full time education": 270, "In legal custody": 710, "In prison": 710}
_CLOSURE_KEYS = {reason.casefold(): reason for reason in CLOSURE_REASONS}

_SEXES = {"m": "M", "male": "M", "1": "M", "f": "F", "female": "F", "2": "F", "u": "", "x": "", "0": "", "9": ""}


def default_mapping(kind: str) -> dict[str, str]:
    """The mapping a new source of this kind starts with: every field it usually carries, from a column of the
    same name."""
    return {name: name for name in ("record_id", *_CARRIES.get(kind, PERSON_FIELDS[1:]))}


def check_mapping(mapping: Mapping[str, Any]) -> list[str]:
    """What is wrong with a column mapping, in words (empty when it is usable)."""
    problems = []
    unknown = sorted(set(mapping) - set(FIELD_NAMES))
    if unknown:
        problems.append(str(_("These are not fields a column can map to: %(fields)s.") % {
            "fields": ", ".join(unknown)}))
    if not str(mapping.get("record_id") or "").strip():
        problems.append(str(_("Say which column holds the source's id for each row.")))
    if not any(str(mapping.get(name) or "").strip() for name in ("last_name", "upn", "uln", "ni_number")):
        problems.append(str(_("Map a surname or an identifier (UPN, ULN or NI number): linkage needs one.")))
    if str(mapping.get("activity_code") or "").strip() and not str(mapping.get("activity_start") or "").strip():
        problems.append(str(_("An activity code needs its start date mapped too.")))
    return problems


def parse_date(text: str) -> datetime.date:
    """A date as YYYY-MM-DD or DD/MM/YYYY (what spreadsheets write)."""
    day, month, year = (text.split("/") + ["", ""])[:3] if "/" in text else reversed((text.split("-") + ["", ""])[:3])
    with contextlib.suppress(ValueError):  # not digits, or not a day of the calendar: the message below says how
        if len(year) == 4 and len(month) <= 2 and len(day) <= 2:
            return datetime.date(int(year), int(month), int(day))
    raise ValueError(_("Enter a date as YYYY-MM-DD or DD/MM/YYYY."))


def _sex(text: str) -> str:
    try:
        return _SEXES[text.casefold()]
    except KeyError:
        raise ValueError(_("Use M, F or leave it blank.")) from None


def _hours(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 80:
        raise ValueError(_("Enter whole hours from 0 to 80."))
    return int(text)


def _closure_reason(text: str) -> str:
    try:
        return _CLOSURE_KEYS[text.casefold()]
    except KeyError:
        raise ValueError(_("This is not one of DWP's claim closure reasons (seed 000 Table 4.1).")) from None


def _year_group(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 14:
        raise ValueError(_("Enter a year group from 1 to 14."))
    return int(text)


def _text(limit: int) -> Any:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(_("This is longer than %(limit)s characters.") % {"limit": limit})
        return text
    return parse


def _identifier(limit: int) -> Any:
    def parse(text: str) -> str:
        compact = "".join(text.split()).upper().replace("-", "")
        if len(compact) > limit:
            raise ValueError(_("This is longer than %(limit)s characters.") % {"limit": limit})
        return compact
    return parse


def _postcode(text: str) -> str:
    compact = postcode_key(text)
    if len(compact) > 7:
        raise ValueError(_("Enter a real postcode, like CF10 1AA."))
    # The standard form with one space when it parses; a postcode that does not is still compared as it is.
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def _activity_code(text: str) -> int:
    if not text.isdigit() or not 100 <= int(text) <= 999:
        raise ValueError(_("An activity code is an NCCIS code from 110 to 830."))
    return int(text)


PARSERS: dict[str, Any] = {
    "record_id": _text(100), "first_name": _text(100), "last_name": _text(100), "date_of_birth": parse_date,
    "sex": _sex, "postcode": _postcode, "address": _text(300), "upn": _identifier(13), "uln": _identifier(10),
    "ni_number": _identifier(9), "activity_code": _activity_code, "activity_start": parse_date,
    "activity_end": parse_date, "hours_per_week": _hours, "closure_reason": _closure_reason,
    "year_group": _year_group,
}


def check_row(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Checks across a parsed row: (field, reason) for each problem."""
    problems = []
    # Something to link on: an identifier, or two of the fields people are matched by (DWP's rows can lack a
    # surname and still carry a forename, date of birth and postcode).
    known = sum(bool(row.get(name)) for name in ("first_name", "last_name", "date_of_birth", "postcode"))
    if not (row.get("upn") or row.get("uln") or row.get("ni_number")) and known < 2:
        problems.append(("record_id", str(_("there is too little to link this row by: it needs a UPN, ULN or NI "
                                            "number, or two of forename, surname, date of birth and postcode"))))
    if row.get("activity_code") and not row.get("activity_start"):
        problems.append(("activity_start", str(_("an activity needs its start date"))))
    start, end = row.get("activity_start"), row.get("activity_end")
    if start and end and end < start:
        problems.append(("activity_end", str(_("the activity ends before it starts"))))
    return problems
