"""Tracking API: England's September Guarantee at /api/v1/track (issue 6, item 2).

The careers service and the EPC read both cohorts' figures for an LA they track, with the young people still
without an offer, and record a young person's offer. A young person the caller may not see gets the same 404 as
one who does not exist; each read naming young people is audited."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide
from yep.people.models import Organisation, OrganisationKind, Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import guarantee
from . import services_guarantee as services
from .queries import tracked_las

router = Router()
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class ReportQuery(Schema):
    la: Id | None = None
    year: int | None = Field(None, ge=1900, le=2999)


class CohortOut(Schema):
    """One cohort's counts and percentages by category (offer_made, not_appropriate, no_offer, not_recorded)."""

    year_group: int
    total: int | str
    counts: dict[str, int | str]
    percents: dict[str, float | str]


class WaitingOut(Schema):
    person_id: int
    name: str
    year_group: int
    status: str


class ReportOut(Schema):
    la_id: int
    la: str
    year: int
    exact: bool
    cohorts: list[CohortOut]
    waiting: list[WaitingOut]


class OfferIn(Schema):
    year: int = Field(ge=1900, le=2999)
    year_group: int = Field(ge=1, le=13)
    status: str = Field(max_length=20)
    offer_type: str = Field("", max_length=30)
    provider_id: Id | None = None
    notes: str = Field("", max_length=4000)


class OfferOut(Schema):
    id: int
    person_id: int
    year: int
    year_group: int
    status: str
    offer_type: str
    provider_id: int | None


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


@router.get("/september-guarantee", response={200: ReportOut, 403: Error, 404: Error, 422: Invalid},
            summary="Read the September Guarantee figures")
@requires("track.collect_destinations")
def read_report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    """Both cohorts of an LA the caller tracks (the only one, when ``la`` is left out) for a September (by default
    this year's from 1 May, last year's before), with the young people without an offer."""
    las = tracked_las(request.user)
    la_id = query.la if query.la is not None else (las[0] if len(las) == 1 else None)
    la = Organisation.objects.filter(pk=la_id, kind=OrganisationKind.LA).first() if la_id in las else None
    if la is None:
        raise HttpError(404, _("There is no such local authority, or it is not yours."))
    year = query.year or guarantee.default_year()
    report = guarantee.guarantee_report(request.user, la, year)
    audit.record(request.user, "view", _context(request), object_type="september_guarantee", object_id=la.pk,
                 detail={"year": year, "people": [w.person.pk for w in report.waiting]})
    return report.as_dict()


@router.post("/september-guarantee/{person_id}/offers",
             response={201: OfferOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Record a September Guarantee offer")
@requires("track.collect_destinations")
def record_offer(request: HttpRequest, person_id: RecordId, payload: OfferIn) -> Status[dict[str, Any]]:
    """Record a young person's status for a September and cohort: offer_made (with ``offer_type``),
    not_appropriate or no_offer. 404 for a young person the caller cannot see."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or decide(request.user, person.pk) is None:
        audit.record(request.user, "denied", _context(request), person_id=person_id,
                     detail={"reason": "no relationship"})
        raise HttpError(404, _("There is no such young person, or you cannot see them."))
    offer = services.record_offer(person, year=payload.year, year_group=payload.year_group, status=payload.status,
                                  offer_type=payload.offer_type, provider=payload.provider_id, notes=payload.notes,
                                  actor=request.user, context=_context(request))
    return Status(201, {"id": offer.pk, "person_id": person.pk, "year": offer.guarantee_year,
                        "year_group": offer.year_group, "status": offer.status, "offer_type": offer.offer_type,
                        "provider_id": offer.provider_id})
