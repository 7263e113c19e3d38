"""Checking an activity someone types or sends before it goes on the timeline: one set of rules and messages for
every way in (the timeline tab, a careers contact that confirms an activity, the API)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person

Errors = dict[str, list[str]]
MAX_HOURS = 168
LEVELS = range(1, 9)  # regulated qualification levels, Entry aside


@dataclass(frozen=True)
class ActivityInput:
    """A checked activity, ready for ``services.record_activities``."""

    code: ActivityCode
    start: datetime.date
    end: datetime.date | None = None
    hours_per_week: int | None = None
    organisation: Organisation | None = None
    training_level: int | None = None

    def row(self, person: Person, source: str) -> dict[str, Any]:
        return {"person_id": person.pk, "code_id": self.code.pk, "start": self.start, "end": self.end,
                "hours_per_week": self.hours_per_week, "organisation_id": self.organisation.pk if self.organisation
                else None, "training_level": self.training_level, "source": source}


def _day(value: Any, name: str, errors: Errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = [_("Enter the date as year-month-day, for example 2026-09-04.")]
        return None


def _whole(value: Any, name: str, allowed: range, message: str, errors: Errors) -> int | None:
    if value in (None, ""):
        return None
    number = int(value) if str(value).strip().isdigit() else -1
    if number not in allowed:
        errors[name] = [message]
        return None
    return number


def clean_activity(person: Person, *, code: Any, start: Any, end: Any = None, hours_per_week: Any = None,
                   organisation: Any = None, training_level: Any = None, errors: Errors,
                   default_start: datetime.date | None = None) -> ActivityInput | None:
    """Check an activity for ``person``, adding every problem to ``errors`` (by field); the activity when there
    were none. ``organisation`` is an Organisation or its id; ``start`` defaults to ``default_start``."""
    found = ActivityCode.objects.filter(code=int(code)).first() if str(code or "").strip().isdigit() else None
    if found is None:
        errors["code"] = [_("Choose an activity code from the list.")]
    day = _day(start, "start", errors) or default_start
    if day is None and "start" not in errors:
        errors["start"] = [_("Enter the date the activity started.")]
    elif day is not None and day > timezone.localdate():
        errors["start"] = [_("The activity cannot start in the future.")]
    elif day is not None and day < person.dob:
        errors["start"] = [_("The activity cannot start before the date of birth.")]
    until = _day(end, "end", errors)
    if until is not None and day is not None and until < day:
        errors["end"] = [_("The end cannot be before the start.")]
    hours = _whole(hours_per_week, "hours_per_week", range(MAX_HOURS + 1),
                   _("Enter the hours a week as a whole number from 0 to %(max)s.") % {"max": MAX_HOURS}, errors)
    level = _whole(training_level, "training_level", LEVELS, _("Enter a level from 1 to 8, or leave it empty."),
                   errors)
    if level is not None and found is not None and found.group.code not in ("employment", "training"):
        errors["training_level"] = [_("A training level goes with employment or training only.")]
    place = organisation
    if place not in (None, "") and not isinstance(place, Organisation):
        place = (Organisation.objects.filter(pk=int(place), active=True).exclude(kind=OrganisationKind.LA).first()
                 if str(place).isdigit() else None)
        if place is None:
            errors["organisation"] = [_("Choose the organisation from the list.")]
    if errors or found is None or day is None:
        return None
    return ActivityInput(found, day, until, hours, place or None, level)
