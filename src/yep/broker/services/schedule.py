"""Brokerage's scheduled work (``yep broker due``, daily): the re-assessment when continuity ends (R38), the
multi-agency review when a package's review date comes (R36), and the end-of-course interview for a tier 4
learner with nowhere to go next (AT-6 step 1). Each task is raised once: the task's kind, ``source`` and due date
say whether it already exists, so running twice on one day (or again the next day) adds nothing."""

import calendar
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import Organisation, OrganisationKind, Person, Role
from yep.people.models.organisations import EDUCATION_KINDS
from yep.tasks.models import Task, TaskKind
from yep.tasks.services import create_task

from ..models import Allocation
from ..queries import is_epc_of

# AT-6 step 1: a course ending within four weeks with no intended destination needs an interview now.
INTERVIEW_WINDOW = datetime.timedelta(weeks=4)
MAX_DESTINATION = 200
# Where a course can end: schools' sixth forms, colleges, training providers, and third-sector training.
COURSE_PROVIDER_KINDS = EDUCATION_KINDS | {OrganisationKind.THIRD_SECTOR}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole calendar months, kept to the end of a shorter month (30 Nov + 3 months = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def careers_services_of(la: Organisation) -> QuerySet[Organisation]:
    """The careers services serving ``la``: those that cover it, or sit in it and cover no LA named (as the
    access policy reads a careers adviser's area)."""
    return (Organisation.objects.filter(kind=OrganisationKind.CAREERS_SERVICE, active=True)
            .filter(Q(covers=la) | Q(covers__isnull=True, la=la)).distinct().order_by("pk"))


def _careers_service_of(la: Organisation) -> Organisation | None:
    # One named to cover the LA is its careers service before a local office that names none.
    services = careers_services_of(la)
    return services.filter(covers=la).first() or services.first()


def careers_team(la: Organisation) -> tuple[Organisation, str]:
    """Who does the LA's careers work (re-assessments, interviews, follow-ups): the careers advisers of its
    careers service, or the LA's EPC team when no careers service is recorded."""
    careers = _careers_service_of(la)
    return (careers, Role.CAREERS_ADVISER) if careers is not None else (la, Role.EPC)


def _raised(kind: str, source: str, due: datetime.date) -> bool:
    return Task.objects.filter(kind=kind, source=source, due=due).exists()


def _reassessments(day: datetime.date, actor: Any, context: audit.AuditContext) -> int:
    raised = 0
    ending = (Allocation.objects.filter(end__isnull=True, continuity_end__lte=day)
              .select_related("referral__la", "person", "lead_worker"))
    for allocation in ending:
        source, due = f"broker.allocation:{allocation.pk}", allocation.continuity_end
        if due is None or _raised(TaskKind.REASSESSMENT, source, due):
            continue
        raise_reassessment(allocation, due=due, actor=actor, context=context)
        raised += 1
    return raised


def raise_reassessment(allocation: Allocation, *, due: datetime.date, actor: Any,
                       context: audit.AuditContext) -> Task:
    """A re-assessment for the LA's careers team: re-check the five tier status, and continue the lead worker
    or close the case with a reason (R38)."""
    organisation, role = careers_team(allocation.referral.la)
    detail = _("Continuity after transition ended on %(day)s. Re-check the tier, then continue the lead worker "
               "(%(worker)s) or close the case with a reason.") % {
        "day": due.isoformat(), "worker": allocation.lead_worker.get_full_name() or allocation.lead_worker}
    return create_task(TaskKind.REASSESSMENT, due=due, detail=detail, person=allocation.person,
                       organisation=organisation, role=role, source=f"broker.allocation:{allocation.pk}",
                       actor=actor, context=context)


def _reviews_due(day: datetime.date, actor: Any, context: audit.AuditContext) -> int:
    raised = 0
    due_now = (Allocation.objects.filter(end__isnull=True, package__next_review__lte=day)
               .select_related("package", "person", "lead_worker"))
    for allocation in due_now:
        source, due = f"broker.allocation:{allocation.pk}", allocation.package.next_review
        if due is None or _raised(TaskKind.REVIEW_DUE, source, due):
            continue
        create_task(TaskKind.REVIEW_DUE, due=due, person=allocation.person, assignee=allocation.lead_worker,
                    detail=_("The support package is due its multi-agency review: invite the services involved "
                             "and record the review."), source=source, actor=actor, context=context)
        raised += 1
    return raised


def eighteenth_birthday(dob: datetime.date) -> datetime.date:
    """The day a young person turns 18 (a 29 February birthday counts from 1 March)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return datetime.date(dob.year + 18, 3, 1)


def _handovers(day: datetime.date, actor: Any, context: audit.AuditContext) -> int:
    """A task for the lead worker of each young person who has turned 18 and is still NEET (tier 2 or 3): hand
    the case over to adult services or record that support continues (AT-26, R44). Raised once per case."""
    from yep.track import queries as track  # tracking reads brokerage's schedule helpers: import when used

    raised = 0
    latest_dob = datetime.date(day.year - 18, day.month, day.day) if (day.month, day.day) != (2, 29) else \
        datetime.date(day.year - 18, 2, 28)
    adults = (Allocation.objects.filter(end__isnull=True, person__dob__lte=latest_dob)
              .select_related("person", "lead_worker"))
    for allocation in adults:
        source = f"broker.allocation:{allocation.pk}"
        if Task.objects.filter(kind=TaskKind.HANDOVER, source=source).exists():
            continue
        tier = track.person_timeline(allocation.person, on=day, months=0).as_at.tier
        if tier not in (2, 3):
            continue
        birthday = eighteenth_birthday(allocation.person.dob)
        create_task(TaskKind.HANDOVER, due=max(birthday, day), person=allocation.person,
                    assignee=allocation.lead_worker, source=source, actor=actor, context=context,
                    detail=_("Turned 18 on %(day)s and is not in education, employment or training (tier %(tier)s). "
                             "Hand the case over to adult services (Jobcentre Plus or an adult employability "
                             "service), or record that your support continues.") % {
                        "day": birthday.strftime("%d/%m/%Y"), "tier": tier})
        raised += 1
    return raised


def run_due(day: datetime.date, *, actor: Any, context: audit.AuditContext) -> dict[str, int]:
    """Raise the tasks due on ``day``: a re-assessment for each active allocation whose continuity ended by
    then, a review for each package whose review date has come, and a handover for each young person with a lead
    worker who has turned 18 and is still NEET. Follow-ups after closure are raised when
    the case closes, with their due dates, so nothing is added for them here. Returns how many of each.

    A job (``yep broker due``) runs this; a member of staff may not, as it reaches every LA.
    """
    if getattr(actor, "pk", None):
        audit.record(actor, "denied", context, object_type="broker_schedule", detail={"wanted": "run due"})
        raise PermissionDenied(_("Scheduled work is run by the system, not by a member of staff."))
    with transaction.atomic():
        counts = {"reassessment": _reassessments(day, actor, context),
                  "review_due": _reviews_due(day, actor, context),
                  "handover": _handovers(day, actor, context)}
        audit.record(actor, "create", context, object_type="broker_schedule",
                     detail={"day": day.isoformat(), **counts})
    return counts


def _may_notify(actor: Any, person: Person, provider: Organisation) -> bool:
    if not getattr(actor, "pk", None):
        return True  # a provider's import or a job, named in the audit log
    memberships = list(actor.active_memberships())
    ours = any(m.role == Role.PROVIDER_STAFF and m.organisation_id == provider.pk for m in memberships) or any(
        m.role == Role.CAREERS_ADVISER for m in memberships) or is_epc_of(actor, person.la_of_residence_id)
    return ours and decide(actor, person.pk) is not None


def _check_course(person: Person, provider: Organisation, ends_on: Any, destination: str) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(ends_on, datetime.date):
        errors["ends_on"] = [_("Give the date the course ends.")]
    if provider.kind not in COURSE_PROVIDER_KINDS:
        errors["provider"] = [_("Choose the school, college or training provider running the course.")]
    if len(destination) > MAX_DESTINATION:
        errors["intended_destination"] = [_("Keep this under %(max)s characters.") % {"max": MAX_DESTINATION}]
    if person.la_of_residence_id is None:
        errors["person"] = [_("This young person has no local authority of residence, so no careers team to "
                              "ask.")]
    if errors:
        raise ValidationError(errors)


def notify_course_ending(person: Person, *, provider: Organisation, ends_on: datetime.date,
                         intended_destination: str = "", actor: Any, context: audit.AuditContext) -> Task | None:
    """A provider (or the careers service) says a learner's course ends on ``ends_on``. With no intended
    destination and the end within four weeks, an end-of-course interview task goes to the careers team of
    the young person's LA (AT-6 step 1); told again, nothing more is raised. Returns the task, or None when
    none is needed.

    The learner's tier is not checked here: the provider tells us about its tier 4 learners (tiers live in
    tracking).
    """
    if not _may_notify(actor, person, provider):
        audit.record(actor, "denied", context, person_id=person.pk, object_type="course_end",
                     detail={"wanted": "notify course ending"})
        raise PermissionDenied(_("You cannot tell us about this young person's course."))
    destination = intended_destination.strip()
    _check_course(person, provider, ends_on, destination)
    today = timezone.localdate()
    source = f"broker.course_end:{person.pk}:{ends_on.isoformat()}"
    with transaction.atomic():
        audit.record(actor, "change", context, person_id=person.pk, object_type="course_end",
                     fields=["destination"], detail={"provider": provider.ref, "ends_on": ends_on.isoformat(),
                                                     "intended_destination": destination})
        if destination or ends_on > today + INTERVIEW_WINDOW:
            return None
        existing = Task.objects.filter(kind=TaskKind.INTERVIEW, source=source).first()
        if existing is not None:
            return existing
        organisation, role = careers_team(person.la_of_residence)  # type: ignore[arg-type]  # checked above
        return create_task(
            TaskKind.INTERVIEW, due=max(ends_on, today), person=person,
            organisation=organisation, role=role, source=source, actor=actor, context=context,
            detail=_("The course at %(provider)s ends on %(day)s and no destination is recorded: hold an "
                     "end-of-course interview.") % {"provider": provider.display_name, "day": ends_on.isoformat()})
