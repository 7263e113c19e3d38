"""Brokerage pages for school panels and business cases (R28, R29): a school's panel meetings and the form to
record one, the business cases a school sends and the EPC's queue, and the EPC's decision on each.

Every page reads through ``broker.panels`` (school staff: their school; the EPC: their LA's schools), names a
pupil only when the reader may see their record, and writes the reads of pupils' data to the audit log."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide, people_visible_to
from yep.people.models import Organisation, Person
from yep.tasks.links import reverse_or_none

from .. import panels as read
from ..models import BusinessCase, Need, PanelMeeting, PanelOutcome, PanelPupil, PanelRole, Urgency
from ..queries import is_epc_of
from ..services import panels as services

MEMBER_ROWS = 8


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _visible_ids(user: Any, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(people_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


# Panel meetings -----------------------------------------------------------------------------------------------


@requires("broker.panels")
def panel_list(request: HttpRequest) -> HttpResponse:
    meetings = read.panels_visible_to(request.user).prefetch_related("members", "pupils")
    return render(request, "broker/panels.html", {
        "meetings": meetings, "may_record": read.schools_for(request.user).exists()})


def _school_for_form(request: HttpRequest) -> tuple[Organisation | None, list[Organisation]]:
    """The school whose panel is being recorded (chosen, or the user's only one), and the choices."""
    schools = list(read.schools_for(request.user).order_by("name"))
    chosen = _int(request.POST.get("school") or request.GET.get("school"))
    if chosen is not None:
        return next((s for s in schools if s.pk == chosen), None), schools
    return (schools[0] if len(schools) == 1 else None), schools


def _held_on(form: dict[str, Any]) -> datetime.date | None:
    try:
        return datetime.date(int(form["held_on_year"]), int(form["held_on_month"]), int(form["held_on_day"]))
    except (TypeError, ValueError):
        return None


def _panel_form(request: HttpRequest, choices: list[read.PupilChoice]) -> dict[str, Any]:
    """What was typed into the panel form, kept to show again."""
    post = request.POST
    form: dict[str, Any] = {k: post.get(k, "") for k in ("held_on_day", "held_on_month", "held_on_year", "notes")}
    rows = max(MEMBER_ROWS, len(post.getlist("member_name")))
    names, roles = post.getlist("member_name"), post.getlist("member_role")
    form["members"] = [{"name": names[i] if i < len(names) else "", "role": roles[i] if i < len(roles) else ""}
                       for i in range(rows)]
    chosen = set(post.getlist("pupil"))
    form["pupils"] = [{"choice": c, "checked": str(c.person.pk) in chosen,
                       "plan": post.get(f"plan-{c.person.pk}", ""),
                       "outcome": post.get(f"outcome-{c.person.pk}", PanelOutcome.IN_SCHOOL_PLAN)} for c in choices]
    return form


def _record(request: HttpRequest, school: Organisation, form: dict[str, Any]) -> PanelMeeting:
    members = [m for m in form["members"] if m["name"].strip() or m["role"]]
    pupils = [{"person": row["choice"].person, "risk_band": row["choice"].band, "in_school_plan": row["plan"],
               "outcome": row["outcome"]} for row in form["pupils"] if row["checked"]]
    held_on = _held_on(form)
    return services.record_panel(school, held_on=held_on, members=members, pupils=pupils,  # type: ignore[arg-type]
                                 notes=form["notes"], actor=request.user, context=_context(request))


@requires("broker.panels")
def new_panel(request: HttpRequest) -> HttpResponse:
    school, schools = _school_for_form(request)
    every_pupil = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    choices = read.pupil_choices(request.user, school, at_risk_only=not every_pupil) if school else []
    form = _panel_form(request, choices)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and school is not None:
        try:
            meeting = _record(request, school, form)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The panel meeting is recorded."))
            return redirect("broker:panel", pk=meeting.pk)
    if choices:
        audit.record(request.user, "view", _context(request), object_type="panel_pupils",
                     object_id=school.pk if school else "", fields=["risk"],
                     detail={"people": [c.person.pk for c in choices]})
    return render(request, "broker/panel_form.html", {
        "school": school, "schools": schools, "form": form, "errors": errors, "roles": PanelRole.choices,
        "outcomes": PanelOutcome.choices, "every_pupil": every_pupil})


def _meeting_for(request: HttpRequest, pk: int) -> PanelMeeting:
    meeting = read.panels_visible_to(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("There is no such panel meeting, or you cannot see it."))
    return meeting


@requires("broker.panels")
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    pupils = list(meeting.pupils.select_related("person"))
    visible = read.visible_with_risk(request.user, [p.person_id for p in pupils])
    audit.record(request.user, "view", _context(request), object_type="panel_meeting", object_id=meeting.pk,
                 fields=["risk", "support_needs"], detail={"people": sorted(visible)})
    order = {code: n for n, code in enumerate(PanelRole.values)}
    members = sorted(meeting.members.all(), key=lambda m: (order.get(m.role, len(order)), m.pk))
    shown = [p for p in pupils if p.person_id in visible]
    return render(request, "broker/panel.html", {
        "meeting": meeting, "members": members, "pupils": shown, "hidden": len(pupils) - len(shown),
        "may_send_case": read.acts_for_school(request.user, meeting.school)})


# Business cases -----------------------------------------------------------------------------------------------


@requires("broker.panels")
def business_case_list(request: HttpRequest) -> HttpResponse:
    cases = list(read.business_cases_visible_to(request.user))
    visible = _visible_ids(request.user, [c.person_id for c in cases])
    if visible:
        audit.record(request.user, "view", _context(request), object_type="business_cases",
                     fields=["identity"], detail={"people": sorted(visible)})
    return render(request, "broker/business_cases.html", {
        "cases": cases, "visible": visible, "epc": bool(read.roles_of(request.user)[0]),
        "may_send": read.schools_for(request.user).exists()})


def _panel_pupil(request: HttpRequest) -> PanelPupil | None:
    pk = _int(request.POST.get("panel_pupil") or request.GET.get("pupil"))
    if pk is None:
        return None
    row = (PanelPupil.objects.filter(pk=pk, meeting__in=read.panels_visible_to(request.user))
           .select_related("meeting__school", "person").first())
    if row is None:
        raise Http404(_("There is no such panel discussion, or you cannot see it."))
    return row


def _case_form(request: HttpRequest, panel_pupil: PanelPupil | None) -> dict[str, Any]:
    post = request.POST
    form: dict[str, Any] = {k: post.get(k, "") for k in ("person", "case", "support_requested")}
    form["urgency"] = post.get("urgency", Urgency.ROUTINE)
    form["needs"] = post.getlist("needs")
    form["consent_confirmed"] = post.get("consent_confirmed") == "yes"
    if panel_pupil is not None:
        form["person"] = str(panel_pupil.person_id)
    return form


def _submit(request: HttpRequest, school: Organisation, form: dict[str, Any],
            panel_pupil: PanelPupil | None, pupils: list[Person]) -> BusinessCase:
    person = next((p for p in pupils if str(p.pk) == form["person"]), None)
    if person is None:
        raise ValidationError({"person": [_("Choose a current pupil of this school.")]})
    return services.submit_business_case(
        person, school=school, needs=form["needs"], case=form["case"], support_requested=form["support_requested"],
        urgency=form["urgency"], consent_confirmed=form["consent_confirmed"], panel_pupil=panel_pupil,
        actor=request.user, context=_context(request))


@requires("broker.panels")
def new_business_case(request: HttpRequest) -> HttpResponse:
    panel_pupil = _panel_pupil(request)
    school, schools = _school_for_form(request)
    if panel_pupil is not None:
        school = panel_pupil.meeting.school
    pupils = list(people_visible_to(request.user).filter(pk__in=read.current_pupils(school).values("pk"))
                  .order_by("legal_surname", "legal_forenames")) if school else []
    form = _case_form(request, panel_pupil)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and school is not None:
        try:
            case = _submit(request, school, form, panel_pupil, pupils)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The business case is sent to the EPC."))
            return redirect("broker:business_case", pk=case.pk)
    return render(request, "broker/business_case_form.html", {
        "school": school, "schools": schools, "pupils": pupils, "panel_pupil": panel_pupil, "form": form,
        "errors": errors, "needs": Need.choices, "urgencies": Urgency.choices})


def _case_for(request: HttpRequest, pk: int) -> BusinessCase:
    case = read.business_cases_visible_to(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404(_("There is no such business case, or you cannot see it."))
    return case


def _links(case: BusinessCase) -> dict[str, Any]:
    referral = reverse_or_none("broker:referral", case.referral_id) if case.referral_id else None
    allocation = case.referral.allocations.order_by("-start", "-pk").first() if case.referral else None
    package = reverse_or_none("broker:package", allocation.pk) if allocation else None
    return {"referral": referral, "package": package, "allocated": bool(allocation)}


@requires("broker.panels")
def business_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    errors: dict[str, list[str]] = {}
    form = {"decision": request.POST.get("decision", ""), "reason": request.POST.get("reason", "")}
    if request.method == "POST":
        try:
            services.decide_business_case(case, decision=form["decision"], reason=form["reason"],
                                          actor=request.user, context=_context(request))
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The decision is recorded and the school is told."))
            return redirect("broker:business_case", pk=case.pk)
    # The case is about a pupil: its details are shown only while the reader may see the pupil's record (a
    # school loses that when the pupil leaves; the case's status stays visible to it).
    seen = decide(request.user, case.person_id) is not None
    if seen:
        audit.record(request.user, "view", _context(request), person_id=case.person_id,
                     object_type="business_case", object_id=case.pk, fields=["identity", "support_needs"])
    return render(request, "broker/business_case.html", {
        "case": case, "seen": seen, "errors": errors, "form": form, "links": _links(case),
        "needs": [Need(n).label for n in case.needs if n in Need.values],
        "may_decide": is_epc_of(request.user, case.la_id) and case.status in read.WAITING,
        "decisions": [("approve", _("Approve: refer to brokerage")), ("reject", _("Reject")),
                      ("defer", _("Defer"))]})


urlpatterns = [
    path("broker/panels/", panel_list, name="panels"),
    path("broker/panels/new/", new_panel, name="new_panel"),
    path("broker/panels/<int:pk>/", panel_detail, name="panel"),
    path("broker/business-cases/", business_case_list, name="business_cases"),
    path("broker/business-cases/new/", new_business_case, name="new_business_case"),
    path("broker/business-cases/<int:pk>/", business_case_detail, name="business_case"),
]
