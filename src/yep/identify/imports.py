"""Import kinds for early identification's indicators and the school census (`yep import KIND FILE`, or the upload
page): attendance, exclusions, behaviour, attainment, local indicators and census.

Every kind checks that each UPN is a young person the importer may see (the census instead creates the new ones),
refuses a row that repeats another's natural key, and hands the clean rows to ``identify.services``.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.access.policy import people_visible_to
from yep.imports import Column, ImportKind, RowError, register
from yep.people.identifiers import check_postcode, check_upn
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person, Role, Sex
from yep.people.validation import clean_person

from . import services
from .models import ExclusionKind, KeyStage, LocalIndicator, Term
from .services.indicators import census_person

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_FIXED_TERM_DAYS = 45  # a pupil may be excluded for at most 45 school days in one school year
MAX_INCIDENTS, MAX_LEVEL, SUBJECT_LENGTH, NAME_LENGTH = 999, 9, 30, 100
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

Rows = list[dict[str, Any]]
Resolver = Callable[[Rows, Any], list[RowError]]


@dataclass(frozen=True)
class Parser:
    """A column's parser with a hint for whoever prepares the file; the upload page shows the hint."""

    parse: Callable[[str], Any]
    hint: str | Promise

    def __call__(self, text: str) -> Any:
        return self.parse(text)


# --- Parsers: each returns the value or raises ValueError with a translated reason. ---

def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise ValueError(_("write the year the academic year starts, e.g. 2025")) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(_("write the year the academic year starts, e.g. 2025"))
    return year


def _term(text: str) -> str:
    value = text.strip().lower()
    if value not in Term.values:
        raise ValueError(_("the term is autumn, spring or summer"))
    return value


