"""Destinations survey pages (issue 6, item 7): the list of surveys with the form to open one; a survey's page
with the collection progress, the leavers still without a destination by school with a form for each, the
snapshot button and the results; and the snapshot's CSV export. Also England's NCCIS page: the December to February
figures of an LA and its return to download (issue 6, item 9)."""

import csv
import datetime
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, DESTINATIONS
from yep.people.models import Organisation, OrganisationKind, Person

from . import nccis, surveys, tiers
from . import services_surveys as services
from .models import DestinationSurvey

DESTINATION_FIELDS = ("code", "start", "hours_per_week", "provider")


def _context(request: HttpRequest, purpose: str = CASEWORK) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, purpose)


def _las(user: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=surveys.survey_las(user), kind=OrganisationKind.LA)
                .order_by("name"))


# The list -----------------------------------------------------------------------------------------------------------


def _open(request: HttpRequest, form: dict[str, str]) -> DestinationSurvey:
    la = next((x for x in _las(request.user) if str(x.pk) == form["la"]), None)
    year = int(form["leaving_year"]) if form["leaving_year"].isdigit() else -1
    errors: dict[str, list[str]] = {}
    if la is None:
        errors["la"] = [_("Choose the local authority.")]
    if year < 0:
        errors["leaving_year"] = [_("Enter the year the young people left, for example 2026.")]
    if errors:
        raise ValidationError(errors)
    assert la is not None  # noqa: S101 - checked above
    return services.open_survey(la, year, actor=request.user, context=_context(request))


@requires("track.collect_destinations")
def survey_list(request: HttpRequest) -> HttpResponse:
    """The surveys of the user's area; the careers service and the EPC open a new one here."""
    las = _las(request.user)
    form = {"la": request.POST.get("la", str(las[0].pk) if len(las) == 1 else ""),
            "leaving_year": request.POST.get("leaving_year", str(timezone.localdate().year)).strip()}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            survey = _open(request, form)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The survey is open: record the leavers' destinations."))
            return redirect("track:survey", pk=survey.pk)
    return render(request, "track/surveys.html", {
        "surveys": surveys.surveys_visible_to(request.user), "las": las, "form": form, "errors": errors,
        "may_open": request.user.has_perm("track.manage_surveys")})


# One survey ---------------------------------------------------------------------------------------------------------


def _survey(request: HttpRequest, pk: int) -> DestinationSurvey:
    survey = surveys.survey_for(request.user, pk)
    if survey is None:
        raise Http404(_("There is no such survey, or you cannot see it."))
    return survey


def _record(request: HttpRequest, survey: DestinationSurvey) -> dict[str, list[str]]:
    """Record the destination posted for one leaver; the problems when it could not be recorded."""
    chosen = request.POST.get("person", "")
    person = Person.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if person is None:
        return {"person": [_("Choose one of the leavers listed.")]}
    try:
        services.record_destination(survey, person, actor=request.user, context=_context(request),
                                    **{name: request.POST.get(name, "").strip() for name in DESTINATION_FIELDS})
    except PermissionDenied:
        return {"person": [_("Choose one of the leavers listed.")]}
    except ValidationError as problem:
        return problem.message_dict
    messages.success(request, _("The destination of %(name)s is recorded.") % {"name": person.display_name})
    return {}


def _snapshot(request: HttpRequest, survey: DestinationSurvey) -> dict[str, list[str]]:
    try:
        frozen = services.take_snapshot(survey, actor=request.user, context=_context(request))
    except ValidationError as problem:
        return problem.message_dict
    messages.success(request, _("The snapshot is taken: %(n)s leavers' destinations are frozen and the survey is "
                                "closed.") % {"n": frozen})
    return {}


def _post(request: HttpRequest, survey: DestinationSurvey) -> dict[str, list[str]]:
    if request.POST.get("action") == "snapshot":
        if not request.user.has_perm("track.manage_surveys"):
            raise PermissionDenied
        return _snapshot(request, survey)
    return _record(request, survey)


