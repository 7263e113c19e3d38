"""What a lead worker does with a young person, and the EPC's part in it (YEPF §6 C, R31, R33–R35): the support
package (goals, actions, services involved), the keeping-in-touch log, progress feedback, "support not working"
escalations that re-open brokerage, and additional needs met by a supporting service.

The allocation's lead worker and the EPC of the referral's LA record support; anyone else is refused, and the
refusal is audited. Decisions (an escalation's outcome, adding or declining a supporting service) are the EPC's.
"""

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access import categories as C
from yep.access.services import end_relationship
from yep.access.services.relationships import FlowBlocked, share_with_organisation
from yep.people.models import Organisation, Role
from yep.tasks.models import TaskKind
from yep.tasks.services import close_tasks_from, create_task, notify_team, notify_user

from ..models import (
    Action,
    AdditionalNeed,
    AdditionalNeedStatus,
    Allocation,
    Channel,
    Contact,
    ContactOutcome,
    Decision,
    EndReason,
    Escalation,
    EscalationDecision,
    Goal,
    GoalStatus,
    Need,
    PackageService,
    Progress,
    ProgressUpdate,
    Referral,
    ReferralSource,
    ReferralStatus,
    ServiceRole,
    SupportPackage,
)
from ..queries import is_epc_of
from .allocations import end_allocation
from .referrals import MAX_TEXT, decide_referral, make_referral

MAX_LINE = 300  # goals, actions, purposes: a line, not an essay
# The EPC answers a "support not working" escalation or an additional need within this many working days (R34).
SLA_WORKING_DAYS = 5

Errors = dict[str, list[str]]


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days (Monday to Friday) after ``day``. Bank holidays are not known here."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


# Who may do what ----------------------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "pk", None))


def _la_id(allocation: Allocation) -> int:
    return allocation.referral.la_id


def may_support(actor: Any, allocation: Allocation) -> bool:
    """Whether ``actor`` may record support for the allocation: its lead worker while it is active, or the EPC of
    the referral's local authority."""
    if not _is_user(actor) or not actor.is_active:
        return False
    if allocation.lead_worker_id == actor.pk and allocation.end is None:
        return True
    return is_epc_of(actor, _la_id(allocation))


def _refuse(actor: Any, context: audit.AuditContext, allocation: Allocation, wanted: str, message: str) -> None:
    audit.record(actor, "denied", context, person_id=allocation.person_id, object_type="support_package",
                 object_id=allocation.pk, detail={"wanted": wanted})
    raise PermissionDenied(message)


def check_supporter(actor: Any, context: audit.AuditContext, allocation: Allocation, wanted: str) -> None:
    """Refuse (403), and audit the refusal, unless ``actor`` may record support for the allocation."""
    if not may_support(actor, allocation):
        _refuse(actor, context, allocation, wanted,
                _("Only the young person's lead worker and the EPC can record their support."))


def _check_epc(actor: Any, context: audit.AuditContext, allocation: Allocation, wanted: str) -> None:
    if not (_is_user(actor) and is_epc_of(actor, _la_id(allocation))):
        _refuse(actor, context, allocation, wanted, _("Only the EPC of the young person's local authority can "
                                                      "decide this."))


# Checking input ------------------------------------------------------------------------------------------------


def _active(allocation: Allocation, errors: Errors) -> None:
    if allocation.end is not None:
        errors["allocation"] = [_("This allocation has ended: its support can no longer be changed.")]


def _text(errors: Errors, field: str, value: str, *, required: str = "", limit: int = MAX_TEXT) -> None:
    if required and not value.strip():
        errors[field] = [required]
    elif len(value) > limit:
        errors[field] = [_("Keep this under %(max)s characters.") % {"max": limit}]


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _record(actor: Any, action: str, context: audit.AuditContext, allocation: Allocation, object_type: str,
            object_id: int, fields: Iterable[str] = (), detail: dict[str, Any] | None = None) -> None:
    audit.record(actor, action, context, person_id=allocation.person_id, object_type=object_type,
                 object_id=object_id, fields=fields, detail={"allocation": allocation.pk, **(detail or {})})


def _touch(package: SupportPackage) -> None:
    package.updated_at = timezone.now()
    package.save(update_fields=["updated_at"])


