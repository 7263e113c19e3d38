"""Brokerage pages for the support a lead worker gives (YEPF §6 C, R31, R33–R36): the caseload, a support package
with its forms (goals, actions, contacts, progress, escalation, additional needs, supporting services), the EPC's
decision pages for escalations and additional needs, a review form, and the lead worker tab of a record."""

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
from yep.access.policy import CASEWORK, require_category
from yep.access.services.relationships import FlowBlocked
from yep.identify.models import Band
from yep.people.models import Organisation, OrganisationKind
from yep.people.views import person_context
from yep.web.charts import line

from .. import caseloads
from ..models import (
    Action,
    AdditionalNeed,
    Allocation,
    Channel,
    ContactOutcome,
    EscalationDecision,
    Goal,
    GoalStatus,
    Need,
    PackageService,
    Progress,
)
from ..queries import active_allocation, is_epc_of
from ..services import reviews, support

Errors = dict[str, list[str]]
PARTICIPANT_ROWS = 6


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _errors(problem: ValidationError) -> Errors:
    return problem.message_dict if hasattr(problem, "error_dict") else {"__all__": problem.messages}


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _typed_dates(form: dict[str, Any], *names: str) -> dict[str, datetime.date | None]:
    """The form's date fields; a date typed in a form the browser did not check is refused, not dropped."""
    dates = {name: _date(form.get(name)) for name in names}
    wrong = {name: [_("Enter the date as a date, for example 2026-09-01.")] for name in names
             if str(form.get(name) or "").strip() and dates[name] is None}
    if wrong:
        raise ValidationError(wrong)
    return dates


