"""Brokerage pages for the EPC: the board, a referral with the rules' proposal and the allocate and decide forms,
referring a young person, the LA's allocation rules and its lead workers (YEPF §6 C, R26-R32, R40, R41)."""

import datetime
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
from yep.identify.models import Band
from yep.people.models import Organisation
from yep.people.views import person_context
from yep.web.charts import line

from .. import metrics, queries, services
from ..allocation import caseloads, propose, rules_for
from ..defaults import DEFAULT_RULES
from ..models import (
    Allocation,
    Decision,
    FamiliesFirstCondition,
    HostType,
    LeadWorkerProfile,
    Need,
    Outcome,
    Referral,
    ReferralSource,
    StageCondition,
    Urgency,
)
from ..services.referrals import POST16_FROM_ACADEMIC_AGE

BLANK_RULE_ROWS = 3
TIERS = (1, 2, 3, 4, 5)


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _epc_la(request: HttpRequest) -> Organisation:
    la = queries.epc_la(request.user)
    if la is None:
        raise PermissionDenied
    return la


def _errors(problem: ValidationError) -> dict[str, list[str]]:
    return problem.message_dict if hasattr(problem, "error_dict") else {"__all__": problem.messages}


def _package_url(allocation: Allocation) -> str | None:
    """The support package page of an allocation, once the support pages are there."""
    try:
        return reverse("broker:package", args=[allocation.pk])
    except NoReverseMatch:
        return None


# The board ------------------------------------------------------------------------------------------------------


@requires("broker.view_board")
def board(request: HttpRequest) -> HttpResponse:
    la = _epc_la(request)
    day = timezone.localdate()
    data = metrics.dashboard(la, day)
    escalations = list(metrics.open_escalations(la).select_related("allocation__person").order_by("raised_at"))
    needs_open = list(metrics.open_additional_needs(la).select_related("allocation__person").order_by("raised_at"))
    named = [w.referral.person_id for w in data.waiting] + [e.allocation.person_id for e in escalations] + [
        n.allocation.person_id for n in needs_open]
    # The lists name young people: the read is audited, as any list of records is.
    audit.record(request.user, "view", _context(request), object_type="referrals", object_id=la.pk,
                 fields=[categories.IDENTITY], detail={"people": sorted(set(named))})
    trend = [(m.start.strftime("%m/%y"), float(m.referrals)) for m in data.trends]
    # Months without referrals have no median: the needs chart leaves them out (the table shows a dash).
    needs = [(m.start.strftime("%m/%y"), float(m.median_needs)) for m in data.trends if m.median_needs is not None]
    return render(request, "broker/board.html", {
        "data": data, "la": la, "escalations": escalations, "additional_needs": needs_open,
        "referrals_chart": line(_("Referrals each month"), trend, max([n for _m, n in trend] + [1])),
        "needs_chart": line(_("Median number of needs per referral"), needs, max([n for _m, n in needs] + [1])),
    })


# Referring a young person ---------------------------------------------------------------------------------------


def _refer_form(request: HttpRequest) -> dict[str, Any]:
    form: dict[str, Any] = {k: request.POST.get(k, "").strip() for k in
                            ("source", "urgency", "notes", "tier", "risk_band")}
    form["needs"] = request.POST.getlist("needs")
    form["consent_confirmed"] = request.POST.get("consent_confirmed") == "yes"
    return form


def _refer(request: HttpRequest, person: Any, form: dict[str, Any], post16: bool) -> Referral:
    # The service reports a missing tier for a post-16 young person, with every other problem.
    tier = int(form["tier"]) if form["tier"].isdigit() else None
    # The risk level is asked within tier 4 only (Figure 6); elsewhere the rules read the band at referral.
    band = (form["risk_band"] or None) if post16 and tier == 4 else None
    return services.make_referral(
        person, source=form["source"], needs=form["needs"], urgency=form["urgency"] or Urgency.ROUTINE,
        consent_confirmed=form["consent_confirmed"], tier=tier if post16 else None, risk_band=band,
        notes=form["notes"], actor=request.user, context=_context(request))