# The package: summary, review date, goals and actions ----------------------------------------------------------


def update_package(package: SupportPackage, *, summary: str | None = None, next_review: datetime.date | None = None,
                   actor: Any, context: audit.AuditContext) -> SupportPackage:
    """Change what the support is for and when it is next reviewed (R31). Only what is given changes."""
    allocation = package.allocation
    check_supporter(actor, context, allocation, "update package")
    errors: Errors = {}
    _active(allocation, errors)
    if summary is not None:
        _text(errors, "summary", summary)
    if next_review is not None and next_review < timezone.localdate():
        errors["next_review"] = [_("The next review cannot be in the past.")]
    _raise(errors)
    with transaction.atomic():
        changed = {name: value for name, value in (("summary", None if summary is None else summary.strip()),
                                                   ("next_review", next_review)) if value is not None}
        for name, value in changed.items():
            setattr(package, name, value)
        package.updated_at = timezone.now()
        package.save(update_fields=[*changed, "updated_at"])
        _record(actor, "change", context, allocation, "support_package", package.pk, changed,
                {"next_review": next_review.isoformat() if next_review else None})
        return package


def add_goal(package: SupportPackage, *, text: str, measure: str = "", target_date: datetime.date | None = None,
             actor: Any, context: audit.AuditContext) -> Goal:
    """Add a goal to the package, with how progress towards it is measured."""
    allocation = package.allocation
    check_supporter(actor, context, allocation, "add goal")
    errors: Errors = {}
    _active(allocation, errors)
    _text(errors, "text", text, required=_("Say what the goal is."), limit=MAX_LINE)
    _text(errors, "measure", measure, limit=MAX_LINE)
    if target_date is not None and target_date < allocation.start:
        errors["target_date"] = [_("The target date must be after the support started.")]
    _raise(errors)
    with transaction.atomic():
        goal = Goal.objects.create(package=package, text=text.strip(), measure=measure.strip(), target_date=target_date)
        _touch(package)
        _record(actor, "create", context, allocation, "support_goal", goal.pk, ["text", "measure", "target_date"])
        return goal


def set_goal_status(goal: Goal, status: str, *, actor: Any, context: audit.AuditContext) -> Goal:
    """Mark a goal achieved, no longer pursued, or in progress again."""
    allocation = goal.package.allocation
    check_supporter(actor, context, allocation, "change goal")
    errors: Errors = {}
    _active(allocation, errors)
    if status not in GoalStatus.values:
        errors["status"] = [_("Choose in progress, achieved or no longer pursued.")]
    _raise(errors)
    with transaction.atomic():
        goal.status = status
        goal.save(update_fields=["status"])
        _touch(goal.package)
        _record(actor, "change", context, allocation, "support_goal", goal.pk, ["status"], {"status": status})
        return goal


def add_action(package: SupportPackage, *, text: str, owner: str = "", due: datetime.date | None = None,
               goal: Goal | None = None, actor: Any, context: audit.AuditContext) -> Action:
    """Add an activity to the package: what is done, by whom, by when, towards which goal."""
    allocation = package.allocation
    check_supporter(actor, context, allocation, "add action")
    errors: Errors = {}
    _active(allocation, errors)
    _text(errors, "text", text, required=_("Say what will be done."), limit=MAX_LINE)
    _text(errors, "owner", owner, limit=150)
    if goal is not None and goal.package_id != package.pk:
        errors["goal"] = [_("Choose one of this package's goals.")]
    _raise(errors)
    with transaction.atomic():
        action = Action.objects.create(package=package, goal=goal, text=text.strip(), owner=owner.strip(), due=due)
        _touch(package)
        _record(actor, "create", context, allocation, "support_action", action.pk, ["text", "owner", "due"])
        return action


def complete_action(action: Action, *, actor: Any, context: audit.AuditContext) -> Action:
    """Mark an action done."""
    allocation = action.package.allocation
    check_supporter(actor, context, allocation, "complete action")
    errors: Errors = {}
    _active(allocation, errors)
    if action.done:
        errors["action"] = [_("This action is already done.")]
    _raise(errors)
    with transaction.atomic():
        action.done = True
        action.save(update_fields=["done"])
        _touch(action.package)
        _record(actor, "change", context, allocation, "support_action", action.pk, ["done"])
        return action