def _url(name: str, *args: Any) -> str:
    """The URL of a page another part of brokerage may not have built yet; "" until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _allocation(request: HttpRequest, pk: int) -> Allocation:
    allocation = caseloads.allocation_for(request.user, pk)
    if allocation is None:
        audit.record(request.user, "denied", _context(request), object_type="support_package", object_id=pk,
                     detail={"reason": "not on the user's caseload or LA"})
        raise Http404(_("There is no such support package, or you cannot see it."))
    return allocation


# The caseload -------------------------------------------------------------------------------------------------


def _worker_filter(request: HttpRequest) -> int | None:
    wanted = request.GET.get("worker", "")
    return int(wanted) if wanted.isdigit() else None


@requires("broker.view_caseload")
def caseload(request: HttpRequest) -> HttpResponse:
    """The lead worker's young people, or for the EPC the LA's, with what is due and what needs attention."""
    las = caseloads.epc_las(request.user)
    worker = _worker_filter(request) if las else None
    found = caseloads.la_caseload(request.user, worker) if las else caseloads.own_caseload(request.user)
    listed = caseloads.rows(found)
    audit.record(request.user, "view", _context(request), object_type="caseload", fields=[categories.SUPPORT_NEEDS],
                 detail={"people": [r.allocation.person_id for r in listed], "worker": worker})
    workers = caseloads.capacities(las) if las else []
    # The EPC sees one worker's capacity once they filter by them; a lead worker always sees their own.
    whose = worker or (None if las else request.user.pk)
    shown = caseloads.capacity_of(whose) if whose else None
    return render(request, "broker/caseload.html", {
        "rows": listed, "epc": bool(las), "workers": workers, "worker": worker, "capacity": shown})


# The package page -------------------------------------------------------------------------------------------------


def _choices() -> dict[str, Any]:
    return {"goal_statuses": GoalStatus.choices, "channels": Channel.choices, "outcomes": ContactOutcome.choices,
            "progress_choices": Progress.choices, "needs": Need.choices, "bands": Band.choices,
            "decisions": EscalationDecision.choices,
            "data_categories": sorted(categories.LABELS.items(), key=lambda c: str(c[1]))}


def _organisations() -> list[Organisation]:
    # Services that can support a young person: not local authorities, government or consortia themselves.
    kinds = [OrganisationKind.LA, OrganisationKind.GOVERNMENT, OrganisationKind.CONSORTIUM]
    return list(Organisation.objects.filter(active=True).exclude(kind__in=kinds).order_by("name"))


def _package_page(request: HttpRequest, allocation: Allocation, *, which: str = "", form: dict[str, Any] | None = None,
                  errors: Errors | None = None, blocked: bool = False) -> HttpResponse:
    user = request.user
    epc = is_epc_of(user, allocation.referral.la_id)
    return render(request, "broker/package.html", {
        "allocation": allocation, "package": allocation.package, **caseloads.package_parts(allocation),
        "may_support": support.may_support(user, allocation) and allocation.end is None, "epc": epc,
        "organisations": _organisations() if epc else [], "which": which, "form": form or {},
        "errors": errors or {}, "blocked": blocked, "agreement_url": _url("access:new_agreement"),
        "post16_url": _url("broker:post16_start", allocation.pk), "close_url": _url("broker:close", allocation.pk),
        "referral_url": _url("broker:referral", allocation.referral_id), "today": timezone.localdate(),
        "person_url": reverse("broker:person_lead_worker", args=[allocation.person_id]), **_choices()})


@requires("broker.view_caseload")
def package(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _allocation(request, pk)
    audit.record(request.user, "view", _context(request), person_id=allocation.person_id,
                 object_type="support_package", object_id=allocation.pk, fields=[categories.SUPPORT_NEEDS])
    return _package_page(request, allocation)


def _form_post(request: HttpRequest, pk: int, which: str, act: Callable[[Allocation, dict[str, Any]], Any],
               done: str) -> HttpResponse:
    """Run one of the package page's forms: on success a message and back to the page; on a problem the page
    again with the errors and what was typed."""
    allocation = _allocation(request, pk)
    if request.method != "POST":
        return redirect("broker:package", pk=allocation.pk)
    form: dict[str, Any] = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    form["categories"] = request.POST.getlist("categories")
    try:
        act(allocation, form)
    except FlowBlocked as blocked:
        return _package_page(request, allocation, which=which, form=form, blocked=True,
                             errors={"categories": blocked.messages})
    except ValidationError as problem:
        return _package_page(request, allocation, which=which, form=form, errors=_errors(problem))
    messages.success(request, done)
    return redirect("broker:package", pk=allocation.pk)


@requires("broker.support")
def edit_package(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        dates = _typed_dates(form, "next_review")
        return support.update_package(allocation.package, summary=form.get("summary", ""),
                                      next_review=dates["next_review"], actor=request.user,
                                      context=_context(request))

    return _form_post(request, pk, "package", act, _("The package is saved."))


@requires("broker.support")
def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        dates = _typed_dates(form, "target_date")
        return support.add_goal(allocation.package, text=form.get("text", ""), measure=form.get("measure", ""),
                                target_date=dates["target_date"], actor=request.user, context=_context(request))

    return _form_post(request, pk, "goal", act, _("The goal is added."))


def _goal(request: HttpRequest, allocation: Allocation) -> Goal:
    goal = allocation.package.goals.filter(pk=request.POST.get("goal") or 0).first()
    if goal is None:
        raise ValidationError({"goal": [_("Choose one of this package's goals.")]})
    return goal


@requires("broker.support")
def goal_status(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        return support.set_goal_status(_goal(request, allocation), form.get("status", ""), actor=request.user,
                                       context=_context(request))

    return _form_post(request, pk, "goal_status", act, _("The goal is updated."))


@requires("broker.support")
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        dates = _typed_dates(form, "due")
        goal = _goal(request, allocation) if form.get("goal") else None
        return support.add_action(allocation.package, text=form.get("text", ""), owner=form.get("owner", ""),
                                  due=dates["due"], goal=goal, actor=request.user, context=_context(request))

    return _form_post(request, pk, "action", act, _("The action is added."))


@requires("broker.support")
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        action = Action.objects.filter(package=allocation.package, pk=form.get("action") or 0).first()
        if action is None:
            raise ValidationError({"action": [_("Choose one of this package's actions.")]})
        return support.complete_action(action, actor=request.user, context=_context(request))

    return _form_post(request, pk, "action_done", act, _("The action is done."))


@requires("broker.support")
def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        return support.record_contact(allocation, on=_date(form.get("on")), channel=form.get("channel", ""),
                                      outcome=form.get("outcome", ""), note=form.get("note", ""),
                                      actor=request.user, context=_context(request))

    return _form_post(request, pk, "contact", act, _("The contact is logged."))


@requires("broker.support")
def add_progress(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        update = support.submit_progress(allocation, progress=form.get("progress", ""),
                                         summary=form.get("summary", ""), actor=request.user,
                                         context=_context(request))
        if update.progress == Progress.NOT_WORKING:
            messages.warning(request, _("If the support is not working, escalate to the EPC with your evidence: "
                                        "they decide whether to re-broker."))
        return update

    return _form_post(request, pk, "progress", act, _("Your feedback is sent to the EPC."))


@requires("broker.support")
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        return support.escalate(allocation, evidence=form.get("evidence", ""), actor=request.user,
                                context=_context(request))

    return _form_post(request, pk, "escalation", act,
                      _("The EPC has a task to decide, and brokerage is re-opened for this young person."))


@requires("broker.support")
def raise_additional_need(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        return support.raise_additional_need(allocation, need=form.get("need", ""), note=form.get("note", ""),
                                             actor=request.user, context=_context(request))

    return _form_post(request, pk, "additional_need", act, _("The EPC has a task to add a supporting service."))


def _organisation(form: dict[str, Any]) -> Organisation:
    wanted = str(form.get("organisation", ""))
    organisation = Organisation.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if organisation is None:
        raise ValidationError({"organisation": [_("Choose the organisation.")]})
    return organisation


@requires("broker.allocate")
def add_service(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        return support.add_supporting_service(allocation.package, _organisation(form),
                                              purpose=form.get("purpose", ""), categories=form["categories"],
                                              actor=request.user, context=_context(request))

    return _form_post(request, pk, "service", act, _("The supporting service is added."))


@requires("broker.allocate")
def end_service(request: HttpRequest, pk: int) -> HttpResponse:
    def act(allocation: Allocation, form: dict[str, Any]) -> Any:
        service = PackageService.objects.filter(package=allocation.package, pk=form.get("service") or 0).first()
        if service is None:
            raise ValidationError({"service": [_("Choose one of this package's services.")]})
        return support.end_supporting_service(service, actor=request.user, context=_context(request))

    return _form_post(request, pk, "end_service", act, _("The supporting service has ended."))


# Reviews ----------------------------------------------------------------------------------------------------------


def _participants(post: Any) -> list[dict[str, Any]]:
    rows = []
    for n in range(PARTICIPANT_ROWS):
        name = post.get(f"participant-{n}-name", "").strip()
        role = post.get(f"participant-{n}-role", "").strip()
        if name or role:
            rows.append({"name": name, "role": role, "attended": bool(post.get(f"participant-{n}-attended"))})
    return rows


def _blank_participants(allocation: Allocation) -> list[dict[str, Any]]:
    worker = allocation.lead_worker
    first = {"name": worker.get_full_name() or worker.get_username(), "role": _("Lead worker"), "attended": True}
    return [first] + [{"name": "", "role": "", "attended": False} for _n in range(PARTICIPANT_ROWS - 1)]


@requires("broker.support")
def new_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a multi-agency review that has been held (R36)."""
    allocation = _allocation(request, pk)
    if not support.may_support(request.user, allocation):
        raise PermissionDenied
    errors: Errors = {}
    form: dict[str, Any] = {"held_on": timezone.localdate().isoformat(), "risk_band": allocation.referral.risk_band}
    participants = _blank_participants(allocation)
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("held_on", "risk_band", "lead_worker_feedback",
                                                      "package_changes", "next_review")}
        given = _participants(request.POST)
        participants = given + [{"name": "", "role": "", "attended": False}] * (PARTICIPANT_ROWS - len(given))
        try:
            dates = _typed_dates(form, "held_on", "next_review")
            reviews.record_review(allocation.package, held_on=dates["held_on"], risk_band=form["risk_band"],
                                  participants=given, lead_worker_feedback=form["lead_worker_feedback"],
                                  package_changes=form["package_changes"], next_review=dates["next_review"],
                                  actor=request.user, context=_context(request))
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("broker:package", pk=allocation.pk)
    return render(request, "broker/review_form.html", {
        "allocation": allocation, "form": form, "errors": errors, "bands": Band.choices,
        "participants": list(enumerate(participants))})


