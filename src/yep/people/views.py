"""The register's pages: find a young person, add one, and a young person's record."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for, people_visible_to

from . import search, services
from .forms import PersonForm
from .models import Person
from .tabs import PERSON_TABS


@requires("people.search_people")
def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    terms = search.parse(query)
    results = search.search(people_visible_to(request.user, "casework"), terms) if query else []
    if query:
        audit.record(request.user, "search", audit.AuditContext.from_request(request, "casework"),
                     object_type="search", detail={"query": query, "people": [p.pk for p in results]})
    return render(request, "people/search.html", {"query": query, "results": results, "searched": bool(query)})


def person_context(request: HttpRequest, pk: int, tab: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """What every tab of a young person's record needs: the person, the access decision (the read is checked and
    audited here), and the tabs. Other apps' tabs build on it."""
    context = audit.AuditContext.from_request(request, CASEWORK)
    person, decision = get_person_for(request.user, pk, CASEWORK, context, fields)
    # In history mode the record is shown as it stood when the relationship ended.
    as_of = decision.as_of
    enrolments = person.enrolments.select_related("organisation")
    characteristics = person.characteristics.all()
    if as_of:
        enrolments, characteristics = enrolments.filter(start__lte=as_of), characteristics.filter(start__lte=as_of)
    can = {category: decision.can_see(category) for category in categories.ALL}
    visible_characteristics = [c for c in characteristics if can["sensitive" if c.is_sensitive else "characteristics"]]
    return {
        "person": person, "decision": decision, "can": can, "tabs": PERSON_TABS, "active_tab": tab,
        "today_age": person.academic_age(), "enrolments": enrolments, "characteristics": visible_characteristics,
        "restricted": len(characteristics) - len(visible_characteristics),
    }


def _person_page(request: HttpRequest, pk: int, tab: str, template: str, fields: tuple[str, ...]) -> HttpResponse:
    return render(request, template, person_context(request, pk, tab, fields))


@requires("people.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "identity", "people/person_identity.html",
                        (categories.IDENTITY, categories.CONTACT))


@requires("people.view_person")
def person_characteristics(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "characteristics", "people/person_characteristics.html",
                        (categories.IDENTITY, categories.CHARACTERISTICS, categories.SENSITIVE))


@requires("people.view_person")
def person_enrolments(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "enrolments", "people/person_enrolments.html",
                        (categories.IDENTITY, categories.ENROLMENTS))


@requires("people.add_person")
def add_person(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person: Person = services.create_person(
                form.cleaned_data, actor=request.user,
                context=audit.AuditContext.from_request(request, "registration"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("%(name)s has been added to the register.") % {"name": person.display_name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form})
