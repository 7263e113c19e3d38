"""Continuity after transition and the end of a lead worker case (R37–R39, R44): the LA's continuity policy,
the post-16 start (the continuity end date, the learning-coach exception, telling the provider who the lead
worker is), the provider's contact for the lead worker, and closing a case or handing over at 18."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access import categories as C
from yep.access.agreements import check_flow
from yep.people.models import Organisation, OrganisationKind, Role
from yep.people.models.organisations import EDUCATION_KINDS
from yep.tasks.models import Task, TaskKind
from yep.tasks.services import close_tasks_from, notify_team

from ..models import Allocation, ContinuityKind, ContinuityPolicy, DestinationType, EndReason, HostType
from ..queries import is_epc_of
from .allocations import _check_end, _end
from .schedule import add_months, careers_services_of, raise_reassessment

MAX_MONTHS = 24
MAX_CONTACT = 200
ADULT_AGE = 18
# Post-16 destinations: schools' sixth forms, colleges, training providers, employers (employment with training).
DESTINATION_KINDS = EDUCATION_KINDS | {OrganisationKind.THIRD_SECTOR, OrganisationKind.EMPLOYER}
# Who takes a case over at 18 (R44): Jobcentre Plus, or an adult employability programme (the register has no
# kind of its own for those; they are recorded as third-sector organisations).
ADULT_SERVICE_KINDS = frozenset({OrganisationKind.DWP, OrganisationKind.THIRD_SECTOR})


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "pk", None))


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, message: str, person_id: int | None = None,
            object_id: Any = "") -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type="continuity", object_id=object_id,
                 detail={"wanted": wanted})
    raise PermissionDenied(message)


# The policy ---------------------------------------------------------------------------------------------------


def policy_for(la: Organisation) -> ContinuityPolicy:
    """The LA's continuity policy; an LA that has not set one gets the defaults (3 months after the post-16
    start, no learning-coach exception, every destination), unsaved."""
    return ContinuityPolicy.objects.filter(la=la).first() or ContinuityPolicy(la=la)


def policy_applies(policy: ContinuityPolicy, destination_type: str) -> bool:
    """Whether continuity applies to a start of this destination type (an empty list is every type)."""
    if policy.kind == ContinuityKind.NONE:
        return False
    return not policy.destination_types or destination_type in policy.destination_types


def continuity_end(policy: ContinuityPolicy, start: datetime.date) -> datetime.date | None:
    """When continuity ends for a young person who started post-16 on ``start``: N calendar months later
    (8 Sep + 3 months = 8 Dec), the next fixed date after the start (4 Sep 2024 → 31 Jan 2025), or None when the
    policy is none (the lead worker stays until the case is closed)."""
    if policy.kind == ContinuityKind.MONTHS:
        return add_months(start, policy.months)
    if policy.kind == ContinuityKind.FIXED_DATE:
        fixed = datetime.date(start.year, policy.fixed_month, policy.fixed_day)
        return fixed if fixed > start else fixed.replace(year=start.year + 1)
    return None


def _policy_problems(kind: str, months: Any, fixed_month: Any, fixed_day: Any, destination_types: list[Any]
                     ) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in ContinuityKind.values:
        errors["kind"] = [_("Choose a number of months, a fixed date, or none.")]
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        errors["months"] = [_("Give the number of months as a whole number from 1 to %(max)s.") % {"max": MAX_MONTHS}]
    try:
        # A year without 29 February, so the date is one that comes every year.
        datetime.date(2001, int(fixed_month), int(fixed_day))
    except (TypeError, ValueError):
        errors["fixed_day"] = [_("Give a real day and month for the fixed date, such as 31 January (not 29 "
                                 "February, which is not in every year).")]
    if any(t not in DestinationType.values for t in destination_types):
        errors["destination_types"] = [_("Choose destination types from the list.")]
    return errors


def set_continuity_policy(la: Organisation, *, kind: str, months: int = 3, fixed_month: int = 1, fixed_day: int = 31,
                          learning_coach_exception: bool = False, destination_types: Iterable[str] = (),
                          actor: Any, context: audit.AuditContext) -> ContinuityPolicy:
    """Set the LA's continuity policy (R37). Only its EPC may. Every problem is reported at once; nothing
    changes unless all is well. An empty ``destination_types`` applies the policy to every destination."""
    if not is_epc_of(actor, la.pk):
        _refuse(actor, context, "set continuity policy", _("Only the EPC of this local authority can set its "
                                                          "continuity policy."), object_id=la.pk)
    types = list(dict.fromkeys(destination_types))
    errors = _policy_problems(kind, months, fixed_month, fixed_day, types)
    if errors:
        raise ValidationError(errors)
    values = {"kind": kind, "months": months, "fixed_month": int(fixed_month), "fixed_day": int(fixed_day),
              "learning_coach_exception": bool(learning_coach_exception), "destination_types": types,
              "updated_by": actor, "updated_at": timezone.now()}
    with transaction.atomic():
        policy = ContinuityPolicy.objects.select_for_update().filter(la=la).first()
        if policy is None:
            policy = ContinuityPolicy.objects.create(la=la, **values)
        else:
            for name, value in values.items():
                setattr(policy, name, value)
            policy.save(update_fields=list(values))
        audit.record(actor, "change", context, object_type="continuity_policy", object_id=la.pk,
                     detail={k: v for k, v in values.items() if k not in ("updated_by", "updated_at")})
    return policy


# The post-16 start --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post16Start:
    """What recording a post-16 start did: the continuity end date, whether the allocation ended (the
    learning-coach exception) with the re-assessment task raised, and whether the provider was told who the lead
    worker is, or why not."""

    allocation: Allocation
    continuity_end: datetime.date | None
    ended: bool
    reassessment: Task | None
    provider_told: bool
    provider_message: str


def _is_careers_adviser_for(actor: Any, la: Organisation) -> bool:
    services = set(careers_services_of(la).values_list("pk", flat=True))
    return any(m.role == Role.CAREERS_ADVISER and m.organisation_id in services for m in actor.active_memberships())


def may_record_start(actor: Any, allocation: Allocation) -> bool:
    """The EPC of the LA, the lead worker, or a careers adviser of the LA's careers service (or a job)."""
    if not _is_user(actor):
        return True
    la = allocation.referral.la
    return (is_epc_of(actor, la.pk) or actor.pk == allocation.lead_worker_id
            or _is_careers_adviser_for(actor, la))