# The EPC's decisions ----------------------------------------------------------------------------------------------


@requires("broker.view_caseload")
def escalation(request: HttpRequest, pk: int) -> HttpResponse:
    """A "support not working" escalation, and for the EPC the decision form (R34, AT-22)."""
    found = caseloads.escalation_for(request.user, pk)
    if found is None:
        raise Http404(_("There is no such escalation, or you cannot see it."))
    allocation = found.allocation
    errors: Errors = {}
    form = {"decision": "", "reason": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            support.decide_escalation(found, decision=form["decision"], reason=form["reason"], actor=request.user,
                                      context=_context(request))
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("The decision is recorded and the task is closed."))
            return redirect("broker:escalation", pk=found.pk)
    else:
        audit.record(request.user, "view", _context(request), person_id=allocation.person_id,
                     object_type="escalation", object_id=found.pk, fields=[categories.SUPPORT_NEEDS])
    return render(request, "broker/escalation.html", {
        "escalation": found, "allocation": allocation, "errors": errors, "form": form,
        "epc": is_epc_of(request.user, allocation.referral.la_id), "decisions": EscalationDecision.choices,
        "referral_url": _url("broker:referral", found.referral_id) if found.referral_id else "",
        "task_url": _url("tasks:task", found.task_id) if found.task_id else ""})


def _decide_need(request: HttpRequest, need: AdditionalNeed, form: dict[str, Any]) -> None:
    context = _context(request)
    if request.POST.get("choice") == "decline":
        support.decline_additional_need(need, reason=form["reason"], actor=request.user, context=context)
    else:
        support.add_supporting_service(need.allocation.package, _organisation(form), purpose=form["purpose"],
                                       additional_need=need, categories=form["categories"], actor=request.user,
                                       context=context)