# Keeping in touch and progress (R33) -----------------------------------------------------------------------------


def record_contact(allocation: Allocation, *, on: datetime.date | None, channel: str, outcome: str, note: str = "",
                   actor: Any, context: audit.AuditContext) -> Contact:
    """Log a keeping-in-touch contact with the young person: when, how, and how it went. Not in the future, and
    not before the allocation started."""
    check_supporter(actor, context, allocation, "record contact")
    errors: Errors = {}
    _active(allocation, errors)
    if on is None:
        errors["on"] = [_("Enter the date of the contact.")]
    elif on > timezone.localdate():
        errors["on"] = [_("The contact cannot be in the future.")]
    elif on < allocation.start:
        errors["on"] = [_("The contact cannot be before the lead worker was allocated (%(start)s).")
                        % {"start": allocation.start.isoformat()}]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how you were in touch.")]
    if outcome not in ContactOutcome.values:
        errors["outcome"] = [_("Choose how the contact went.")]
    _text(errors, "note", note)
    _raise(errors)
    with transaction.atomic():
        contact = Contact.objects.create(allocation=allocation, person_id=allocation.person_id,
                                         on=cast(datetime.date, on), channel=channel,
                                         outcome=outcome, note=note.strip(), recorded_by=actor,
                                         recorded_at=timezone.now())
        _record(actor, "create", context, allocation, "lead_worker_contact", contact.pk, ["on", "channel", "outcome"],
                {"channel": channel, "outcome": outcome})
        return contact


def _progress_email(update: ProgressUpdate) -> tuple[str, str]:
    # No name or detail by email: the package page shows them once signed in.
    return (_("A lead worker reports concerns about support"),
            _("A lead worker reports \u201c%(progress)s\u201d for a young person (allocation %(ref)s). Sign in to "
              "YEP to read their feedback.") % {"progress": Progress(update.progress).label,
                                                   "ref": update.allocation_id})


def submit_progress(allocation: Allocation, *, progress: str, summary: str, actor: Any,
                    context: audit.AuditContext) -> ProgressUpdate:
    """Send the EPC feedback on how the support is going (R33). Feedback other than "on track" is emailed to
    the LA's EPCs; "support not working" is the cue to escalate (``escalate``), which the pages suggest."""
    check_supporter(actor, context, allocation, "submit progress")
    errors: Errors = {}
    _active(allocation, errors)
    if progress not in Progress.values:
        errors["progress"] = [_("Choose how the support is going.")]
    _text(errors, "summary", summary, required=_("Say how the support is going."))
    _raise(errors)
    with transaction.atomic():
        update = ProgressUpdate.objects.create(allocation=allocation, progress=progress, summary=summary.strip(),
                                               submitted_by=actor, submitted_at=timezone.now())
        _record(actor, "create", context, allocation, "progress_update", update.pk, ["progress", "summary"],
                {"progress": progress})
        if progress != Progress.ON_TRACK:
            la = allocation.referral.la
            transaction.on_commit(lambda: notify_team(la, Role.EPC, lambda: _progress_email(update)))
        return update


# "Support not working" (R34, AT-22) --------------------------------------------------------------------------


def _escalation_email(escalation: Escalation, due: datetime.date) -> tuple[str, str]:
    return (_("Support not working: a young person needs re-brokering"),
            _("A lead worker reports that support is not working for a young person (escalation %(ref)s). "
              "Decide by %(due)s whether to change the host, change the package or continue. Sign in to YEP "
              "to see the evidence.") % {"ref": escalation.pk, "due": due.isoformat()})


def _rebrokerage(allocation: Allocation, escalation: Escalation, actor: Any,
                 context: audit.AuditContext) -> Referral:
    """The re-brokerage referral: the young person's facts as first referred, from the lead worker (who already
    works with them with their agreement)."""
    first = allocation.referral
    return make_referral(
        allocation.person, source=ReferralSource.LEAD_WORKER, needs=list(first.needs), urgency=first.urgency,
        consent_confirmed=True, stage=first.stage, risk_band=first.risk_band, families_first=first.families_first,
        tier=first.tier, la=first.la,
        notes=_("Re-brokerage: the lead worker reports support not working (escalation %(ref)s).")
        % {"ref": escalation.pk}, actor=actor, context=context)


