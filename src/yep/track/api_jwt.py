"""Tracking API: jobs without training at /api/v1/track (R77, R65). The careers service reads its priority list,
logs contacts, arranges offers of training and records the answer and the start; anyone who may read a young
person's timeline may read their Youth Guarantee status.

A young person or offer the caller may not see gets the same 404 as one that does not exist; reads are audited."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide, get_person_for, require_category
from yep.people.models import Organisation, Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import jwt as reads
from . import services_jwt as services
from . import tiers
from .models import CareersContact, ContactMethod, ContactOutcome, OfferKind, TrainingOffer

router = Router()


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class ContactOut(Schema):
    id: int
    person_id: int
    method: str
    outcome: str
    notes: str
    at: datetime.datetime
    by: str


class OfferOut(Schema):
    """An offer of training. ``activity_id`` is the timeline activity recorded when it started."""

    id: int
    person_id: int
    kind: str
    provider_id: int | None
    provider: str | None
    level: int | None
    starts_on: datetime.date | None
    status: str
    notes: str
    arranged_at: datetime.datetime
    decided_at: datetime.datetime | None
    activity_id: int | None


class JwtOut(Schema):
    """One young person on the priority list: the job, since when, and the follow-up so far."""

    person_id: int
    name: str
    dob: datetime.date
    academic_age: int
    tier: int | None
    employer_id: int | None
    employer: str | None
    hours_per_week: int | None
    since: datetime.date
    days_in_jwt: int
    last_contact: ContactOut | None
    open_offer: OfferOut | None


class JwtFilters(Schema):
    age: int | None = Field(None, ge=tiers.MIN_AGE, le=tiers.MAX_AGE, description="One academic age, 16-18.")


class ContactIn(Schema):
    method: Literal[tuple(ContactMethod.values)]  # type: ignore[valid-type]  # the model's choices, one list
    outcome: Literal[tuple(ContactOutcome.values)]  # type: ignore[valid-type]  # the model's choices, one list
    notes: str = Field("", max_length=services.MAX_TEXT)


class OfferIn(Schema):
    """``level`` 1-8 and ``starts_on`` are checked by the service, so that every problem comes back at once."""

    kind: Literal[tuple(OfferKind.values)]  # type: ignore[valid-type]  # the model's choices, one list
    provider_id: int | None = Field(None, ge=1, le=MAX_ID)
    level: int | None = None
    starts_on: datetime.date | None = None
    notes: str = Field("", max_length=services.MAX_TEXT)


class DecisionIn(Schema):
    status: Literal["accepted", "declined", "withdrawn"]


class CommenceIn(Schema):
    on: datetime.date


class GuaranteeOut(Schema):
    """What the young person's current activity means for the Youth Guarantee: ``counts`` when it meets it."""

    person_id: int
    on: datetime.date
    code: str
    label: str
    counts: bool


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _contact(c: CareersContact) -> dict[str, Any]:
    return {"id": c.pk, "person_id": c.person_id, "method": c.method, "outcome": c.outcome, "notes": c.notes,
            "at": c.at, "by": c.by_label}


def _offer(o: TrainingOffer) -> dict[str, Any]:
    return {"id": o.pk, "person_id": o.person_id, "kind": o.kind, "provider_id": o.provider_id,
            "provider": o.provider.display_name if o.provider else None, "level": o.level, "starts_on": o.starts_on,
            "status": o.status, "notes": o.notes, "arranged_at": o.arranged_at, "decided_at": o.decided_at,
            "activity_id": o.activity_id}


def _row(r: reads.JwtRow) -> dict[str, Any]:
    return {"person_id": r.person.pk, "name": r.person.display_name, "dob": r.person.dob,
            "academic_age": r.academic_age, "tier": r.tier, "employer_id": r.employer.pk if r.employer else None,
            "employer": r.employer.display_name if r.employer else None, "hours_per_week": r.hours,
            "since": r.since, "days_in_jwt": r.days_in_jwt,
            "last_contact": _contact(r.last_contact) if r.last_contact else None,
            "open_offer": _offer(r.open_offer) if r.open_offer else None}


def _not_found(request: HttpRequest, person_id: int, message: str) -> HttpError:
    audit.record(request.user, "denied", _context(request), person_id=person_id, detail={"reason": "no relationship"})
    return HttpError(404, message)


