"""England's September Guarantee pages (issue 6, item 2): both cohorts' figures for a year, the young people
still without an offer with a form to record each one's offer, and the list as CSV."""

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import Organisation, OrganisationKind

from . import guarantee
from . import services_guarantee as services
from .models import GuaranteeOfferType, GuaranteeStatus
from .queries import tracked_las

OFFER_FIELDS = ("year", "year_group", "status", "offer_type", "provider", "notes")
EXPORT_HEADER = ("person_ref", "name", "year_group", "status", "last_recorded")


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _las(user: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=tracked_las(user), kind=OrganisationKind.LA).order_by("name"))


def _number(text: str, default: int) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else default


def _chosen(request: HttpRequest) -> tuple[list[Organisation], Organisation, int]:
    """The LAs the user tracks, the one chosen (the first by default) and the year chosen."""
    las = _las(request.user)
    if not las:
        raise Http404(_("You do not track any local authority's young people."))
    wanted = request.GET.get("la", "")
    la = next((x for x in las if str(x.pk) == wanted), las[0])
    return las, la, _number(request.GET.get("year", ""), guarantee.default_year())


@requires("track.collect_destinations")
def september_guarantee(request: HttpRequest) -> HttpResponse:
    """Both cohorts' figures and those still without an offer (an audited read of the names shown)."""
    las, la, year = _chosen(request)
    report = guarantee.guarantee_report(request.user, la, year)
    audit.record(request.user, "view", _context(request), object_type="september_guarantee", object_id=la.pk,
                 detail={"year": year, "people": [w.person.pk for w in report.waiting]})
    this = guarantee.default_year()
    return render(request, "track/guarantee.html", {
        "report": report, "las": las, "la": la, "year": year, "years": [this - 1, this, this + 1]})


@requires("track.collect_destinations")
def september_guarantee_export(request: HttpRequest) -> HttpResponse:
    """Those still without an offer as CSV; audited as an export, with whom it names."""
    la, year = _chosen(request)[1:]
    report = guarantee.guarantee_report(request.user, la, year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for w in report.waiting:
        writer.writerow((w.person.pk, w.person.display_name, w.year_group, w.status,
                         w.recorded.recorded_at.date().isoformat() if w.recorded else ""))
    audit.record(request.user, "export", _context(request), object_type="september_guarantee", object_id=la.pk,
                 detail={"year": year, "rows": len(report.waiting),
                         "people": [w.person.pk for w in report.waiting]})
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="september-guarantee-{la.code}-{year}.csv"'
    return response


@requires("track.collect_destinations")
def september_guarantee_offer(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record one young person's offer (or that there is none, or that one is not appropriate)."""
    person, _decision = get_person_for(request.user, person_id, CASEWORK, _context(request))
    default_year = str(guarantee.default_year())
    source = request.POST if request.method == "POST" else request.GET
    form = {name: source.get(name, "").strip() for name in OFFER_FIELDS}
    form["year"] = form["year"] or default_year
    form["year_group"] = form["year_group"] or "11"
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.record_offer(person, actor=request.user, context=_context(request), **form)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The September Guarantee status of %(name)s is recorded.")
                             % {"name": person.display_name})
            back = source.get("la", "")
            la = f"&la={back}" if back.isdigit() else ""
            return redirect(f"{reverse('track:september_guarantee')}?year={form['year']}{la}")
    return render(request, "track/guarantee_offer.html", {
        "person": person, "form": form, "errors": errors, "la": source.get("la", ""),
        "statuses": GuaranteeStatus.choices, "offer_types": GuaranteeOfferType.choices,
        "providers": guarantee.provider_choices(request.user)},
        status=400 if errors else 200)


urlpatterns: list[URLPattern] = [
    path("track/september-guarantee/", september_guarantee, name="september_guarantee"),
    path("track/september-guarantee/export.csv", september_guarantee_export, name="september_guarantee_export"),
    path("track/september-guarantee/<int:person_id>/", september_guarantee_offer, name="september_guarantee_offer"),
]
