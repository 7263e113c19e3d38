"""Acceptance scenarios for the lead worker's support (spec/framework-wales.md): AT-22 "support not working"
escalation with each of the EPC's three decisions, and AT-5 Rhys — an existing Families First social worker
becomes his lead worker, termly reviews build a risk trend, and a careers adviser who is not involved is kept
out of his record."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.broker.conftest import pre16_dob
from tests.factories import TEST
from yep.access.policy import can_see_sensitive, decide
from yep.broker.allocation import propose
from yep.broker.caseloads import REVIEW, risk_trend
from yep.broker.models import EndReason, Escalation, ReferralStatus
from yep.broker.services import allocate, make_referral, register_lead_worker
from yep.broker.services.reviews import record_review
from yep.broker.services.support import add_working_days
from yep.identify import services as identify
from yep.identify.models import Attendance
from yep.identify.services import IndicatorSetting
from yep.identify.services.runs import term_of
from yep.people import services as people
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import TaskKind, TaskStatus
from yep.tasks.queries import open_tasks_for

TODAY = timezone.localdate()


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


# AT-22 Lead worker escalation (R34) ---------------------------------------------------------------------------


@pytest.fixture
def supported(region):
    """Seren, pre-16 at high risk, with a Youth Service lead worker for the last two months."""
    worker = factories.make_lead_worker("681", "youth_service", username="ys.worker")
    seren = factories.make_person("681", legal_forenames="Seren", dob=pre16_dob())
    referral = factories.make_referral(seren, risk_band="high", families_first=False, needs=("attendance",))
    return allocate(referral, worker, start=_days_ago(60), actor=region.epc, context=TEST)


@pytest.mark.parametrize("decision", ["change_host", "change_package", "continue"])
def test_at22_support_not_working_raises_an_epc_task_rebrokers_and_records_the_decision(
        client, region, supported, decision):
    allocation = supported
    # 1. The lead worker submits "support not working" with evidence.
    client.force_login(allocation.lead_worker)
    client.post(f"/broker/allocations/{allocation.pk}/escalate/",
                {"evidence": "Missed 6 of 8 sessions; says the youth club is not for her"})
    escalation = Escalation.objects.get(allocation=allocation)

    # 2. An EPC task appears with an SLA, and a re-brokerage case opens, linked to the existing package.
    task = escalation.task
    assert task in open_tasks_for(region.epc) and task.kind == TaskKind.ESCALATION
    assert task.due == add_working_days(TODAY, 5) and task.source == f"broker.escalation:{escalation.pk}"
    assert escalation.package == allocation.package
    assert escalation.referral.status == ReferralStatus.OPEN and escalation.referral.person == allocation.person

    # When closed, it records the decision.
    client.force_login(region.epc)
    client.post(f"/broker/escalations/{escalation.pk}/", {"decision": decision, "reason": "Agreed with Seren"})
    escalation.refresh_from_db()
    task.refresh_from_db()
    allocation.refresh_from_db()
    referral = escalation.referral
    referral.refresh_from_db()
    assert (escalation.decision, escalation.decision_reason, escalation.decided_by) == (
        decision, "Agreed with Seren", region.epc)
    assert task.status == TaskStatus.DONE and task not in open_tasks_for(region.epc)
    page = client.get(f"/broker/escalations/{escalation.pk}/").content.decode()
    assert "Agreed with Seren" in page
    if decision == "change_host":
        assert allocation.end == TODAY and allocation.end_reason == EndReason.REBROKERED
        assert referral.status == ReferralStatus.OPEN  # the EPC allocates a new lead worker from it
        coach = factories.make_lead_worker("681", "learning_coach", username="coach")
        new = allocate(referral, coach, override_reason="Learning coach in school after escalation",
                       actor=region.epc, context=TEST)
        assert new.person == allocation.person and new.end is None
    else:
        assert allocation.end is None and allocation.lead_worker.username == "ys.worker"
        assert referral.status == ReferralStatus.CLOSED
        assert referral.decision_reason == "Continues with the current lead worker: Agreed with Seren"


# AT-5 Rhys (SC-2; R21, R30, R36) ------------------------------------------------------------------------------


def _rhys(region):
    """A pupil with two school moves in the last three years, looked after, and Families First involved with
    his social worker, Bethan Morgan."""
    rhys = factories.make_person("681", legal_forenames="Rhys", legal_surname="Pritchard", sex="M",
                                 dob=pre16_dob(), upn=factories.valid_upn("681"))
    run_day = _days_ago(300)
    moves = [(region.other_school, 1000, 700),
             (factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol y Wern"), 700, 400)]
    for school, started, ended in moves:
        people.enrol(rhys, school, start=_days_ago(started), actor="test", context=TEST)
        enrolment = rhys.enrolments.get(organisation=school)
        people.end_enrolment(enrolment, end=_days_ago(ended), reason="moved_school", actor="test", context=TEST)
    factories.enrol(rhys, region.school, year_group=rhys.academic_age(run_day) - 4, start=_days_ago(400))
    people.add_characteristic(rhys, "looked_after", start=_days_ago(800), actor="test", context=TEST)
    people.add_characteristic(rhys, "families_first", start=_days_ago(500), value="Y", actor="test", context=TEST)
    people.add_characteristic(rhys, "social_worker", start=_days_ago(500), value="Bethan Morgan", actor="test",
                              context=TEST)
    return rhys, run_day


def _early_identification(region, rhys, run_day):
    """The LA's model scores attendance, school moves and being looked after; the run gives Rhys high."""
    year, term = term_of(run_day)
    Attendance.objects.create(person=rhys, academic_year=year, term=term, sessions_possible=100,
                              sessions_attended=78)
    model = identify.create_model_version(region.la, name="Cardiff", thresholds=(3, 6, 9), indicators=[
        IndicatorSetting("attendance_current", 3, [90, 80]), IndicatorSetting("exclusions_current", 3, [1]),
        IndicatorSetting("ks2_under", 1, [1]), IndicatorSetting("school_moves", 2, [1, 2]),
        IndicatorSetting("characteristic:looked_after", 2, [1])], actor=region.epc, context=TEST)
    run = identify.create_run(model, academic_year=year, term=term, as_of=run_day, actor=region.epc, context=TEST)
    identify.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    return run.results.get(person=rhys)