@requires("broker.view_caseload")
def additional_need(request: HttpRequest, pk: int) -> HttpResponse:
    """An additional need, and for the EPC the forms to add a supporting service or say why not (R35)."""
    need = caseloads.additional_need_for(request.user, pk)
    if need is None:
        raise Http404(_("There is no such additional need, or you cannot see it."))
    allocation = need.allocation
    errors: Errors = {}
    form: dict[str, Any] = {"organisation": "", "purpose": "", "categories": [], "reason": ""}
    blocked = False
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("organisation", "purpose", "reason")}
        form["categories"] = request.POST.getlist("categories")
        try:
            _decide_need(request, need, form)
        except FlowBlocked as problem:
            errors, blocked = {"categories": problem.messages}, True
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("The decision is recorded and the task is closed."))
            return redirect("broker:additional_need", pk=need.pk)
    else:
        audit.record(request.user, "view", _context(request), person_id=allocation.person_id,
                     object_type="additional_need", object_id=need.pk, fields=[categories.SUPPORT_NEEDS])
    epc = is_epc_of(request.user, allocation.referral.la_id)
    return render(request, "broker/additional_need.html", {
        "need": need, "allocation": allocation, "errors": errors, "form": form, "epc": epc, "blocked": blocked,
        "prefix": "decline" if request.POST.get("choice") == "decline" else "service",
        "organisations": _organisations() if epc else [], "agreement_url": _url("access:new_agreement"),
        "data_categories": _choices()["data_categories"]})


# A young person's lead worker tab ---------------------------------------------------------------------------------


def _trend_chart(trend: list[caseloads.TrendPoint]) -> Any:
    return line(_("Risk at each review and early identification run (0 none, 3 high)"),
                [(p.on.strftime("%m/%y"), caseloads.BAND_LEVEL.get(p.band, 0)) for p in trend], 3)


@requires("people.view_person")
def person_lead_worker(request: HttpRequest, pk: int) -> HttpResponse:
    """Who the young person's lead worker is, the support package in short, past allocations, reviews and the
    risk trend. Only for users whose access opens the young person's support needs."""
    context = person_context(request, pk, "lead_worker", (categories.IDENTITY, categories.SUPPORT_NEEDS,
                                                          categories.LEAD_WORKER_CONTACT))
    require_category(request.user, context["decision"], categories.SUPPORT_NEEDS, _context(request))
    person, can = context["person"], context["can"]
    current = active_allocation(pk)
    history = list(Allocation.objects.filter(person_id=pk, end__isnull=False)
                   .select_related("lead_worker", "host_organisation"))
    trend = caseloads.risk_trend(person) if can[categories.RISK] else []
    return render(request, "broker/person_lead_worker.html", {
        **context, "current": current, "history": history,
        "package": getattr(current, "package", None) if current else None,
        "package_url": reverse("broker:package", args=[current.pk])
        if current and caseloads.may_open_package(request.user, current) else "",
        "families_first": caseloads.families_first_note(person, current, sensitive=can[categories.SENSITIVE]),
        "reviews": list(caseloads.reviews_of(person.support_reviews.all())), "trend": trend, "bands": Band.choices,
        "review_points": sum(1 for p in trend if p.source == caseloads.REVIEW), "chart": _trend_chart(trend)})


urlpatterns: list[URLPattern] = [
    path("broker/caseload/", caseload, name="caseload"),
    path("broker/allocations/<int:pk>/", package, name="package"),
    path("broker/allocations/<int:pk>/package/", edit_package, name="package_edit"),
    path("broker/allocations/<int:pk>/goals/", add_goal, name="package_goal"),
    path("broker/allocations/<int:pk>/goals/status/", goal_status, name="package_goal_status"),
    path("broker/allocations/<int:pk>/actions/", add_action, name="package_action"),
    path("broker/allocations/<int:pk>/actions/done/", action_done, name="package_action_done"),
    path("broker/allocations/<int:pk>/contacts/", add_contact, name="package_contact"),
    path("broker/allocations/<int:pk>/progress/", add_progress, name="package_progress"),
    path("broker/allocations/<int:pk>/escalate/", escalate, name="package_escalate"),
    path("broker/allocations/<int:pk>/additional-needs/", raise_additional_need, name="package_additional_need"),
    path("broker/allocations/<int:pk>/services/", add_service, name="package_service"),
    path("broker/allocations/<int:pk>/services/end/", end_service, name="package_end_service"),
    path("broker/allocations/<int:pk>/reviews/new/", new_review, name="new_review"),
    path("broker/escalations/<int:pk>/", escalation, name="escalation"),
    path("broker/additional-needs/<int:pk>/", additional_need, name="additional_need"),
    path("people/<int:pk>/lead-worker/", person_lead_worker, name="person_lead_worker"),
]
