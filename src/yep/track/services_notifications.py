"""The only writers of provider notifications (R48-R52, SC-3, SC-6): a provider tells the careers service that a
learner has left or is seriously at risk; the notification is matched to a young person (or queued for the
careers service to resolve), and a match updates the timeline, ends the provider's own pastoral support, raises
the careers service's contact task and alerts the EPC when the young person was at risk or had a lead worker.

Every function takes the acting user and an audit context, checks the actor's right first (refusals are audited),
validates all its input before writing anything, and runs in one transaction."""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.broker.queries import active_allocation
from yep.broker.services.allocations import end_provider_support
from yep.broker.services.referrals import latest_result
from yep.broker.services.schedule import careers_team
from yep.broker.services.support import add_working_days
from yep.imports import ImportReport
from yep.people import services as people
from yep.people.identifiers import check_postcode, check_uln, check_upn
from yep.people.models import ActivityCode, Enrolment, EnrolmentEndReason, Organisation, Person, Role
from yep.people.models.organisations import EDUCATION_KINDS
from yep.tasks.models import TaskKind
from yep.tasks.services import create_task, notify_team, notify_user

from . import notifications as reads
from .models import (
    ACTIVITY_SOURCE,
    LEFT_ACTIVITY,
    NOTIFY_WITHIN_DAYS,
    Activity,
    LeftReason,
    MatchMethod,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    ProviderNotification,
)

MAX_TEXT = 2000
CONTACT_WITHIN_WORKING_DAYS = 5  # the careers service contacts a notified young person within a working week
AT_RISK_BANDS = ("high", "medium")
OLDEST_AGE_YEARS = 30  # a date of birth further back than this is a typing mistake, not a 16-18 year old
IDENTIFIER_FIELDS = ("uln", "upn", "forenames", "surname", "dob", "postcode", "course", "phone", "email")
TEXT_LIMITS = {"forenames": 100, "surname": 100, "course": 200, "phone": 20}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Cleaned:
    """One notification's input, checked: what ``notify`` writes."""

    provider: Organisation
    kind: str
    identifiers: dict[str, Any]
    left_on: datetime.date | None
    reason: str
    notes: str


# Checking ------------------------------------------------------------------------------------------------------


