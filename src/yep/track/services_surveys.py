"""The only writers of the destinations survey (issue 6, item 7): open an LA's survey of a year's leavers, record a
leaver's destination found by the careers service (on the activity timeline, through ``record_activities``), and
take the snapshot that freezes every leaver's destination and closes the survey.

Each function takes the acting user and an audit context, checks the actor's right first (refusals are audited),
validates all its input before writing anything, and runs in one transaction."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person

from . import surveys as reads
from .models import DestinationSurvey, SurveyDestination
from .services import record_activities

FIRST_YEAR = 2000
MAX_HOURS = 99

Errors = dict[str, list[str]]


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, object_id: Any = "",
            person_id: int | None = None) -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type="destination_survey",
                 object_id=object_id, detail={"wanted": wanted})
    raise PermissionDenied(_("You cannot do this for this local authority's destinations survey."))


def _check(actor: Any, permission: str, la_id: int, context: audit.AuditContext, wanted: str,
           object_id: Any = "") -> None:
    """The careers service and the EPC of the LA (holding ``permission``); a command (no user) may."""
    if not getattr(actor, "pk", None):
        return
    if not (actor.has_perm(permission) and la_id in reads.survey_las(actor)):
        _refuse(actor, context, wanted, object_id)


def open_survey(la: Organisation, leaving_year: int, *, actor: Any, context: audit.AuditContext) -> DestinationSurvey:
    """Open ``la``'s survey of the leavers of summer ``leaving_year``, as at 31 October of that year. One survey
    per LA and year; a year still to come cannot be surveyed."""
    _check(actor, "track.manage_surveys", la.pk, context, "open", la.pk)
    errors: Errors = {}
    if la.kind != OrganisationKind.LA:
        errors["la"] = [_("Choose a local authority.")]
    if not isinstance(leaving_year, int) or not FIRST_YEAR <= leaving_year <= timezone.localdate().year:
        errors["leaving_year"] = [_("Enter the year the young people left, between %(first)s and this year.")
                                  % {"first": FIRST_YEAR}]
    elif DestinationSurvey.objects.filter(la=la, leaving_year=leaving_year).exists():
        errors["leaving_year"] = [_("There is already a survey of this year's leavers for this local authority.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = DestinationSurvey.objects.create(
            la=la, leaving_year=leaving_year, as_at=reads.survey_date(leaving_year), opened_at=timezone.now(),
            opened_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor, "create", context, object_type="destination_survey", object_id=survey.pk,
                     detail={"la": la.pk, "leaving_year": leaving_year})
    return survey


# Collecting --------------------------------------------------------------------------------------------------------


def _date(value: Any, errors: Errors) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors["start"] = [_("Enter the start date as year-month-day, for example 2026-09-04.")]
        return None


def _clean_start(value: Any, survey: DestinationSurvey, errors: Errors) -> datetime.date | None:
    if value in (None, ""):
        errors["start"] = [_("Enter the date the destination started.")]
        return None
    start = _date(value, errors)
    if start is not None and start > min(survey.as_at, timezone.localdate()):
        errors["start"] = [_("The destination must have started by the survey date, %(day)s, and not in the "
                             "future.") % {"day": survey.as_at.isoformat()}]
    return start


def _clean_hours(value: Any, errors: Errors) -> int | None:
    if value in (None, ""):
        return None
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = -1
    if not 0 <= hours <= MAX_HOURS:
        errors["hours_per_week"] = [_("Enter the hours a week as a whole number from 0 to %(max)s.")
                                    % {"max": MAX_HOURS}]
        return None
    return hours


def _clean_code(value: Any, errors: Errors) -> ActivityCode | None:
    code = reads.post16_codes().filter(code=int(value)).first() if str(value).strip().isdigit() else None
    if code is None:
        errors["code"] = [_("Choose the destination's activity code from the list.")]
    return code


def _clean_provider(value: Any, errors: Errors) -> Organisation | None:
    if value in (None, ""):
        return None
    provider = Organisation.objects.filter(pk=int(value), active=True).exclude(kind=OrganisationKind.LA).first() \
        if str(value).isdigit() else None
    if provider is None:
        errors["provider"] = [_("Choose the provider or employer from the list, or leave it empty.")]
    return provider


def record_destination(survey: DestinationSurvey, person: Person, *, code: Any, start: Any,
                       hours_per_week: Any = None, provider: Any = None, actor: Any,
                       context: audit.AuditContext) -> None:
    """Record a leaver's destination found by the careers service: an activity on their timeline (source
    ``destination_survey``) with its activity code, start (by the survey date), hours a week and provider (an
    organisation id). Only while the survey is open, for one of its leavers the actor may change."""
    _check(actor, "track.collect_destinations", survey.la_id, context, "collect", survey.pk)
    decision = decide(actor, person.pk) if getattr(actor, "pk", None) else None
    if getattr(actor, "pk", None) and (decision is None or not decision.can_change):
        _refuse(actor, context, "collect", survey.pk, person.pk)
    errors: Errors = {}
    if not survey.is_open:
        errors["survey"] = [_("The survey's snapshot has been taken: destinations can no longer be recorded.")]
    elif person.pk not in reads.leaver_enrolments(survey.la_id, survey.leaving_year):
        errors["person"] = [_("This young person is not one of the survey's leavers.")]
    cleaned_code = _clean_code(code, errors)
    cleaned_start = _clean_start(start, survey, errors)
    hours = _clean_hours(hours_per_week, errors)
    organisation = _clean_provider(provider, errors)
    if errors:
        raise ValidationError(errors)
    assert cleaned_code is not None  # noqa: S101 - no errors, so a code was found
    with transaction.atomic():
        record_activities([{"person_id": person.pk, "code_id": cleaned_code.pk, "start": cleaned_start, "end": None,
                            "hours_per_week": hours, "organisation_id": organisation.pk if organisation else None,
                            "source": reads.SOURCE}], actor=actor, context=context, source=reads.SOURCE)
        audit.record(actor, "create", context, person_id=person.pk, object_type="activity",
                     object_id=f"survey:{survey.pk}", fields=["code", "start", "hours_per_week", "organisation"],
                     detail={"survey": survey.pk, "code": cleaned_code.code})


# The snapshot ------------------------------------------------------------------------------------------------------


def take_snapshot(survey: DestinationSurvey, *, actor: Any, context: audit.AuditContext) -> int:
    """Freeze every leaver's destination as at the survey date (one row each, all or none) and close the
    survey; later changes to the timeline no longer change its results. Not before the survey date. Returns
    the rows frozen."""
    _check(actor, "track.manage_surveys", survey.la_id, context, "snapshot", survey.pk)
    errors: Errors = {}
    if not survey.is_open:
        errors["survey"] = [_("The snapshot of this survey has already been taken.")]
    elif timezone.localdate() < survey.as_at:
        errors["survey"] = [_("The snapshot can be taken from the survey date, %(day)s.")
                            % {"day": survey.as_at.isoformat()}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DestinationSurvey.objects.select_for_update().get(pk=survey.pk)
        if not locked.is_open:  # taken by someone else in the meantime
            raise ValidationError({"survey": [_("The snapshot of this survey has already been taken.")]})
        found = reads.leavers(survey)
        codes = dict(ActivityCode.objects.values_list("code", "pk"))
        SurveyDestination.objects.bulk_create([SurveyDestination(
            survey=survey, person=x.person, school=x.school, year_group=x.year_group,
            code_id=codes.get(x.code) if x.code else None, tier=x.tier, source=x.source[:40]) for x in found])
        survey.snapshot_at, survey.snapshot_by = timezone.now(), actor if getattr(actor, "pk", None) else None
        survey.save(update_fields=["snapshot_at", "snapshot_by"])
        audit.record(actor, "change", context, object_type="destination_survey", object_id=survey.pk,
                     fields=["snapshot_at"], detail={"leavers": len(found), "known": reads.progress(found).known,
                                                     "people": [x.person.pk for x in found]})
    return len(found)
