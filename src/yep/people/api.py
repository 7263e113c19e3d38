"""API routes of the register: search, read and add young people; list organisations."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, Decision, get_person_for, people_visible_to, require_category

from . import search, services
from .models import Organisation, Person
from .schemas import CharacteristicOut, Error, OrganisationOut, PersonDetail, PersonIn, PersonSummary, RecordId

router = Router(tags=["people"])
organisations_router = Router(tags=["organisations"])


def _summary(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk, "legal_forenames": person.legal_forenames, "legal_surname": person.legal_surname,
        "preferred_forename": person.preferred_forename, "dob": person.dob, "postcode": person.postcode,
        "la_code": person.la_of_residence.code if person.la_of_residence else None,
        "upn": person.upn, "uln": person.uln,
    }


def _detail(person: Person, decision: Decision) -> dict[str, Any]:
    """The record as the decision allows: categories not granted are left out (null), never guessed."""
    characteristics = list(person.characteristics.all())
    shown = [c for c in characteristics
             if decision.can_see(categories.SENSITIVE if c.is_sensitive else categories.CHARACTERISTICS)]
    contact = decision.can_see(categories.CONTACT)
    enrolments = decision.can_see(categories.ENROLMENTS)
    return {
        **_summary(person),
        **{f: getattr(person, f) for f in ("preferred_surname", "sex", "gender", "preferred_language")},
        **{f: getattr(person, f) if contact else None for f in ("address_line1", "address_line2", "town",
                                                                 "phone", "email")},
        "postcode": person.postcode if contact else None,
        "academic_age": person.academic_age(),
        "ni_number_recorded": bool(person.ni_number_digest),
        "contacts": list(person.contacts.all()) if contact else None,
        "characteristics": shown,
        "restricted_characteristics": len(characteristics) - len(shown),
        "enrolments": [
            {"organisation": e.organisation.name, "organisation_ref": e.organisation.ref,
             "year_group": e.year_group, "start": e.start, "end": e.end, "end_reason": e.end_reason}
            for e in person.enrolments.select_related("organisation")
        ] if enrolments else None,
        "access": {"mode": decision.mode, "categories": sorted(decision.categories),
                   "grounds": list(decision.grounds)},
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
def read_person(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    person, decision = get_person_for(request.user, person_id, CASEWORK,
                                      audit.AuditContext.from_request(request, CASEWORK, "api"))
    return _detail(person, decision)


@router.get("/{person_id}/sensitive", response={200: list[CharacteristicOut], 403: Error, 404: Error},
            summary="Read a young person's sensitive characteristics")
@requires("people.view_person")
def read_sensitive(request: HttpRequest, person_id: RecordId) -> list[Any]:
    """Looked after, care experienced, ALN, pregnancy, youth justice, disability, refugee status: only for users
    whose relationship opens the sensitive category (403, logged, for everyone else who can see the person)."""
    context = audit.AuditContext.from_request(request, CASEWORK, "api")
    person, decision = get_person_for(request.user, person_id, CASEWORK, context, (categories.SENSITIVE,))
    require_category(request.user, decision, categories.SENSITIVE, context)
    return [c for c in person.characteristics.all() if c.is_sensitive]


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
