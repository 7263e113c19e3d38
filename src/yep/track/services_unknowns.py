"""The only writers of the unknowns' records (YEPF §6 D R53-R54, A R5): the careers service's contacts with young
people (a confirmed activity goes on the timeline), youth workers' "report a contact" (matched across the register;
the reporter learns only whether it matched), and moves between local authorities (the record follows the young
person into the new LA's intake queue until its careers service accepts them).

Every function takes the acting user and an audit context, checks the actor's right first (refusals are audited),
validates all its input before writing anything, and runs in one transaction."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.broker.services.schedule import careers_team
from yep.broker.services.support import add_working_days
from yep.people import search
from yep.people.identifiers import check_postcode, postcode_key
from yep.people.models import Organisation, OrganisationKind, Person, Role
from yep.people.services import update_person
from yep.tasks.models import TaskKind
from yep.tasks.services import close_tasks_from, create_task, notify_team

from . import notifications as matching
from . import queries
from .activities import ActivityInput, clean_activity
from .models import (
    CareersContact,
    Confidence,
    ContactMethod,
    ContactOutcome,
    ContactPurpose,
    ContactReport,
    ContactReportStatus,
    LaMove,
    TracingSource,
)
from .services import record_activities
from .unknowns import report_for

MAX_TEXT = 2000
TEXT_LIMITS = {"forenames": 100, "surname": 100, "where": 200, "phone": 20}
FOLLOW_UP_WORKING_DAYS = 5
OLDEST_AGE_YEARS = 30  # a date of birth further back than this is a typing mistake, not a young person
CAREERS_SOURCE = "careers_service"  # the timeline's "who said so" for an activity a careers adviser confirmed

Errors = dict[str, list[str]]


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, object_type: str, object_id: Any = "",
            person_id: int | None = None) -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type=object_type, object_id=object_id,
                 detail={"wanted": wanted})
    raise PermissionDenied(_("You cannot do this."))


def _may_change(actor: Any, person: Person) -> bool:
    """A careers adviser or EPC who may change this young person's record."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.work_unknowns")):
        return False
    decision = decide(actor, person.pk)
    return decision is not None and decision.can_change


def _date(value: Any, name: str, errors: Errors, *, required: bool = True) -> datetime.date | None:
    """A date or an ISO date string, not in the future; a problem goes into ``errors`` under ``name``."""
    if value in (None, ""):
        if required:
            errors[name] = [_("Enter the date.")]
        return None
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = [_("Enter a real date as year-month-day, for example 2026-10-31.")]
        return None
    if isinstance(day, datetime.datetime):
        day = day.date()
    if day > timezone.localdate():
        errors[name] = [_("The date cannot be in the future.")]
    return day


def _choice(value: str, allowed: list[str], name: str, errors: Errors, *, blank: bool = False) -> None:
    if not (value in allowed or (blank and value == "")):
        errors[name] = [_("Choose one of the options.")]


def _text(values: dict[str, str], errors: Errors) -> None:
    for name, value in values.items():
        limit = TEXT_LIMITS.get(name, MAX_TEXT)
        if len(value) > limit:
            errors[name] = [_("Keep this under %(max)s characters.") % {"max": limit}]


# Moves between local authorities (R5) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Move:
    to_la: Organisation
    moved_on: datetime.date
    source: str
    notes: str


def _clean_move(person: Person, to_la: Any, moved_on: Any, source: str, notes: str, errors: Errors) -> _Move | None:
    if not isinstance(to_la, Organisation) or to_la.kind != OrganisationKind.LA:
        errors["to_la"] = [_("Choose the local authority the young person moved to.")]
    elif to_la.pk == person.la_of_residence_id:
        errors["to_la"] = [_("The young person already lives in %(la)s.") % {"la": to_la.display_name}]
    day = _date(moved_on, "moved_on", errors)
    if day is not None and day < person.dob:
        errors["moved_on"] = [_("The date moved is before the date of birth.")]
    _choice(source, TracingSource.values, "source", errors, blank=True)
    _text({"notes": notes}, errors)
    waiting = LaMove.objects.filter(person=person, accepted_at__isnull=True).select_related("to_la").first()
    if waiting is not None:
        errors["to_la"] = [_("A move to %(la)s is waiting for its careers service to accept it.")
                           % {"la": waiting.to_la.display_name}]
    if errors or day is None:
        return None
    return _Move(to_la, day, source, notes.strip())


def _move_source(move: LaMove) -> str:
    return f"track.lamove:{move.pk}"


