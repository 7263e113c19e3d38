"""Brokerage API for continuity and endings (R37–R39, R44, R89–R90): the LA's continuity policy, a post-16 start
and the provider's contact, closing a case or handing over at 18, recording a follow-up, a course ending (the
end-of-course interview), and the outcome report.

An allocation or follow-up the caller may not act on gets the same 404 as one that does not exist; the services
check who may do what (403) and report every problem at once (400)."""

import datetime
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for
from yep.people.models import Organisation, OrganisationKind
from yep.people.schemas import MAX_ID, Error, RecordId

from .. import outcomes, queries
from ..models import Allocation, ContinuityPolicy, FollowUp
from ..services import continuity, followups
from ..services.referrals import MAX_TEXT
from ..services.schedule import add_months, notify_course_ending

router = Router()

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Code = Annotated[str, Field(max_length=30)]
LOOKBACK_MONTHS = 36


class ContinuityInvalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class PolicyOut(Schema):
    """The LA's continuity policy (``saved`` false: the defaults, as the LA has set none)."""

    la_code: str
    saved: bool
    kind: str
    months: int
    fixed_month: int
    fixed_day: int
    learning_coach_exception: bool
    destination_types: list[str]


class PolicyIn(Schema):
    """``kind``: months, fixed_date or none. An empty ``destination_types`` applies it to every destination."""

    kind: Code
    months: int = Field(3, ge=0, le=1000)
    fixed_month: int = Field(1, ge=0, le=100)
    fixed_day: int = Field(31, ge=0, le=100)
    learning_coach_exception: bool = False
    destination_types: list[Code] = Field([], max_length=10)


class Post16In(Schema):
    start: datetime.date
    provider_id: Id
    destination_type: Code


class Post16Out(Schema):
    """What recording the start did: the continuity end, whether the allocation ended (learning-coach
    exception) with a re-assessment task, and whether the provider was told who the lead worker is, or why not."""

    allocation_id: int
    post16_start: datetime.date
    continuity_end: datetime.date | None
    ended: bool
    reassessment_task_id: int | None
    provider_told: bool
    provider_message: str


class ProviderContactIn(Schema):
    contact: Annotated[str, Field(max_length=300)]


class CloseIn(Schema):
    """``reason`` from the end reasons; ``handover_to_id`` only for post18_handover; ``end`` defaults to today."""

    reason: Code
    note: Text = ""
    handover_to_id: Id | None = None
    end: datetime.date | None = None


class AllocationOut(Schema):
    allocation_id: int
    end: datetime.date | None
    end_reason: str
    handover_to: str | None
    provider_contact: str
    follow_ups: list[datetime.date]


class FollowUpIn(Schema):
    status: Code
    note: Text = ""


class FollowUpOut(Schema):
    id: int
    allocation_id: int
    person_id: int
    months: int
    due: datetime.date
    status: str
    note: str


class CourseEndingIn(Schema):
    """A learner's course ends on ``ends_on``; with no ``intended_destination`` and the end within four weeks,
    the careers team gets an end-of-course interview task."""

    person_id: Id
    provider_id: Id
    ends_on: datetime.date
    intended_destination: Annotated[str, Field(max_length=300)] = ""


class CourseEndingOut(Schema):
    interview_task_id: int | None


class OutcomesQuery(Schema):
    la: Code | None = None
    closed_from: datetime.date | None = Field(None, alias="from")
    closed_to: datetime.date | None = Field(None, alias="to")


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, channel="api")


def _epc_la(request: HttpRequest) -> Organisation:
    la = queries.epc_la(request.user)
    if la is None:
        raise PermissionDenied
    return la


def _policy(policy: ContinuityPolicy) -> dict[str, Any]:
    return {"la_code": policy.la.code, "saved": policy.pk is not None, "kind": policy.kind, "months": policy.months,
            "fixed_month": policy.fixed_month, "fixed_day": policy.fixed_day,
            "learning_coach_exception": policy.learning_coach_exception,
            "destination_types": list(policy.destination_types)}