def _date(value: Any) -> datetime.date | None:
    """A date, an ISO date string or DD/MM/YYYY; None when empty. Raises ValueError when unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    uk = _UK_DATE.match(text)
    if uk:
        return datetime.date(int(uk[3]), int(uk[2]), int(uk[1]))
    return datetime.date.fromisoformat(text)


def _checked(errors: Errors, name: str, value: str, check: Any) -> str:
    if not value:
        return ""
    try:
        return str(check(value))
    except ValueError as problem:
        errors[name] = [str(problem)]
        return value


def _clean_dob(raw: Any, errors: Errors) -> datetime.date | None:
    try:
        dob = _date(raw)
    except ValueError:
        errors["dob"] = [_("Enter the date of birth as a real date, e.g. 2008-03-27.")]
        return None
    today = timezone.localdate()
    if dob is not None and not today.replace(year=today.year - OLDEST_AGE_YEARS) < dob < today:
        errors["dob"] = [_("Check the date of birth: it is not the date of birth of a young person.")]
    return dob


def _clean_contact(values: dict[str, Any], errors: Errors) -> None:
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = [_("Keep this under %(max)s characters.") % {"max": limit}]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter an email address like name@example.org.")]


def clean_identifiers(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """The identifiers as sent, normalised (ULN and UPN check characters, postcode format); problems go into
    ``errors`` by field. At least a ULN or UPN, or forenames, surname and date of birth, are needed."""
    values: dict[str, Any] = {name: " ".join(str(raw.get(name) or "").split()) for name in IDENTIFIER_FIELDS
                              if name != "dob"}
    values["uln"] = _checked(errors, "uln", values["uln"], check_uln)
    values["upn"] = _checked(errors, "upn", values["upn"], check_upn)
    values["postcode"] = _checked(errors, "postcode", values["postcode"], check_postcode)
    values["dob"] = _clean_dob(raw.get("dob"), errors)
    _clean_contact(values, errors)
    named = values["forenames"] and values["surname"] and values["dob"]
    if not (values["uln"] or values["upn"] or named or {"uln", "upn", "dob"} & set(errors)):
        errors["identifiers"] = [_("Give the ULN or UPN, or the young person's forenames, surname and date of "
                                   "birth.")]
    return values


def _clean_left(kind: str, left_on: Any, reason: str, dob: datetime.date | None, errors: Errors) -> Any:
    if kind == NotificationKind.SERIOUSLY_AT_RISK:
        if left_on or reason:
            errors["left_on"] = [_("A young person seriously at risk has not left: leave the date left and the "
                                   "reason empty, or send a notification that they left.")]
        return None
    try:
        day = _date(left_on)
    except ValueError:
        errors["left_on"] = [_("Enter the date left as a real date, e.g. 2026-10-31.")]
        return None
    if day is None:
        errors["left_on"] = [_("Give the date the young person left.")]
    elif day > timezone.localdate():
        errors["left_on"] = [_("The date left cannot be in the future.")]
    elif dob is not None and day <= dob:
        errors["left_on"] = [_("The date left is before the date of birth.")]
    if reason and reason not in LeftReason.values:
        errors["reason"] = [_("Choose a reason from the list, or leave it empty if it is not known.")]
    return day


def _duplicate(provider: Organisation, kind: str, ids: dict[str, Any], left_on: datetime.date | None) -> bool:
    """The same provider already sent this: the same kind, young person (by ULN, UPN or name and date of birth)
    and date left, and it was not rejected."""
    same = Q(pk__in=[])
    if ids["uln"]:
        same |= Q(uln=ids["uln"])
    if ids["upn"]:
        same |= Q(upn=ids["upn"])
    if ids["surname"] and ids["dob"]:
        same |= Q(surname__iexact=ids["surname"], dob=ids["dob"])
    return ProviderNotification.objects.filter(same, provider=provider, kind=kind, left_on=left_on).exclude(
        status=NotificationStatus.REJECTED).exists()


def clean_notification(provider: Organisation, *, kind: str, identifiers: Mapping[str, Any], left_on: Any = None,
                       reason: str = "", notes: str = "") -> tuple[Cleaned, Errors]:
    """Check one notification; returns what would be written and every problem found, by field (a repeat of
    one already sent is a problem under ``__all__``). Writes nothing."""
    errors: Errors = {}
    if provider.kind not in EDUCATION_KINDS or not provider.active:
        errors["provider"] = [_("Notifications come from a school sixth form, college or work-based learning "
                                "provider.")]
    if kind not in NotificationKind.values:
        errors["kind"] = [_("Choose whether the young person has left or is seriously at risk.")]
    ids = clean_identifiers(identifiers, errors)
    day = _clean_left(kind, left_on, reason, ids["dob"], errors)
    if len(notes) > MAX_TEXT:
        errors["notes"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if not errors and _duplicate(provider, kind, ids, day):
        errors["__all__"] = [_("This notification has already been sent.")]
    cleaned = Cleaned(provider, kind, ids, day, reason if day else "", notes.strip())
    return cleaned, errors


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, object_id: Any = "",
            person_id: int | None = None) -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type="provider_notification",
                 object_id=object_id, detail={"wanted": wanted})
    raise PermissionDenied(_("You cannot do this for this provider's notifications."))


def _check_notifier(actor: Any, providers: set[Organisation], context: audit.AuditContext) -> None:
    """Provider staff notify for their own provider; careers advisers and EPCs for providers in their area."""
    for provider in providers:
        if not reads.may_notify_for(actor, provider):
            _refuse(actor, context, "notify", provider.pk)


# Writing -------------------------------------------------------------------------------------------------------


def notify(provider: Organisation, *, kind: str, identifiers: Mapping[str, Any], left_on: Any = None,
           reason: str = "", notes: str = "", channel: str = NotificationChannel.FORM, actor: Any,
           context: audit.AuditContext, received_at: datetime.datetime | None = None) -> ProviderNotification:
    """Receive one notification from ``provider``: check it (every problem in one ValidationError), match it to
    a young person across the register, and for a match update the timeline and raise the follow-up work
    (see ``_apply``). No match, or more than one, leaves it in the careers service's unmatched queue.

    ``received_at`` records when a notification sent another way (a phone call, an email) arrived; it cannot be
    in the future (default now)."""
    _check_notifier(actor, {provider}, context)
    cleaned, errors = clean_notification(provider, kind=kind, identifiers=identifiers, left_on=left_on,
                                         reason=reason, notes=notes)
    if channel not in NotificationChannel.values:
        errors["channel"] = [_("Say how the notification was sent: form, file or API.")]
    if received_at is not None and received_at > timezone.now():
        errors["received_at"] = [_("The date received cannot be in the future.")]
    elif received_at is not None and cleaned.left_on and cleaned.left_on > timezone.localdate(received_at):
        errors["left_on"] = [_("The date left is after the notification was received.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _receive(cleaned, channel, actor, context, received_at or timezone.now())


def notify_batch(rows: Sequence[Mapping[str, Any]], *, channel: str = NotificationChannel.API, actor: Any,
                 context: audit.AuditContext) -> list[ProviderNotification]:
    """Receive many notifications at once (a college MIS, a file): all or nothing. Each row is a mapping with
    ``provider`` (an Organisation), ``kind``, the identifiers, ``left_on``, ``reason`` and ``notes``. Problems
    are reported by row as ``"<row>.<field>"`` (rows counted from 1); unmatched rows are not problems, they go
    to the queue."""
    _check_notifier(actor, {row["provider"] for row in rows}, context)
    checked, errors = _clean_rows(rows)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        return [_receive(cleaned, channel, actor, context, now) for cleaned in checked]


def _clean_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Cleaned], Errors]:
    checked: list[Cleaned] = []
    errors: Errors = {}
    seen: dict[tuple[Any, ...], int] = {}
    for number, row in enumerate(rows, start=1):
        cleaned, problems = clean_notification(
            row["provider"], kind=row.get("kind") or NotificationKind.LEFT, identifiers=row,
            left_on=row.get("left_on"), reason=row.get("reason") or "", notes=row.get("notes") or "")
        key = notification_key(cleaned)
        if key in seen and not problems:
            problems["__all__"] = [_("The same notification is also in row %(row)s.") % {"row": seen[key]}]
        seen.setdefault(key, number)
        errors |= {f"{number}.{name}": messages for name, messages in problems.items()}
        checked.append(cleaned)
    return checked, errors


def notification_key(cleaned: Cleaned) -> tuple[Any, ...]:
    ids = cleaned.identifiers
    return (cleaned.provider.pk, cleaned.kind, ids["uln"], ids["upn"], ids["surname"].lower(), ids["dob"],
            cleaned.left_on)


def record_notification_rows(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                             report: ImportReport) -> None:
    """The ``notifications`` import kind's apply step: rows already checked by the kind (see
    ``track.imports``); a row the provider already sent is left unchanged, so a file imported twice adds
    nothing. Unmatched rows go to the queue, counted in ``report.extra["unmatched"]``."""
    now = timezone.now()
    unmatched = 0
    for row in rows:
        cleaned, errors = clean_notification(row["provider"], kind=row["kind"], identifiers=row,
                                             left_on=row["left_on"], reason=row["reason"], notes=row["notes"])
        if errors:  # only "already sent": the kind's own check refused every other problem
            report.unchanged += 1
            continue
        notification = _receive(cleaned, NotificationChannel.FILE, actor, context, now)
        report.created += 1
        unmatched += notification.status == NotificationStatus.UNMATCHED
    report.extra["unmatched"] = unmatched


def _timeliness(left_on: datetime.date | None, received_at: datetime.datetime) -> dict[str, Any]:
    if left_on is None:
        return {"days_to_notify": None, "target_days": None, "within_target": None}
    days = (timezone.localdate(received_at) - left_on).days
    return {"days_to_notify": days, "target_days": NOTIFY_WITHIN_DAYS, "within_target": days <= NOTIFY_WITHIN_DAYS}


def _receive(cleaned: Cleaned, channel: str, actor: Any, context: audit.AuditContext,
             received_at: datetime.datetime) -> ProviderNotification:
    ids = cleaned.identifiers
    notification = ProviderNotification.objects.create(
        provider=cleaned.provider, kind=cleaned.kind, left_on=cleaned.left_on, reason=cleaned.reason,
        notes=cleaned.notes, received_at=received_at, channel=channel, status=NotificationStatus.UNMATCHED,
        submitted_by=actor if getattr(actor, "pk", None) else None, submitted_by_label=audit.label(actor),
        **{name: ids[name] or ("" if name != "dob" else None) for name in IDENTIFIER_FIELDS},
        **_timeliness(cleaned.left_on, received_at))
    match = reads.find_match(ids)
    audit.record(actor, "create", context, person_id=match.person.pk if match.person else None,
                 object_type="provider_notification", object_id=notification.pk,
                 detail={"kind": cleaned.kind, "channel": channel, "matched": match.person is not None,
                         "days_to_notify": notification.days_to_notify})
    if match.person is not None:
        _apply(notification, match.person, match.method, actor, context)
    return notification


# What a match does (R52) ------------------------------------------------------------------------------------------


def _was_at_risk(person: Person, notification: ProviderNotification) -> bool:
    """At risk before this notification: the latest early identification result is high or medium, or a
    provider has said so (this notification included, when it is a "seriously at risk" one)."""
    if notification.kind == NotificationKind.SERIOUSLY_AT_RISK:
        return True
    result = latest_result(person)
    if result is not None and result.current_band in AT_RISK_BANDS:
        return True
    return ProviderNotification.objects.filter(person=person, kind=NotificationKind.SERIOUSLY_AT_RISK,
                                               status__in=reads.MATCHED).exclude(pk=notification.pk).exists()


def _apply(notification: ProviderNotification, person: Person, method: str, actor: Any,
           context: audit.AuditContext) -> None:
    """Match the notification to ``person`` and do what it asks: a leaver's timeline changes, the careers
    service gets a contact task, and the EPC is alerted when the young person was at risk or had a lead worker
    (and the lead worker is told)."""
    at_risk, allocation = _was_at_risk(person, notification), active_allocation(person.pk)
    notification.person, notification.match_method = person, method
    notification.status = NotificationStatus.RESOLVED if method == MatchMethod.MANUAL else NotificationStatus.MATCHED
    notification.save(update_fields=["person", "match_method", "status"])
    if notification.kind == NotificationKind.LEFT:
        _record_leaving(notification, person, actor, context)
        if allocation is not None and notification.left_on is not None and end_provider_support(
                allocation, provider=notification.provider, left_on=notification.left_on, actor=actor,
                context=context):
            allocation.refresh_from_db()  # the EPC is still told: the young person has lost their support
    la = person.la_of_residence or notification.provider.la
    if la is not None:
        _contact_task(notification, person, la, actor, context)
        if at_risk or allocation is not None:
            _alert_epc(notification, person, la, at_risk, allocation, actor, context)
    audit.record(actor, "change", context, person_id=person.pk, object_type="provider_notification",
                 object_id=notification.pk, fields=["person", "status"],
                 detail={"method": method, "at_risk": at_risk, "lead_worker": allocation is not None})


def _record_leaving(notification: ProviderNotification, person: Person, actor: Any,
                    context: audit.AuditContext) -> None:
    """The provider's activity and enrolment end on the date left; from the next day the young person is NEET
    (available, or not when the reason says so) unless the timeline already knows what they did next."""
    left_on = notification.left_on
    assert left_on is not None  # noqa: S101 - a "left" notification always has its date (a database constraint)
    still_there = Q(end__isnull=True) | Q(end__gt=left_on)
    ended = []
    for activity in Activity.objects.filter(still_there, person=person, organisation=notification.provider,
                                            start__lte=left_on):
        activity.end = left_on
        activity.save(update_fields=["end"])
        ended.append(activity.pk)
    for enrolment in Enrolment.objects.filter(still_there, person=person, organisation=notification.provider,
                                              start__lte=left_on):
        people.end_enrolment(enrolment, end=left_on, reason=EnrolmentEndReason.DROPPED_OUT, actor=actor,
                             context=context)
    added = None
    if not Activity.objects.filter(person=person, start__gt=left_on).exists():
        code = ActivityCode.objects.get(code=LEFT_ACTIVITY.get(notification.reason or LeftReason.NOT_KNOWN, 619))
        added = Activity.objects.create(person=person, code=code, start=left_on + datetime.timedelta(days=1),
                                        source=ACTIVITY_SOURCE)
    audit.record(actor, "change", context, person_id=person.pk, object_type="activity",
                 object_id=added.pk if added else "", fields=["end", "code"],
                 detail={"ended": ended, "added": added.code_id if added else None,
                         "notification": notification.pk})


def _source(notification: ProviderNotification) -> str:
    return f"track.providernotification:{notification.pk}"


def _contact_task(notification: ProviderNotification, person: Person, la: Organisation, actor: Any,
                  context: audit.AuditContext) -> None:
    team, role = careers_team(la)
    if notification.kind == NotificationKind.LEFT:
        detail = _("%(provider)s says the young person left on %(day)s. Invite them to a discussion and record "
                   "what they are doing now.") % {"provider": notification.provider.name,
                                                   "day": notification.left_on}
    else:
        detail = _("%(provider)s says the young person is seriously at risk of dropping out. Contact them and "
                   "agree the support they need.") % {"provider": notification.provider.name}
    create_task(TaskKind.CONTACT, due=add_working_days(timezone.localdate(), CONTACT_WITHIN_WORKING_DAYS),
                detail=detail, person=person, organisation=team, role=role, source=_source(notification),
                actor=actor, context=context)


def _alert_epc(notification: ProviderNotification, person: Person, la: Organisation, at_risk: bool,
               allocation: Any, actor: Any, context: audit.AuditContext) -> None:
    why = _("was at risk") if at_risk else _("has a lead worker")
    task = create_task(
        TaskKind.OTHER, due=add_working_days(timezone.localdate(), CONTACT_WITHIN_WORKING_DAYS), person=person,
        organisation=la, role=Role.EPC, source=_source(notification), actor=actor, context=context,
        detail=_("Provider notification from %(provider)s (%(kind)s) about a young person who %(why)s: decide "
                 "whether brokerage is needed.") % {"provider": notification.provider.name,
                                                    "kind": notification.get_kind_display(), "why": why})

    def to_epc() -> tuple[str, str]:
        return (_("A provider notification needs your attention"),
                _("A provider has sent a notification about a young person who was at risk or has a lead "
                  "worker (task %(ref)s). Sign in to YEP to see it.") % {"ref": task.pk})

    transaction.on_commit(lambda: notify_team(la, Role.EPC, to_epc, task=task))
    if allocation is not None:
        worker = allocation.lead_worker

        def to_worker() -> tuple[str, str]:
            return (_("A provider notification about a young person you support"),
                    _("A provider has told the careers service that a young person on your caseload has left or "
                      "is seriously at risk. Sign in to YEP to see their record."))

        transaction.on_commit(lambda: notify_user(worker, to_worker))


# The unmatched queue -------------------------------------------------------------------------------------------


def _check_resolver(actor: Any, notification: ProviderNotification, context: audit.AuditContext,
                    wanted: str) -> None:
    """Careers advisers and EPCs of the provider's area resolve its queue."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.resolve_notifications")
            and notification.provider.la_id in reads.area_las(actor)):
        _refuse(actor, context, wanted, notification.pk)


