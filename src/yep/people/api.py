"""API routes of the register: search, read and add young people; list organisations."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import can_see_sensitive, get_person_for, people_visible_to

from . import search, services
from .models import Organisation, Person
from .schemas import Error, OrganisationOut, PersonDetail, PersonIn, PersonSummary

router = Router(tags=["people"])
organisations_router = Router(tags=["organisations"])


def _summary(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk, "legal_forenames": person.legal_forenames, "legal_surname": person.legal_surname,
        "preferred_forename": person.preferred_forename, "dob": person.dob, "postcode": person.postcode,
        "la_code": person.la_of_residence.code if person.la_of_residence else None,
        "upn": person.upn, "uln": person.uln,
    }


def _detail(person: Person, show_sensitive: bool) -> dict[str, Any]:
    characteristics = list(person.characteristics.all())
    shown = [c for c in characteristics if show_sensitive or not c.is_sensitive]
    return {
        **_summary(person),
        **{f: getattr(person, f) for f in ("preferred_surname", "sex", "gender", "address_line1", "address_line2",
                                           "town", "preferred_language", "phone", "email")},
        "academic_age": person.academic_age(),
        "ni_number_recorded": bool(person.ni_number_digest),
        "contacts": list(person.contacts.all()),
        "characteristics": shown,
        "restricted_characteristics": len(characteristics) - len(shown),
        "enrolments": [
            {"organisation": e.organisation.name, "organisation_ref": e.organisation.ref, "year_group": e.year_group,
             "start": e.start, "end": e.end, "end_reason": e.end_reason}
            for e in person.enrolments.select_related("organisation")
        ],
    }


@router.get("", response=list[PersonSummary], summary="Find young people")
@requires("people.search_people")
def search_people(request: HttpRequest, q: str = "", dob: str = "", postcode: str = "") -> list[dict[str, Any]]:
    """Search the young people you can see by name (typo- and Welsh/English-tolerant), date of birth, UPN,
    ULN or postcode. At most 50 results, best first."""
    terms = search.parse(" ".join(filter(None, [q, dob])), postcode=postcode)
    results = search.search(people_visible_to(request.user, "casework"), terms)
    audit.record(request.user, "search", audit.AuditContext.from_request(request, "casework", "api"),
                 object_type="search", detail={"query": q, "dob": dob, "postcode": postcode,
                                               "people": [p.pk for p in results]})
    return [_summary(p) for p in results]


@router.get("/{person_id}", response={200: PersonDetail, 404: Error}, summary="Read a young person's record")
@requires("people.view_person")
def read_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = get_person_for(request.user, person_id, "casework",
                            audit.AuditContext.from_request(request, "casework", "api"))
    return _detail(person, can_see_sensitive(request.user))


@router.post("", response={201: PersonSummary, 400: Error}, summary="Add a young person")
@requires("people.add_person")
def add_person(request: HttpRequest, payload: PersonIn) -> Status:
    person = services.create_person(payload.dict(), actor=request.user,
                                    context=audit.AuditContext.from_request(request, "registration", "api"))
    return Status(201, _summary(person))


@organisations_router.get("", response=list[OrganisationOut], summary="List organisations")
@requires("people.view_organisations")
def list_organisations(request: HttpRequest, kind: str = "") -> list[dict[str, Any]]:
    organisations = Organisation.objects.select_related("la").order_by("kind", "name")
    if kind:
        organisations = organisations.filter(kind=kind)
    return [
        {"ref": o.ref, "kind": o.kind, "name": o.name, "name_cy": o.name_cy, "code": o.code,
         "la_code": o.la.code if o.la else None}
        for o in organisations
    ]
