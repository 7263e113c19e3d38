"""Brokerage API for the EPC's board: referrals (list, make, read, the rules' proposal, allocate, decide), the
board's figures, the LA's allocation rules, its lead workers, and ending an allocation.

Referrals are read through ``broker.queries``: the EPC sees their LA's, a referrer their own; anything else gets
the same 404 as a referral that does not exist. A young person's referral is read through the access policy and
audited; only the EPC of the referral's LA may allocate, decide or end (403 otherwise)."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import Organisation
from yep.people.schemas import MAX_ID, Error, RecordId

from .. import metrics, queries, services
from ..allocation import Candidate, caseloads, propose, rules_for
from ..models import Allocation, LeadWorkerProfile, Referral, ReferralSource
from ..services.referrals import MAX_TEXT

router = Router(tags=["brokerage"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]


# Shapes -------------------------------------------------------------------------------------------------------


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class ReferralOut(Schema):
    """A referral with the facts the allocation rules read as they stood when it was made."""

    id: int
    person_id: int
    la_code: str
    source: str
    referred_by: str
    needs: list[str]
    urgency: str
    consent_confirmed: bool
    stage: str
    risk_band: str | None = Field(description="Null when your access does not include risk data.")
    families_first: bool
    tier: int | None
    notes: str
    received_at: datetime.datetime
    status: str
    decision: str
    decision_reason: str
    decided_at: datetime.datetime | None


class ReferralFilters(Schema):
    status: Literal["open", "allocated", "closed"] | None = None
    source: Literal[tuple(ReferralSource.values)] | None = None  # type: ignore[valid-type]  # the model's choices


class ReferralIn(Schema):
    """Refer a young person you may change. Post-16 referrals need a tier; ``risk_band`` is the risk level within
    tier 4 (from early identification the band is the latest result's)."""

    person_id: Id
    source: str = Field(max_length=24)
    needs: list[Annotated[str, Field(max_length=30)]] = Field([], max_length=20)
    urgency: str = Field("routine", max_length=10)
    consent_confirmed: bool = False
    tier: int | None = Field(None, ge=1, le=5)
    risk_band: str | None = Field(None, max_length=6)
    notes: Text = ""


class CandidateOut(Schema):
    lead_worker_id: int
    username: str
    name: str
    host_organisation: str
    host_type: str
    caseload: int
    capacity: int
    speaks_welsh: bool
    knows_young_person: bool
    warning: str


class ProposalOut(Schema):
    """What the LA's rules propose: the rule that matched (null when none does), the outcome and host types (best
    first), and the lead workers who fit, ranked."""

    referral_id: int
    rule_order: int | None
    rationale: str
    outcome: str
    host_types: list[str]
    summary: str
    welsh_preferred: bool
    welsh_unmet: bool
    candidates: list[CandidateOut]


class AllocateIn(Schema):
    lead_worker: Id = Field(description="The lead worker's user id.")
    override_reason: Text = ""
    start: datetime.date | None = None


class AllocationOut(Schema):
    id: int
    referral_id: int
    person_id: int
    lead_worker_id: int
    lead_worker: str
    host_organisation: str
    host_type: str
    proposed: str
    override_reason: str
    welsh_unmet: bool
    start: datetime.date
    end: datetime.date | None
    end_reason: str


class DecideIn(Schema):
    decision: Literal["no_lead_worker", "declined", "deferred"]
    reason: Text


class EndIn(Schema):
    reason: str = Field(max_length=20)
    note: Text = ""
    end: datetime.date | None = None


class WaitingOut(Schema):
    referral_id: int
    person_id: int
    received_at: datetime.datetime
    days_waiting: int
    urgency: str
    deferred: bool


class WorkerLoadOut(Schema):
    lead_worker_id: int
    username: str
    caseload: int
    capacity: int
    at_capacity: bool


class HostLoadOut(Schema):
    organisation_id: int
    organisation: str
    workers: int
    capacity: int
    caseload: int
    at_capacity: bool
    over_capacity: bool
    lead_workers: list[WorkerLoadOut]


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    referrals: int
    median_needs: float | None


class TimeToAllocationOut(Schema):
    since: datetime.date
    allocations: int
    median_days: float | None


class DashboardOut(Schema):
    """The board's figures for your LA on ``day``: referrals waiting (oldest first), time to allocation (last 3
    months), capacity by host organisation, referral trends (12 months), unmet Welsh-language demand (12 months),
    and escalations and additional needs waiting for the EPC."""

    la_code: str
    day: datetime.date
    waiting: list[WaitingOut]
    time_to_allocation: TimeToAllocationOut
    hosts: list[HostLoadOut]
    hosts_at_capacity: list[str]
    trends: list[MonthOut]
    unmet_welsh: int
    open_escalations: int
    open_additional_needs: int


class RuleIO(Schema):
    order: int = Field(ge=0, le=32_767)
    stage: str = Field("any", max_length=6)
    bands: list[Annotated[str, Field(max_length=6)]] = Field([], max_length=4)
    tiers: list[int] = Field([], max_length=5)
    families_first: str = Field("any", max_length=3)
    outcome: str = Field("lead_worker", max_length=16)
    host_types: list[Annotated[str, Field(max_length=20)]] = Field([], max_length=6)
    rationale: str = Field("", max_length=300)


class LeadWorkerOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    host_organisation_id: int
    host_organisation: str
    host_type: str
    capacity: int
    caseload: int
    speaks_welsh: bool
    active: bool


class LeadWorkerIn(Schema):
    """Register a member of staff with an active membership in your LA (or an organisation in it)."""

    username: str = Field(max_length=150)
    host_organisation_id: Id
    host_type: str = Field(max_length=20)
    capacity: int = Field(ge=0, le=32_767)
    speaks_welsh: bool = False


class LeadWorkerChange(Schema):
    capacity: int | None = Field(None, ge=0, le=32_767)
    speaks_welsh: bool | None = None
    active: bool | None = None


# Reading --------------------------------------------------------------------------------------------------------


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _epc_la(request: HttpRequest) -> Organisation:
    la = queries.epc_la(request.user)
    if la is None:
        raise PermissionDenied
    return la


def _referral_for(request: HttpRequest, pk: int) -> Referral:
    referral = queries.referral_visible_to(request.user, pk)
    if referral is None:
        raise HttpError(404, _("There is no such referral, or you cannot see it."))
    return referral


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _referral(referral: Referral, risk: bool = True) -> dict[str, Any]:
    return {
        "id": referral.pk, "person_id": referral.person_id, "la_code": referral.la.code, "source": referral.source,
        "referred_by": referral.referred_by_label, "needs": referral.needs, "urgency": referral.urgency,
        "consent_confirmed": referral.consent_confirmed, "stage": referral.stage,
        "risk_band": referral.risk_band if risk else None, "families_first": referral.families_first,
        "tier": referral.tier, "notes": referral.notes, "received_at": referral.received_at,
        "status": referral.status, "decision": referral.decision, "decision_reason": referral.decision_reason,
        "decided_at": referral.decided_at,
    }


def _read(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    """The referral, after the access-checked and audited read of the young person (404 when not theirs)."""
    _person, decision = get_person_for(request.user, referral.person_id, CASEWORK, _context(request),
                                       (categories.IDENTITY, categories.SUPPORT_NEEDS, categories.RISK))
    return _referral(referral, decision.can_see(categories.RISK))


def _candidate(c: Candidate) -> dict[str, Any]:
    p = c.profile
    return {"lead_worker_id": p.user_id, "username": p.user.get_username(), "name": _name(p.user),
            "host_organisation": p.host_organisation.name, "host_type": p.host_type, "caseload": c.caseload,
            "capacity": c.capacity, "speaks_welsh": c.speaks_welsh, "knows_young_person": c.knows_young_person,
            "warning": c.warning}


def _allocation(a: Allocation) -> dict[str, Any]:
    return {"id": a.pk, "referral_id": a.referral_id, "person_id": a.person_id, "lead_worker_id": a.lead_worker_id,
            "lead_worker": a.lead_worker.get_username(), "host_organisation": a.host_organisation.name,
            "host_type": a.host_type, "proposed": a.proposed, "override_reason": a.override_reason,
            "welsh_unmet": a.welsh_unmet, "start": a.start, "end": a.end, "end_reason": a.end_reason}


def _lead_worker(p: LeadWorkerProfile, caseload: int) -> dict[str, Any]:
    return {"id": p.pk, "user_id": p.user_id, "username": p.user.get_username(), "name": _name(p.user),
            "host_organisation_id": p.host_organisation_id, "host_organisation": p.host_organisation.name,
            "host_type": p.host_type, "capacity": p.capacity, "caseload": caseload, "speaks_welsh": p.speaks_welsh,
            "active": p.active}


def _rule(rule: Any) -> dict[str, Any]:
    return {"order": rule.order, "stage": rule.stage, "bands": rule.bands, "tiers": rule.tiers,
            "families_first": rule.families_first, "outcome": rule.outcome, "host_types": rule.host_types,
            "rationale": rule.rationale}


# Referrals --------------------------------------------------------------------------------------------------------


@router.get("/referrals", response=list[ReferralOut], summary="List referrals")
@requires("broker.refer")
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> list[dict[str, Any]]:
    """Your LA's referrals as the EPC, and the referrals you made; newest first. The list is audited."""
    rows = queries.referrals_visible_to(request.user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.source:
        rows = rows.filter(source=filters.source)
    shown = list(rows)
    audit.record(request.user, "view", _context(request), object_type="referrals",
                 fields=[categories.IDENTITY, categories.SUPPORT_NEEDS],
                 detail={"people": sorted({r.person_id for r in shown})})
    risk = {r.pk: queries.is_epc_of(request.user, r.la_id) for r in shown}
    return [_referral(r, risk[r.pk]) for r in shown]


@router.post("/referrals", response={201: ReferralOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Refer a young person")
@requires("broker.refer")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    """Refer a young person you may change to their LA's brokerage. Every problem comes back at once (400)."""
    person, decision = get_person_for(request.user, payload.person_id, CASEWORK, _context(request),
                                      (categories.IDENTITY,))
    referral = services.make_referral(
        person, source=payload.source, needs=payload.needs, urgency=payload.urgency,
        consent_confirmed=payload.consent_confirmed, tier=payload.tier, risk_band=payload.risk_band,
        notes=payload.notes, actor=request.user, context=_context(request))
    return Status(201, _referral(referral, decision.can_see(categories.RISK)))


@router.get("/referrals/{referral_id}", response={200: ReferralOut, 404: Error}, summary="Read a referral")
@requires("broker.refer")
def read_referral(request: HttpRequest, referral_id: RecordId) -> dict[str, Any]:
    return _read(request, _referral_for(request, referral_id))


@router.get("/referrals/{referral_id}/proposal", response={200: ProposalOut, 403: Error, 404: Error},
            summary="What the allocation rules propose")
@requires("broker.allocate")
def read_proposal(request: HttpRequest, referral_id: RecordId) -> dict[str, Any]:
    """The rule that matched, its rationale, and the lead workers who fit ranked (Welsh first when the young
    person prefers it, then spare capacity, then who knows them). The EPC of the referral's LA only."""
    referral = _referral_for(request, referral_id)
    if not queries.is_epc_of(request.user, referral.la_id):
        raise PermissionDenied
    _read(request, referral)
    proposal = propose(referral)
    return {"referral_id": referral.pk, "rule_order": proposal.rule.order if proposal.rule else None,
            "rationale": proposal.rule.rationale if proposal.rule else "", "outcome": proposal.outcome,
            "host_types": proposal.host_types, "summary": proposal.summary,
            "welsh_preferred": proposal.welsh_preferred, "welsh_unmet": proposal.welsh_unmet,
            "candidates": [_candidate(c) for c in proposal.candidates]}


@router.post("/referrals/{referral_id}/allocate",
             response={201: AllocationOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Allocate a lead worker")
@requires("broker.allocate")
def allocate(request: HttpRequest, referral_id: RecordId, payload: AllocateIn) -> Status[dict[str, Any]]:
    """Allocate a lead worker of the LA (by user id). Choosing outside the proposal needs ``override_reason``."""
    referral = _referral_for(request, referral_id)
    _read(request, referral)
    profile = LeadWorkerProfile.objects.filter(user_id=payload.lead_worker, la_id=referral.la_id).first()
    if profile is None:
        if not queries.is_epc_of(request.user, referral.la_id):
            raise PermissionDenied
        raise ValidationError({"lead_worker": [_("Choose a lead worker of this local authority.")]})
    allocation = services.allocate(referral, profile, override_reason=payload.override_reason,
                                   start=payload.start, actor=request.user, context=_context(request))
    return Status(201, _allocation(allocation))


@router.post("/referrals/{referral_id}/decide", response={200: ReferralOut, 400: Invalid, 403: Error, 404: Error,
                                                          422: Invalid}, summary="Decide without allocating")
@requires("broker.allocate")
def decide(request: HttpRequest, referral_id: RecordId, payload: DecideIn) -> dict[str, Any]:
    """No lead worker needed or declined (both close the referral), or deferred (it stays open); with a reason."""
    referral = _referral_for(request, referral_id)
    _read(request, referral)
    services.decide_referral(referral, decision=payload.decision, reason=payload.reason, actor=request.user,
                             context=_context(request))
    return _referral(referral)


@router.post("/allocations/{allocation_id}/end",
             response={200: AllocationOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="End a lead worker allocation")
@requires("broker.allocate")
def end_allocation(request: HttpRequest, allocation_id: RecordId, payload: EndIn) -> dict[str, Any]:
    """End an allocation with a reason; the lead worker's access ends the same day."""
    allocation = queries.allocations_visible_to(request.user).filter(pk=allocation_id).first()
    if allocation is None:
        raise HttpError(404, _("There is no such allocation, or you cannot see it."))
    get_person_for(request.user, allocation.person_id, CASEWORK, _context(request), (categories.IDENTITY,))
    ended = services.end_allocation(allocation, reason=payload.reason, note=payload.note, end=payload.end,
                                    actor=request.user, context=_context(request))
    return _allocation(ended)


# The board --------------------------------------------------------------------------------------------------------


def _host(h: metrics.HostLoad) -> dict[str, Any]:
    return {"organisation_id": h.organisation.pk, "organisation": h.organisation.name, "workers": len(h.workers),
            "capacity": h.capacity, "caseload": h.caseload, "at_capacity": h.at_capacity,
            "over_capacity": h.over_capacity,
            "lead_workers": [{"lead_worker_id": w.profile.user_id, "username": w.profile.user.get_username(),
                              "caseload": w.caseload, "capacity": w.capacity, "at_capacity": w.at_capacity}
                             for w in h.workers]}


@router.get("/dashboard", response={200: DashboardOut, 403: Error}, summary="The brokerage board's figures")
@requires("broker.view_board")
def dashboard(request: HttpRequest) -> dict[str, Any]:
    la = _epc_la(request)
    data = metrics.dashboard(la, timezone.localdate())
    audit.record(request.user, "view", _context(request), object_type="referrals", object_id=la.pk,
                 detail={"people": [w.referral.person_id for w in data.waiting]})
    ttl = data.time_to_allocation
    return {
        "la_code": la.code, "day": data.day,
        "waiting": [{"referral_id": w.referral.pk, "person_id": w.referral.person_id,
                     "received_at": w.referral.received_at, "days_waiting": w.days, "urgency": w.referral.urgency,
                     "deferred": w.referral.decision == "deferred"} for w in data.waiting],
        "time_to_allocation": {"since": ttl.since, "allocations": ttl.allocations, "median_days": ttl.median_days},
        "hosts": [_host(h) for h in data.hosts],
        "hosts_at_capacity": [h.organisation.name for h in data.hosts_at_capacity],
        "trends": [{"month": m.start.strftime("%Y-%m"), "referrals": m.referrals,
                    "median_needs": m.median_needs} for m in data.trends],
        "unmet_welsh": data.unmet_welsh, "open_escalations": data.open_escalations,
        "open_additional_needs": data.open_additional_needs,
    }


# Rules and lead workers -------------------------------------------------------------------------------------------


@router.get("/rules", response={200: list[RuleIO], 403: Error}, summary="Your LA's allocation rules")
@requires("broker.view_board")
def read_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [_rule(r) for r in rules_for(_epc_la(request).pk)]


@router.put("/rules", response={200: list[RuleIO], 400: Invalid, 403: Error, 422: Invalid},
            summary="Replace your LA's allocation rules")
@requires("broker.manage_rules")
def replace_rules(request: HttpRequest, payload: list[RuleIO]) -> list[dict[str, Any]]:
    """All or nothing: every rule is checked first, and one 400 lists every problem as "rule N: ..."."""
    la = _epc_la(request)
    saved = services.set_allocation_rules(la, [r.dict() for r in payload], actor=request.user,
                                          context=_context(request))
    return [_rule(r) for r in saved]


@router.get("/lead-workers", response={200: list[LeadWorkerOut], 403: Error}, summary="Your LA's lead workers")
@requires("broker.allocate")
def list_lead_workers(request: HttpRequest) -> list[dict[str, Any]]:
    profiles = list(queries.lead_workers_of(_epc_la(request)))
    counts = caseloads(p.user_id for p in profiles)
    return [_lead_worker(p, counts.get(p.user_id, 0)) for p in profiles]


@router.post("/lead-workers", response={201: LeadWorkerOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Register a lead worker")
@requires("broker.allocate")
def register_lead_worker(request: HttpRequest, payload: LeadWorkerIn) -> Status[dict[str, Any]]:
    la = _epc_la(request)
    user = queries.staff_of(la).filter(username=payload.username).first()
    host = queries.organisations_of(la).filter(pk=payload.host_organisation_id).first()
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["username"] = [_("Give the username of a member of staff in this local authority.")]
    if host is None:
        errors["host_organisation_id"] = [_("Choose the organisation that employs the lead worker.")]
    if errors or user is None or host is None:
        raise ValidationError(errors)
    profile = services.register_lead_worker(user, la=la, host_organisation=host, host_type=payload.host_type,
                                            capacity=payload.capacity, speaks_welsh=payload.speaks_welsh,
                                            actor=request.user, context=_context(request))
    return Status(201, _lead_worker(profile, 0))


@router.patch("/lead-workers/{profile_id}", response={200: LeadWorkerOut, 400: Invalid, 403: Error, 404: Error,
                                                      422: Invalid}, summary="Change a lead worker")
@requires("broker.allocate")
def change_lead_worker(request: HttpRequest, profile_id: RecordId, payload: LeadWorkerChange) -> dict[str, Any]:
    """Change capacity, Welsh, or whether the worker takes new allocations; fields left out stay as they are."""
    profile = queries.lead_workers_of(_epc_la(request)).filter(pk=profile_id).first()
    if profile is None:
        raise HttpError(404, _("There is no such lead worker, or you cannot see them."))
    profile = services.change_lead_worker(profile, capacity=payload.capacity, speaks_welsh=payload.speaks_welsh,
                                          active=payload.active, actor=request.user, context=_context(request))
    return _lead_worker(profile, caseloads([profile.user_id]).get(profile.user_id, 0))