@requires("broker.refer")
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    context = person_context(request, pk, "refer", (categories.IDENTITY, categories.SUPPORT_NEEDS))
    if not context["decision"].can_change:
        raise PermissionDenied
    person = context["person"]
    post16 = person.academic_age() >= POST16_FROM_ACADEMIC_AGE
    # A link from an early identification result arrives with its route chosen.
    chosen = request.GET.get("source", "")
    form: dict[str, Any] = {"source": chosen if chosen in ReferralSource.values else "",
                            "urgency": Urgency.ROUTINE, "notes": "", "tier": "", "risk_band": "",
                            "needs": [], "consent_confirmed": False}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _refer_form(request)
        try:
            referral = _refer(request, person, form, post16)
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("%(name)s is referred to brokerage.") % {"name": person.display_name})
            if queries.is_epc_of(request.user, referral.la_id):
                return redirect("broker:referral", pk=referral.pk)
            return redirect("people:detail", pk=person.pk)
    return render(request, "broker/refer.html", {
        **context, "form": form, "errors": errors, "post16": post16, "sources": ReferralSource.choices,
        "needs": Need.choices, "urgencies": Urgency.choices, "tiers": TIERS,
        "bands": [(b, Band(b).label) for b in ("low", "medium", "high")]})


# A referral: proposal, allocate, decide -------------------------------------------------------------------------


def _referral_for(request: HttpRequest, pk: int) -> Referral:
    referral = queries.referral_visible_to(request.user, pk)
    if referral is None:
        raise Http404(_("There is no such referral, or you cannot see it."))
    return referral


def _worker_choices(la: Organisation, proposal: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    proposed = [c.profile for c in proposal.candidates]
    others = [p for p in queries.lead_workers_of(la, active_only=True) if p not in proposed]

    def label(profile: LeadWorkerProfile) -> str:
        return f"{profile.user.get_full_name() or profile.user.get_username()} ({profile.get_host_type_display()}, " \
               f"{profile.host_organisation.name})"

    return [(_("Proposed, best first"), [(p.user_id, label(p)) for p in proposed]),
            (_("Other lead workers in the local authority"), [(p.user_id, label(p)) for p in others])]


def _allocate(request: HttpRequest, referral: Referral, form: dict[str, Any]) -> Allocation:
    profile = LeadWorkerProfile.objects.filter(user_id=int(form["lead_worker"]) if form["lead_worker"].isdigit()
                                               else 0, la_id=referral.la_id).first()
    if profile is None:
        raise ValidationError({"lead_worker": [_("Choose a lead worker.")]})
    try:
        start = datetime.date.fromisoformat(form["start"]) if form["start"] else None
    except ValueError:
        raise ValidationError({"start": [_("Give the start date as a date, e.g. 2026-11-23.")]}) from None
    return services.allocate(referral, profile, override_reason=form["override_reason"], start=start,
                             actor=request.user, context=_context(request))


def _post_referral(request: HttpRequest, referral: Referral, form: dict[str, Any]) -> HttpResponse | None:
    """Allocate or decide, from the referral page; a redirect when done, else None (``form`` keeps the errors)."""
    if not queries.is_epc_of(request.user, referral.la_id):
        raise PermissionDenied
    try:
        if request.POST.get("action") == "decide":
            services.decide_referral(referral, decision=form["decision"], reason=form["decision_reason"],
                                     actor=request.user, context=_context(request))
            messages.success(request, _("The decision is recorded."))
            return redirect("broker:referral", pk=referral.pk)
        allocation = _allocate(request, referral, form)
    except ValidationError as problem:
        form["errors"] = _errors(problem)  # read back by the page
        return None
    messages.success(request, _("%(worker)s is now the lead worker.")
                     % {"worker": allocation.lead_worker.get_full_name() or allocation.lead_worker.get_username()})
    return redirect(_package_url(allocation) or reverse("broker:referral", args=[referral.pk]))


@requires("broker.refer")
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request, pk)
    form: dict[str, Any] = {k: request.POST.get(k, "") for k in
                            ("lead_worker", "override_reason", "start", "decision", "decision_reason")}
    if request.method == "POST":
        done = _post_referral(request, referral, form)
        if done is not None:
            return done
        referral = _referral_for(request, pk)
    errors = form.pop("errors", {})
    person, decision = get_person_for(request.user, referral.person_id, CASEWORK, _context(request),
                                      (categories.IDENTITY, categories.SUPPORT_NEEDS, categories.RISK))
    epc = queries.is_epc_of(request.user, referral.la_id)
    proposal = propose(referral) if epc else None
    allocation = queries.active_allocation(referral.person_id)
    return render(request, "broker/referral.html", {
        "referral": referral, "person": person, "epc": epc, "proposal": proposal, "form": form, "errors": errors,
        "needs": [Need(n).label for n in referral.needs if n in Need.values],
        "workers": _worker_choices(referral.la, proposal) if proposal else [],
        "allocation": allocation, "package_url": _package_url(allocation) if allocation else None,
        "decisions": [(d, Decision(d).label) for d in (Decision.NO_LEAD_WORKER, Decision.DECLINED,
                                                       Decision.DEFERRED)],
        "can_risk": decision.can_see(categories.RISK),
    })


