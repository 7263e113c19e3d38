"""AT-3 (spec/framework-wales.md): a school panel and its business cases, from the meeting to a support package.

A panel meeting is recorded with 6 members, by role, and 10 red pupils discussed; the school sends business cases
for 2 of them; the EPC approves one and allocates a Youth Service lead worker whose caseload is 14 of 15, and
rejects the other with a reason. The approved case leads to a support package with a goal and a review date; the
lead worker's caseload shows 15/15, and a further proposal for that worker warns of capacity."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from tests.broker.test_panels import red_pupils
from tests.factories import TEST
from yep.broker import panels as read
from yep.broker.allocation import caseload_of, propose
from yep.broker.models import BusinessCaseStatus, PanelRole
from yep.broker.services import allocate
from yep.broker.services.panels import decide_business_case, record_panel, submit_business_case
from yep.broker.services.support import add_goal
from yep.tasks.models import Task, TaskStatus

SIX_MEMBERS = [
    {"name": "Ceri Lloyd", "role": PanelRole.HEADTEACHER}, {"name": "Nia Rees", "role": PanelRole.PASTORAL},
    {"name": "Huw Jenkins", "role": PanelRole.ALNCO}, {"name": "Sara Price", "role": PanelRole.ATTENDANCE},
    {"name": "Dai Bowen", "role": PanelRole.CAREERS}, {"name": "Alys Morgan", "role": PanelRole.YOUTH_WORKER},
]


def test_at3_a_panel_business_cases_and_an_allocation_to_a_worker_at_14_of_15(client, region):
    staff, epc = region.school_staff, region.epc
    red_pupils(region, 10)

    # 1. The panel: 6 members by role, the 10 red pupils the school sees in its released results.
    choices = read.pupil_choices(staff, region.school)
    assert len(choices) == 10 and {c.band for c in choices} == {"high"}
    meeting = record_panel(region.school, held_on=timezone.localdate(), members=SIX_MEMBERS, actor=staff,
                           context=TEST, pupils=[{"person": c.person, "risk_band": c.band, "outcome": "business_case",
                                                  "in_school_plan": "Weekly mentoring"} for c in choices])
    assert sorted(meeting.members.values_list("role", flat=True)) == sorted(m["role"] for m in SIX_MEMBERS)
    assert meeting.pupils.filter(risk_band="high").count() == 10

    # 2. Business cases for 2 pupils, from the panel.
    first, second = meeting.pupils.all()[:2]
    approved, rejected = (
        submit_business_case(row.person, school=region.school, needs=["attendance", "wellbeing"], panel_pupil=row,
                             case="Attendance below 50% despite mentoring.", urgency="priority",
                             consent_confirmed=True, actor=staff, context=TEST) for row in (first, second))

    # 3. The EPC approves one and allocates a Youth Service lead worker at 14 of 15 ...
    worker = factories.make_lead_worker("681", "youth_service", capacity=15, username="ys.lead")
    factories.fill_caseload(worker, 14)
    decide_business_case(approved, decision="approve", reason="Needs a youth worker alongside school.", actor=epc,
                         context=TEST)
    candidate = propose(approved.referral).candidates[0]
    assert (candidate.profile, candidate.caseload_label, candidate.warning) == (worker, "14/15", "")
    allocation = allocate(approved.referral, worker, actor=epc, context=TEST)

    # ... and rejects the other: refused without a reason, recorded with one.
    with pytest.raises(ValidationError, match="Give the reason"):
        decide_business_case(rejected, decision="reject", reason="", actor=epc, context=TEST)
    decide_business_case(rejected, decision="reject", reason="The in-school plan is enough for now.", actor=epc,
                         context=TEST)

    # The lead worker sets a goal in the package the allocation opened.
    package = allocation.package
    add_goal(package, text="Attend 90% of sessions this half term", measure="Attendance register",
             actor=worker.user, context=TEST)

    # Expected: the approved case links to a support package with a goal and a review date ...
    approved.refresh_from_db()
    linked = approved.referral.allocations.get().package
    assert linked == package and linked.goals.count() >= 1 and linked.next_review is not None
    rejected.refresh_from_db()
    assert (rejected.status, rejected.referral, rejected.decision_reason) == (
        BusinessCaseStatus.REJECTED, None, "The in-school plan is enough for now.")
    assert not Task.objects.filter(source__startswith="broker.business_case:", status=TaskStatus.OPEN).exists()
    # ... the lead worker's caseload shows 15/15 ...
    assert caseload_of(worker.user_id) == 15
    # ... and a further proposal for that worker shows a capacity warning.
    further = factories.make_referral(choices[2].person, risk_band="high", families_first=False)
    candidate = propose(further).candidates[0]
    assert candidate.profile == worker and candidate.caseload_label == "15/15"
    assert candidate.warning == "At capacity: caseload 15/15"

    # The EPC's page of the approved case leads on to the referral and the package.
    client.force_login(epc)
    page = client.get(f"/broker/business-cases/{approved.pk}/").content.decode()
    assert f'href="/broker/referrals/{approved.referral_id}/"' in page
    assert f'href="/broker/allocations/{allocation.pk}/"' in page