def test_at5_rhys_ff_social_worker_as_lead_worker_termly_reviews_and_access(client, region):
    # 1. Fixture: 2 school moves, LAC flag, attendance 78%. The EI run gives high.
    rhys, run_day = _rhys(region)
    result = _early_identification(region, rhys, run_day)
    assert result.band == "high" and result.inputs[3] == 2  # attendance 78% (6 points), 2 moves (4), LAC (2)

    # 2. The system shows "FF/TAF active — social worker X".
    client.force_login(region.epc)
    tab = client.get(f"/people/{rhys.pk}/lead-worker/")
    assert "FF/TAF active — social worker Bethan Morgan" in tab.content.decode()

    # 3. The EPC designates X as lead worker: no Youth Service proposal is made.
    families_first = factories.make_organisation(OrganisationKind.FAMILIES_FIRST, "681", "Cardiff Families First")
    bethan = factories.make_user(Role.LEAD_WORKER, families_first, "bethan.morgan", first_name="Bethan",
                                 last_name="Morgan", email="bethan.morgan@cardiff.example")
    profile = register_lead_worker(bethan, la=region.la, host_organisation=families_first,
                                   host_type="families_first", capacity=12, actor=region.epc, context=TEST)
    factories.make_lead_worker("681", "youth_service", username="ys.worker")
    referral = make_referral(rhys, source="early_identification", needs=["attendance", "family"], actor=region.epc,
                             context=TEST)
    assert (referral.risk_band, referral.families_first, referral.stage) == ("high", True, "pre16")
    proposal = propose(referral)
    assert proposal.host_types == ["families_first"] and "youth_service" not in proposal.host_types
    assert [c.profile for c in proposal.candidates] == [profile]
    allocation = allocate(referral, profile, start=_days_ago(250), actor=region.epc, context=TEST)
    assert not allocation.overridden and allocation.host_type == "families_first"

    # 4. Three termly reviews with risk high → medium → medium.
    for days, band in ((200, "high"), (110, "medium"), (20, "medium")):
        record_review(allocation.package, held_on=_days_ago(days), risk_band=band, actor=bethan, context=TEST,
                      participants=[{"name": "Bethan Morgan", "role": "Lead worker (Families First)",
                                     "attended": True},
                                    {"name": "Head of Year 10", "role": "School", "attended": days != 110}],
                      lead_worker_feedback="Settling at school")

    # 5. The risk trend chart shows 3 review points.
    reviews = [p for p in risk_trend(rhys) if p.source == REVIEW]
    assert [p.band for p in reviews] == ["high", "medium", "medium"]
    client.force_login(bethan)
    tab = client.get(f"/people/{rhys.pk}/lead-worker/")
    text = tab.content.decode()
    assert tab.status_code == 200 and tab.context["review_points"] == 3
    assert text.count('data-testid="trend-review"') == 3
    assert text.count("<circle") == len(tab.context["trend"])  # one chart point per point of the trend

    # A careers adviser who is not involved cannot open Rhys's record, nor see the LAC flag.
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, "681", "Careers Wales Cardiff")
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw.adviser")
    client.force_login(adviser)
    for url in (f"/people/{rhys.pk}/", f"/people/{rhys.pk}/characteristics/", f"/people/{rhys.pk}/lead-worker/"):
        assert client.get(url).status_code == 404
    assert decide(adviser, rhys.pk) is None and not can_see_sensitive(adviser, rhys.pk)