def _record_move(person: Person, move: _Move, actor: Any, context: audit.AuditContext) -> LaMove:
    """Write the move, move the record to the new LA and alert its EPC and careers service."""
    from_la = person.la_of_residence
    record = LaMove.objects.create(
        person=person, from_la=from_la, to_la=move.to_la, moved_on=move.moved_on, source=move.source,
        notes=move.notes, reported_at=timezone.now(), reported_by=actor if getattr(actor, "pk", None) else None,
        reported_by_label=audit.label(actor))
    # The record follows the young person (YEPF §6 A 7): the old LA keeps history only.
    update_person(person, {"la_code": move.to_la.code}, actor=actor, context=context)
    audit.record(actor, "create", context, person_id=person.pk, object_type="la_move", object_id=record.pk,
                 detail={"from_la": from_la.pk if from_la else None, "to_la": move.to_la.pk,
                         "moved_on": move.moved_on.isoformat()})
    _alert_new_la(record, actor, context)
    return record


def _alert_new_la(move: LaMove, actor: Any, context: audit.AuditContext) -> None:
    origin = move.from_la.display_name if move.from_la else _("another area")
    due = add_working_days(timezone.localdate(), FOLLOW_UP_WORKING_DAYS)
    team, role = careers_team(move.to_la)
    create_task(TaskKind.CONTACT, due=due, person=move.person, organisation=team, role=role,
                source=_move_source(move), actor=actor, context=context,
                detail=_("A young person moved into your area from %(from)s on %(day)s. Confirm what they are doing, "
                         "then accept them from the intake queue.") % {"from": origin, "day": move.moved_on})
    if (team, role) != (move.to_la, Role.EPC):
        create_task(TaskKind.OTHER, due=due, person=move.person, organisation=move.to_la, role=Role.EPC,
                    source=_move_source(move), actor=actor, context=context,
                    detail=_("A young person moved into your area from %(from)s on %(day)s and is in the intake "
                             "queue.") % {"from": origin, "day": move.moved_on})

    def write() -> tuple[str, str]:
        return (_("A young person has moved into your area"),
                _("A young person has moved into your area from another local authority. They are in the intake "
                  "queue until the careers service confirms what they are doing. Sign in to YEP to see them."))

    transaction.on_commit(lambda: notify_team(move.to_la, Role.EPC, write))
    if team != move.to_la:
        transaction.on_commit(lambda: notify_team(team, role, write))


def report_move(person: Person, *, to_la: Any, moved_on: Any, source: str = "", notes: str = "", actor: Any,
                context: audit.AuditContext) -> LaMove:
    """Record that ``person`` moved to ``to_la`` (a local authority) on ``moved_on``: the record moves to the new
    LA, which takes them into its intake queue (counted apart from tier 1) and whose EPC and careers service are
    alerted; the old LA no longer counts them. A careers adviser or EPC who may change the record may."""
    if not _may_change(actor, person):
        _refuse(actor, context, "report_move", "la_move", person_id=person.pk)
    errors: Errors = {}
    move = _clean_move(person, to_la, moved_on, source or "", notes or "", errors)
    if errors or move is None:
        raise ValidationError(errors)
    with transaction.atomic():
        return _record_move(person, move, actor, context)