def _check_escalation(allocation: Allocation, evidence: str) -> None:
    errors: Errors = {}
    _active(allocation, errors)
    _text(errors, "evidence", evidence, required=_("Give the evidence that the support is not working."))
    if Escalation.objects.filter(allocation=allocation, decision="").exists():
        errors["allocation"] = [_("An escalation for this young person is already waiting for the EPC.")]
    elif Referral.objects.filter(person_id=allocation.person_id, la_id=_la_id(allocation),
                                 status=ReferralStatus.OPEN).exists():
        errors["allocation"] = [_("This young person already has an open referral: the EPC can re-broker "
                                  "through it.")]
    _raise(errors)


def escalate(allocation: Allocation, *, evidence: str, actor: Any, context: audit.AuditContext) -> Escalation:
    """Report that the support is not working, with evidence (R34). This raises a task for the LA's EPCs, due
    within the SLA, emails them, and re-opens brokerage with a referral linked to the package. One open
    escalation per allocation."""
    check_supporter(actor, context, allocation, "escalate")
    with transaction.atomic():
        Allocation.objects.select_for_update().filter(pk=allocation.pk).exists()  # one escalation at a time
        _check_escalation(allocation, evidence)
        escalation = Escalation.objects.create(allocation=allocation, package=allocation.package,
                                               evidence=evidence.strip(), raised_by=actor, raised_at=timezone.now())
        escalation.referral = _rebrokerage(allocation, escalation, actor, context)
        due = add_working_days(timezone.localdate(), SLA_WORKING_DAYS)
        la = allocation.referral.la
        escalation.task = create_task(
            TaskKind.ESCALATION, due=due, person=allocation.person, organisation=la, role=Role.EPC,
            source=f"broker.escalation:{escalation.pk}", actor=actor, context=context,
            detail=_("The lead worker reports support not working: decide whether to change the host, change the "
                     "package or continue."))
        escalation.save(update_fields=["referral", "task"])
        _record(actor, "create", context, allocation, "escalation", escalation.pk, ["evidence"],
                {"referral": escalation.referral.pk, "task": escalation.task.pk, "due": due.isoformat()})
        task = escalation.task
        transaction.on_commit(lambda: notify_team(la, Role.EPC, lambda: _escalation_email(escalation, due),
                                                  task=task))
    return escalation


def _decision_email(escalation: Escalation) -> tuple[str, str]:
    return (_("The EPC has decided your escalation"),
            _("The EPC decided escalation %(ref)s: %(decision)s. Sign in to YEP to read the reason.")
            % {"ref": escalation.pk, "decision": EscalationDecision(escalation.decision).label})


def _apply_decision(escalation: Escalation, actor: Any, context: audit.AuditContext) -> None:
    allocation, referral = escalation.allocation, escalation.referral
    if escalation.decision == EscalationDecision.CHANGE_HOST:
        # The re-brokerage referral stays open for the new allocation.
        if allocation.end is None:
            end_allocation(allocation, reason=EndReason.REBROKERED, note=escalation.decision_reason, actor=actor,
                           context=context)
    elif referral is not None and referral.status == ReferralStatus.OPEN:
        decide_referral(referral, decision=Decision.NO_LEAD_WORKER, actor=actor, context=context,
                        reason=_("Continues with the current lead worker: %(reason)s")
                        % {"reason": escalation.decision_reason})


