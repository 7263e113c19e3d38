"""Brokerage pages for continuity and endings (YEPF §6 C, R37–R39, R44, R89–R90): the LA's continuity policy,
recording a post-16 start (and the provider's contact), closing a case or handing over at 18, recording a
follow-up, and the outcome report."""

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import Organisation, OrganisationKind

from .. import caseloads, outcomes, queries
from ..models import Allocation, ContinuityKind, DestinationType, EetStatus, EndReason, FollowUp
from ..services import continuity, followups
from ..services.schedule import add_months

Errors = dict[str, list[str]]
MONTH_NAMES = [datetime.date(2001, m, 1) for m in range(1, 13)]
# The outcome report looks back three years by default, so the 24-month follow-ups have come due.
LOOKBACK_MONTHS = 36


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _errors(problem: ValidationError) -> Errors:
    return problem.message_dict if hasattr(problem, "error_dict") else {"__all__": problem.messages}


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def _back(request: HttpRequest, allocation: Allocation) -> str:
    """The support package when the user may open it, else their tasks."""
    try:
        if caseloads.may_open_package(request.user, allocation):
            return reverse("broker:package", args=[allocation.pk])
        return reverse("tasks:list")
    except NoReverseMatch:
        return reverse("broker:caseload")


def _allocation(request: HttpRequest, pk: int, may: Callable[[Any, Allocation], bool]) -> Allocation:
    """The allocation when the user may act on it and see the young person; the same 404 otherwise."""
    allocation = (Allocation.objects.select_related("person", "referral__la", "lead_worker", "host_organisation",
                                                    "post16_provider").filter(pk=pk).first())
    if allocation is None or not may(request.user, allocation):
        audit.record(request.user, "denied", _context(request), object_type="lead_worker_allocation", object_id=pk,
                     detail={"reason": "not the user's to change"})
        raise Http404(_("There is no such allocation, or you cannot change it."))
    get_person_for(request.user, allocation.person_id, CASEWORK, _context(request), (categories.IDENTITY,))
    return allocation


# The continuity policy --------------------------------------------------------------------------------------


def _policy_form(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {"kind": post.get("kind", ""), "months": _int(post.get("months")) or post.get("months", ""),
            "fixed_day": _int(post.get("fixed_day")) or post.get("fixed_day", ""),
            "fixed_month": _int(post.get("fixed_month")) or post.get("fixed_month", ""),
            "learning_coach_exception": post.get("learning_coach_exception") == "on",
            "destination_types": post.getlist("destination_types")}


@requires("broker.manage_rules")
def continuity_policy(request: HttpRequest) -> HttpResponse:
    """The EPC's continuity policy: how long a lead worker stays after the post-16 start (R37)."""
    la = queries.epc_la(request.user)
    if la is None:
        raise PermissionDenied
    policy = continuity.policy_for(la)
    errors: Errors = {}
    form = {"kind": policy.kind, "months": policy.months, "fixed_day": policy.fixed_day,
            "fixed_month": policy.fixed_month, "learning_coach_exception": policy.learning_coach_exception,
            "destination_types": policy.destination_types}
    if request.method == "POST":
        form = _policy_form(request)
        try:
            continuity.set_continuity_policy(la, actor=request.user, context=_context(request), **form)
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("The continuity policy is saved. It applies to post-16 starts recorded from "
                                        "now on."))
            return redirect("broker:continuity_policy")
    return render(request, "broker/continuity_policy.html", {
        "la": la, "policy": policy, "form": form, "errors": errors, "kinds": ContinuityKind.choices,
        "destination_choices": DestinationType.choices, "months_of_year": MONTH_NAMES},
        status=400 if errors else 200)


# The post-16 start ------------------------------------------------------------------------------------------


def _destinations() -> list[Organisation]:
    return list(Organisation.objects.filter(active=True, kind__in=continuity.DESTINATION_KINDS).order_by("name"))


def _post16_page(request: HttpRequest, allocation: Allocation, form: dict[str, Any], errors: Errors,
                 which: str = "") -> HttpResponse:
    policy = continuity.policy_for(allocation.referral.la)
    return render(request, "broker/post16_start.html", {
        "allocation": allocation, "policy": policy, "form": form, "errors": errors, "which": which,
        "providers": _destinations(), "destination_choices": DestinationType.choices,
        "may_contact": continuity.may_record_contact(request.user, allocation), "back": _back(request, allocation)},
        status=400 if errors else 200)