def _allocation(request: HttpRequest, pk: int, may: Callable[[Any, Allocation], bool]) -> Allocation:
    allocation = (Allocation.objects.select_related("person", "referral__la", "lead_worker", "handover_to")
                  .filter(pk=pk).first())
    if allocation is None or not may(request.user, allocation):
        audit.record(request.user, "denied", _context(request), object_type="lead_worker_allocation", object_id=pk,
                     detail={"reason": "not the user's to change"})
        raise HttpError(404, _("There is no such allocation, or you cannot change it."))
    get_person_for(request.user, allocation.person_id, CASEWORK, _context(request), (categories.IDENTITY,))
    return allocation


def _organisation(pk: int | None) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first() if pk else None


def _ended(allocation: Allocation) -> dict[str, Any]:
    return {"allocation_id": allocation.pk, "end": allocation.end, "end_reason": allocation.end_reason,
            "handover_to": allocation.handover_to.display_name if allocation.handover_to else None,
            "provider_contact": allocation.provider_contact,
            "follow_ups": [f.due for f in allocation.follow_ups.order_by("due")]}


INVALID = {400: ContinuityInvalid, 403: Error, 404: Error, 422: ContinuityInvalid}


@router.get("/continuity-policy", response={200: PolicyOut, 403: Error}, summary="Read your LA's continuity policy")
@requires("broker.manage_rules")
def read_policy(request: HttpRequest) -> dict[str, Any]:
    return _policy(continuity.policy_for(_epc_la(request)))


@router.put("/continuity-policy", response={200: PolicyOut, **INVALID}, summary="Set your LA's continuity policy")
@requires("broker.manage_rules")
def set_policy(request: HttpRequest, payload: PolicyIn) -> dict[str, Any]:
    """How long a lead worker stays after the post-16 start (R37). Applies to starts recorded from now on."""
    policy = continuity.set_continuity_policy(_epc_la(request), **payload.model_dump(), actor=request.user,
                                              context=_context(request))
    return _policy(policy)


@router.post("/allocations/{allocation_id}/post16-start", response={200: Post16Out, **INVALID},
             summary="Record a post-16 start")
@requires("broker.support")
def post16_start(request: HttpRequest, allocation_id: RecordId, payload: Post16In) -> dict[str, Any]:
    """The EPC, the lead worker or the LA's careers service records where and when the young person started."""
    allocation = _allocation(request, allocation_id, continuity.may_record_start)
    result = continuity.record_post16_start(
        allocation, start=payload.start, provider=_organisation(payload.provider_id),  # type: ignore[arg-type]
        destination_type=payload.destination_type, actor=request.user, context=_context(request))
    return {"allocation_id": allocation.pk, "post16_start": payload.start, "continuity_end": result.continuity_end,
            "ended": result.ended, "reassessment_task_id": result.reassessment.pk if result.reassessment else None,
            "provider_told": result.provider_told, "provider_message": result.provider_message}


@router.post("/allocations/{allocation_id}/provider-contact", response={200: AllocationOut, **INVALID},
             summary="Record the provider's contact for the lead worker")
@requires("broker.support")
def provider_contact(request: HttpRequest, allocation_id: RecordId, payload: ProviderContactIn) -> dict[str, Any]:
    allocation = _allocation(request, allocation_id, continuity.may_record_contact)
    return _ended(continuity.record_provider_contact(allocation, contact=payload.contact, actor=request.user,
                                                     context=_context(request)))


@router.post("/allocations/{allocation_id}/close", response={200: AllocationOut, **INVALID},
             summary="Close a case or hand over at 18")
@requires("broker.support")
def close(request: HttpRequest, allocation_id: RecordId, payload: CloseIn) -> dict[str, Any]:
    """The EPC or the lead worker closes the case with a reason (R44); follow-ups are scheduled at 6, 12 and 24
    months unless it was re-brokered, moved LA or the worker left."""
    allocation = _allocation(request, allocation_id, continuity.may_close)
    handover = _organisation(payload.handover_to_id)
    if payload.handover_to_id and handover is None:
        raise HttpError(404, _("There is no such organisation."))
    continuity.close_case(allocation, reason=payload.reason, note=payload.note, handover_to=handover, end=payload.end,
                          actor=request.user, context=_context(request))
    return _ended(allocation)