def _sessions(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(_("a whole number of sessions is needed")) from None
    if value < 0:
        raise ValueError(_("sessions cannot be negative"))
    return value


def _date(text: str) -> datetime.date:
    """YYYY-MM-DD (as XLSX dates arrive) or DD/MM/YYYY (as schools' systems write them)."""
    iso, uk = _ISO_DATE.match(text), _UK_DATE.match(text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return datetime.date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass  # a day or month out of range: the same message as any other bad date
    raise ValueError(_("write a real date as YYYY-MM-DD or DD/MM/YYYY"))


def _whole(text: str, low: int, high: int, reason: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(reason) from None
    if not low <= value <= high:
        raise ValueError(reason)
    return value


def _exclusion_kind(text: str) -> str:
    value = re.sub(r"[\s-]+", "_", text.strip().lower())
    if value not in ExclusionKind.values:
        raise ValueError(_("the kind is fixed_term or permanent"))
    return value


def _days(text: str) -> int:
    return _whole(text, 1, MAX_FIXED_TERM_DAYS, _("a whole number of school days from 1 to 45"))


def _severity(text: str) -> int:
    return _whole(text, 1, 3, _("the severity is 1 (minor), 2 (serious) or 3 (very serious)"))


def _incidents(text: str) -> int:
    return _whole(text, 1, MAX_INCIDENTS, _("a whole number of incidents from 1 to 999"))


def _key_stage(text: str) -> str:
    value = text.strip().upper().replace(" ", "")
    if value not in KeyStage.values:
        raise ValueError(_("the key stage is KS2 or KS3"))
    return value


def _subject(text: str) -> str:
    value = " ".join(text.lower().split())
    if len(value) > SUBJECT_LENGTH:
        raise ValueError(_("a subject name is at most 30 characters"))
    return value


def _level(text: str) -> int:
    return _whole(text, 0, MAX_LEVEL, _("a level is a whole number from 0 to 9"))


def _indicator_key(text: str) -> str:
    return text.strip().lower()


def _school_code(text: str) -> str:
    return text.strip()


def _name(text: str) -> str:
    value = " ".join(text.split())
    if len(value) > NAME_LENGTH:
        raise ValueError(_("a name is at most 100 characters"))
    return value


def _sex(text: str) -> str:
    value = text.strip().upper()
    if value not in Sex.values:
        raise ValueError(_("sex is F, M or U (not known)"))
    return value


def _year_group(text: str) -> int:
    value = _whole(text, 0, 14, _("a year group is a whole number from 0 to 14"))
    if value == 0:
        # The register's enrolments, and its year group reference data, start at Year 1 (academic age 5).
        raise ValueError(_("reception (year group 0) is not held on the register"))
    return value


# --- Checks across a row. ---

def _check_attendance(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["sessions_attended"] > row["sessions_possible"]:
        return [("sessions_attended", _("more sessions attended than possible"))]
    return []


def _check_exclusion(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["kind"] == ExclusionKind.FIXED_TERM and row["days"] is None:
        return [("days", _("a fixed-term exclusion needs its number of days"))]
    if row["kind"] == ExclusionKind.PERMANENT and row["days"] is not None:
        return [("days", _("leave the days empty for a permanent exclusion"))]
    return []


def _check_period(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["end"] is not None and row["end"] < row["start"]:
        return [("end", _("the end date is before the start date"))]
    return []


# --- Checks that need the database. ---

def _visible(actor: Any) -> QuerySet[Person]:
    """The young people an importer may import for: everyone for an operator at the command line (no user)."""
    return people_visible_to(actor) if actor is not None and getattr(actor, "pk", None) else Person.objects.all()


def _resolve_upns(rows: Rows, actor: Any) -> list[RowError]:
    """Every UPN must be a young person the importer may see; the message is the same for 'not on the register'
    and 'not yours', so a file cannot be used to probe the register."""
    found = dict(_visible(actor).filter(upn__in={r["upn"] for r in rows}).values_list("upn", "pk"))
    errors: list[RowError] = []
    for row in rows:
        row["person_id"] = found.get(row["upn"])
        if row["person_id"] is None:
            errors.append(RowError(row["_row"], "upn", row["upn"], _("not a pupil you can import for")))
    return errors


def _duplicates(rows: Rows, key: tuple[str, ...], message: Promise) -> list[RowError]:
    """A row repeating another's natural key would make the file's meaning depend on row order: refused."""
    errors: list[RowError] = []
    seen: dict[tuple[Any, ...], int] = {}
    column = key[-1]
    for row in rows:
        values = tuple(row[c] for c in key)
        if values in seen:
            errors.append(RowError(row["_row"], column, str(row[column]), str(message) % {"row": seen[values]}))
        seen.setdefault(values, row["_row"])
    return errors


def _pupils(key: tuple[str, ...], repeated: Promise, *more: Resolver) -> Resolver:
    """The usual resolver: known, visible pupils; no repeated key; then the kind's own checks."""

    def resolve(rows: Rows, actor: Any) -> list[RowError]:
        errors = _resolve_upns(rows, actor) + _duplicates(rows, key, repeated)
        for check in more:
            errors += check(rows, actor)
        return errors

    return resolve


def _schools_by_code(codes: set[str]) -> dict[str, Organisation]:
    return {o.code: o for o in Organisation.objects.filter(kind=OrganisationKind.SCHOOL, code__in=codes)}


def _resolve_schools(rows: Rows, actor: Any) -> list[RowError]:
    """An exclusion's school, when given, must be a school on the register."""
    schools = _schools_by_code({r["school"] for r in rows if r["school"]})
    errors: list[RowError] = []
    for row in rows:
        school = schools.get(row["school"]) if row["school"] else None
        row["organisation_id"] = school.pk if school else None
        if row["school"] and school is None:
            errors.append(RowError(row["_row"], "school", row["school"], _("there is no school with this code")))
    return errors


def importer_las(actor: Any, roles: tuple[str, ...] | None = None) -> set[int]:
    """The local authorities of the importer's organisations (an LA itself, or the LA a school sits in)."""
    if not getattr(actor, "pk", None):
        return set()
    memberships = actor.active_memberships()
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    las = {m.organisation.pk if m.organisation.kind == OrganisationKind.LA else m.organisation.la_id
           for m in memberships}
    return {pk for pk in las if pk is not None}


def _resolve_indicators(rows: Rows, actor: Any) -> list[RowError]:
    """The indicator must be one the importer's LA has defined; the message lists the keys it has."""
    defined: dict[str, list[int]] = defaultdict(list)
    for pk, key in LocalIndicator.objects.filter(la_id__in=importer_las(actor)).values_list("pk", "key"):
        defined[key].append(pk)
    keys = ", ".join(sorted(defined))
    errors: list[RowError] = []
    for row in rows:
        found = defined.get(row["indicator"], [])
        row["indicator_id"] = found[0] if len(found) == 1 else None
        if len(found) > 1:
            reason = _("more than one of your local authorities defines this indicator")
        elif not defined:
            reason = _("your local authority has not defined any local indicators")
        elif not found:
            reason = _("not one of your local authority's indicators, which are: %(keys)s") % {"keys": keys}
        else:
            continue
        errors.append(RowError(row["_row"], "indicator", row["indicator"], reason))
    return errors


# --- The census: new UPNs become young people on the register. ---

def _census_schools(actor: Any) -> QuerySet[Organisation] | None:
    """Schools the importer may send a census for: their own (school staff) and those in their LA (EPC); None
    for an operator at the command line, who may use any."""
    if not getattr(actor, "pk", None):
        return None
    own = actor.active_memberships().filter(role=Role.SCHOOL_STAFF).values("organisation_id")
    return Organisation.objects.filter(kind=OrganisationKind.SCHOOL).filter(
        Q(pk__in=own) | Q(la_id__in=importer_las(actor, (Role.EPC,))))


def _resolve_census_schools(rows: Rows, actor: Any) -> list[RowError]:
    schools = _schools_by_code({r["school"] for r in rows})
    allowed = _census_schools(actor)
    mine = None if allowed is None else set(allowed.filter(pk__in=[s.pk for s in schools.values()])
                                            .values_list("pk", flat=True))
    errors: list[RowError] = []
    for row in rows:
        school = schools.get(row["school"])
        row["school_id"] = school.pk if school else None
        if school is None:
            errors.append(RowError(row["_row"], "school", row["school"], _("there is no school with this code")))
        elif mine is not None and school.pk not in mine:
            errors.append(RowError(row["_row"], "school", row["school"],
                                   _("not a school you can send a census for")))
    return errors


def _new_person_errors(row: dict[str, Any]) -> list[RowError]:
    """The register's own checks (date of birth in range, UPN free, ...) for a young person the census adds."""
    try:
        clean_person(census_person(row))
    except ValidationError as problem:
        return [RowError(row["_row"], field if field in row else "upn", str(row.get(field) or ""), " ".join(reasons))
                for field, reasons in problem.message_dict.items()]
    return []


def _resolve_census_pupils(rows: Rows, actor: Any) -> list[RowError]:
    """A new UPN is checked as the register would check it; a known one must be a young person the importer may
    see (saying that the UPN is in use, as registration does, but not whose it is), with the same date of birth
    (a mistyped UPN must not move someone else)."""
    today = timezone.localdate()
    known = {upn: (pk, dob) for upn, pk, dob in
             Person.objects.filter(upn__in={r["upn"] for r in rows}).values_list("upn", "pk", "dob")}
    visible = set(_visible(actor).filter(upn__in=known).values_list("pk", flat=True))
    # enrol() ends the current enrolment the day before the new one: impossible if it started today or later.
    recent: dict[int, set[int]] = defaultdict(set)
    for person_id, school_id in Enrolment.objects.filter(person_id__in=visible, end__isnull=True,
                                                         start__gte=today).values_list("person_id", "organisation_id"):
        recent[person_id].add(school_id)
    errors: list[RowError] = []
    for row in rows:
        if row["upn"] not in known:
            errors += _new_person_errors(row)
            continue
        pk, dob = known[row["upn"]]
        if pk not in visible:
            errors.append(RowError(row["_row"], "upn", row["upn"], _(
                "this UPN is already on the register for a young person you cannot see; ask your EPC to record "
                "the move")))
        elif dob != row["dob"]:
            errors.append(RowError(row["_row"], "dob", row["dob"].isoformat(), _(
                "the register has another date of birth for this UPN: check the UPN and the date of birth")))
        elif row["school_id"] and recent[pk] - {row["school_id"]}:
            errors.append(RowError(row["_row"], "school", row["school"], _(
                "this pupil's current enrolment starts today or later: correct it on their record first")))
    return errors


def _resolve_census(rows: Rows, actor: Any) -> list[RowError]:
    return (_duplicates(rows, ("upn",), gettext_lazy("the same pupil is also in row %(row)s"))
            + _resolve_census_schools(rows, actor) + _resolve_census_pupils(rows, actor))


# --- The kinds. ---

UPN = Column("upn", Parser(check_upn, gettext_lazy("The pupil's unique pupil number, e.g. A123456789012.")))
DATE_HINT = gettext_lazy("YYYY-MM-DD or DD/MM/YYYY.")

ATTENDANCE = register(ImportKind(
    name="attendance",
    label=gettext_lazy("Attendance by term"),
    columns=(
        UPN,
        Column("academic_year", Parser(_year, gettext_lazy("The year the academic year starts, e.g. 2025."))),
        Column("term", Parser(_term, gettext_lazy("autumn, spring or summer."))),
        Column("sessions_possible", Parser(_sessions, gettext_lazy("Sessions possible in the term."))),
        Column("sessions_attended", Parser(_sessions, gettext_lazy("Sessions attended, at most those possible."))),
    ),
    apply=services.record_attendance,
    check_row=_check_attendance,
    resolve=_pupils(("upn", "academic_year", "term"), gettext_lazy("the same pupil and term is also in row %(row)s")),
))

EXCLUSIONS = register(ImportKind(
    name="exclusions",
    label=gettext_lazy("Exclusions"),
    columns=(
        UPN,
        Column("date", Parser(_date, gettext_lazy("The first day of the exclusion: YYYY-MM-DD or DD/MM/YYYY."))),
        Column("kind", Parser(_exclusion_kind, gettext_lazy("fixed_term or permanent."))),
        Column("days", Parser(_days, gettext_lazy("School days, for a fixed-term exclusion; empty for a permanent "
                                                  "one.")), required=False),
        Column("school", Parser(_school_code, gettext_lazy("The school's code (optional).")), required=False),
    ),
    apply=services.record_exclusions,
    check_row=_check_exclusion,
    resolve=_pupils(("upn", "date", "kind"), gettext_lazy("the same pupil, date and kind is also in row %(row)s"),
                    _resolve_schools),
))

BEHAVIOUR = register(ImportKind(
    name="behaviour",
    label=gettext_lazy("Behaviour incidents"),
    columns=(
        UPN,
        Column("date", Parser(_date, DATE_HINT)),
        Column("severity", Parser(_severity, gettext_lazy("1 (minor), 2 (serious) or 3 (very serious)."))),
        Column("count", Parser(_incidents, gettext_lazy("Incidents of that severity on the day; 1 when empty. A "
                                                        "new file replaces the count, it does not add to it.")),
               required=False),
    ),
    apply=services.record_behaviour,
    resolve=_pupils(("upn", "date", "severity"),
                    gettext_lazy("the same pupil, date and severity is also in row %(row)s")),
))

ATTAINMENT = register(ImportKind(
    name="attainment",
    label=gettext_lazy("Key stage attainment"),
    columns=(
        UPN,
        Column("key_stage", Parser(_key_stage, gettext_lazy("KS2 or KS3."))),
        Column("subject", Parser(_subject, gettext_lazy("The subject, e.g. english, welsh, maths, science."))),
        Column("result", Parser(_level, gettext_lazy("The teacher-assessed level, 0 to 9."))),
        Column("expected", Parser(_level, gettext_lazy("The level expected at the key stage, 0 to 9."))),
    ),
    apply=services.record_attainment,
    resolve=_pupils(("upn", "key_stage", "subject"),
                    gettext_lazy("the same pupil, key stage and subject is also in row %(row)s")),
))

LOCAL_INDICATOR = register(ImportKind(
    name="local_indicator",
    label=gettext_lazy("Local indicators"),
    columns=(
        UPN,
        Column("indicator", Parser(_indicator_key, gettext_lazy("The key of one of your LA's local indicators."))),
        Column("start", Parser(_date, gettext_lazy("The day it started to apply: YYYY-MM-DD or DD/MM/YYYY."))),
        Column("end", Parser(_date, gettext_lazy("The day it stopped applying (optional).")), required=False),
    ),
    apply=services.record_local_indicators,
    check_row=_check_period,
    resolve=_pupils(("upn", "indicator", "start"),
                    gettext_lazy("the same pupil, indicator and start is also in row %(row)s"), _resolve_indicators),
))

CENSUS = register(ImportKind(
    name="census",
    label=gettext_lazy("School census"),
    columns=(
        Column("upn", Parser(check_upn, gettext_lazy("The pupil's UPN: a new one adds the young person to the "
                                                     "register."))),
        Column("legal_surname", Parser(_name, gettext_lazy("Legal surname."))),
        Column("legal_forenames", Parser(_name, gettext_lazy("Legal forenames."))),
        Column("dob", Parser(_date, gettext_lazy("Date of birth: YYYY-MM-DD or DD/MM/YYYY."))),
        Column("sex", Parser(_sex, gettext_lazy("F, M or U (not known)."))),
        Column("postcode", Parser(check_postcode, gettext_lazy("Home postcode (optional).")), required=False),
        Column("school", Parser(_school_code, gettext_lazy("The school's code: your school, or one in your LA."))),
        Column("year_group", Parser(_year_group, gettext_lazy("The year group, 1 to 14."))),
    ),
    apply=services.record_census,
    resolve=_resolve_census,
))