def _record_start(request: HttpRequest, allocation: Allocation, form: dict[str, Any]) -> HttpResponse:
    provider = Organisation.objects.filter(pk=_int(form["provider"]) or 0).first()
    try:
        result = continuity.record_post16_start(
            allocation, start=_date(form["start"]), provider=provider,  # type: ignore[arg-type]  # checked there
            destination_type=form["destination_type"], actor=request.user, context=_context(request))
    except ValidationError as problem:
        return _post16_page(request, allocation, form, _errors(problem), "start")
    if result.ended:
        messages.success(request, _("The post-16 start is recorded. Under the learning-coach exception the "
                                    "allocation has ended, and the careers team has a re-assessment task."))
    elif result.continuity_end:
        messages.success(request, _("The post-16 start is recorded. The lead worker stays until %(day)s.")
                         % {"day": result.continuity_end.strftime("%d/%m/%Y")})
    else:
        messages.success(request, _("The post-16 start is recorded. No continuity end applies: the lead worker "
                                    "stays until the case is closed."))
    (messages.success if result.provider_told else messages.warning)(request, result.provider_message)
    return redirect(_back(request, allocation))


@requires("broker.support")
def post16_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the young person's post-16 start, and the provider's contact for the lead worker (R37, R39)."""
    allocation = _allocation(request, pk, continuity.may_record_start)
    form = {"start": "", "provider": "", "destination_type": "", "contact": allocation.provider_contact}
    if allocation.post16_start:
        form = {**form, "start": allocation.post16_start.isoformat(),
                "provider": str(allocation.post16_provider_id or ""), "destination_type": allocation.destination_type}
    if request.method != "POST":
        return _post16_page(request, allocation, form, {})
    if request.POST.get("action") == "contact":
        form["contact"] = request.POST.get("contact", "")
        try:
            continuity.record_provider_contact(allocation, contact=form["contact"], actor=request.user,
                                               context=_context(request))
        except ValidationError as problem:
            return _post16_page(request, allocation, form, _errors(problem), "contact")
        messages.success(request, _("The provider's contact is saved."))
        return redirect("broker:post16_start", pk=allocation.pk)
    form = {**form, **{k: request.POST.get(k, "") for k in ("start", "provider", "destination_type")}}
    return _record_start(request, allocation, form)


# Closing a case ---------------------------------------------------------------------------------------------


def _adult_services() -> list[Organisation]:
    return list(Organisation.objects.filter(active=True, kind__in=continuity.ADULT_SERVICE_KINDS).order_by("name"))


@requires("broker.support")
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a lead worker case with a reason, or hand it over at 18 (R44); follow-ups are scheduled (R89)."""
    allocation = _allocation(request, pk, continuity.may_close)
    form = {"reason": "", "note": "", "end": timezone.localdate().isoformat(), "handover_to": ""}
    errors: Errors = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        handover = Organisation.objects.filter(pk=_int(form["handover_to"]) or 0).first()
        end = _date(form["end"])
        if form["end"] and end is None:
            errors["end"] = [_("Give the end date as a date.")]
        else:
            try:
                continuity.close_case(allocation, reason=form["reason"], note=form["note"], handover_to=handover,
                                      end=end, actor=request.user, context=_context(request))
            except ValidationError as problem:
                errors = _errors(problem)
            else:
                messages.success(request, _("The case is closed. Follow-ups are scheduled where the case closed."))
                return redirect(_back(request, allocation))
    return _close_page(request, allocation, form, errors)


def _close_page(request: HttpRequest, allocation: Allocation, form: dict[str, str], errors: Errors,
                continue_note: str = "") -> HttpResponse:
    adult = continuity.age_on(allocation.person.dob, timezone.localdate()) >= continuity.ADULT_AGE
    return render(request, "broker/close.html", {
        "allocation": allocation, "form": form, "errors": errors, "reasons": EndReason.choices,
        "adult_services": _adult_services(), "handover": EndReason.POST18_HANDOVER, "adult": adult,
        "continue_note": continue_note, "back": _back(request, allocation)}, status=400 if errors else 200)


