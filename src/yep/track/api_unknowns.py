"""Tracking API: the unknowns (tier 1) queue, careers contacts, youth workers' contact reports, moves between LAs
and the intake queue, at /api/v1/track (YEPF §6 D R53-R54, A R5).

A young person or a move the caller may not see gets the same 404 as one that does not exist. A youth worker's
report is answered with its status only (matched or no_match), never the record. Reads are audited."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import Organisation, OrganisationKind, Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import services_unknowns as services
from . import unknowns as reads
from .models import CareersContact, LaMove

router = Router()

MAX_PAGE = 500
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Short = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=services.MAX_TEXT)]


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class LeadOut(Schema):
    source: str
    detail: str
    on: datetime.date | None


class ContactOut(Schema):
    id: int
    person_id: int
    purpose: str
    method: str
    source: str
    outcome: str
    notes: str
    at: datetime.datetime
    by: str


class UnknownOut(Schema):
    """A young person in tier 1: since when, why (no_activity, not_known or lapsed), the last careers contact and
    how many there have been, and the leads, most reliable first."""

    person_id: int
    name: str
    dob: datetime.date
    academic_age: int
    since: datetime.date
    days_unknown: int
    reason: str
    contacts: int
    last_contact: ContactOut | None
    leads: list[LeadOut]


class UnknownsPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnknownOut]


class UnknownFilters(Schema):
    age: int | None = Field(None, ge=16, le=18)
    source: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


class ContactIn(Schema):
    """One attempt to reach the young person. With ``outcome`` "confirmed", ``code`` (and optionally ``start``,
    ``hours_per_week``, ``organisation_id``) records the activity; with "moved_away", ``to_la_id`` is needed."""

    purpose: Literal["tracing", "jwt", "notification"] = "tracing"
    method: Short
    source: Short = ""
    outcome: Short
    notes: Text = ""
    at: datetime.datetime | None = None
    code: int | None = Field(None, ge=100, le=999)
    start: datetime.date | None = None
    hours_per_week: int | None = Field(None, ge=0, le=168)
    organisation_id: Id | None = None
    to_la_id: Id | None = None
    moved_on: datetime.date | None = None


class ReportIn(Schema):
    """A youth worker's report of meeting a young person. ``organisation_id`` may be left out by someone with one
    organisation."""

    organisation_id: Id | None = None
    forenames: Annotated[str, Field(max_length=100)]
    surname: Annotated[str, Field(max_length=100)]
    dob: datetime.date
    postcode: Annotated[str, Field(max_length=10)] = ""
    seen_on: datetime.date
    where: Short = ""
    doing: Text = ""
    phone: Annotated[str, Field(max_length=20)] = ""


class ReportOut(Schema):
    """Only whether the report matched: ``matched`` (the careers service will follow it up) or ``no_match`` (the
    careers service will look into it)."""

    status: Literal["matched", "no_match"]
    message: str


class MoveIn(Schema):
    person_id: Id
    to_la_id: Id
    moved_on: datetime.date
    source: Short = ""
    notes: Text = ""


class MoveOut(Schema):
    id: int
    person_id: int
    name: str
    from_la_id: int | None
    to_la_id: int
    moved_on: datetime.date
    source: str
    notes: str
    reported_at: datetime.datetime
    accepted_at: datetime.datetime | None


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _contact(c: CareersContact) -> dict[str, Any]:
    return {"id": c.pk, "person_id": c.person_id, "purpose": c.purpose, "method": c.method, "source": c.source,
            "outcome": c.outcome, "notes": c.notes, "at": c.at, "by": c.by_label}


def _unknown(u: reads.Unknown) -> dict[str, Any]:
    return {"person_id": u.person.pk, "name": u.person.display_name, "dob": u.person.dob,
            "academic_age": u.academic_age, "since": u.since, "days_unknown": u.days_unknown, "reason": u.reason,
            "contacts": u.contacts, "last_contact": _contact(u.last_contact) if u.last_contact else None,
            "leads": [{"source": lead.source, "detail": lead.detail, "on": lead.on} for lead in u.leads]}


def _move(m: LaMove) -> dict[str, Any]:
    return {"id": m.pk, "person_id": m.person_id, "name": m.person.display_name, "from_la_id": m.from_la_id,
            "to_la_id": m.to_la_id, "moved_on": m.moved_on, "source": m.source, "notes": m.notes,
            "reported_at": m.reported_at, "accepted_at": m.accepted_at}


def _person(request: HttpRequest, person_id: int) -> Person:
    person, _decision = get_person_for(request.user, person_id, CASEWORK, _context(request),
                                       (categories.IDENTITY,))
    return person


def _organisation(pk: int | None, field: str, kind: str | None = None) -> Organisation | None:
    """The organisation named, None when none was; one not on the register is a 400."""
    if pk is None:
        return None
    found = Organisation.objects.filter(pk=pk)
    if kind:
        found = found.filter(kind=kind)
    organisation = found.first()
    if organisation is None:
        raise ValidationError({field: [_("There is no such organisation.") if not kind
                                       else _("There is no local authority with this id.")]})
    return organisation


@router.get("/unknowns", response={200: UnknownsPage, 403: Error}, summary="List the unknowns (tier 1)")
@requires("track.work_unknowns")
def list_unknowns(request: HttpRequest, filters: Query[UnknownFilters]) -> dict[str, Any]:
    """Tier 1 in the areas you track, longest unknown first, less young people waiting in an intake queue.
    ``source`` keeps those with a lead from that source ("none": those with no lead)."""
    queue = reads.unknowns_for(request.user)
    if filters.age:
        queue = [u for u in queue if u.academic_age == filters.age]
    if filters.source == "none":
        queue = [u for u in queue if not u.leads]
    elif filters.source:
        queue = [u for u in queue if filters.source in u.sources]
    page = queue[filters.offset:filters.offset + filters.limit]
    audit.record(request.user, "view", _context(request), object_type="unknowns",
                 detail={"people": [u.person.pk for u in page]})
    return {"count": len(queue), "limit": filters.limit, "offset": filters.offset,
            "items": [_unknown(u) for u in page]}


@router.post("/unknowns/{person_id}/contacts", response={201: ContactOut, 400: Invalid, 403: Error, 404: Error,
                                                         422: Invalid},
             summary="Log a contact with a young person")
@requires("track.work_unknowns")
def log_contact(request: HttpRequest, person_id: RecordId, payload: ContactIn) -> Status[dict[str, Any]]:
    """Record an attempt and its outcome; a confirmed activity goes on the timeline, a move away is reported to
    the new LA. Every problem is listed at once (400); nothing is saved unless all is well."""
    person = _person(request, person_id)
    organisation = _organisation(payload.organisation_id, "organisation_id")
    to_la = _organisation(payload.to_la_id, "to_la_id", OrganisationKind.LA)
    contact = services.log_contact(
        person, purpose=payload.purpose, method=payload.method, source=payload.source, outcome=payload.outcome,
        notes=payload.notes, at=payload.at, code=payload.code, start=payload.start,
        hours_per_week=payload.hours_per_week, organisation=organisation, to_la=to_la, moved_on=payload.moved_on,
        actor=request.user, context=_context(request))
    return Status(201, _contact(contact))


@router.post("/contact-reports", response={201: ReportOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Report a contact with a young person (youth workers)")
@requires("track.report_contact")
def report_contact(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    """Tell the careers service whom you met. The answer says only whether it matched a young person."""
    user: Any = request.user
    mine = [m.organisation for m in user.active_memberships()]
    if payload.organisation_id is None:
        if len(mine) != 1:
            raise ValidationError({"organisation_id": [_("Say which organisation you are reporting for.")]})
        organisation = mine[0]
    else:
        organisation = _organisation(payload.organisation_id, "organisation_id")  # the service checks membership
    report = services.report_contact(
        organisation=organisation, forenames=payload.forenames, surname=payload.surname, dob=payload.dob,
        postcode=payload.postcode, seen_on=payload.seen_on, where=payload.where, doing=payload.doing,
        phone=payload.phone, actor=request.user, context=_context(request))
    message = (_("Matched: the careers service will follow this up.") if report.status == "matched"
               else _("No match: the careers service will look into it."))
    return Status(201, {"status": report.status, "message": message})


@router.get("/intake", response={200: list[MoveOut], 403: Error}, summary="List young people who moved in")
@requires("track.work_unknowns")
def list_intake(request: HttpRequest) -> list[dict[str, Any]]:
    """Moves into the areas you track waiting to be accepted, oldest first (at most 500)."""
    moves = list(reads.intake_for(request.user)[:MAX_PAGE])
    audit.record(request.user, "view", _context(request), object_type="intake",
                 detail={"moves": [m.pk for m in moves], "people": [m.person_id for m in moves]})
    return [_move(m) for m in moves]


@router.post("/moves", response={201: MoveOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Report a young person's move to another LA")
@requires("track.work_unknowns")
def report_move(request: HttpRequest, payload: MoveIn) -> Status[dict[str, Any]]:
    """The record moves to the new LA, whose EPC and careers service are alerted; it waits in their intake."""
    person = _person(request, payload.person_id)
    to_la = _organisation(payload.to_la_id, "to_la_id", OrganisationKind.LA)
    move = services.report_move(person, to_la=to_la, moved_on=payload.moved_on, source=payload.source,
                                notes=payload.notes, actor=request.user, context=_context(request))
    return Status(201, _move(move))


@router.post("/moves/{move_id}/accept", response={200: MoveOut, 400: Invalid, 403: Error, 404: Error},
             summary="Accept a young person who moved in")
@requires("track.work_unknowns")
def accept_move(request: HttpRequest, move_id: RecordId) -> dict[str, Any]:
    """End the intake: the young person counts in your area's tiers from now."""
    move = reads.move_for(request.user, move_id)
    if move is None:
        raise HttpError(404, _("There is no such move waiting, or you cannot see it."))
    services.accept_move(move, actor=request.user, context=_context(request))
    return _move(move)