def _check_start(allocation: Allocation, start: Any, provider: Organisation | None, destination_type: str) -> None:
    errors: dict[str, list[str]] = {}
    if allocation.end is not None:
        errors["allocation"] = [_("This allocation has ended.")]
    if not isinstance(start, datetime.date):
        errors["start"] = [_("Give the date the young person started.")]
    elif start > timezone.localdate():
        errors["start"] = [_("Record the start once the young person has started: the date cannot be in the "
                             "future.")]
    elif start < allocation.start:
        errors["start"] = [_("The post-16 start must be on or after the lead worker's allocation: continuity is for "
                             "a lead worker who was there before the move.")]
    if provider is None or provider.kind not in DESTINATION_KINDS:
        errors["provider"] = [_("Choose the school, college, training provider or employer.")]
    if destination_type not in DestinationType.values:
        errors["destination_type"] = [_("Choose the kind of destination.")]
    if errors:
        raise ValidationError(errors)


def record_post16_start(allocation: Allocation, *, start: datetime.date, provider: Organisation,
                        destination_type: str, actor: Any, context: audit.AuditContext) -> Post16Start:
    """Record that the young person started post-16 (R37–R39). Where the LA's policy applies to the destination
    type, the continuity end date is set from it; with the learning-coach exception on and a learning coach as
    lead worker, the allocation ends on the start date and a re-assessment task is raised at once. Otherwise the
    provider's staff are told the lead worker's name and contact, when a sharing agreement between the LA and
    the provider covers it; if not, they are not told, and the result says why.
    """
    if not may_record_start(actor, allocation):
        _refuse(actor, context, "record post-16 start", _("Only the EPC, the lead worker or the careers service can "
                                                         "record this young person's post-16 start."),
                allocation.person_id, allocation.pk)
    _check_start(allocation, start, provider, destination_type)
    policy = policy_for(allocation.referral.la)
    exception = policy.learning_coach_exception and allocation.host_type == HostType.LEARNING_COACH
    end = start if exception else continuity_end(policy, start) if policy_applies(policy, destination_type) else None
    with transaction.atomic():
        allocation.post16_start, allocation.post16_provider = start, provider
        allocation.destination_type, allocation.continuity_end = destination_type, end
        allocation.save(update_fields=["post16_start", "post16_provider", "destination_type", "continuity_end"])
        audit.record(actor, "change", context, person_id=allocation.person_id, object_type="lead_worker_allocation",
                     object_id=allocation.pk, fields=["post16_start", "continuity_end"],
                     detail={"start": start.isoformat(), "provider": provider.ref, "destination_type": destination_type,
                             "continuity_end": end.isoformat() if end else None, "policy": policy.kind,
                             "learning_coach_exception": exception})
        if exception:
            _end(allocation, reason=EndReason.CONTINUITY_ENDED, end=start, actor=actor, context=context,
                 note=_("Learning-coach exception: the allocation ends when the young person starts post-16."))
            task = raise_reassessment(allocation, due=start, actor=actor, context=context)
            return Post16Start(allocation, end, True, task, False,
                               _("The provider was not told: the learning coach's allocation ended at the start."))
        told, message = _tell_provider(allocation, provider, actor, context)
    return Post16Start(allocation, end, False, None, told, message)


