"""Unknowns pages (YEPF §6 D R53-R54, A R5): the careers service's tier 1 queue with its leads and last attempts,
logging a contact (and the activity it confirmed, or a move), youth workers' restricted "report a contact" form,
the careers service's list of reports to follow up, the intake of young people who moved in, and reporting a
move. A youth worker reaches only the report form, and is told only whether it matched."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person

from . import notifications as provider_reads
from . import services_unknowns as services
from . import tiers
from . import unknowns as reads
from .models import CareersContact, ContactMethod, ContactOutcome, ContactPurpose, TracingSource

PAGE = 50
CONTACT_FIELDS = ("purpose", "method", "source", "outcome", "notes", "code", "start", "hours_per_week",
                  "organisation", "to_la", "moved_on")
REPORT_FIELDS = ("organisation", "forenames", "surname", "dob", "postcode", "seen_on", "where", "doing", "phone")
MOVE_FIELDS = ("to_la", "moved_on", "source", "notes")
NO_LEADS = "none"


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _las() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.LA, active=True).order_by("name"))


def _chosen(model_rows: list[Organisation], value: str) -> Organisation | None:
    return next((o for o in model_rows if str(o.pk) == value), None)


# The queue ------------------------------------------------------------------------------------------------------


def _filtered(queue: list[reads.Unknown], age: str, source: str) -> list[reads.Unknown]:
    if age.isdigit():
        queue = [u for u in queue if u.academic_age == int(age)]
    if source == NO_LEADS:
        queue = [u for u in queue if not u.leads]
    elif source in TracingSource.values:
        queue = [u for u in queue if source in u.sources]
    return queue


@requires("track.work_unknowns")
def unknowns(request: HttpRequest) -> HttpResponse:
    """Tier 1 in the areas the user tracks, longest unknown first, with where to look and the last attempt."""
    age, source = request.GET.get("age", ""), request.GET.get("source", "")
    queue = _filtered(reads.unknowns_for(request.user), age, source)
    page = Paginator(queue, PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="unknowns",
                 detail={"people": [u.person.pk for u in page], "age": age, "source": source})
    return render(request, "track/unknowns.html", {
        "page": page, "count": len(queue), "age": age, "source": source, "ages": tiers.AGES,
        "sources": TracingSource.choices, "no_leads": NO_LEADS})


# Logging a contact ----------------------------------------------------------------------------------------------


def _person(request: HttpRequest, person_id: int) -> Person:
    person, _decision = get_person_for(request.user, person_id, CASEWORK, _context(request),
                                       (categories.IDENTITY, categories.CONTACT))
    return person


def _post_contact(request: HttpRequest, person: Person, form: dict[str, str],
                  organisations: list[Organisation], las: list[Organisation]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    organisation = _chosen(organisations, form["organisation"])
    if form["organisation"] and organisation is None:
        errors["organisation"] = [_("Choose the organisation from the list.")]
    to_la = _chosen(las, form["to_la"])
    try:
        services.log_contact(person, purpose=form["purpose"], method=form["method"], source=form["source"],
                             outcome=form["outcome"], notes=form["notes"], code=form["code"] or None,
                             start=form["start"] or None, hours_per_week=form["hours_per_week"] or None,
                             organisation=organisation, to_la=to_la, moved_on=form["moved_on"] or None,
                             actor=request.user, context=_context(request))
    except ValidationError as problem:
        return errors | problem.message_dict
    return errors


@requires("track.work_unknowns")
def log_contact(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    organisations = list(provider_reads.providers_for(request.user))
    las = [la for la in _las() if la.pk != person.la_of_residence_id]
    form = {name: request.POST.get(name, "").strip() for name in CONTACT_FIELDS}
    if request.method != "POST":
        form |= {"purpose": ContactPurpose.TRACING}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = _post_contact(request, person, form, organisations, las)
        if not errors:
            messages.success(request, _("The contact is recorded."))
            return redirect("track:unknowns")
    return render(request, "track/unknowns_contact.html", {
        "person": person, "form": form, "errors": errors, "purposes": ContactPurpose.choices,
        "methods": ContactMethod.choices, "outcomes": ContactOutcome.choices, "sources": TracingSource.choices,
        "codes": ActivityCode.objects.order_by("code"), "organisations": organisations, "las": las,
        "contacts": CareersContact.objects.filter(person=person).select_related("by")[:10]})


# Report a contact (youth workers) --------------------------------------------------------------------------------


def _reporting_organisations(user: Any) -> list[Organisation]:
    return [m.organisation for m in user.active_memberships()]


@requires("track.report_contact")
def contact_report(request: HttpRequest) -> HttpResponse:
    """The restricted form: the youth worker says whom they met; the answer is only "matched" or "no match"."""
    organisations = _reporting_organisations(request.user)
    form = {name: request.POST.get(name, "").strip() for name in REPORT_FIELDS}
    if request.method != "POST" and len(organisations) == 1:
        form["organisation"] = str(organisations[0].pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        organisation = _chosen(organisations, form["organisation"])
        try:
            if organisation is None:
                raise ValidationError({"organisation": [_("Choose the organisation you work for.")]})
            report = services.report_contact(
                organisation=organisation, forenames=form["forenames"], surname=form["surname"], dob=form["dob"],
                postcode=form["postcode"], seen_on=form["seen_on"], where=form["where"], doing=form["doing"],
                phone=form["phone"], actor=request.user, context=_context(request))
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            # Nothing about the record: which young person, their tier or where they live stays with the careers
            # service (R54: resolve unknowns without browsing records). The confirmation panel says the rest.
            return redirect(reverse("track:contact_report") + f"?sent={report.status}")
    return render(request, "track/contact_report.html", {
        "form": form, "errors": errors, "organisations": organisations,
        "sent": request.GET.get("sent", "") if request.method != "POST" else ""})


@requires("track.work_unknowns")
def contact_reports(request: HttpRequest) -> HttpResponse:
    """Youth workers' reports for the careers service to follow up and close: those matched to young people in
    its area, and those that matched no one."""
    if request.method == "POST":
        pk = request.POST.get("report", "")
        report = reads.report_for(request.user, int(pk)) if pk.isdigit() else None
        if report is None:
            raise Http404(_("There is no such report open, or you cannot see it."))
        services.close_contact_report(report, actor=request.user, context=_context(request))
        messages.success(request, _("The report is closed."))
        return redirect("track:contact_reports")
    matched = list(reads.contact_reports_for(request.user)[:500])
    unmatched = list(reads.unmatched_reports_for(request.user)[:500])
    audit.record(request.user, "view", _context(request), object_type="contact_reports",
                 detail={"reports": [r.pk for r in matched + unmatched],
                         "people": [r.person_id for r in matched]})
    return render(request, "track/contact_reports.html", {"matched": matched, "unmatched": unmatched})


# Moves and intake -------------------------------------------------------------------------------------------------


@requires("track.work_unknowns")
def intake(request: HttpRequest) -> HttpResponse:
    """Young people who moved into the area, waiting for the careers service to confirm them."""
    if request.method == "POST":
        pk = request.POST.get("move", "")
        move = reads.move_for(request.user, int(pk)) if pk.isdigit() else None
        if move is None:
            raise Http404(_("There is no such move waiting, or you cannot see it."))
        services.accept_move(move, actor=request.user, context=_context(request))
        messages.success(request, _("The young person is accepted into your area's cohort."))
        return redirect("track:intake")
    page = Paginator(reads.intake_for(request.user), PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="intake",
                 detail={"moves": [m.pk for m in page], "people": [m.person_id for m in page]})
    return render(request, "track/intake.html", {"page": page})


@requires("track.work_unknowns")
def report_move(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    las = [la for la in _las() if la.pk != person.la_of_residence_id]
    form = {name: request.POST.get(name, "").strip() for name in MOVE_FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.report_move(person, to_la=_chosen(las, form["to_la"]), moved_on=form["moved_on"],
                                 source=form["source"], notes=form["notes"], actor=request.user,
                                 context=_context(request))
        except ValidationError as problem:
            errors = problem.message_dict
        except PermissionDenied:
            raise Http404(_("There is no such young person, or you cannot see them.")) from None
        else:
            messages.success(request, _("The move is recorded and the new area has been told."))
            return redirect("track:unknowns")
    return render(request, "track/moves_new.html", {"person": person, "form": form, "errors": errors, "las": las,
                                                    "sources": TracingSource.choices})


urlpatterns: list[URLPattern] = [
    path("track/unknowns/", unknowns, name="unknowns"),
    path("track/unknowns/<int:person_id>/contact/", log_contact, name="log_contact"),
    path("track/contact-report/", contact_report, name="contact_report"),
    path("track/contact-reports/", contact_reports, name="contact_reports"),
    path("track/intake/", intake, name="intake"),
    path("track/moves/new/<int:person_id>/", report_move, name="report_move"),
]