def _person(request: HttpRequest, person_id: int) -> Person:
    """The young person, when the caller may see them; otherwise the same 404 as for no one (audited)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or decide(request.user, person_id) is None:
        raise _not_found(request, person_id, _("There is no such young person, or you cannot see them."))
    return person


def _visible_offer(request: HttpRequest, offer_id: int) -> TrainingOffer:
    offer = TrainingOffer.objects.select_related("person", "provider").filter(pk=offer_id).first()
    if offer is None or decide(request.user, offer.person_id) is None:
        raise HttpError(404, _("There is no such offer, or you cannot see it."))
    return offer


@router.get("/jwt", response={200: list[JwtOut], 403: Error}, summary="List young people in a job without training")
@requires("track.follow_up_jwt")
def list_jwt(request: HttpRequest, filters: Query[JwtFilters]) -> list[dict[str, Any]]:
    """The priority list of the areas you track: 16-18 year olds (or one ``age``) whose current activity is a job
    without training, youngest first, then the longest in a JWT."""
    rows = reads.jwt_list_for(request.user, ages=(filters.age,) if filters.age else tiers.AGES)
    audit.record(request.user, "view", _context(request), object_type="jwt_list",
                 detail={"age": filters.age, "people": [r.person.pk for r in rows]})
    return [_row(r) for r in rows]


@router.post("/jwt/{person_id}/contacts", response={201: ContactOut, 400: Invalid, 403: Error, 404: Error,
                                                     422: Invalid}, summary="Log a contact about a JWT")
@requires("track.follow_up_jwt")
def log_contact(request: HttpRequest, person_id: RecordId, payload: ContactIn) -> Status[dict[str, Any]]:
    """Record an attempt to reach a young person in a job without training, and its outcome."""
    person = _person(request, person_id)
    contact = services.log_jwt_contact(person, method=payload.method, outcome=payload.outcome, notes=payload.notes,
                                       actor=request.user, context=_context(request))
    return Status(201, _contact(contact))


@router.post("/jwt/{person_id}/offers", response={201: OfferOut, 400: Invalid, 403: Error, 404: Error,
                                                   422: Invalid}, summary="Arrange an offer of training")
@requires("track.follow_up_jwt")
def arrange_offer(request: HttpRequest, person_id: RecordId, payload: OfferIn) -> Status[dict[str, Any]]:
    """Arrange an offer of training (level 1-8, starting within a year ago and two years ahead) for a young person
    in a job without training. Every problem is listed at once (400); nothing is saved unless all is well."""
    person = _person(request, person_id)
    provider = Organisation.objects.filter(pk=payload.provider_id).first() if payload.provider_id else None
    if payload.provider_id and provider is None:
        raise ValidationError({"provider_id": [_("There is no provider with this id.")]})
    offer = services.arrange_offer(person, kind=payload.kind, provider=provider, level=payload.level,
                                   starts_on=payload.starts_on, notes=payload.notes, actor=request.user,
                                   context=_context(request))
    return Status(201, _offer(offer))


@router.post("/jwt/offers/{offer_id}/decision", response={200: OfferOut, 400: Invalid, 403: Error, 404: Error,
                                                           422: Invalid}, summary="Record the answer to an offer")
@requires("track.follow_up_jwt")
def decide_offer(request: HttpRequest, offer_id: RecordId, payload: DecisionIn) -> dict[str, Any]:
    """Accepted or declined by the young person, or withdrawn; a settled offer cannot change (400)."""
    offer = _visible_offer(request, offer_id)
    return _offer(services.decide_offer(offer, status=payload.status, actor=request.user, context=_context(request)))


@router.post("/jwt/offers/{offer_id}/commence", response={200: OfferOut, 400: Invalid, 403: Error, 404: Error,
                                                           422: Invalid}, summary="Record that training started")
@requires("track.follow_up_jwt")
def commence_offer(request: HttpRequest, offer_id: RecordId, payload: CommenceIn) -> dict[str, Any]:
    """The training started on ``on``: the timeline records employment with training at the offer's level (or the
    traineeship or course), which clears the JWT flag. ``activity_id`` names the new activity."""
    offer = _visible_offer(request, offer_id)
    return _offer(services.commence_offer(offer, on=payload.on, actor=request.user, context=_context(request)))


@router.get("/people/{person_id}/guarantee-status", response={200: GuaranteeOut, 403: Error, 404: Error},
            summary="Read a young person's Youth Guarantee status")
@requires("track.view_timeline")
def guarantee_status(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    """Whether the young person's current activity meets the Youth Guarantee (R65): a course place, traineeship,
    apprenticeship or employment with training at Level 2 or above does; a job without training does not."""
    context = _context(request)
    person, decision = get_person_for(request.user, person_id, CASEWORK, context,
                                      (categories.IDENTITY, categories.ENROLMENTS))
    require_category(request.user, decision, categories.ENROLMENTS, context)
    # A history-mode reader sees the status as it stood when their relationship ended.
    on = decision.as_of or timezone.localdate()
    status = reads.guarantee_status(person, on)
    return {"person_id": person.pk, "on": on, "code": status.code, "label": str(status.label),
            "counts": status.counts}
