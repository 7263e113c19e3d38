"""The register's pages: find a young person, add one, and a young person's record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import can_see_sensitive, get_person_for, people_visible_to

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


def _person_page(request: HttpRequest, pk: int, tab: str, template: str, **extra: object) -> HttpResponse:
    context = audit.AuditContext.from_request(request, "casework")
    person = get_person_for(request.user, pk, "casework", context)
    enrolments = person.enrolments.select_related("organisation")
    return render(request, template, {"person": person, "tabs": PERSON_TABS, "active_tab": tab,
                                      "today_age": person.academic_age(), "enrolments": enrolments, **extra})


@requires("people.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "identity", "people/person_identity.html")


@requires("people.view_person")
def person_characteristics(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "characteristics", "people/person_characteristics.html",
                        show_sensitive=can_see_sensitive(request.user))


@requires("people.view_person")
def person_enrolments(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk, "enrolments", "people/person_enrolments.html")


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
