"""Tracking API: provider notifications at /api/v1/track (R48-R51). A college's MIS sends leavers and learners
seriously at risk one at a time or in a batch (all or nothing); the careers service lists them, works the
unmatched queue and reads the compliance report.

A provider sees what it sent, never whom it was matched to; careers advisers and EPCs see their area's. A
notification the caller may not see gets the same 404 as one that does not exist. Reads are audited."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide
from yep.broker.services.schedule import add_months
from yep.people.models import Organisation, Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import notifications as reads
from . import services_notifications as services
from .models import NOTIFY_WITHIN_DAYS, NotificationChannel, NotificationStatus, ProviderNotification

router = Router()

MAX_PAGE = 500
MAX_BATCH = 1000
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Short = Annotated[str, Field(max_length=200)]


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class NotificationIn(Schema):
    """One notification. Give ``uln`` or ``upn``, or ``forenames``, ``surname`` and ``dob``; ``left_on`` (the last
    day at the provider) for a leaver. ``provider_id`` may be left out by staff of a single provider."""

    provider_id: Id | None = None
    kind: Literal["left", "seriously_at_risk"] = "left"
    uln: Short = ""
    upn: Short = ""
    forenames: Short = ""
    surname: Short = ""
    dob: datetime.date | None = None
    postcode: Short = ""
    course: Short = ""
    phone: Short = ""
    email: Short = ""
    left_on: datetime.date | None = None
    reason: Literal["", "not_known", "seeking", "illness", "pregnancy", "caring", "parent"] = ""
    notes: str = Field("", max_length=services.MAX_TEXT)


class BatchIn(Schema):
    notifications: list[NotificationIn] = Field(max_length=MAX_BATCH)


class NotificationOut(Schema):
    """A notification as received. ``status`` is ``received`` or ``rejected`` for the provider that sent it;
    careers advisers and EPCs see matched, unmatched, resolved or rejected, and the young person matched."""

    id: int
    provider_id: int
    provider: str
    kind: str
    uln: str
    upn: str
    forenames: str
    surname: str
    dob: datetime.date | None
    left_on: datetime.date | None
    reason: str
    received_at: datetime.datetime
    channel: str
    days_to_notify: int | None
    target_days: int | None
    within_target: bool | None
    status: str
    person_id: int | None = None
    match_method: str | None = None
    rejection_reason: str


class NotificationFilters(Schema):
    kind: Literal["left", "seriously_at_risk"] | None = None
    status: Literal["matched", "unmatched", "resolved", "rejected"] | None = None
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


class NotificationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NotificationOut]


class ResolveIn(Schema):
    person_id: Id


class RejectIn(Schema):
    reason: str = Field(max_length=services.MAX_TEXT)


class Period(Schema):
    from_: datetime.date | None = Field(None, alias="from")
    to: datetime.date | None = None


class ProviderComplianceOut(Schema):
    """One provider in the period: leavers notified, how many within the target, the median days to notify,
    notifications of learners seriously at risk, those waiting to be matched, and whether it is silent (leavers
    known in the last three months but no notification)."""

    provider_id: int
    provider: str
    provider_code: str
    provider_kind: str
    left: int
    within_target: int
    percent_within: int | None
    median_days: float | None
    seriously_at_risk: int
    awaiting_match: int
    leavers_known: int
    silent: bool


class ComplianceOut(Schema):
    start: datetime.date
    end: datetime.date
    target_days: int
    providers: list[ProviderComplianceOut]


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _out(n: ProviderNotification, handles: bool) -> dict[str, Any]:
    status = n.status if handles else ("rejected" if n.status == NotificationStatus.REJECTED else "received")
    return {
        "id": n.pk, "provider_id": n.provider_id, "provider": n.provider.name, "kind": n.kind, "uln": n.uln,
        "upn": n.upn, "forenames": n.forenames, "surname": n.surname, "dob": n.dob, "left_on": n.left_on,
        "reason": n.reason, "received_at": n.received_at, "channel": n.channel, "days_to_notify": n.days_to_notify,
        "target_days": n.target_days, "within_target": n.within_target, "status": status,
        "person_id": n.person_id if handles else None, "match_method": (n.match_method or None) if handles else None,
        "rejection_reason": n.rejection_reason,
    }


def _provider(user: Any, provider_id: int | None) -> Organisation:
    """The provider named, or the caller's only one. One not on the register is a 400; one the caller may not
    notify for is refused by the service (403, audited)."""
    if provider_id is None:
        own = list(reads.own_providers(user)[:2])
        if len(own) != 1:
            raise ValidationError({"provider_id": [_("Say which provider the notification is from.")]})
        return own[0]
    provider = Organisation.objects.filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": [_("There is no provider with this id.")]})
    return provider


def _row(user: Any, payload: NotificationIn) -> dict[str, Any]:
    return {**payload.model_dump(exclude={"provider_id"}), "provider": _provider(user, payload.provider_id)}


@router.post("/notifications", response={201: NotificationOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Send a provider notification")
@requires("track.notify")
def send_notification(request: HttpRequest, payload: NotificationIn) -> Status[dict[str, Any]]:
    """Tell the careers service that a learner has left (with the date) or is seriously at risk. It is matched to
    a young person by ULN or UPN, then by name, date of birth and postcode; one that cannot be matched waits for
    the careers service. Every problem is listed at once (400); nothing is saved unless all is well."""
    row = _row(request.user, payload)
    sent = services.notify(row.pop("provider"), kind=row.pop("kind"), identifiers=row, left_on=row["left_on"],
                           reason=row["reason"], notes=row["notes"], channel=NotificationChannel.API,
                           actor=request.user, context=_context(request))
    return Status(201, _out(sent, bool(reads.area_las(request.user))))


@router.post("/notifications/batch", response={201: list[NotificationOut], 400: Invalid, 403: Error, 422: Invalid},
             summary="Send many provider notifications at once")
@requires("track.notify")
def send_batch(request: HttpRequest, payload: BatchIn) -> Status[list[dict[str, Any]]]:
    """All or nothing: if any notification has a problem, none is saved and every problem is listed as
    ``"<n>.<field>"`` (n counts from 1). A learner who cannot be matched is not a problem."""
    errors: dict[str, list[str]] = {}
    rows = []
    for number, item in enumerate(payload.notifications, start=1):
        try:
            rows.append(_row(request.user, item))
        except ValidationError as problem:
            errors |= {f"{number}.{k}": v for k, v in problem.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    sent = services.notify_batch(rows, channel=NotificationChannel.API, actor=request.user,
                                 context=_context(request))
    handles = bool(reads.area_las(request.user))
    return Status(201, [_out(n, handles) for n in sent])


@router.get("/notifications", response=NotificationPage, summary="List provider notifications")
@requires("track.notify")
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    """Newest first: a provider's own; a careers adviser's or EPC's area's. Each page read is audited."""
    rows = reads.notifications_visible_to(request.user)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    handles = bool(reads.area_las(request.user))
    if filters.status and handles:
        rows = rows.filter(status=filters.status)
    page = list(rows[filters.offset:filters.offset + filters.limit])
    audit.record(request.user, "view", _context(request), object_type="provider_notifications",
                 detail={"notifications": [n.pk for n in page], "people": [n.person_id for n in page if n.person_id]})
    return {"count": rows.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_out(n, handles) for n in page]}


@router.get("/unmatched", response=list[NotificationOut], summary="List notifications waiting to be matched")
@requires("track.resolve_notifications")
def list_unmatched(request: HttpRequest) -> list[dict[str, Any]]:
    """The careers service's queue for the caller's area, longest waiting first (at most 500)."""
    queue = list(reads.unmatched_for(request.user)[:MAX_PAGE])
    audit.record(request.user, "view", _context(request), object_type="provider_notifications",
                 detail={"unmatched": [n.pk for n in queue]})
    return [_out(n, True) for n in queue]


def _waiting(user: Any, pk: int) -> ProviderNotification:
    notification = reads.unmatched_for(user).filter(pk=pk).first()
    if notification is None:
        raise HttpError(404, _("There is no such notification waiting, or you cannot see it."))
    return notification


@router.post("/notifications/{notification_id}/resolve",
             response={200: NotificationOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Match a waiting notification to a young person")
@requires("track.resolve_notifications")
def resolve_notification(request: HttpRequest, notification_id: RecordId, payload: ResolveIn) -> dict[str, Any]:
    """Match it to a young person you may change (404 for anyone else, as for no one); the timeline, the
    contact task and any EPC alert follow as for an automatic match."""
    notification = _waiting(request.user, notification_id)
    person = Person.objects.filter(pk=payload.person_id).first()
    decision = decide(request.user, payload.person_id) if person else None
    if person is None or decision is None:
        audit.record(request.user, "denied", _context(request), person_id=payload.person_id,
                     detail={"reason": "no relationship"})
        raise HttpError(404, _("There is no such young person, or you cannot see them."))
    services.resolve(notification, person, actor=request.user, context=_context(request))
    return _out(notification, True)


@router.post("/notifications/{notification_id}/reject",
             response={200: NotificationOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Reject a waiting notification")
@requires("track.resolve_notifications")
def reject_notification(request: HttpRequest, notification_id: RecordId, payload: RejectIn) -> dict[str, Any]:
    """Take it off the queue without a match; the reason is required."""
    notification = _waiting(request.user, notification_id)
    services.reject(notification, reason=payload.reason, actor=request.user, context=_context(request))
    return _out(notification, True)


@router.get("/compliance", response={200: ComplianceOut, 400: Invalid}, summary="Provider notification compliance")
@requires("track.resolve_notifications")
def read_compliance(request: HttpRequest, period: Query[Period]) -> dict[str, Any]:
    """Per provider in the caller's area, for ``from``-``to`` (default the last three months): volumes,
    timeliness against the 14-day target, and the silent providers. No young person is named."""
    end = period.to or timezone.localdate()
    start = period.from_ or add_months(end, -reads.SILENT_MONTHS)
    if start > end:
        raise ValidationError({"from": [_("The start of the period must be before its end.")]})
    rows = reads.compliance(reads.area_las(request.user), start, end)
    audit.record(request.user, "view", _context(request), object_type="notification_compliance",
                 detail={"from": start.isoformat(), "to": end.isoformat()})
    return {"start": start, "end": end, "target_days": NOTIFY_WITHIN_DAYS, "providers": [{
        "provider_id": r.provider.pk, "provider": r.provider.name, "provider_code": r.provider.code,
        "provider_kind": r.provider.kind, "left": r.left, "within_target": r.within_target,
        "percent_within": r.percent_within, "median_days": r.median_days, "seriously_at_risk": r.at_risk,
        "awaiting_match": r.awaiting_match, "leavers_known": r.leavers, "silent": r.silent} for r in rows]}