def decide_escalation(escalation: Escalation, *, decision: str, reason: str, actor: Any,
                      context: audit.AuditContext) -> Escalation:
    """The EPC's decision on an escalation, with a reason: change the host (the allocation ends, re-brokered,
    and the re-brokerage referral stays open for a new allocation), change the package or continue (both close
    the re-brokerage referral: the young person keeps their lead worker). Closes the EPC's task."""
    allocation = escalation.allocation
    _check_epc(actor, context, allocation, "decide escalation")
    errors: Errors = {}
    if not escalation.is_open:
        errors["escalation"] = [_("This escalation has already been decided.")]
    if decision not in EscalationDecision.values:
        errors["decision"] = [_("Choose change the host, change the package or continue.")]
    _text(errors, "reason", reason, required=_("Give the reason for the decision."))
    _raise(errors)
    with transaction.atomic():
        escalation.decision, escalation.decision_reason = decision, reason.strip()
        escalation.decided_by, escalation.decided_at = actor, timezone.now()
        escalation.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        close_tasks_from(f"broker.escalation:{escalation.pk}", outcome=f"{EscalationDecision(decision).label}: "
                         f"{escalation.decision_reason}", actor=actor, context=context)
        _apply_decision(escalation, actor, context)
        _record(actor, "change", context, allocation, "escalation", escalation.pk, ["decision"],
                {"decision": decision})
        worker = allocation.lead_worker
        transaction.on_commit(lambda: notify_user(worker, lambda: _decision_email(escalation)))
    return escalation


# Additional needs and supporting services (R35, AT-6, AT-20) ------------------------------------------------------


def raise_additional_need(allocation: Allocation, *, need: str, note: str = "", actor: Any,
                          context: audit.AuditContext) -> AdditionalNeed:
    """Flag a need another service should meet, without changing the lead worker (R35): the LA's EPCs get a
    task to add a supporting service."""
    check_supporter(actor, context, allocation, "raise additional need")
    errors: Errors = {}
    _active(allocation, errors)
    if need not in Need.values:
        errors["need"] = [_("Choose the need from the list.")]
    elif AdditionalNeed.objects.filter(allocation=allocation, need=need, status=AdditionalNeedStatus.OPEN).exists():
        errors["need"] = [_("This need is already waiting for the EPC.")]
    _text(errors, "note", note)
    _raise(errors)
    with transaction.atomic():
        additional = AdditionalNeed.objects.create(allocation=allocation, need=need, note=note.strip(), raised_by=actor,
                                                   raised_at=timezone.now())
        additional.task = create_task(
            TaskKind.ADDITIONAL_NEED, due=add_working_days(timezone.localdate(), SLA_WORKING_DAYS),
            person=allocation.person, organisation=allocation.referral.la, role=Role.EPC,
            source=f"broker.additional_need:{additional.pk}", actor=actor, context=context,
            detail=_("Additional need: %(need)s. Add a supporting service or say why not.")
            % {"need": Need(need).label})
        additional.save(update_fields=["task"])
        _record(actor, "create", context, allocation, "additional_need", additional.pk, ["need"], {"need": need})
        return additional


def _check_service(package: SupportPackage, organisation: Organisation, purpose: str,
                   additional_need: AdditionalNeed | None, categories: list[str]) -> None:
    errors: Errors = {}
    _active(package.allocation, errors)
    if not organisation.active:
        errors["organisation"] = [_("This organisation is no longer active.")]
    elif package.services.filter(organisation=organisation, role=ServiceRole.SUPPORTING, end__isnull=True).exists():
        errors["organisation"] = [_("This organisation is already a supporting service in the package.")]
    _text(errors, "purpose", purpose, required=_("Say what the supporting service will do."), limit=MAX_LINE)
    if additional_need is not None and (additional_need.allocation_id != package.allocation_id
                                        or additional_need.status != AdditionalNeedStatus.OPEN):
        errors["additional_need"] = [_("This additional need is not waiting for a decision.")]
    unknown = sorted(set(categories) - C.ALL)
    if unknown:
        errors["categories"] = [_("Unknown data categories: %(names)s.") % {"names": ", ".join(unknown)}]
    _raise(errors)


