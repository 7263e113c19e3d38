"""Import kinds for early identification's indicators (`yep import attendance FILE`)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.access.policy import people_visible_to
from yep.imports import Column, ImportKind, RowError, register
from yep.people.identifiers import check_upn
from yep.people.models import Person

from . import services
from .models import Term

FIRST_YEAR, LAST_YEAR = 2000, 2100


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


def _check_attendance(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["sessions_attended"] > row["sessions_possible"]:
        return [("sessions_attended", _("more sessions attended than possible"))]
    return []


def _resolve_pupils(rows: list[dict[str, Any]], actor: Any) -> list[RowError]:
    """Every UPN must be a young person the importer may see; the message is the same for 'not on the register'
    and 'not yours', so a file cannot be used to probe the register."""
    visible = people_visible_to(actor) if actor is not None and getattr(actor, "pk", None) else Person.objects.all()
    found = dict(visible.filter(upn__in={r["upn"] for r in rows}).values_list("upn", "pk"))
    errors: list[RowError] = []
    seen: dict[tuple[str, int, str], int] = {}
    for row in rows:
        row["person_id"] = found.get(row["upn"])
        if row["person_id"] is None:
            errors.append(RowError(row["_row"], "upn", row["upn"], _("not a pupil you can import for")))
        key = (row["upn"], row["academic_year"], row["term"])
        if key in seen:
            errors.append(RowError(row["_row"], "term", row["term"],
                                   _("the same pupil and term is also in row %(row)s") % {"row": seen[key]}))
        seen.setdefault(key, row["_row"])
    return errors


ATTENDANCE = register(ImportKind(
    name="attendance",
    label=gettext_lazy("Attendance by term"),
    columns=(
        Column("upn", check_upn),
        Column("academic_year", _year),
        Column("term", _term),
        Column("sessions_possible", _sessions),
        Column("sessions_attended", _sessions),
    ),
    apply=services.record_attendance,
    check_row=_check_attendance,
    resolve=_resolve_pupils,
))