# Allocation rules -----------------------------------------------------------------------------------------------


def _rule_row(rule: Any) -> dict[str, Any]:
    return {"order": str(rule.order), "stage": rule.stage, "bands": list(rule.bands),
            "tiers": [str(t) for t in rule.tiers], "families_first": rule.families_first, "outcome": rule.outcome,
            "host_types": list(rule.host_types), "rationale": rule.rationale, "delete": False}


def _blank_row() -> dict[str, Any]:
    return {"order": "", "stage": StageCondition.ANY, "bands": [], "tiers": [],
            "families_first": FamiliesFirstCondition.ANY, "outcome": Outcome.LEAD_WORKER, "host_types": [],
            "rationale": "", "delete": False}


def _typed_rows(post: Any) -> list[dict[str, Any]]:
    """The rows as typed on the form. Host types keep the order they had (best first); newly ticked ones follow."""
    rows = []
    count = int(post.get("rows", "0")) if post.get("rows", "").isdigit() else 0
    for i in range(min(count, 200)):
        ticked = post.getlist(f"host_types-{i}")
        before = [h for h in post.get(f"host_order-{i}", "").split(",") if h in ticked]
        rows.append({"order": post.get(f"order-{i}", "").strip(), "stage": post.get(f"stage-{i}", ""),
                     "bands": post.getlist(f"bands-{i}"), "tiers": post.getlist(f"tiers-{i}"),
                     "families_first": post.get(f"families_first-{i}", ""),
                     "outcome": post.get(f"outcome-{i}", ""),
                     "host_types": before + [h for h in HostType.values if h in ticked and h not in before],
                     "rationale": post.get(f"rationale-{i}", "").strip(),
                     "delete": post.get(f"delete-{i}") == "yes"})
    return rows


