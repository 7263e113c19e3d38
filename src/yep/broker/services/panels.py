"""Recording school panel meetings, and a school's business cases to the EPC with the EPC's decision on them
(YEPF §6 C, R28, R29). An approved case becomes a referral into brokerage."""

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.identify.models import Band
from yep.people.models import Organisation, Person, Role
from yep.tasks.models import TaskKind
from yep.tasks.services import close_tasks_from, create_task, notify_team, notify_user

from ..models import (
    BusinessCase,
    BusinessCaseStatus,
    Need,
    PanelMeeting,
    PanelMember,
    PanelOutcome,
    PanelPupil,
    PanelRole,
    ReferralSource,
    Urgency,
)
from ..panels import WAITING, acts_for_school, current_pupils
from ..queries import is_epc_of
from .referrals import MAX_TEXT, latest_result, make_referral

MAX_NAME = 150
# The EPC decides a business case within two working weeks (the task's due date; LAs may agree shorter).
DECIDE_WITHIN_WORKING_DAYS = 10
DECISIONS = ("approve", "reject", "defer")


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days (Monday to Friday) after ``day``. Bank holidays are not known here."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "pk", None))


def _may_act_for(actor: Any, school: Organisation) -> bool:
    # Meetings and cases name the member of staff who recorded them, so a command cannot act for a school.
    return _is_user(actor) and acts_for_school(actor, school)


def _refuse(actor: Any, context: audit.AuditContext, object_type: str, wanted: str, person_id: int | None = None,
            object_id: int | str = "") -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type=object_type, object_id=object_id,
                 detail={"wanted": wanted})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# Panel meetings -----------------------------------------------------------------------------------------------


