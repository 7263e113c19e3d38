"""Allocating a lead worker to a referred young person, and ending the allocation (R27, R30, R32, R40).

Allocation opens the access relationship (kind lead worker) that puts the young person on the worker's caseload;
ending it closes the relationship, and access ends with it.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.models import RelationshipKind
from yep.access.services import end_relationship, open_relationship
from yep.people.models import Organisation

from ..allocation import Proposal, caseload_of, propose
from ..letters import introduce_lead_worker
from ..models import (
    Allocation,
    Decision,
    EndReason,
    HostType,
    LeadWorkerProfile,
    PackageService,
    Referral,
    ReferralStatus,
    ServiceRole,
    SupportPackage,
)
from ..queries import active_allocation, is_epc_of
from .followups import schedule_follow_ups
from .referrals import MAX_TEXT


def _refuse(actor: Any, context: audit.AuditContext, person_id: int, wanted: str) -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type="lead_worker_allocation",
                 detail={"wanted": wanted})
    raise PermissionDenied(_("Only the EPC of the young person's local authority can do this."))


def _one_at_a_time() -> ValidationError:
    return ValidationError({"lead_worker": [_("This young person already has a lead worker. End that allocation "
                                              "first: a young person has one lead worker at a time (R30).")]})


def _check(referral: Referral, worker: LeadWorkerProfile, proposal: Proposal, override_reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if referral.status != ReferralStatus.OPEN:
        errors["referral"] = [_("This referral has already been decided.")]
    if worker.la_id != referral.la_id or not worker.active:
        errors["lead_worker"] = [_("This lead worker does not take allocations in this local authority.")]
    if not proposal.allows(worker.host_type) and not override_reason.strip():
        errors["override_reason"] = [
            _("The rules propose: %(proposal)s. Give the reason for allocating %(host)s instead.")
            % {"proposal": proposal.summary, "host": HostType(worker.host_type).label}]
    if len(override_reason) > MAX_TEXT:
        errors["override_reason"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    if active_allocation(referral.person_id) is not None:
        raise _one_at_a_time()


def allocate(referral: Referral, lead_worker: LeadWorkerProfile, *, override_reason: str = "",
             start: datetime.date | None = None, actor: Any, context: audit.AuditContext) -> Allocation:
    """Allocate ``lead_worker`` to the referred young person. Only the EPC of the referral's LA may.

    Choosing a host type the rules did not propose (or anyone when they proposed no lead worker, or when no rule
    applies) is an override; when the team around the family decides, the TAF's choice is recorded as it is. An
    override needs ``override_reason`` and is audited as one. A young person has at most one active lead
    worker; a second is refused (a database constraint too). A worker at capacity can still be allocated: the
    proposal showed the warning, and the audit row records the caseload reached.
    """
    if not is_epc_of(actor, referral.la_id):
        _refuse(actor, context, referral.person_id, "allocate")
    proposal = propose(referral)
    _check(referral, lead_worker, proposal, override_reason)
    override = "" if proposal.allows(lead_worker.host_type) else override_reason.strip()
    try:
        with transaction.atomic():
            return _save(referral, lead_worker, proposal, override, start or timezone.localdate(), actor, context)
    except IntegrityError as error:  # another EPC allocated at the same moment: the constraint held
        raise _one_at_a_time() from error


def _save(referral: Referral, worker: LeadWorkerProfile, proposal: Proposal, override: str, start: datetime.date,
          actor: Any, context: audit.AuditContext) -> Allocation:
    now = timezone.now()
    allocation = Allocation.objects.create(
        referral=referral, person_id=referral.person_id, lead_worker_id=worker.user_id,
        host_organisation_id=worker.host_organisation_id, host_type=worker.host_type,
        proposed=",".join(proposal.host_types) or proposal.outcome, override_reason=override,
        welsh_unmet=proposal.welsh_preferred and not worker.speaks_welsh, decided_by=actor, decided_at=now,
        start=start)
    allocation.relationship = open_relationship(
        referral.person, RelationshipKind.LEAD_WORKER, user=worker.user, start=start,
        source=f"broker.allocation:{allocation.pk}", actor=actor, context=context)
    allocation.save(update_fields=["relationship"])
    _open_package(allocation, start, actor)
    referral.status, referral.decision = ReferralStatus.ALLOCATED, Decision.LEAD_WORKER
    referral.decision_reason, referral.decided_by, referral.decided_at = override, actor, now
    referral.save(update_fields=["status", "decision", "decision_reason", "decided_by", "decided_at"])
    audit.record(actor, "create", context, person_id=referral.person_id, object_type="lead_worker_allocation",
                 object_id=allocation.pk, fields=["lead_worker", "host_type"],
                 detail={"referral": referral.pk, "lead_worker": worker.user.get_username(),
                         "host_type": worker.host_type, "proposed": allocation.proposed,
                         "override": bool(override), "override_reason": override,
                         "caseload": f"{caseload_of(worker.user_id)}/{worker.capacity}",
                         "welsh_unmet": allocation.welsh_unmet})
    # Last, so nothing is written to anyone unless everything above succeeded.
    introduce_lead_worker(allocation, actor=actor, context=context)
    return allocation


# A package is reviewed termly unless the lead worker sets another date (R31, R36).
FIRST_REVIEW_AFTER = datetime.timedelta(weeks=13)


def _open_package(allocation: Allocation, start: datetime.date, actor: Any) -> SupportPackage:
    """Every allocation starts a support package with the lead worker's service in it; the lead worker fills in
    the goals and actions."""
    now = timezone.now()
    package = SupportPackage.objects.create(allocation=allocation, person_id=allocation.person_id, created_at=now,
                                            updated_at=now, next_review=start + FIRST_REVIEW_AFTER)
    PackageService.objects.create(package=package, organisation_id=allocation.host_organisation_id,
                                  role=ServiceRole.LEAD, start=start,
                                  added_by=actor if getattr(actor, "pk", None) else None)
    return package


def _check_end(allocation: Allocation, reason: str, note: str, day: datetime.date) -> None:
    errors: dict[str, list[str]] = {}
    if allocation.end is not None:
        errors["allocation"] = [_("This allocation has already ended.")]
    if reason not in EndReason.values:
        errors["end_reason"] = [_("Choose why the allocation ends.")]
    elif reason == EndReason.OTHER and not note.strip():
        errors["end_note"] = [_("Say why the allocation ends.")]
    if day < allocation.start:
        errors["end"] = [_("The end date must be on or after the start date.")]
    elif day > timezone.localdate():
        # A planned end (e.g. continuity after transition, R37) is a later feature; an end here takes effect now.
        errors["end"] = [_("The end date cannot be in the future.")]
    if len(note) > MAX_TEXT:
        errors["end_note"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)


def end_allocation(allocation: Allocation, *, reason: str, note: str = "", end: datetime.date | None = None,
                   actor: Any, context: audit.AuditContext) -> Allocation:
    """End a lead worker allocation with a reason; the lead worker relationship closes the same day, so the
    worker's access ends (history stays for the configured period). Only the EPC of the referral's LA may.
    A case that closes (not re-brokered, moved LA or the worker leaving) gets follow-ups at 6, 12 and 24
    months. A lead worker closing their own case, or handing over at 18, is ``continuity.close_case``."""
    if not is_epc_of(actor, allocation.referral.la_id):
        _refuse(actor, context, allocation.person_id, "end allocation")
    return _end(allocation, reason=reason, note=note, end=end, actor=actor, context=context)


def end_provider_support(allocation: Allocation, *, provider: Organisation, left_on: datetime.date, actor: Any,
                         context: audit.AuditContext) -> bool:
    """A provider said the young person left it on ``left_on``: when their lead worker is that provider's
    pastoral support, the allocation ends that day (R52), with the reason in the note. Returns whether it ended.
    Called by tracking's notification service, which has checked the notifier."""
    profile = getattr(allocation.lead_worker, "lead_worker_profile", None)
    if profile is None or profile.host_type != HostType.PROVIDER_PASTORAL or profile.host_organisation_id != \
            provider.pk or allocation.end is not None:
        return False
    _end(allocation, reason=EndReason.OTHER, end=max(left_on, allocation.start), actor=actor, context=context,
         note=_("Left %(provider)s on %(day)s: the provider's pastoral support ends.") % {
             "provider": provider.display_name, "day": left_on.strftime("%d/%m/%Y")})
    return True


def _end(allocation: Allocation, *, reason: str, note: str = "", end: datetime.date | None = None, actor: Any,
         context: audit.AuditContext) -> Allocation:
    """The ending itself, for services that have checked the actor's right their own way (the learning-coach
    exception at a post-16 start, a lead worker closing their own case)."""
    day = end or timezone.localdate()
    _check_end(allocation, reason, note, day)
    with transaction.atomic():
        allocation.end, allocation.end_reason, allocation.end_note = day, reason, note.strip()
        allocation.save(update_fields=["end", "end_reason", "end_note"])
        if allocation.relationship is not None and allocation.relationship.end is None:
            end_relationship(allocation.relationship, end=day, actor=actor, context=context)
        referral = allocation.referral
        if referral.status == ReferralStatus.ALLOCATED:
            referral.status = ReferralStatus.CLOSED
            referral.save(update_fields=["status"])
        audit.record(actor, "change", context, person_id=allocation.person_id, object_type="lead_worker_allocation",
                     object_id=allocation.pk, fields=["end", "end_reason"], detail={"end_reason": reason})
        # A closed case is followed up at 6, 12 and 24 months (R89); a re-brokered or moved one is not closed.
        schedule_follow_ups(allocation, actor=actor, context=context)
    return allocation