def add_supporting_service(package: SupportPackage, organisation: Organisation, *, purpose: str,
                           additional_need: AdditionalNeed | None = None, categories: Iterable[str] | None = None,
                           actor: Any, context: audit.AuditContext) -> PackageService:
    """Add ``organisation`` to the package as a supporting service (R35); the lead worker is unchanged. With
    ``categories``, the record is shared with it under a sharing agreement; a flow no agreement allows raises
    ``FlowBlocked`` saying why (AT-20), logged as denied, and changes nothing else. Meets ``additional_need``
    when given, closing its task. The EPC decides."""
    allocation = package.allocation
    _check_epc(actor, context, allocation, "add supporting service")
    wanted = sorted(set(categories or []))
    _check_service(package, organisation, purpose, additional_need, wanted)
    blocked: FlowBlocked | None = None
    with transaction.atomic():
        relationship = None
        try:
            if wanted:
                relationship = share_with_organisation(allocation.person, organisation, wanted,
                                                       purpose=purpose.strip(), actor=actor, context=context)
        except FlowBlocked as error:
            blocked = error  # the denied flow is on record; leaving the block normally keeps that row
        else:
            service = _save_service(package, organisation, purpose, relationship, additional_need, actor, context)
    if blocked is not None:
        raise blocked
    return service


def _save_service(package: SupportPackage, organisation: Organisation, purpose: str, relationship: Any,
                  additional_need: AdditionalNeed | None, actor: Any, context: audit.AuditContext) -> PackageService:
    allocation = package.allocation
    service = PackageService.objects.create(package=package, organisation=organisation, role=ServiceRole.SUPPORTING,
                                            purpose=purpose.strip(), start=timezone.localdate(), added_by=actor,
                                            relationship=relationship)
    if additional_need is not None:
        additional_need.status, additional_need.service = AdditionalNeedStatus.SERVICE_ADDED, service
        additional_need.decided_by, additional_need.decided_at = actor, timezone.now()
        additional_need.save(update_fields=["status", "service", "decided_by", "decided_at"])
        close_tasks_from(f"broker.additional_need:{additional_need.pk}", actor=actor, context=context,
                         outcome=_("Supporting service added: %(org)s") % {"org": organisation.display_name})
    _touch(package)
    _record(actor, "create", context, allocation, "package_service", service.pk, ["organisation", "purpose"],
            {"organisation": organisation.ref, "shared": relationship.categories if relationship else [],
             "additional_need": additional_need.pk if additional_need else None})
    return service


def decline_additional_need(additional_need: AdditionalNeed, *, reason: str, actor: Any,
                            context: audit.AuditContext) -> AdditionalNeed:
    """The EPC decides no supporting service is added for an additional need, with the reason; closes the task."""
    allocation = additional_need.allocation
    _check_epc(actor, context, allocation, "decline additional need")
    errors: Errors = {}
    if additional_need.status != AdditionalNeedStatus.OPEN:
        errors["additional_need"] = [_("This additional need is not waiting for a decision.")]
    _text(errors, "reason", reason, required=_("Say why no service is added."))
    _raise(errors)
    with transaction.atomic():
        additional_need.status, additional_need.decision_reason = AdditionalNeedStatus.NOT_ADDED, reason.strip()
        additional_need.decided_by, additional_need.decided_at = actor, timezone.now()
        additional_need.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        close_tasks_from(f"broker.additional_need:{additional_need.pk}", actor=actor, context=context,
                         outcome=_("No service added: %(reason)s") % {"reason": additional_need.decision_reason})
        _record(actor, "change", context, allocation, "additional_need", additional_need.pk, ["status"],
                {"status": AdditionalNeedStatus.NOT_ADDED})
        return additional_need


def end_supporting_service(service: PackageService, *, end: datetime.date | None = None, actor: Any,
                           context: audit.AuditContext) -> PackageService:
    """End a supporting service's part in the package; its access to the record ends the same day."""
    allocation = service.package.allocation
    _check_epc(actor, context, allocation, "end supporting service")
    day = end or timezone.localdate()
    errors: Errors = {}
    if service.role != ServiceRole.SUPPORTING:
        errors["service"] = [_("The lead worker's service ends with the allocation.")]
    elif service.end is not None:
        errors["service"] = [_("This service has already ended.")]
    if day < service.start:
        errors["end"] = [_("The end date must be on or after the start date.")]
    elif day > timezone.localdate():
        errors["end"] = [_("The end date cannot be in the future.")]
    _raise(errors)
    with transaction.atomic():
        service.end = day
        service.save(update_fields=["end"])
        if service.relationship is not None and service.relationship.end is None:
            end_relationship(service.relationship, end=day, actor=actor, context=context)
        _touch(service.package)
        _record(actor, "change", context, allocation, "package_service", service.pk, ["end"])
        return service