def _tell_provider(allocation: Allocation, provider: Organisation, actor: Any,
                   context: audit.AuditContext) -> tuple[bool, str]:
    """R39, Estyn F5: the provider hears who the lead worker is, under a sharing agreement only."""
    flow = check_flow(allocation.person, allocation.referral.la, provider, {C.LEAD_WORKER_CONTACT})
    if not flow.allowed:
        return False, _("The provider was not told who the lead worker is. %(why)s") % {"why": flow.message}
    worker, person, ends = allocation.lead_worker, allocation.person, allocation.continuity_end
    start = allocation.post16_start or timezone.localdate()

    def write() -> tuple[str, str]:
        # The learner is named by record number only, as in every email YEP sends; the record shows who.
        subject = _("A learner who started with you has a lead worker")
        body = _("A learner who started with you on %(day)s (YEP record %(ref)s) has a lead worker: %(worker)s "
                 "(%(contact)s).") % {
            "day": start.strftime("%d/%m/%Y"), "ref": person.pk,
            "worker": worker.get_full_name() or worker.get_username(), "contact": worker.email or _("no email")}
        if ends:
            body += " " + _("The lead worker stays with them until %(day)s.") % {"day": ends.strftime("%d/%m/%Y")}
        return subject, body

    sent = notify_team(provider, Role.PROVIDER_STAFF, write)
    if not sent:
        return False, _("The provider was not told: nobody at %(provider)s can be written to.") % {
            "provider": provider.display_name}
    allocation.provider_told_at = timezone.now()
    allocation.save(update_fields=["provider_told_at"])
    audit.record(actor, "share", context, person_id=allocation.person_id, object_type="lead_worker_allocation",
                 object_id=allocation.pk, fields=[C.LEAD_WORKER_CONTACT],
                 detail={"to": provider.ref, "agreement": flow.agreement.name if flow.agreement else "", "sent": sent})
    return True, _("%(provider)s was told who the lead worker is.") % {"provider": provider.display_name}


def may_record_contact(actor: Any, allocation: Allocation) -> bool:
    """The lead worker or the LA's EPC."""
    return is_epc_of(actor, allocation.referral.la_id) or getattr(actor, "pk", None) == allocation.lead_worker_id