@requires("track.collect_destinations")
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress, the leavers still to collect by school (only those the user may see are named), the snapshot
    button and the results; each named leaver is an audited read."""
    survey = _survey(request, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = _post(request, survey)
        if not errors:
            return redirect("track:survey", pk=survey.pk)
    found = surveys.leavers(survey)
    visible = surveys.visible_ids(request.user, [x.person.pk for x in found])
    collect = surveys.to_collect(found, visible) if survey.is_open else []
    named = [x.person.pk for _school, group in collect for x in group]
    audit.record(request.user, "view", _context(request), object_type="destination_survey", object_id=survey.pk,
                 detail={"people": named})
    return render(request, "track/survey.html", {
        "survey": survey, "progress": surveys.progress(found), "collect": collect,
        "hidden": sum(1 for x in found if not x.known and x.person.pk not in visible),
        "results": surveys.results(survey, request.user, found), "groups": list(surveys.GROUPS.values()),
        "codes": surveys.post16_codes(), "providers": _providers(survey), "errors": errors,
        "posted": {name: request.POST.get(name, "") for name in ("person", *DESTINATION_FIELDS)},
        "may_snapshot": request.user.has_perm("track.manage_surveys"),
        "snapshot_from": survey.as_at, "too_early": timezone.localdate() < survey.as_at})


def _providers(survey: DestinationSurvey) -> list[Organisation]:
    """Providers a destination is usually at: the LA's schools, colleges and training providers."""
    return list(Organisation.objects.filter(la_id=survey.la_id, active=True, kind__in=(
        OrganisationKind.SCHOOL, OrganisationKind.SIXTH_FORM, OrganisationKind.FE_COLLEGE,
        OrganisationKind.WBL_PROVIDER, OrganisationKind.EMPLOYER)).order_by("name"))


EXPORT_HEADER = ("person_ref", "name", "school", "year_group", "activity_code", "destination_group", "tier",
                 "source")


@requires("track.manage_surveys")
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The snapshot as CSV: one row per leaver the user may see. Audited as an export, with whom it names."""
    survey = _survey(request, pk)
    if survey.is_open:
        raise Http404(_("The survey has no snapshot yet."))
    visible = surveys.visible_ids(request.user, survey.destinations.values_list("person_id", flat=True))
    rows = list(surveys.snapshot_rows(survey, visible))
    rules = surveys.survey_rules(survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        entry = tiers.Entry(row.code.code, row.code.group.code, survey.as_at) if row.code else None
        writer.writerow((row.person_id, row.person.display_name, row.school.name, row.year_group,
                         row.code.code if row.code else "", surveys.destination_group(entry, survey.as_at, rules),
                         row.tier or "", row.source))
    audit.record(request.user, "export", _context(request, DESTINATIONS), object_type="destination_survey",
                 object_id=survey.pk, detail={"rows": len(rows), "people": [r.person_id for r in rows]})
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = (f'attachment; filename="destinations-{survey.la.code}-'
                                       f'{survey.leaving_year}.csv"')
    return response


# England's NCCIS return ---------------------------------------------------------------------------------------------


def _nccis_choice(request: HttpRequest) -> tuple[list[Organisation], Organisation | None, datetime.date,
                                                 dict[str, list[str]]]:
    las = [la for la in _las(request.user) if nccis.may_export(request.user, la)]
    typed = request.GET.get("la", "")
    la = next((x for x in las if str(x.pk) == typed), las[0] if len(las) == 1 and not typed else None)
    errors: dict[str, list[str]] = {}
    if typed and la is None:
        errors["la"] = [_("Choose one of your local authorities.")]
    on = timezone.localdate()
    if request.GET.get("on"):
        try:
            on = datetime.date.fromisoformat(request.GET["on"])
        except ValueError:
            errors["on"] = [_("Enter the date as year-month-day, for example 2026-10-31.")]
    return las, la, on, errors


def _winter(on: datetime.date) -> int:
    """The last winter (December to February) ended by ``on``, or the one under way in it."""
    return on.year if on.month == 12 else on.year - 1


@requires("track.export_nccis")
def nccis_page(request: HttpRequest) -> HttpResponse:
    """Choose the LA and the date: the Dec-Feb figures of the winter before it, and the return to download."""
    las, la, on, errors = _nccis_choice(request)
    average = nccis.dec_feb_average(la, _winter(on)) if la is not None and not errors else None
    if la is not None and average is not None:
        audit.record(request.user, "view", _context(request), object_type="nccis_average", object_id=la.pk,
                     detail={"winter": average.winter})
    return render(request, "track/nccis.html", {"las": las, "la": la, "on": on, "errors": errors,
                                                "average": average})


@requires("track.export_nccis")
def nccis_export(request: HttpRequest) -> HttpResponse:
    _las_list, la, on, errors = _nccis_choice(request)
    if la is None or errors:
        raise Http404(_("Choose one of your local authorities and a date."))
    body = nccis.export_return(la, on, actor=request.user, context=_context(request))
    response = HttpResponse(body, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="nccis-{la.code}-{on.isoformat()}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("track/surveys/", survey_list, name="surveys"),
    path("track/surveys/<int:pk>/", survey_detail, name="survey"),
    path("track/surveys/<int:pk>/export.csv", survey_export, name="survey_export"),
    path("track/nccis/", nccis_page, name="nccis"),
    path("track/nccis/export.csv", nccis_export, name="nccis_export"),
]
