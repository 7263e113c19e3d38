"""Follow-ups after a lead worker case closes (R89–R90, AT-24): checks of the young person's EET status 6, 12
and 24 months on, each a task for the LA's careers team, and the status recorded at each."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.tasks.models import TaskKind
from yep.tasks.queries import may_act_on
from yep.tasks.services import close_tasks_from, create_task

from ..models import Allocation, EetStatus, EndReason, FollowUp
from ..queries import is_epc_of
from .referrals import MAX_TEXT
from .schedule import add_months, careers_team

CHECKPOINTS = (6, 12, 24)
# Endings that are not the end of the young person's support: re-brokered (another lead worker follows), moved
# LA (the new LA follows up its own), the worker left (a new one is allocated). Following up those would count
# one young person's outcome against a case that did not close.
NOT_CLOSED = frozenset({EndReason.REBROKERED, EndReason.MOVED_LA, EndReason.WORKER_LEFT})


def follow_ups_needed(reason: str) -> bool:
    """Whether an allocation that ends for ``reason`` closes the case, and so is followed up."""
    return reason not in NOT_CLOSED


def schedule_follow_ups(allocation: Allocation, *, actor: Any, context: audit.AuditContext) -> list[FollowUp]:
    """The 6, 12 and 24-month follow-ups of a closed case, each with a task for the LA's careers team due on
    its date. Called when the allocation ends; the caller has checked the actor's right to end it."""
    if allocation.end is None or not follow_ups_needed(allocation.end_reason):
        return []
    organisation, role = careers_team(allocation.referral.la)
    made = []
    with transaction.atomic():
        for months in CHECKPOINTS:
            due = add_months(allocation.end, months)
            follow_up = FollowUp.objects.create(allocation=allocation, person_id=allocation.person_id, months=months,
                                                due=due)
            follow_up.task = create_task(
                TaskKind.FOLLOW_UP, due=due, person=allocation.person, organisation=organisation, role=role,
                source=f"broker.follow_up:{follow_up.pk}", actor=actor, context=context,
                detail=_("%(months)s months since the lead worker case closed: record whether the young person is "
                         "in education, employment or training.") % {"months": months})
            follow_up.save(update_fields=["task"])
            made.append(follow_up)
        audit.record(actor, "create", context, person_id=allocation.person_id, object_type="follow_up",
                     object_id=allocation.pk, detail={"due": [f.due.isoformat() for f in made]})
    return made


def may_record(actor: Any, follow_up: FollowUp) -> bool:
    """The careers team the follow-up's task is for, the LA's EPC, or a job."""
    if not getattr(actor, "pk", None):
        return True  # an import of destinations, named in the audit log
    if is_epc_of(actor, follow_up.allocation.referral.la_id):
        return True
    return follow_up.task is not None and may_act_on(actor, follow_up.task)


def record_follow_up(follow_up: FollowUp, *, status: str, note: str = "", actor: Any,
                     context: audit.AuditContext) -> FollowUp:
    """Record the young person's EET status at a follow-up, and close its task. The careers team the task is
    for, or the LA's EPC, may; once it is due, and once only."""
    if not may_record(actor, follow_up):
        audit.record(actor, "denied", context, person_id=follow_up.person_id, object_type="follow_up",
                     object_id=follow_up.pk, detail={"wanted": "record"})
        raise PermissionDenied(_("This follow-up is not yours to record."))
    errors: dict[str, list[str]] = {}
    if follow_up.status:
        errors["follow_up"] = [_("This follow-up has already been recorded.")]
    if status not in EetStatus.values:
        errors["status"] = [_("Choose the young person's status: education, training, employment, NEET or not "
                              "known.")]
    if follow_up.due > timezone.localdate():
        errors["follow_up"] = [_("This follow-up is due on %(day)s: record the status then, so each checkpoint "
                                 "measures the same time after closure.") % {"day": _day(follow_up.due)}]
    if len(note) > MAX_TEXT:
        errors["note"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        follow_up.status, follow_up.note = status, note.strip()
        follow_up.recorded_by = actor if getattr(actor, "pk", None) else None
        follow_up.recorded_at = timezone.now()
        follow_up.save(update_fields=["status", "note", "recorded_by", "recorded_at"])
        close_tasks_from(f"broker.follow_up:{follow_up.pk}", outcome=str(EetStatus(status).label), actor=actor,
                         context=context)
        audit.record(actor, "change", context, person_id=follow_up.person_id, object_type="follow_up",
                     object_id=follow_up.pk, fields=["status"], detail={"months": follow_up.months,
                                                                        "status": status})
    return follow_up


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