def _clean_members(members: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    cleaned, problems = [], []
    for n, member in enumerate(members, start=1):
        name, role = _text(member.get("name")), member.get("role") or ""
        if not name:
            problems.append(_("member %(n)s: give their name") % {"n": n})
        elif len(name) > MAX_NAME:
            problems.append(_("member %(n)s: keep the name under %(max)s characters") % {"n": n, "max": MAX_NAME})
        if role not in PanelRole.values:
            problems.append(_("member %(n)s: choose their role") % {"n": n})
        cleaned.append((name, role))
    if problems:
        errors["members"] = problems
    elif not cleaned:
        errors["members"] = [_("Name at least one member of the panel, with their role.")]
    return cleaned


def _person_id(value: Any) -> int | None:
    if isinstance(value, Person):
        return value.pk
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pupil_problems(n: int, pupil: dict[str, Any], on_roll: set[int], seen: set[int]) -> list[str]:
    person_id = _person_id(pupil.get("person"))
    where = {"n": n}
    problems = []
    if person_id is None or person_id not in on_roll:
        problems.append(_("pupil %(n)s: not a current pupil of this school") % where)
    elif person_id in seen:
        problems.append(_("pupil %(n)s: already listed; discuss each pupil once") % where)
    if pupil.get("risk_band", Band.NONE) not in Band.values:
        problems.append(_("pupil %(n)s: choose a risk band") % where)
    if pupil.get("outcome", PanelOutcome.IN_SCHOOL_PLAN) not in PanelOutcome.values:
        problems.append(_("pupil %(n)s: choose what the panel decided") % where)
    if len(_text(pupil.get("in_school_plan"))) > MAX_TEXT:
        problems.append(_("pupil %(n)s: keep the plan under %(max)s characters") % {"n": n, "max": MAX_TEXT})
    if person_id is not None:
        seen.add(person_id)
    return problems


def _clean_pupils(school: Organisation, held_on: datetime.date | None, pupils: list[dict[str, Any]],
                  errors: dict[str, list[str]]) -> None:
    ids = [i for i in (_person_id(p.get("person")) for p in pupils) if i is not None]
    on_roll = set(current_pupils(school, held_on).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    seen: set[int] = set()
    problems = []
    for n, pupil in enumerate(pupils, start=1):
        problems += _pupil_problems(n, pupil, on_roll, seen)
    if problems:
        errors["pupils"] = problems


def _clean_panel(school: Organisation, held_on: Any, members: list[dict[str, Any]], pupils: list[dict[str, Any]],
                 notes: str) -> list[tuple[str, str]]:
    errors: dict[str, list[str]] = {}
    day = held_on if isinstance(held_on, datetime.date) else None
    if day is None:
        errors["held_on"] = [_("Give the date the panel met.")]
    elif day > timezone.localdate():
        errors["held_on"] = [_("The date the panel met cannot be in the future.")]
    cleaned = _clean_members(members, errors)
    _clean_pupils(school, day, pupils, errors)
    if len(notes) > MAX_TEXT:
        errors["notes"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def record_panel(school: Organisation, *, held_on: datetime.date, members: list[dict[str, Any]],
                 pupils: list[dict[str, Any]], notes: str = "", actor: Any,
                 context: audit.AuditContext) -> PanelMeeting:
    """Record a meeting of ``school``'s panel (R28): who sat on it, by role, and each pupil discussed with the band
    as discussed, the in-school plan and the panel's outcome.

    ``members`` are ``{"name", "role"}`` (a ``PanelRole``); ``pupils`` are ``{"person", "risk_band",
    "in_school_plan", "outcome"}`` where ``person`` is a current pupil of the school (a ``Person`` or its id),
    listed once. School staff of the school and the EPC of its LA may. Every problem is reported at once
    (``"pupil 3: ..."``) and nothing is written unless all is well."""
    if not _may_act_for(actor, school):
        _refuse(actor, context, "panel_meeting", "record panel", object_id=school.pk)
        raise PermissionDenied(_("Only the school's staff or its LA's EPC can record its panel."))
    members_in = _clean_panel(school, held_on, members, pupils, notes)
    with transaction.atomic():
        return _save_panel(school, held_on, members_in, pupils, notes, actor, context)


def _save_panel(school: Organisation, held_on: datetime.date, members_in: list[tuple[str, str]],
                pupils: list[dict[str, Any]], notes: str, actor: Any, context: audit.AuditContext) -> PanelMeeting:
    meeting = PanelMeeting.objects.create(school=school, held_on=held_on, notes=notes.strip(), recorded_by=actor,
                                          recorded_at=timezone.now())
    PanelMember.objects.bulk_create([PanelMember(meeting=meeting, name=name, role=role) for name, role in members_in])
    audit.record(actor, "create", context, object_type="panel_meeting", object_id=meeting.pk,
                 detail={"school": school.pk, "held_on": held_on.isoformat(), "members": len(members_in),
                         "pupils": len(pupils)})
    for pupil in pupils:
        row = PanelPupil.objects.create(
            meeting=meeting, person_id=cast(int, _person_id(pupil["person"])),
            risk_band=pupil.get("risk_band", Band.NONE), in_school_plan=_text(pupil.get("in_school_plan")),
            outcome=pupil.get("outcome", PanelOutcome.IN_SCHOOL_PLAN))
        audit.record(actor, "create", context, person_id=row.person_id, object_type="panel_pupil",
                     object_id=row.pk, fields=["risk", "support_needs"],
                     detail={"meeting": meeting.pk, "outcome": row.outcome})
    return meeting


# Business cases -----------------------------------------------------------------------------------------------


def _clean_case(person: Person, school: Organisation, needs: list[str], case: str, support_requested: str,
                urgency: str, consent_confirmed: bool, panel_pupil: PanelPupil | None) -> None:
    errors: dict[str, list[str]] = {}
    if school.la_id is None:
        errors["school"] = [_("This school has no local authority to send the case to.")]
    if not current_pupils(school).filter(pk=person.pk).exists():
        errors["person"] = [_("Choose a current pupil of this school.")]
    elif BusinessCase.objects.filter(person=person, status__in=WAITING).exists():
        errors["person"] = [_("A business case for this pupil is already waiting for the EPC.")]
    _clean_case_text(needs, case, support_requested, urgency, errors)
    if not consent_confirmed:
        errors["consent_confirmed"] = [_("Confirm that the pupil (or their parent) agreed to the case being sent.")]
    if panel_pupil is not None and (panel_pupil.person_id != person.pk or panel_pupil.meeting.school_id != school.pk):
        errors["panel_pupil"] = [_("This panel discussion is about another pupil or school.")]
    if errors:
        raise ValidationError(errors)


def _clean_case_text(needs: list[str], case: str, support_requested: str, urgency: str,
                     errors: dict[str, list[str]]) -> None:
    if not needs:
        errors["needs"] = [_("Choose at least one need.")]
    elif any(n not in Need.values for n in needs):
        errors["needs"] = [_("Choose needs from the list.")]
    if not case.strip():
        errors["case"] = [_("Say why the school cannot meet the need on its own, and what it has tried.")]
    for field, text in (("case", case), ("support_requested", support_requested)):
        if len(text) > MAX_TEXT:
            errors[field] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose how urgent the case is.")]


def _case_path(case: BusinessCase) -> str:
    return reverse("broker:business_case", args=[case.pk])


def submit_business_case(person: Person, *, school: Organisation, needs: list[str], case: str,
                         support_requested: str = "", urgency: str = Urgency.ROUTINE, consent_confirmed: bool,
                         panel_pupil: PanelPupil | None = None, actor: Any,
                         context: audit.AuditContext) -> BusinessCase:
    """Send the EPC of the school's LA a business case for ``person`` (R29): the needs, why the school cannot
    meet them alone, and the pupil's (or parent's) agreement. One case per pupil waits at a time.

    It raises a task for the LA's EPCs (due in ten working days) and emails them, each in their language, that a
    case waits, with nothing about the pupil's risk. School staff of the school and the EPC of its LA may."""
    if not _may_act_for(actor, school):
        _refuse(actor, context, "business_case", "submit", person_id=person.pk)
        raise PermissionDenied(_("Only the school's staff or its LA's EPC can send its business case."))
    needs = list(dict.fromkeys(needs))
    _clean_case(person, school, needs, case, support_requested, urgency, consent_confirmed, panel_pupil)
    with transaction.atomic():
        row = BusinessCase.objects.create(
            school=school, la_id=cast(int, school.la_id), person=person, panel_pupil=panel_pupil, needs=needs,
            case=case.strip(), support_requested=support_requested.strip(), urgency=urgency,
            consent_confirmed=True, submitted_by=actor, submitted_at=timezone.now())
        la = cast(Organisation, school.la)  # an LA: checked in _clean_case
        task = create_task(TaskKind.BUSINESS_CASE, person=person, organisation=la, role=Role.EPC,
                           due=working_days_after(timezone.localdate(), DECIDE_WITHIN_WORKING_DAYS),
                           detail=school.name, source=f"broker.business_case:{row.pk}", actor=actor, context=context)
        audit.record(actor, "create", context, person_id=person.pk, object_type="business_case", object_id=row.pk,
                     fields=["needs", "support_needs"],
                     detail={"school": school.pk, "urgency": urgency, "panel_pupil": panel_pupil.pk if panel_pupil
                             else None})
        path, school_name = _case_path(row), school.name

        def write() -> tuple[str, str]:
            return (_("A school business case is waiting for you"),
                    _("%(school)s has sent a business case. Decide it in YEP: %(path)s")
                    % {"school": school_name, "path": path})

        transaction.on_commit(lambda: notify_team(la, Role.EPC, write, task=task))
    return row


def _clean_decision(case: BusinessCase, decision: str, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if case.status not in WAITING:
        errors["case"] = [_("This business case has already been decided.")]
    if decision not in DECISIONS:
        errors["decision"] = [_("Choose approve, reject or defer.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the decision.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)


STATUS_OF = {"approve": BusinessCaseStatus.APPROVED, "reject": BusinessCaseStatus.REJECTED,
             "defer": BusinessCaseStatus.DEFERRED}


def decide_business_case(case: BusinessCase, *, decision: str, reason: str, actor: Any,
                         context: audit.AuditContext) -> BusinessCase:
    """The EPC of the case's LA approves, rejects or defers a business case, always with a reason (R29).

    Approving refers the pupil to brokerage (source: school business case, with the case's needs, urgency and
    consent, and the band the panel discussed, else the latest early identification band) and links the
    referral to the case; a referral the rules refuse (for example one already open) refuses the approval, and
    nothing is written. Approving or rejecting closes the EPC's task; a deferred case
    keeps it, and can be decided again later. The school's submitter is told by email."""
    if not is_epc_of(actor, case.la_id):
        _refuse(actor, context, "business_case", "decide", person_id=case.person_id, object_id=case.pk)
        raise PermissionDenied(_("Only the EPC of the case's local authority can decide it."))
    _clean_decision(case, decision, reason)
    with transaction.atomic():
        if decision == "approve":
            case.referral = make_referral(
                case.person, source=ReferralSource.SCHOOL_BUSINESS_CASE, needs=list(case.needs),
                urgency=case.urgency, consent_confirmed=case.consent_confirmed, notes=case.case, la=case.la,
                risk_band=_band_for(case), actor=actor, context=context)
        case.status, case.decision_reason = STATUS_OF[decision], reason.strip()
        case.decided_by, case.decided_at = actor, timezone.now()
        case.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "referral"])
        if decision != "defer":
            close_tasks_from(f"broker.business_case:{case.pk}", outcome=case.get_status_display(), actor=actor,
                             context=context)
        audit.record(actor, "change", context, person_id=case.person_id, object_type="business_case",
                     object_id=case.pk, fields=["status"],
                     detail={"decision": decision, "referral": case.referral_id})
        _tell_school(case)
    return case


def _band_for(case: BusinessCase) -> str | None:
    """The risk band the allocation rules read: as the panel discussed it, else the latest early identification
    result's (agreed, else computed); None leaves it to the referral's own rules."""
    if case.panel_pupil is not None:
        return case.panel_pupil.risk_band
    result = latest_result(case.person)
    return result.current_band if result is not None else None


def _tell_school(case: BusinessCase) -> None:
    submitter, status, path = case.submitted_by, case.status, _case_path(case)

    def write() -> tuple[str, str]:
        said = BusinessCaseStatus(status).label
        return (_("The EPC has decided your business case"),
                _("Decision: %(decision)s. See the reason in YEP: %(path)s") % {"decision": said, "path": path})

    transaction.on_commit(lambda: notify_user(submitter, write))