def record_provider_contact(allocation: Allocation, *, contact: str, actor: Any,
                            context: audit.AuditContext) -> Allocation:
    """Record the provider's contact for the lead worker (for example the pastoral lead, R39). The lead worker
    or the LA's EPC may, while the allocation is active."""
    if not may_record_contact(actor, allocation):
        _refuse(actor, context, "record provider contact", _("Only the lead worker or the EPC can record this."),
                allocation.person_id, allocation.pk)
    errors: dict[str, list[str]] = {}
    if allocation.end is not None:
        errors["allocation"] = [_("This allocation has ended.")]
    if not contact.strip():
        errors["contact"] = [_("Give the provider's contact: a name, and a phone number or email.")]
    elif len(contact) > MAX_CONTACT:
        errors["contact"] = [_("Keep this under %(max)s characters.") % {"max": MAX_CONTACT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        allocation.provider_contact = contact.strip()
        allocation.save(update_fields=["provider_contact"])
        audit.record(actor, "change", context, person_id=allocation.person_id, object_type="lead_worker_allocation",
                     object_id=allocation.pk, fields=["provider_contact"])
    return allocation


# Ending a case ------------------------------------------------------------------------------------------------


def age_on(dob: datetime.date, day: datetime.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _check_close(allocation: Allocation, reason: str, note: str, handover_to: Organisation | None,
                 day: datetime.date) -> None:
    errors: dict[str, list[str]] = {}
    try:
        _check_end(allocation, reason, note, day)
    except ValidationError as problem:
        errors = dict(problem.message_dict)
    if reason == EndReason.POST18_HANDOVER:
        if handover_to is None or handover_to.kind not in ADULT_SERVICE_KINDS:
            errors["handover_to"] = [_("Choose who takes over: Jobcentre Plus or an adult employability service.")]
        if age_on(allocation.person.dob, day) < ADULT_AGE:
            errors.setdefault("end_reason", []).append(
                _("The young person is under 18 on %(day)s: close the case with another reason, or hand over once "
                  "they are 18.") % {"day": day.strftime("%d/%m/%Y")})
    elif handover_to is not None:
        errors["handover_to"] = [_("Only a handover at 18 names who takes over.")]
    if errors:
        raise ValidationError(errors)


def may_close(actor: Any, allocation: Allocation) -> bool:
    """The EPC of the LA or the allocation's lead worker."""
    return is_epc_of(actor, allocation.referral.la_id) or getattr(actor, "pk", None) == allocation.lead_worker_id


def close_case(allocation: Allocation, *, reason: str, note: str = "", handover_to: Organisation | None = None,
               end: datetime.date | None = None, actor: Any, context: audit.AuditContext) -> Allocation:
    """Close a lead worker case with a reason, or hand it over at 18 to adult services (R44). The EPC of the LA
    or the lead worker may. The allocation ends (access ends with it), the case's open tasks close, and unless
    it was re-brokered, moved LA or the worker left, follow-ups are scheduled at 6, 12 and 24 months (R89)."""
    if not may_close(actor, allocation):
        _refuse(actor, context, "close case", _("Only the EPC or the lead worker can close this case."),
                allocation.person_id, allocation.pk)
    day = end or timezone.localdate()
    _check_close(allocation, reason, note, handover_to, day)
    with transaction.atomic():
        if handover_to is not None:
            allocation.handover_to = handover_to
            allocation.save(update_fields=["handover_to"])
            audit.record(actor, "change", context, person_id=allocation.person_id,
                         object_type="lead_worker_allocation", object_id=allocation.pk, fields=["handover_to"],
                         detail={"handover_to": handover_to.ref})
        _end(allocation, reason=reason, note=note, end=day, actor=actor, context=context)
        # The re-assessment and review tasks of this case are answered by closing it.
        close_tasks_from(f"broker.allocation:{allocation.pk}", outcome=str(EndReason(reason).label), actor=actor,
                         context=context)
    return allocation


def continue_after_18(allocation: Allocation, *, note: str, actor: Any, context: audit.AuditContext) -> int:
    """Record that the lead worker's support continues after the young person turned 18, with why, instead of a
    handover (AT-26, R44): the case stays open and its handover task is done. The EPC of the LA or the lead worker
    may. Returns the handover tasks closed."""
    if not may_close(actor, allocation):
        _refuse(actor, context, "continue after 18", _("Only the EPC or the lead worker can decide this."),
                allocation.person_id, allocation.pk)
    errors: dict[str, list[str]] = {}
    if not note.strip():
        errors["note"] = [_("Say why support continues, and until when.")]
    if allocation.end is not None:
        errors["allocation"] = [_("This case is already closed.")]
    elif age_on(allocation.person.dob, timezone.localdate()) < ADULT_AGE:
        errors["allocation"] = [_("The young person is not 18 yet.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        audit.record(actor, "change", context, person_id=allocation.person_id, object_type="lead_worker_allocation",
                     object_id=allocation.pk, fields=["post18"], detail={"post18": "continued", "note": note.strip()})
        return close_tasks_from(f"broker.allocation:{allocation.pk}", kind=TaskKind.HANDOVER, actor=actor,
                                context=context,
                                outcome=_("Support continues after 18: %(note)s") % {"note": note.strip()[:400]})