@requires("broker.support")
def continue_after_18(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the case open after 18, with why, instead of handing over (AT-26)."""
    allocation = _allocation(request, pk, continuity.may_close)
    if request.method != "POST":
        return redirect("broker:close", pk=allocation.pk)
    note = request.POST.get("continue_note", "")
    try:
        continuity.continue_after_18(allocation, note=note, actor=request.user, context=_context(request))
    except ValidationError as problem:
        form = {"reason": "", "note": "", "end": timezone.localdate().isoformat(), "handover_to": ""}
        return _close_page(request, allocation, form, _errors(problem), note)
    messages.success(request, _("Support continues after 18. The case stays open."))
    return redirect(_back(request, allocation))


# Follow-ups -------------------------------------------------------------------------------------------------


@requires("broker.support")
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the young person's EET status at a follow-up after closure (R89)."""
    found = (FollowUp.objects.select_related("allocation__referral__la", "allocation__lead_worker", "task")
             .filter(pk=pk).first())
    if found is None or not followups.may_record(request.user, found):
        audit.record(request.user, "denied", _context(request), object_type="follow_up", object_id=pk,
                     detail={"reason": "not the user's team or LA"})
        raise Http404(_("There is no such follow-up, or you cannot see it."))
    person, _decision = get_person_for(request.user, found.person_id, CASEWORK, _context(request),
                                       (categories.IDENTITY, categories.DESTINATION))
    form = {"status": found.status, "note": found.note}
    errors: Errors = {}
    if request.method == "POST":
        form = {"status": request.POST.get("status", ""), "note": request.POST.get("note", "")}
        try:
            followups.record_follow_up(found, status=form["status"], note=form["note"], actor=request.user,
                                       context=_context(request))
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("broker:follow_up", pk=found.pk)
    return render(request, "broker/follow_up.html", {
        "follow_up": found, "person": person, "form": form, "errors": errors, "statuses": EetStatus.choices,
        "today": timezone.localdate()}, status=400 if errors else 200)


# The outcome report -----------------------------------------------------------------------------------------


def _report_la(request: HttpRequest) -> Organisation:
    own = queries.epc_la(request.user)
    if own is None:
        raise PermissionDenied
    code = request.GET.get("la", "").strip()
    if not code or code == own.code:
        return own
    other = Organisation.objects.filter(kind=OrganisationKind.LA, code=code).first()
    if other is None:
        raise Http404(_("There is no local authority with that code."))
    return other


@requires("broker.view_board")
def outcome_report(request: HttpRequest) -> HttpResponse:
    """EET status at each follow-up by support combination, for the cases closed in a period (R89–R90). The
    EPC sees their own LA's exact counts; another LA's small counts are shown as "c"."""
    la = _report_la(request)
    today = timezone.localdate()
    closed_from = _date(request.GET.get("from")) or add_months(today, -LOOKBACK_MONTHS)
    closed_to = _date(request.GET.get("to")) or today
    report = outcomes.outcome_report(la, closed_from=closed_from, closed_to=closed_to, viewer=request.user,
                                     context=_context(request))
    statuses = [(s, label) for s, label in EetStatus.choices] + [(outcomes.NOT_RECORDED, _("Not yet recorded"))]
    checkpoints = [{"months": months, "rows": [
        {"label": row.label, "cases": report.shown(row.cases), "in_eet": report.shown(row.in_eet),
         "counts": [report.shown(row.counts[s]) for s, _label in statuses]} for row in rows]}
        for months, rows in report.checkpoints.items()]
    las = Organisation.objects.filter(kind=OrganisationKind.LA).order_by("name")
    return render(request, "broker/outcomes.html", {
        "report": report, "checkpoints": checkpoints, "statuses": statuses, "las": las,
        "cases": report.shown(report.cases), "closed_from": closed_from, "closed_to": closed_to})


urlpatterns: list[URLPattern] = [
    path("broker/continuity/", continuity_policy, name="continuity_policy"),
    path("broker/allocations/<int:pk>/post16/", post16_start, name="post16_start"),
    path("broker/allocations/<int:pk>/close/", close, name="close"),
    path("broker/allocations/<int:pk>/continue-after-18/", continue_after_18, name="continue_after_18"),
    path("broker/follow-ups/<int:pk>/", follow_up, name="follow_up"),
    path("broker/outcomes/", outcome_report, name="outcomes"),
]
