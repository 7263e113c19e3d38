"""Brokerage API for the support a lead worker gives (R31, R33–R36): the caseload, a support package with its
goals, actions, services, contacts, progress, additional needs, escalations and reviews, the EPC's decisions, and
a young person's lead worker.

Packages are read through ``broker.caseloads``: the allocation's lead worker and the EPC of the referral's LA
may open one, and only while the young person's record (with its support needs) is open to them; anything else
gets the same 404 as a package that does not exist. Reads are audited; writes go through the services, which
check who may do what (403) and report every problem at once (400)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide, get_person_for, require_category
from yep.people.models import Organisation
from yep.people.schemas import MAX_ID, Error, RecordId

from .. import caseloads
from ..models import (
    Action,
    AdditionalNeed,
    Allocation,
    Contact,
    Escalation,
    Goal,
    PackageService,
    ProgressUpdate,
    SupportReview,
)
from ..queries import active_allocation
from ..services import reviews, support
from ..services.referrals import MAX_TEXT

router = Router(tags=["brokerage"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Line = Annotated[str, Field(max_length=300)]
Code = Annotated[str, Field(max_length=30)]


# Shapes -------------------------------------------------------------------------------------------------------


class SupportInvalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class CaseloadRowOut(Schema):
    allocation_id: int
    person_id: int
    person_name: str
    lead_worker: str
    host_organisation: str
    start: datetime.date
    last_contact: datetime.date | None
    next_contact_due: datetime.date
    review_due: datetime.date | None
    alerts: list[str]


class CaseloadOut(Schema):
    """Your young people (or, for the EPC, the LA's, of one lead worker with ``worker``), with what is due."""

    caseload: int | None = Field(description="Active allocations of the lead worker shown; null for the LA view.")
    capacity: int | None
    warning: str
    rows: list[CaseloadRowOut]


class CaseloadQuery(Schema):
    worker: Id | None = Field(None, description="EPC only: one lead worker's caseload (their user id).")


class GoalOut(Schema):
    id: int
    text: str
    measure: str
    target_date: datetime.date | None
    status: str


class ActionOut(Schema):
    id: int
    text: str
    owner: str
    due: datetime.date | None
    done: bool
    goal_id: int | None


class PackageServiceOut(Schema):
    id: int
    organisation: str
    organisation_ref: str
    role: str
    purpose: str
    start: datetime.date
    end: datetime.date | None
    shared: list[str]


class KeepingInTouchOut(Schema):
    id: int
    on: datetime.date
    channel: str
    outcome: str
    note: str
    recorded_by: str


class ProgressOut(Schema):
    id: int
    progress: str
    summary: str
    submitted_by: str
    submitted_at: datetime.datetime
    suggest_escalation: bool = Field(description="True for \"support not working\": escalate with evidence.")


class AdditionalNeedOut(Schema):
    id: int
    need: str
    note: str
    status: str
    raised_at: datetime.datetime
    service_id: int | None
    task_id: int | None
    decision_reason: str


class EscalationOut(Schema):
    id: int
    allocation_id: int
    evidence: str
    raised_by: str
    raised_at: datetime.datetime
    referral_id: int | None = Field(description="The re-brokerage referral it opened.")
    task_id: int | None
    task_due: datetime.date | None
    decision: str
    decision_reason: str
    decided_at: datetime.datetime | None


class ParticipantOut(Schema):
    name: str
    role: str
    attended: bool


class ReviewOut(Schema):
    id: int
    held_on: datetime.date
    risk_band: str | None = Field(description="Null when your access does not include risk data.")
    participants: list[ParticipantOut]
    lead_worker_feedback: str
    package_changes: str
    next_review: datetime.date | None


class PackageOut(Schema):
    """An allocation's support package and everything recorded with it."""

    allocation_id: int
    person_id: int
    lead_worker: str
    lead_worker_email: str
    host_organisation: str
    host_type: str
    start: datetime.date
    end: datetime.date | None
    continuity_end: datetime.date | None
    summary: str
    next_review: datetime.date | None
    goals: list[GoalOut]
    actions: list[ActionOut]
    services: list[PackageServiceOut]
    contacts: list[KeepingInTouchOut]
    progress_updates: list[ProgressOut]
    additional_needs: list[AdditionalNeedOut]
    escalations: list[EscalationOut]
    reviews: list[ReviewOut]


class PackageIn(Schema):
    summary: Text | None = None
    next_review: datetime.date | None = None


class GoalIn(Schema):
    text: Line
    measure: Line = ""
    target_date: datetime.date | None = None


class GoalStatusIn(Schema):
    status: Code


class ActionIn(Schema):
    text: Line
    owner: Annotated[str, Field(max_length=150)] = ""
    due: datetime.date | None = None
    goal_id: Id | None = None


class ContactIn(Schema):
    on: datetime.date
    channel: Code
    outcome: Code
    note: Text = ""


class ProgressIn(Schema):
    progress: Code
    summary: Text


class EscalationIn(Schema):
    evidence: Text


class DecisionIn(Schema):
    decision: Code = Field(description="change_host, change_package or continue")
    reason: Text


class AdditionalNeedIn(Schema):
    need: Code
    note: Text = ""


class ServiceIn(Schema):
    """Add a supporting service for the need. With ``categories``, the record is shared under a sharing
    agreement; a flow no agreement allows is refused (400) with the reason."""

    organisation_id: Id
    purpose: Line
    categories: list[Code] = Field([], max_length=12)


class DeclineIn(Schema):
    reason: Text


class ParticipantIn(Schema):
    name: Annotated[str, Field(max_length=150)]
    role: Annotated[str, Field(max_length=150)] = ""
    attended: bool = False
    user_id: Id | None = None


class ReviewIn(Schema):
    held_on: datetime.date
    risk_band: Code
    participants: list[ParticipantIn] = Field(max_length=50)
    lead_worker_feedback: Text = ""
    package_changes: Text = ""
    next_review: datetime.date | None = None


class PastAllocationOut(Schema):
    lead_worker: str
    host_organisation: str
    start: datetime.date
    end: datetime.date | None
    end_reason: str


class LeadWorkerOut(Schema):
    """A young person's lead worker now (null when none), earlier ones, and Families First involvement."""

    families_first: str
    current: PackageOut | None = Field(description="Only when you may open the package; else null.")
    lead_worker: str | None
    lead_worker_email: str | None = Field(description="Null without the lead worker contact category.")
    host_organisation: str | None
    since: datetime.date | None
    continuity_end: datetime.date | None
    past: list[PastAllocationOut]


# Reading --------------------------------------------------------------------------------------------------------


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user else ""


def _allocation(request: HttpRequest, pk: int) -> Allocation:
    allocation = caseloads.allocation_for(request.user, pk)
    if allocation is None:
        audit.record(request.user, "denied", _context(request), object_type="support_package", object_id=pk,
                     detail={"reason": "not on the user's caseload or LA"})
        raise HttpError(404, _("There is no such support package, or you cannot see it."))
    return allocation


def _row(row: caseloads.CaseloadRow) -> dict[str, Any]:
    a = row.allocation
    return {"allocation_id": a.pk, "person_id": a.person_id, "person_name": a.person.display_name,
            "lead_worker": _name(a.lead_worker), "host_organisation": a.host_organisation.display_name,
            "start": a.start, "last_contact": row.last_contact, "next_contact_due": row.next_contact_due,
            "review_due": row.review_due, "alerts": row.alerts}


def _service(s: PackageService) -> dict[str, Any]:
    return {"id": s.pk, "organisation": s.organisation.display_name, "organisation_ref": s.organisation.ref,
            "role": s.role, "purpose": s.purpose, "start": s.start, "end": s.end,
            "shared": list(s.relationship.categories) if s.relationship else []}


def _contact(c: Contact) -> dict[str, Any]:
    return {"id": c.pk, "on": c.on, "channel": c.channel, "outcome": c.outcome, "note": c.note,
            "recorded_by": _name(c.recorded_by)}


def _progress(p: ProgressUpdate) -> dict[str, Any]:
    return {"id": p.pk, "progress": p.progress, "summary": p.summary, "submitted_by": _name(p.submitted_by),
            "submitted_at": p.submitted_at, "suggest_escalation": p.progress == "not_working"}


def _need(n: AdditionalNeed) -> dict[str, Any]:
    return {"id": n.pk, "need": n.need, "note": n.note, "status": n.status, "raised_at": n.raised_at,
            "service_id": n.service_id, "task_id": n.task_id, "decision_reason": n.decision_reason}


def _escalation(e: Escalation) -> dict[str, Any]:
    return {"id": e.pk, "allocation_id": e.allocation_id, "evidence": e.evidence, "raised_by": _name(e.raised_by),
            "raised_at": e.raised_at, "referral_id": e.referral_id, "task_id": e.task_id,
            "task_due": e.task.due if e.task else None, "decision": e.decision,
            "decision_reason": e.decision_reason, "decided_at": e.decided_at}


def _review(r: SupportReview, risk: bool) -> dict[str, Any]:
    return {"id": r.pk, "held_on": r.held_on, "risk_band": r.risk_band if risk else None,
            "participants": [{"name": p.name, "role": p.role, "attended": p.attended} for p in r.participants.all()],
            "lead_worker_feedback": r.lead_worker_feedback, "package_changes": r.package_changes,
            "next_review": r.next_review}


def _goal(g: Goal) -> dict[str, Any]:
    return {"id": g.pk, "text": g.text, "measure": g.measure, "target_date": g.target_date, "status": g.status}


def _action(a: Action) -> dict[str, Any]:
    return {"id": a.pk, "text": a.text, "owner": a.owner, "due": a.due, "done": a.done, "goal_id": a.goal_id}


def _package(request: HttpRequest, allocation: Allocation) -> dict[str, Any]:
    parts = caseloads.package_parts(allocation)
    decision = decide(request.user, allocation.person_id)
    risk = bool(decision and decision.can_see(categories.RISK))
    worker = allocation.lead_worker
    return {
        "allocation_id": allocation.pk, "person_id": allocation.person_id, "lead_worker": _name(worker),
        "lead_worker_email": worker.email, "host_organisation": allocation.host_organisation.display_name,
        "host_type": allocation.host_type, "start": allocation.start, "end": allocation.end,
        "continuity_end": allocation.continuity_end, "summary": allocation.package.summary,
        "next_review": allocation.package.next_review,
        "goals": [_goal(g) for g in parts["goals"]], "actions": [_action(a) for a in parts["actions"]],
        "services": [_service(s) for s in parts["services"]], "contacts": [_contact(c) for c in parts["contacts"]],
        "progress_updates": [_progress(p) for p in parts["progress_updates"]],
        "additional_needs": [_need(n) for n in parts["additional_needs"]],
        "escalations": [_escalation(e) for e in parts["escalations"]],
        "reviews": [_review(r, risk) for r in parts["reviews"]],
    }


def _read(request: HttpRequest, allocation: Allocation) -> dict[str, Any]:
    audit.record(request.user, "view", _context(request), person_id=allocation.person_id,
                 object_type="support_package", object_id=allocation.pk, fields=[categories.SUPPORT_NEEDS])
    return _package(request, allocation)


@router.get("/caseload", response=CaseloadOut, summary="List a caseload")
@requires("broker.view_caseload")
def caseload(request: HttpRequest, query: Query[CaseloadQuery]) -> dict[str, Any]:
    """Your young people as a lead worker, with last contact, next contact due (last contact or start + 14 days),
    review due and alerts. The EPC sees the LA's, of one lead worker with ``worker``. The read is audited."""
    las = caseloads.epc_las(request.user)
    worker = query.worker if las else None
    found = caseloads.la_caseload(request.user, worker) if las else caseloads.own_caseload(request.user)
    listed = caseloads.rows(found)
    audit.record(request.user, "view", _context(request), object_type="caseload", fields=[categories.SUPPORT_NEEDS],
                 detail={"people": [r.allocation.person_id for r in listed], "worker": worker})
    whose = worker or (None if las else request.user.pk)
    shown = caseloads.capacity_of(whose) if whose else None
    return {"caseload": shown.caseload if shown else None, "capacity": shown.profile.capacity if shown else None,
            "warning": shown.warning if shown else "", "rows": [_row(r) for r in listed]}


@router.get("/allocations/{allocation_id}", response={200: PackageOut, 404: Error}, summary="Read a support package")
@requires("broker.view_caseload")
def read_package(request: HttpRequest, allocation_id: RecordId) -> dict[str, Any]:
    """The allocation's support package with its goals, actions, services, contacts, progress, additional
    needs, escalations and reviews. The lead worker and the LA's EPC may read it; the read is audited."""
    return _read(request, _allocation(request, allocation_id))


# Writing --------------------------------------------------------------------------------------------------------

WRITE = {200: PackageOut, 400: SupportInvalid, 403: Error, 404: Error, 422: SupportInvalid}
CREATED = {201: PackageOut, 400: SupportInvalid, 403: Error, 404: Error, 422: SupportInvalid}


@router.patch("/allocations/{allocation_id}/package", response=WRITE, summary="Change a support package")
@requires("broker.support")
def update_package(request: HttpRequest, allocation_id: RecordId, payload: PackageIn) -> dict[str, Any]:
    """Change the summary or the next review date (not in the past). Only what is sent changes."""
    allocation = _allocation(request, allocation_id)
    support.update_package(allocation.package, summary=payload.summary, next_review=payload.next_review,
                           actor=request.user, context=_context(request))
    return _package(request, allocation)


@router.post("/allocations/{allocation_id}/goals", response={201: GoalOut, 400: SupportInvalid, 403: Error,
                                                              404: Error, 422: SupportInvalid}, summary="Add a goal")
@requires("broker.support")
def add_goal(request: HttpRequest, allocation_id: RecordId, payload: GoalIn) -> Status[dict[str, Any]]:
    allocation = _allocation(request, allocation_id)
    goal = support.add_goal(allocation.package, text=payload.text, measure=payload.measure,
                            target_date=payload.target_date, actor=request.user, context=_context(request))
    return Status(201, _goal(goal))


@router.patch("/allocations/{allocation_id}/goals/{goal_id}", response={200: GoalOut, 400: SupportInvalid,
                                                                        403: Error, 404: Error, 422: SupportInvalid},
              summary="Change a goal's status")
@requires("broker.support")
def set_goal_status(request: HttpRequest, allocation_id: RecordId, goal_id: RecordId,
                    payload: GoalStatusIn) -> dict[str, Any]:
    """``open`` (in progress), ``achieved`` or ``dropped`` (no longer pursued)."""
    allocation = _allocation(request, allocation_id)
    goal = allocation.package.goals.filter(pk=goal_id).first()
    if goal is None:
        raise HttpError(404, _("There is no such goal in this package."))
    return _goal(support.set_goal_status(goal, payload.status, actor=request.user, context=_context(request)))


@router.post("/allocations/{allocation_id}/actions", response={201: ActionOut, 400: SupportInvalid, 403: Error,
                                                                404: Error, 422: SupportInvalid},
             summary="Add an action")
@requires("broker.support")
def add_action(request: HttpRequest, allocation_id: RecordId, payload: ActionIn) -> Status[dict[str, Any]]:
    allocation = _allocation(request, allocation_id)
    goal = allocation.package.goals.filter(pk=payload.goal_id).first() if payload.goal_id else None
    if payload.goal_id and goal is None:
        raise HttpError(404, _("There is no such goal in this package."))
    action = support.add_action(allocation.package, text=payload.text, owner=payload.owner, due=payload.due,
                                goal=goal, actor=request.user, context=_context(request))
    return Status(201, _action(action))


@router.post("/allocations/{allocation_id}/actions/{action_id}/done", response={200: ActionOut, 400: SupportInvalid,
                                                                                403: Error, 404: Error},
             summary="Mark an action done")
@requires("broker.support")
def complete_action(request: HttpRequest, allocation_id: RecordId, action_id: RecordId) -> dict[str, Any]:
    allocation = _allocation(request, allocation_id)
    action = allocation.package.actions.filter(pk=action_id).first()
    if action is None:
        raise HttpError(404, _("There is no such action in this package."))
    return _action(support.complete_action(action, actor=request.user, context=_context(request)))


@router.post("/allocations/{allocation_id}/contacts", response={201: KeepingInTouchOut, 400: SupportInvalid,
                                                                 403: Error, 404: Error, 422: SupportInvalid},
             summary="Log a keeping-in-touch contact")
@requires("broker.support")
def record_contact(request: HttpRequest, allocation_id: RecordId, payload: ContactIn) -> Status[dict[str, Any]]:
    """Not in the future and not before the allocation started (400 otherwise)."""
    allocation = _allocation(request, allocation_id)
    contact = support.record_contact(allocation, on=payload.on, channel=payload.channel, outcome=payload.outcome,
                                     note=payload.note, actor=request.user, context=_context(request))
    return Status(201, _contact(contact))


@router.post("/allocations/{allocation_id}/progress", response={201: ProgressOut, 400: SupportInvalid, 403: Error,
                                                                 404: Error, 422: SupportInvalid},
             summary="Send progress feedback to the EPC")
@requires("broker.support")
def submit_progress(request: HttpRequest, allocation_id: RecordId, payload: ProgressIn) -> Status[dict[str, Any]]:
    """``on_track``, ``some_concerns`` or ``not_working``; the last suggests escalating (``suggest_escalation``)."""
    allocation = _allocation(request, allocation_id)
    update = support.submit_progress(allocation, progress=payload.progress, summary=payload.summary,
                                     actor=request.user, context=_context(request))
    return Status(201, _progress(update))


@router.post("/allocations/{allocation_id}/escalations", response={201: EscalationOut, 400: SupportInvalid,
                                                                    403: Error, 404: Error, 422: SupportInvalid},
             summary="Escalate: support not working")
@requires("broker.support")
def escalate(request: HttpRequest, allocation_id: RecordId, payload: EscalationIn) -> Status[dict[str, Any]]:
    """Evidence is required. The LA's EPCs get a task due within the SLA (5 working days) and an email, and a
    re-brokerage referral opens, linked to the package. One open escalation per allocation."""
    allocation = _allocation(request, allocation_id)
    escalation = support.escalate(allocation, evidence=payload.evidence, actor=request.user,
                                  context=_context(request))
    return Status(201, _escalation(escalation))


@router.post("/escalations/{escalation_id}/decide", response={200: EscalationOut, 400: SupportInvalid, 403: Error,
                                                              404: Error, 422: SupportInvalid},
             summary="Decide an escalation")
@requires("broker.allocate")
def decide_escalation(request: HttpRequest, escalation_id: RecordId, payload: DecisionIn) -> dict[str, Any]:
    """The EPC's decision with a reason: ``change_host`` ends the allocation and leaves the re-brokerage
    referral open for a new one; ``change_package`` and ``continue`` close it. Closes the EPC's task."""
    escalation = caseloads.escalation_for(request.user, escalation_id)
    if escalation is None:
        raise HttpError(404, _("There is no such escalation, or you cannot see it."))
    decided = support.decide_escalation(escalation, decision=payload.decision, reason=payload.reason,
                                        actor=request.user, context=_context(request))
    return _escalation(decided)


@router.post("/allocations/{allocation_id}/additional-needs", response={201: AdditionalNeedOut, 400: SupportInvalid,
                                                                         403: Error, 404: Error, 422: SupportInvalid},
             summary="Raise an additional need")
@requires("broker.support")
def raise_additional_need(request: HttpRequest, allocation_id: RecordId,
                          payload: AdditionalNeedIn) -> Status[dict[str, Any]]:
    """A need another service should meet; the EPC gets a task to add a supporting service. The lead worker is
    unchanged."""
    allocation = _allocation(request, allocation_id)
    need = support.raise_additional_need(allocation, need=payload.need, note=payload.note, actor=request.user,
                                         context=_context(request))
    return Status(201, _need(need))


def _additional_need(request: HttpRequest, pk: int) -> AdditionalNeed:
    need = caseloads.additional_need_for(request.user, pk)
    if need is None:
        raise HttpError(404, _("There is no such additional need, or you cannot see it."))
    return need


@router.post("/additional-needs/{need_id}/services", response={201: PackageServiceOut, 400: SupportInvalid,
                                                               403: Error, 404: Error, 422: SupportInvalid},
             summary="Add a supporting service for an additional need")
@requires("broker.allocate")
def add_supporting_service(request: HttpRequest, need_id: RecordId, payload: ServiceIn) -> Status[dict[str, Any]]:
    """EPC only. A blocked flow (no agreement covering the categories) is a 400 saying why; nothing changes."""
    need = _additional_need(request, need_id)
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise HttpError(404, _("There is no such organisation."))
    service = support.add_supporting_service(need.allocation.package, organisation, purpose=payload.purpose,
                                             additional_need=need, categories=payload.categories,
                                             actor=request.user, context=_context(request))
    return Status(201, _service(service))


@router.post("/additional-needs/{need_id}/decline", response={200: AdditionalNeedOut, 400: SupportInvalid,
                                                              403: Error, 404: Error, 422: SupportInvalid},
             summary="Decide no service for an additional need")
@requires("broker.allocate")
def decline_additional_need(request: HttpRequest, need_id: RecordId, payload: DeclineIn) -> dict[str, Any]:
    need = _additional_need(request, need_id)
    return _need(support.decline_additional_need(need, reason=payload.reason, actor=request.user,
                                                 context=_context(request)))


@router.post("/allocations/{allocation_id}/reviews", response={201: ReviewOut, 400: SupportInvalid, 403: Error,
                                                                404: Error, 422: SupportInvalid},
             summary="Record a multi-agency review")
@requires("broker.support")
def record_review(request: HttpRequest, allocation_id: RecordId, payload: ReviewIn) -> Status[dict[str, Any]]:
    """A review that has been held (not in the future), with at least one participant and the risk as agreed;
    ``next_review`` becomes the package's next review date."""
    allocation = _allocation(request, allocation_id)
    participants = [{"name": p.name, "role": p.role, "attended": p.attended, "user": p.user_id}
                    for p in payload.participants]
    review = reviews.record_review(allocation.package, held_on=payload.held_on, risk_band=payload.risk_band,
                                   participants=participants, lead_worker_feedback=payload.lead_worker_feedback,
                                   package_changes=payload.package_changes, next_review=payload.next_review,
                                   actor=request.user, context=_context(request))
    return Status(201, _review(review, True))


# A young person's lead worker -----------------------------------------------------------------------------------


@router.get("/people/{person_id}/lead-worker", response={200: LeadWorkerOut, 403: Error, 404: Error},
            summary="Read a young person's lead worker")
@requires("people.view_person")
def person_lead_worker(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    """The current lead worker and their contact (with that category), Families First involvement, earlier
    allocations, and the package when you may open it. Needs the support needs category (403 otherwise)."""
    context = _context(request)
    person, decision = get_person_for(request.user, person_id, CASEWORK, context,
                                      (categories.SUPPORT_NEEDS, categories.LEAD_WORKER_CONTACT))
    require_category(request.user, decision, categories.SUPPORT_NEEDS, context)
    current = active_allocation(person_id)
    past = Allocation.objects.filter(person_id=person_id, end__isnull=False).select_related("lead_worker",
                                                                                           "host_organisation")
    package = None
    if current is not None and caseloads.may_open_package(request.user, current):
        package = _package(request, current)
    contact = decision.can_see(categories.LEAD_WORKER_CONTACT)
    return {
        "families_first": caseloads.families_first_note(person, current,
                                                        sensitive=decision.can_see(categories.SENSITIVE)),
        "current": package, "lead_worker": _name(current.lead_worker) if current else None,
        "lead_worker_email": current.lead_worker.email if current and contact else None,
        "host_organisation": current.host_organisation.display_name if current else None,
        "since": current.start if current else None, "continuity_end": current.continuity_end if current else None,
        "past": [{"lead_worker": _name(a.lead_worker), "host_organisation": a.host_organisation.display_name,
                  "start": a.start, "end": a.end,
                  "end_reason": a.end_reason} for a in past],
    }
