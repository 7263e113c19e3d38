"""Brokerage API: school panel meetings and business cases (R28, R29), at /api/v1/broker.

Read through ``broker.panels``: school staff see their school's meetings and cases, the EPC those of their LA's
schools. An id the caller may not see gets the same 404 as no such record. Pupils are given only when the
caller may see their record (with risk data, for a panel's pupils); those reads are audited."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, people_visible_to
from yep.people.schemas import MAX_ID, Error, RecordId

from .. import panels as read
from ..models import BusinessCase, Need, PanelMeeting, PanelOutcome, PanelPupil, PanelRole, Urgency
from ..services import panels as services
from ..services.referrals import MAX_TEXT

router = Router()
PAGE = 500
BandCode = Literal["none", "low", "medium", "high"]


class Invalid(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class MemberIO(Schema):
    name: str = Field(max_length=150)
    role: str = Field(description=f"One of: {', '.join(PanelRole.values)}.")


class PupilIn(Schema):
    person_id: int = Field(ge=1, le=MAX_ID)
    risk_band: BandCode = "none"
    in_school_plan: str = Field("", max_length=MAX_TEXT)
    outcome: str = Field(PanelOutcome.IN_SCHOOL_PLAN, description=f"One of: {', '.join(PanelOutcome.values)}.")


class PanelIn(Schema):
    """A panel meeting of ``school_id`` (your school, or one in your LA for the EPC)."""

    school_id: int = Field(ge=1, le=MAX_ID)
    held_on: datetime.date
    notes: str = Field("", max_length=MAX_TEXT)
    members: list[MemberIO] = Field(max_length=50)
    pupils: list[PupilIn] = Field([], max_length=500)


class PupilOut(Schema):
    id: int
    person_id: int
    person_name: str
    risk_band: str
    in_school_plan: str
    outcome: str


class PanelSummary(Schema):
    id: int
    school_id: int
    held_on: datetime.date
    members: int
    pupils: int
    recorded_by: str
    recorded_at: datetime.datetime


class PanelOut(PanelSummary):
    """A meeting: members by role, and the pupils discussed whom you may see (``hidden``: how many others)."""

    notes: str
    member_list: list[MemberIO]
    pupil_list: list[PupilOut]
    hidden: int


class CaseIn(Schema):
    person_id: int = Field(ge=1, le=MAX_ID)
    school_id: int = Field(ge=1, le=MAX_ID)
    needs: list[str] = Field(max_length=20, description=f"Codes from: {', '.join(Need.values)}.")
    case: str = Field(max_length=MAX_TEXT)
    support_requested: str = Field("", max_length=MAX_TEXT)
    urgency: str = Field(Urgency.ROUTINE, description=f"One of: {', '.join(Urgency.values)}.")
    consent_confirmed: bool
    panel_pupil_id: int | None = Field(None, ge=1, le=MAX_ID)


class CaseOut(Schema):
    """A business case. The pupil and the case's text are given only while you may see the pupil's record."""

    id: int
    school_id: int
    la_id: int
    person_id: int | None
    person_name: str | None
    panel_pupil_id: int | None
    needs: list[str]
    case: str | None
    support_requested: str | None
    urgency: str
    status: str
    submitted_by: str
    submitted_at: datetime.datetime
    decision_reason: str
    decided_at: datetime.datetime | None
    referral_id: int | None


class DecideIn(Schema):
    decision: Literal["approve", "reject", "defer"]
    reason: str = Field(max_length=MAX_TEXT)


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _summary(meeting: PanelMeeting) -> dict[str, Any]:
    return {"id": meeting.pk, "school_id": meeting.school_id, "held_on": meeting.held_on,
            "members": len(meeting.members.all()), "pupils": len(meeting.pupils.all()),
            "recorded_by": meeting.recorded_by.get_username(), "recorded_at": meeting.recorded_at}


def _meeting(request: HttpRequest, meeting: PanelMeeting) -> dict[str, Any]:
    pupils = list(meeting.pupils.select_related("person"))
    visible = read.visible_with_risk(request.user, [p.person_id for p in pupils])
    audit.record(request.user, "view", _context(request), object_type="panel_meeting", object_id=meeting.pk,
                 fields=["risk", "support_needs"], detail={"people": sorted(visible)})
    shown = [p for p in pupils if p.person_id in visible]
    return {**_summary(meeting), "notes": meeting.notes,
            "member_list": [{"name": m.name, "role": m.role} for m in meeting.members.all()],
            "pupil_list": [{"id": p.pk, "person_id": p.person_id, "person_name": p.person.display_name,
                            "risk_band": p.risk_band, "in_school_plan": p.in_school_plan, "outcome": p.outcome}
                           for p in shown], "hidden": len(pupils) - len(shown)}


def _meeting_for(request: HttpRequest, panel_id: int) -> PanelMeeting:
    meeting = read.panels_visible_to(request.user).filter(pk=panel_id).first()
    if meeting is None:
        raise HttpError(404, _("There is no such panel meeting, or you cannot see it."))
    return meeting


def _school(request: HttpRequest, school_id: int) -> Any:
    school = read.schools_for(request.user).filter(pk=school_id).first()
    if school is None:
        raise HttpError(404, _("There is no such school, or you do not act for it."))
    return school


@router.get("/panels", response=list[PanelSummary], summary="List school panel meetings")
@requires("broker.panels")
def list_panels(request: HttpRequest) -> list[dict[str, Any]]:
    """Your school's panel meetings (the EPC: those of the LA's schools), newest first."""
    meetings = read.panels_visible_to(request.user).prefetch_related("members", "pupils")[:PAGE]
    return [_summary(m) for m in meetings]


@router.get("/panels/{panel_id}", response={200: PanelOut, 404: Error}, summary="Read a panel meeting")
@requires("broker.panels")
def read_panel(request: HttpRequest, panel_id: RecordId) -> dict[str, Any]:
    return _meeting(request, _meeting_for(request, panel_id))


@router.post("/panels", response={201: PanelOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Record a school panel meeting")
@requires("broker.panels")
def record_panel(request: HttpRequest, payload: PanelIn) -> Status[dict[str, Any]]:
    """Record who sat on the panel, by role, and each current pupil discussed with the band as discussed, the
    in-school plan and the outcome. Every problem is reported at once (``pupil 3: ...``); nothing is saved."""
    school = _school(request, payload.school_id)
    meeting = services.record_panel(
        school, held_on=payload.held_on, notes=payload.notes,
        members=[m.model_dump() for m in payload.members],
        pupils=[{"person": p.person_id, "risk_band": p.risk_band, "in_school_plan": p.in_school_plan,
                 "outcome": p.outcome} for p in payload.pupils],
        actor=request.user, context=_context(request))
    return Status(201, _meeting(request, meeting))


def _case(case: BusinessCase, seen: bool) -> dict[str, Any]:
    return {
        "id": case.pk, "school_id": case.school_id, "la_id": case.la_id,
        "person_id": case.person_id if seen else None, "person_name": case.person.display_name if seen else None,
        "panel_pupil_id": case.panel_pupil_id, "needs": list(case.needs) if seen else [],
        "case": case.case if seen else None, "support_requested": case.support_requested if seen else None,
        "urgency": case.urgency, "status": case.status, "submitted_by": case.submitted_by.get_username(),
        "submitted_at": case.submitted_at, "decision_reason": case.decision_reason, "decided_at": case.decided_at,
        "referral_id": case.referral_id,
    }


def _seen(request: HttpRequest, cases: list[BusinessCase]) -> set[int]:
    ids = {c.person_id for c in cases}
    visible = set(people_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    if visible:
        audit.record(request.user, "view", _context(request), object_type="business_cases",
                     fields=["identity", "support_needs"], detail={"people": sorted(visible)})
    return visible


def _case_for(request: HttpRequest, case_id: int) -> BusinessCase:
    case = read.business_cases_visible_to(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("There is no such business case, or you cannot see it."))
    return case


@router.get("/business-cases", response=list[CaseOut], summary="List business cases")
@requires("broker.panels")
def list_business_cases(request: HttpRequest) -> list[dict[str, Any]]:
    """The EPC's queue (the LA's cases, those waiting first) or a school's own cases."""
    cases = list(read.business_cases_visible_to(request.user)[:PAGE])
    visible = _seen(request, cases)
    return [_case(c, c.person_id in visible) for c in cases]


