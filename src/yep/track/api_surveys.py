"""Tracking API: the destinations survey and England's Dec-Feb figures at /api/v1/track (issue 6, items 7 and 9).

The careers service and the EPC list, open and read the surveys of the LAs they serve, record leavers'
destinations and take the snapshot; the LA's EPC reads the NEET and not-known averages. A survey the caller may
not see gets the same 404 as one that does not exist; each read naming young people is audited."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK
from yep.people.models import Organisation, OrganisationKind, Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import nccis, surveys
from . import services_surveys as services
from .models import DestinationSurvey

router = Router()
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class SurveyIn(Schema):
    la_id: Id
    leaving_year: int = Field(ge=1900, le=2999)


class SurveyOut(Schema):
    id: int
    la_id: int
    la: str
    leaving_year: int
    as_at: datetime.date
    open: bool
    snapshot_at: datetime.datetime | None


class LeaverOut(Schema):
    """A leaver still without a destination, named only when the caller may see them."""

    person_id: int
    name: str
    school_id: int
    school: str
    year_group: int
    left_on: datetime.date


class ResultRowOut(Schema):
    school: str
    year_group: int
    counts: dict[str, int | str]
    total: int | str


class ResultsOut(Schema):
    """Counts by destination group; 1 to 4 are "c" for anyone but the LA's own staff (``exact`` false)."""

    frozen: bool
    exact: bool
    groups: list[str]
    total: int | str
    totals: dict[str, int | str]
    rows: list[ResultRowOut]


class SurveyDetailOut(SurveyOut):
    known: int
    leavers: int
    to_collect: list[LeaverOut]
    results: ResultsOut


class DestinationIn(Schema):
    person_id: Id
    code: int = Field(ge=100, le=999)
    start: datetime.date
    hours_per_week: int | None = Field(None, ge=0, le=99)
    provider_id: Id | None = None


class SnapshotOut(Schema):
    survey: SurveyOut
    frozen: int


class AverageQuery(Schema):
    la: Id
    winter: int = Field(ge=2000, le=2999)


class MonthOut(Schema):
    on: datetime.date
    cohort: int
    neet: int
    not_known: int
    neet_pct: float | None
    not_known_pct: float | None


class AverageOut(Schema):
    """NEET % and not known % of academic ages 16-17 at the three month-ends and their average."""

    la: str
    winter: int
    rules: str
    cohort: float
    neet_pct: float | None
    not_known_pct: float | None
    neet_or_not_known_pct: float | None
    months: list[MonthOut]


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _out(survey: DestinationSurvey) -> dict[str, Any]:
    return {"id": survey.pk, "la_id": survey.la_id, "la": survey.la.name, "leaving_year": survey.leaving_year,
            "as_at": survey.as_at, "open": survey.is_open, "snapshot_at": survey.snapshot_at}


def _survey(user: Any, pk: int) -> DestinationSurvey:
    survey = surveys.survey_for(user, pk)
    if survey is None:
        raise HttpError(404, _("There is no such survey, or you cannot see it."))
    return survey


@router.get("/surveys", response=list[SurveyOut], summary="List destinations surveys")
@requires("track.collect_destinations")
def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    """The surveys of the LAs the caller serves, newest leaving year first."""
    return [_out(s) for s in surveys.surveys_visible_to(request.user)]


@router.post("/surveys", response={201: SurveyOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Open a destinations survey")
@requires("track.manage_surveys")
def open_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    """Open an LA's survey of a year's leavers, as at 31 October of that year (one per LA and year)."""
    la = Organisation.objects.filter(pk=payload.la_id, kind=OrganisationKind.LA).first()
    if la is None:
        raise ValidationError({"la_id": [_("There is no local authority with this id.")]})
    survey = services.open_survey(la, payload.leaving_year, actor=request.user, context=_context(request))
    return Status(201, _out(survey))


@router.get("/surveys/{survey_id}", response={200: SurveyDetailOut, 404: Error}, summary="Read a destinations survey")
@requires("track.collect_destinations")
def read_survey(request: HttpRequest, survey_id: RecordId) -> dict[str, Any]:
    """Progress, the leavers still to collect whom the caller may see, and the results (from the snapshot once
    taken). The leavers named are audited."""
    return _detail(request, _survey(request.user, survey_id))


def _detail(request: HttpRequest, survey: DestinationSurvey) -> dict[str, Any]:
    found = surveys.leavers(survey)
    visible = surveys.visible_ids(request.user, [x.person.pk for x in found])
    waiting = [x for _school, group in surveys.to_collect(found, visible) for x in group] if survey.is_open else []
    audit.record(request.user, "view", _context(request), object_type="destination_survey", object_id=survey.pk,
                 detail={"people": [x.person.pk for x in waiting]})
    progress = surveys.progress(found)
    return {**_out(survey), "known": progress.known, "leavers": progress.total,
            "to_collect": [{"person_id": x.person.pk, "name": x.person.display_name, "school_id": x.school.pk,
                            "school": x.school.name, "year_group": x.year_group, "left_on": x.left_on}
                           for x in waiting],
            "results": surveys.results(survey, request.user, found).as_dict()}


@router.post("/surveys/{survey_id}/destinations",
             response={201: SurveyDetailOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Record a leaver's destination")
@requires("track.collect_destinations")
def record_destination(request: HttpRequest, survey_id: RecordId, payload: DestinationIn) -> Status[dict[str, Any]]:
    """Add the destination to the leaver's timeline (source ``destination_survey``); only while the survey is
    open, for a leaver the caller may change (404 for anyone else, as for no one)."""
    survey = _survey(request.user, survey_id)
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None or person.pk not in surveys.visible_ids(request.user, [person.pk]):
        audit.record(request.user, "denied", _context(request), person_id=payload.person_id,
                     detail={"reason": "no relationship"})
        raise HttpError(404, _("There is no such young person, or you cannot see them."))
    services.record_destination(survey, person, code=payload.code, start=payload.start,
                                hours_per_week=payload.hours_per_week, provider=payload.provider_id,
                                actor=request.user, context=_context(request))
    return Status(201, _detail(request, survey))


@router.post("/surveys/{survey_id}/snapshot", response={200: SnapshotOut, 400: Invalid, 403: Error, 404: Error},
             summary="Take the survey's snapshot")
@requires("track.manage_surveys")
def take_snapshot(request: HttpRequest, survey_id: RecordId) -> dict[str, Any]:
    """Freeze every leaver's destination as at the survey date and close the survey."""
    survey = _survey(request.user, survey_id)
    frozen = services.take_snapshot(survey, actor=request.user, context=_context(request))
    return {"survey": _out(survey), "frozen": frozen}


@router.get("/nccis/averages", response={200: AverageOut, 403: Error, 404: Error, 422: Invalid},
            summary="NEET and not known, December to February")
@requires("track.export_nccis")
def averages(request: HttpRequest, query: Query[AverageQuery]) -> dict[str, Any]:
    """DfE's headline measure for an LA the caller coordinates: NEET % and not known % of academic ages 16-17
    at the ends of December ``winter``, January and February, and their average."""
    la = Organisation.objects.filter(pk=query.la, kind=OrganisationKind.LA).first()
    if la is None or not nccis.may_export(request.user, la):
        raise HttpError(404, _("There is no such local authority, or it is not yours."))
    average = nccis.dec_feb_average(la, query.winter)
    audit.record(request.user, "view", _context(request), object_type="nccis_average", object_id=la.pk,
                 detail={"winter": query.winter})
    return average.as_dict()