def _rules_to_save(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to keep, as the service takes them; blank and deleted rows are left out."""
    saved, problems = [], []
    for n, row in enumerate(rows, start=1):
        if row["delete"] or (not row["order"] and not row["rationale"] and not row["host_types"]):
            continue
        if not row["order"].isdigit():
            problems.append(_("row %(n)s: give the order as a whole number") % {"n": n})
            continue
        saved.append({"order": int(row["order"]), "stage": row["stage"], "bands": row["bands"],
                      "tiers": [int(t) for t in row["tiers"] if t.isdigit()],
                      "families_first": row["families_first"], "outcome": row["outcome"],
                      "host_types": row["host_types"] if row["outcome"] == Outcome.LEAD_WORKER else [],
                      "rationale": row["rationale"]})
    if problems:
        raise ValidationError({"rules": problems})
    return saved


@requires("broker.manage_rules")
def rules(request: HttpRequest) -> HttpResponse:
    la = _epc_la(request)
    errors: dict[str, list[str]] = {}
    rows = [_rule_row(r) for r in rules_for(la.pk)]
    if request.method == "POST":
        restore = request.POST.get("action") == "defaults"
        typed = rows if restore else _typed_rows(request.POST)
        try:
            wanted = [dict(r) for r in DEFAULT_RULES] if restore else _rules_to_save(typed)
            services.set_allocation_rules(la, wanted, actor=request.user, context=_context(request))
        except ValidationError as problem:
            errors, rows = _errors(problem), typed
        else:
            messages.success(request, _("The default rules are restored.") if restore
                             else _("The allocation rules are saved."))
            return redirect("broker:rules")
    rows = [r for r in rows if r["order"] or r["rationale"] or r["host_types"]]
    rows += [_blank_row() for _i in range(BLANK_RULE_ROWS)]
    return render(request, "broker/rules.html", {
        "la": la, "rules": rules_for(la.pk), "rows": rows, "errors": errors, "stages": StageCondition.choices,
        "bands": Band.choices, "tiers": [str(t) for t in TIERS], "families_first": FamiliesFirstCondition.choices,
        "outcomes": Outcome.choices, "host_types": HostType.choices})


# Lead workers ---------------------------------------------------------------------------------------------------


def _register(request: HttpRequest, la: Organisation, form: dict[str, Any]) -> LeadWorkerProfile:
    user = queries.staff_of(la).filter(username=form["username"]).first() if form["username"] else None
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["username"] = [_("Give the username of a member of staff in this local authority.")]
    host = queries.organisations_of(la).filter(pk=int(form["host_organisation"])).first() \
        if form["host_organisation"].isdigit() else None
    if host is None:
        errors["host_organisation"] = [_("Choose the organisation that employs the lead worker.")]
    if not form["capacity"].isdigit():
        errors["capacity"] = [_("Give the agreed caseload as a whole number.")]
    if errors or user is None or host is None:
        raise ValidationError(errors)
    return services.register_lead_worker(user, la=la, host_organisation=host, host_type=form["host_type"],
                                         capacity=int(form["capacity"]), speaks_welsh=form["speaks_welsh"],
                                         actor=request.user, context=_context(request))


def _change(request: HttpRequest, la: Organisation, form: dict[str, Any]) -> LeadWorkerProfile:
    profile = queries.lead_workers_of(la).filter(pk=int(form["profile"]) if form["profile"].isdigit() else 0).first()
    if profile is None:
        raise Http404(_("There is no such lead worker, or you cannot see them."))
    if not form["capacity"].isdigit():
        raise ValidationError({"capacity": [_("Give the agreed caseload as a whole number.")]})
    return services.change_lead_worker(profile, capacity=int(form["capacity"]), speaks_welsh=form["speaks_welsh"],
                                       active=form["active"], actor=request.user, context=_context(request))


@requires("broker.allocate")
def lead_workers(request: HttpRequest) -> HttpResponse:
    la = _epc_la(request)
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {"username": "", "host_organisation": "", "host_type": "", "capacity": "",
                            "speaks_welsh": False, "profile": "", "active": True, "action": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in
                ("username", "host_organisation", "host_type", "capacity", "profile", "action")}
        form["speaks_welsh"] = request.POST.get("speaks_welsh") == "yes"
        form["active"] = request.POST.get("active") == "yes"
        try:
            profile = _change(request, la, form) if form["action"] == "change" else _register(request, la, form)
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, _("%(name)s is saved as a lead worker.")
                             % {"name": profile.user.get_full_name() or profile.user.get_username()})
            return redirect("broker:lead_workers")
    workers = list(queries.lead_workers_of(la).order_by("host_organisation__name", "user__username"))
    counts = caseloads(p.user_id for p in workers)
    rows = [{"profile": p, "caseload": counts.get(p.user_id, 0),
             "at_capacity": counts.get(p.user_id, 0) >= p.capacity} for p in workers]
    hosts = queries.organisations_of(la).order_by("name")
    return render(request, "broker/lead_workers.html", {
        "la": la, "rows": rows, "form": form, "errors": errors, "host_types": HostType.choices, "hosts": hosts})


urlpatterns: list[URLPattern] = [
    path("broker/", board, name="board"),
    path("broker/referrals/<int:pk>/", referral_detail, name="referral"),
    path("people/<int:pk>/refer/", refer, name="refer"),
    path("broker/rules/", rules, name="rules"),
    path("broker/lead-workers/", lead_workers, name="lead_workers"),
]