def _still_unmatched(notification: ProviderNotification, errors: Errors) -> None:
    if notification.status != NotificationStatus.UNMATCHED:
        errors["notification"] = [_("This notification is no longer waiting to be matched.")]


def resolve(notification: ProviderNotification, person: Person, *, actor: Any,
            context: audit.AuditContext) -> ProviderNotification:
    """Match an unmatched notification to the young person a careers adviser (or the EPC) chose, who must be
    someone they may change; then do what a match does (``_apply``)."""
    _check_resolver(actor, notification, context, "resolve")
    decision = decide(actor, person.pk)
    if decision is None or not decision.can_change:
        _refuse(actor, context, "resolve", notification.pk, person.pk)
    errors: Errors = {}
    _still_unmatched(notification, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notification.resolved_by, notification.resolved_at = actor, timezone.now()
        notification.save(update_fields=["resolved_by", "resolved_at"])
        _apply(notification, person, MatchMethod.MANUAL, actor, context)
    return notification


def reject(notification: ProviderNotification, *, reason: str, actor: Any,
           context: audit.AuditContext) -> ProviderNotification:
    """Take an unmatched notification off the queue without a match (not a young person of ours, a duplicate,
    sent in error); the reason is required and kept."""
    _check_resolver(actor, notification, context, "reject")
    errors: Errors = {}
    _still_unmatched(notification, errors)
    if not reason.strip():
        errors["reason"] = [_("Say why the notification is rejected.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notification.status, notification.rejection_reason = NotificationStatus.REJECTED, reason.strip()
        notification.resolved_by, notification.resolved_at = actor, timezone.now()
        notification.save(update_fields=["status", "rejection_reason", "resolved_by", "resolved_at"])
        audit.record(actor, "change", context, object_type="provider_notification", object_id=notification.pk,
                     fields=["status"], detail={"status": NotificationStatus.REJECTED})
    return notification