class ContinueIn(Schema):
    note: str


class ContinueOut(Schema):
    allocation_id: int
    handover_tasks_done: int


@router.post("/allocations/{allocation_id}/continue-after-18", response={200: ContinueOut, **INVALID},
             summary="Continue support after 18 instead of handing over")
@requires("broker.support")
def continue_after_18(request: HttpRequest, allocation_id: RecordId, payload: ContinueIn) -> dict[str, Any]:
    """The EPC or the lead worker keeps the case open after the young person turned 18, saying why (AT-26)."""
    allocation = _allocation(request, allocation_id, continuity.may_close)
    done = continuity.continue_after_18(allocation, note=payload.note, actor=request.user, context=_context(request))
    return {"allocation_id": allocation.pk, "handover_tasks_done": done}


@router.post("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **INVALID}, summary="Record a follow-up")
@requires("broker.support")
def record_follow_up(request: HttpRequest, follow_up_id: RecordId, payload: FollowUpIn) -> dict[str, Any]:
    found = FollowUp.objects.select_related("allocation__referral", "task").filter(pk=follow_up_id).first()
    if found is None or not followups.may_record(request.user, found):
        audit.record(request.user, "denied", _context(request), object_type="follow_up", object_id=follow_up_id,
                     detail={"reason": "not the user's team or LA"})
        raise HttpError(404, _("There is no such follow-up, or you cannot see it."))
    get_person_for(request.user, found.person_id, CASEWORK, _context(request), (categories.DESTINATION,))
    followups.record_follow_up(found, status=payload.status, note=payload.note, actor=request.user,
                               context=_context(request))
    return {"id": found.pk, "allocation_id": found.allocation_id, "person_id": found.person_id,
            "months": found.months, "due": found.due, "status": found.status, "note": found.note}


@router.post("/course-endings", response={200: CourseEndingOut, **INVALID}, summary="Tell us a course is ending")
@requires("broker.support")
def course_ending(request: HttpRequest, payload: CourseEndingIn) -> dict[str, Any]:
    """A provider (or the careers service) says a learner's course ends (AT-6 step 1)."""
    person, _decision = get_person_for(request.user, payload.person_id, CASEWORK, _context(request),
                                       (categories.IDENTITY, categories.ENROLMENTS))
    provider = _organisation(payload.provider_id)
    if provider is None:
        raise HttpError(404, _("There is no such organisation."))
    task = notify_course_ending(person, provider=provider, ends_on=payload.ends_on,
                                intended_destination=payload.intended_destination, actor=request.user,
                                context=_context(request))
    return {"interview_task_id": task.pk if task else None}


@router.get("/outcomes", response={200: dict[str, Any], 403: Error, 404: Error}, summary="The outcome report")
@requires("broker.view_board")
def outcome_report(request: HttpRequest, query: Query[OutcomesQuery]) -> dict[str, Any]:
    """EET status at each follow-up (6, 12, 24 months) by support combination, for the cases an LA closed in
    the period (default: the last three years). Your own LA's counts are exact; another LA's counts of 1 to 4
    are "c". There is no figure attributed to the lead worker alone."""
    own = _epc_la(request)
    la = own
    if query.la and query.la != own.code:
        found = Organisation.objects.filter(kind=OrganisationKind.LA, code=query.la).first()
        if found is None:
            raise HttpError(404, _("There is no local authority with that code."))
        la = found
    today = timezone.localdate()
    report = outcomes.outcome_report(la, closed_from=query.closed_from or add_months(today, -LOOKBACK_MONTHS),
                                     closed_to=query.closed_to or today, viewer=request.user,
                                     context=_context(request))
    return report.as_dict()