def accept_move(move: LaMove, *, actor: Any, context: audit.AuditContext) -> LaMove:
    """The new LA's careers service (or EPC) takes the young person out of intake: from now they count in the
    new LA's tiers like any resident, and the tasks the move raised are closed."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.work_unknowns")
            and move.to_la_id in queries.tracked_las(actor)):
        _refuse(actor, context, "accept_move", "la_move", move.pk, move.person_id)
    if move.accepted_at is not None:
        raise ValidationError({"move": [_("This move has already been accepted.")]})
    with transaction.atomic():
        move.accepted_at, move.accepted_by = timezone.now(), actor
        move.save(update_fields=["accepted_at", "accepted_by"])
        close_tasks_from(_move_source(move), outcome=_("Accepted from the intake queue."), actor=actor,
                         context=context)
        audit.record(actor, "change", context, person_id=move.person_id, object_type="la_move", object_id=move.pk,
                     fields=["accepted_at"])
    return move


# Careers contacts (R53) -----------------------------------------------------------------------------------------


def _clean_activity(person: Person, outcome: str, code: Any, start: Any, hours: Any, organisation: Any,
                    at: datetime.datetime, errors: Errors) -> ActivityInput | None:
    """The activity a confirmed contact records, when one is given (an NCCIS code, from when, hours a week); from
    the day of the contact unless said."""
    if code in (None, ""):
        return None
    if outcome != ContactOutcome.CONFIRMED:
        errors["code"] = [_("Only a contact that confirmed an activity records one.")]
        return None
    return clean_activity(person, code=code, start=start, hours_per_week=hours, organisation=organisation,
                          errors=errors, default_start=timezone.localdate(at))


def _contact_time(at: Any, errors: Errors) -> datetime.datetime:
    now = timezone.now()
    if at in (None, ""):
        return now
    if not isinstance(at, datetime.datetime):
        errors["at"] = [_("Enter when the contact was made.")]
        return now
    when: datetime.datetime = timezone.make_aware(at) if timezone.is_naive(at) else at
    if when > now:
        errors["at"] = [_("The contact cannot be in the future.")]
    return when


def log_contact(person: Person, *, purpose: str, method: str, source: str = "", outcome: str, notes: str = "",
                at: Any = None, actor: Any, context: audit.AuditContext, code: Any = None, start: Any = None,
                hours_per_week: Any = None, organisation: Any = None, to_la: Any = None,
                moved_on: Any = None) -> CareersContact:
    """Record one attempt by the careers service to reach ``person`` and what came of it. A confirmed activity
    (``code``, ``start``, ``hours_per_week``, ``organisation``) goes on the timeline in the same transaction,
    which resolves an unknown (e.g. code 619: tier 1 to tier 3). "Moved away" needs ``to_la`` and reports the
    move (``report_move``). A careers adviser or EPC who may change the record may."""
    if not _may_change(actor, person):
        _refuse(actor, context, "log_contact", "careers_contact", person_id=person.pk)
    errors: Errors = {}
    _choice(purpose, ContactPurpose.values, "purpose", errors)
    _choice(method, ContactMethod.values, "method", errors)
    _choice(source or "", TracingSource.values, "source", errors, blank=True)
    _choice(outcome, ContactOutcome.values, "outcome", errors)
    _text({"notes": notes or ""}, errors)
    when = _contact_time(at, errors)
    activity = _clean_activity(person, outcome, code, start, hours_per_week, organisation, when, errors)
    move = None
    if outcome == ContactOutcome.MOVED_AWAY:
        move = _clean_move(person, to_la, moved_on or timezone.localdate(when), source or "", notes or "", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = CareersContact.objects.create(
            person=person, purpose=purpose, method=method, source=source or "", outcome=outcome,
            notes=(notes or "").strip(), at=when, by=actor, by_label=audit.label(actor))
        audit.record(actor, "create", context, person_id=person.pk, object_type="careers_contact",
                     object_id=contact.pk, detail={"purpose": purpose, "outcome": outcome,
                                                   "activity": activity.code.code if activity else None})
        if activity is not None:
            # Heard second hand (family, friends, a youth worker) is worth re-confirming before anything else.
            second_hand = source in (TracingSource.FAMILY, TracingSource.YOUTH_WORKER, TracingSource.OTHER)
            row = activity.row(person, CAREERS_SOURCE) | {
                "confidence": Confidence.MEDIUM if second_hand else Confidence.HIGH}
            record_activities([row], actor=actor, context=context, source=f"careers_contact:{contact.pk}")
        if move is not None:
            _record_move(person, move, actor, context)
    return contact


# Youth workers' "report a contact" (R54) -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sighting:
    forenames: str
    surname: str
    dob: datetime.date
    postcode: str
    seen_on: datetime.date
    where: str
    doing: str
    phone: str


def _clean_dob(value: Any, errors: Errors) -> datetime.date | None:
    dob = _date(value, "dob", errors)
    today = timezone.localdate()
    if dob is not None and "dob" not in errors and dob <= today.replace(year=today.year - OLDEST_AGE_YEARS):
        errors["dob"] = [_("Check the date of birth: it is not the date of birth of a young person.")]
    return dob


def _clean_sighting(values: dict[str, str], dob: Any, seen_on: Any, errors: Errors) -> _Sighting | None:
    for name in ("forenames", "surname"):
        if not values[name]:
            errors[name] = [_("Enter the young person's %(part)s.") % {
                "part": _("forenames") if name == "forenames" else _("surname")}]
    _text(values, errors)
    if values["postcode"]:
        try:
            values["postcode"] = check_postcode(values["postcode"])
        except ValueError as problem:
            errors["postcode"] = [str(problem)]
    born = _clean_dob(dob, errors)
    seen = _date(seen_on, "seen_on", errors)
    if born and seen and seen < born:
        errors["seen_on"] = [_("The date seen is before the date of birth.")]
    if errors or born is None or seen is None:
        return None
    return _Sighting(values["forenames"], values["surname"], born, values["postcode"], seen, values["where"],
                     values["doing"], values["phone"])


def _match(sighting: _Sighting) -> Person | None:
    """The one young person the sighting describes, across the whole register: as a provider notification is
    matched (name, date of birth and postcode). A youth worker often has no postcode: then forename, surname and
    date of birth must point at exactly one person."""
    found = matching.find_match({"forenames": sighting.forenames, "surname": sighting.surname, "dob": sighting.dob,
                                 "postcode": sighting.postcode}).person
    if found is not None or sighting.postcode:
        return found
    words = [*sighting.forenames.split()[:1], sighting.surname]
    terms = search.SearchTerms(words=words, dob=sighting.dob)
    people = [p for p in search.search(Person.objects.all(), terms, limit=3) if p.dob == sighting.dob]
    return people[0] if len(people) == 1 else None


def _report_source(report: ContactReport) -> str:
    return f"track.contactreport:{report.pk}"


def _follow_up(report: ContactReport, person: Person, actor: Any, context: audit.AuditContext) -> None:
    """A task for the careers service of the young person's LA, and an email to its advisers."""
    la = person.la_of_residence
    if la is None:
        return
    team, role = careers_team(la)
    create_task(TaskKind.CONTACT, due=add_working_days(timezone.localdate(), FOLLOW_UP_WORKING_DAYS),
                person=person, organisation=team, role=role, source=_report_source(report), actor=actor,
                context=context,
                detail=_("%(org)s saw the young person on %(day)s. Follow this up and record what they are "
                         "doing.") % {"org": report.organisation.display_name, "day": report.seen_on})

    def write() -> tuple[str, str]:
        return (_("A youth worker has reported a contact"),
                _("A youth worker has reported seeing a young person in your area. Sign in to YEP to follow it "
                  "up."))

    transaction.on_commit(lambda: notify_team(team, role, write))