@router.get("/business-cases/{case_id}", response={200: CaseOut, 404: Error}, summary="Read a business case")
@requires("broker.panels")
def read_business_case(request: HttpRequest, case_id: RecordId) -> dict[str, Any]:
    case = _case_for(request, case_id)
    return _case(case, case.person_id in _seen(request, [case]))


def _panel_pupil(request: HttpRequest, pk: int | None) -> PanelPupil | None:
    if pk is None:
        return None
    row = (PanelPupil.objects.filter(pk=pk, meeting__in=read.panels_visible_to(request.user))
           .select_related("meeting").first())
    if row is None:
        raise HttpError(404, _("There is no such panel discussion, or you cannot see it."))
    return row


@router.post("/business-cases", response={201: CaseOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Send the EPC a business case")
@requires("broker.panels")
def submit_business_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    """A case for a current pupil of your school: the needs, why the school cannot meet them alone, and the
    pupil's (or parent's) agreement. The LA's EPCs get a task and an email."""
    school = _school(request, payload.school_id)
    person = people_visible_to(request.user).filter(pk=payload.person_id).first()
    if person is None:
        raise HttpError(404, _("There is no such young person, or you cannot see them."))
    case = services.submit_business_case(
        person, school=school, needs=payload.needs, case=payload.case, support_requested=payload.support_requested,
        urgency=payload.urgency, consent_confirmed=payload.consent_confirmed,
        panel_pupil=_panel_pupil(request, payload.panel_pupil_id), actor=request.user, context=_context(request))
    return Status(201, _case(case, True))


@router.post("/business-cases/{case_id}/decide",
             response={200: CaseOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Decide a business case")
@requires("broker.decide_business_case")
def decide_business_case(request: HttpRequest, case_id: RecordId, payload: DecideIn) -> dict[str, Any]:
    """The EPC approves (a referral to brokerage is made and linked), rejects or defers the case, always with a
    reason (R29)."""
    case = _case_for(request, case_id)
    services.decide_business_case(case, decision=payload.decision, reason=payload.reason, actor=request.user,
                                  context=_context(request))
    return _case(case, case.person_id in _seen(request, [case]))