def report_contact(*, organisation: Organisation, forenames: str, surname: str, dob: Any, postcode: str = "",
                   seen_on: Any, where: str = "", doing: str = "", phone: str = "", actor: Any,
                   context: audit.AuditContext) -> ContactReport:
    """A youth worker reports meeting a young person. It is matched across the register; the reporter is told
    only whether it matched (``status``), never whom. A match raises a follow-up task for the careers service of
    the young person's LA. The reporter must belong to ``organisation``."""
    member = getattr(actor, "pk", None) and actor.has_perm("track.report_contact") and \
        actor.active_memberships().filter(organisation=organisation).exists()
    if not member:
        _refuse(actor, context, "report_contact", "contact_report", getattr(organisation, "pk", ""))
    errors: Errors = {}
    values = {"forenames": " ".join((forenames or "").split()), "surname": " ".join((surname or "").split()),
              "postcode": (postcode or "").strip(), "where": (where or "").strip(), "doing": (doing or "").strip(),
              "phone": (phone or "").strip()}
    sighting = _clean_sighting(values, dob, seen_on, errors)
    if errors or sighting is None:
        raise ValidationError(errors)
    with transaction.atomic():
        person = _match(sighting)
        report = ContactReport.objects.create(
            organisation=organisation, reported_by=actor, reported_by_label=audit.label(actor),
            reported_at=timezone.now(), forenames=sighting.forenames, surname=sighting.surname, dob=sighting.dob,
            postcode=sighting.postcode, seen_on=sighting.seen_on, where=sighting.where, doing=sighting.doing,
            phone=sighting.phone, person=person,
            status=ContactReportStatus.MATCHED if person else ContactReportStatus.NO_MATCH)
        audit.record(actor, "create", context, person_id=person.pk if person else None,
                     object_type="contact_report", object_id=report.pk,
                     detail={"matched": person is not None, "postcode": bool(postcode_key(sighting.postcode))})
        if person is not None:
            _follow_up(report, person, actor, context)
    return report


def close_contact_report(report: ContactReport, *, actor: Any, context: audit.AuditContext) -> ContactReport:
    """The careers service has dealt with a report (about a young person in its area, or one that matched no one
    from a youth work organisation there): off the list, and its follow-up task closed."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.work_unknowns")
            and report_for(actor, report.pk) is not None):
        _refuse(actor, context, "close_contact_report", "contact_report", report.pk, report.person_id)
    if report.status == ContactReportStatus.CLOSED:
        raise ValidationError({"report": [_("This report is already closed.")]})
    with transaction.atomic():
        report.status, report.closed_by, report.closed_at = ContactReportStatus.CLOSED, actor, timezone.now()
        report.save(update_fields=["status", "closed_by", "closed_at"])
        close_tasks_from(_report_source(report), outcome=_("Report closed by the careers service."), actor=actor,
                         context=context)
        audit.record(actor, "change", context, person_id=report.person_id, object_type="contact_report",
                     object_id=report.pk, fields=["status"])
    return report
