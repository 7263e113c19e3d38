"""Acceptance scenarios for continuity and endings (spec/framework-wales.md): AT-6 Sangita (end-of-course
interview, continuity after transition, an extra youth worker), AT-7 the continuity policy options, and AT-24
follow-ups after closure and the outcome report.

No clock-freezing package is installed, so the scenarios use fixed dates in the past (a post-16 start is recorded
once it has happened) and pass the day to the scheduled job."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.broker.conftest import post16_dob
from tests.factories import TEST
from yep.access import categories as C
from yep.access import services as access
from yep.access.policy import decide
from yep.broker.allocation import propose
from yep.broker.models import EndReason, FollowUp
from yep.broker.outcomes import outcome_report
from yep.broker.queries import active_allocation
from yep.broker.services import allocate, make_referral, register_lead_worker
from yep.broker.services.continuity import close_case, record_post16_start, set_continuity_policy
from yep.broker.services.followups import record_follow_up
from yep.broker.services.schedule import notify_course_ending, run_due
from yep.broker.services.support import add_supporting_service, raise_additional_need
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import Task, TaskKind
from yep.tasks.queries import open_tasks_for


def _last(month: int, day: int) -> datetime.date:
    """The latest such day that is not in the future."""
    today = timezone.localdate()
    this_year = datetime.date(today.year, month, day)
    return this_year if this_year <= today else this_year.replace(year=today.year - 1)


@pytest.fixture
def workers(region):
    """One Cardiff lead worker of each host type these scenarios use."""
    return {host: factories.make_lead_worker("681", host, username=f"lw.{host}")
            for host in ("youth_service", "careers_wales", "learning_coach")}


def _careers_wales(region):
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    return careers


def test_at6_sangita_interview_continuity_and_an_extra_youth_worker(client, region):
    careers = _careers_wales(region)
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "bethan.cw", first_name="Bethan",
                                  last_name="Morgan", email="bethan.morgan@careerswales.example")
    training = factories.make_organisation(OrganisationKind.WBL_PROVIDER, name="Cardiff Training Ltd")
    trainer = factories.make_user(Role.PROVIDER_STAFF, training, "trainer")
    sangita = factories.make_person("681", legal_forenames="Sangita", legal_surname="Patel", dob=post16_dob())
    factories.enrol(sangita, training, year_group=None, start=datetime.date(2025, 9, 1))

    # 1. A tier 4 learner's course ends in 4 weeks with no intended destination: a CW interview task.
    ends_on = timezone.localdate() + datetime.timedelta(weeks=4)
    interview = notify_course_ending(sangita, provider=training, ends_on=ends_on, actor=trainer, context=TEST)
    assert interview in open_tasks_for(adviser) and interview.kind == TaskKind.INTERVIEW

    # 2. CW proposes itself as lead worker; the EPC agrees.
    register_lead_worker(adviser, la=region.la, host_organisation=careers, host_type="careers_wales", capacity=20,
                         actor=region.epc, context=TEST)
    referral = make_referral(sangita, source="tier", needs=["careers"], stage="post16", tier=4, risk_band="high",
                             notes="Careers Wales proposes itself as lead worker.", actor=adviser, context=TEST)
    assert "careers_wales" in propose(referral).host_types
    start = _last(9, 8)
    allocation = allocate(referral, adviser.lead_worker_profile, start=start - datetime.timedelta(days=60),
                          actor=region.epc, context=TEST)

    # 3. She starts college on 8 Sep; the LA policy is 3 months (the default).
    factories.enrol(sangita, region.college, year_group=None, start=start)
    access.register_agreement(
        name="Cardiff LA and Cardiff and Vale College ISP", parties=[region.la, region.college],
        purpose="Transition support", lawful_basis="6(1)(e) public task",
        categories=[C.IDENTITY, C.SUPPORT_NEEDS, C.LEAD_WORKER_CONTACT], start=datetime.date(2024, 1, 1),
        actor="test", context=TEST)
    result = record_post16_start(allocation, start=start, provider=region.college, destination_type="fe",
                                 actor=adviser, context=TEST)

    # 4. The lead worker is still active, continuity ends on 8 Dec, and the college sees who the lead worker is.
    assert active_allocation(sangita.pk) == allocation and not result.ended
    assert allocation.continuity_end == datetime.date(start.year, 12, 8)
    assert decide(region.provider_staff, sangita.pk).can_see(C.LEAD_WORKER_CONTACT)
    client.force_login(region.provider_staff)
    page = client.get(reverse("broker:person_lead_worker", args=[sangita.pk])).content.decode()
    assert "Bethan Morgan" in page and "bethan.morgan@careerswales.example" in page

    # 5. The lead worker raises an additional need. The framework's "resilience" has no code of its own in the
    # need list: it is recorded as confidence, with the word in the note. The EPC adds a youth worker.
    need = raise_additional_need(allocation, need="confidence", note="Resilience", actor=adviser, context=TEST)
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, name="Cardiff Youth Service")
    add_supporting_service(allocation.package, youth, purpose="Resilience work with a youth worker",
                           additional_need=need, actor=region.epc, context=TEST)

    # 6. The lead worker is unchanged, and the support package lists 2 services.
    assert active_allocation(sangita.pk).lead_worker == adviser
    assert allocation.package.services.count() == 2

    # 7. On 8 Dec a re-assessment task appears (for the careers team), once.
    assert run_due(datetime.date(start.year, 12, 7), actor="cron", context=TEST)["reassessment"] == 0
    assert run_due(datetime.date(start.year, 12, 8), actor="cron", context=TEST)["reassessment"] == 1
    reassessment = Task.objects.get(kind=TaskKind.REASSESSMENT, person=sangita)
    assert reassessment in open_tasks_for(adviser)


def _allocated(region, worker, start=datetime.date(2024, 6, 1), **person):
    young = factories.make_person("681", dob=post16_dob(), **person)
    referral = factories.make_referral(young, stage="post16", tier=4, risk_band="high")
    reason = "" if worker.host_type in ("youth_service", "careers_wales") else "knows the young person"
    return allocate(referral, worker, override_reason=reason, start=start, actor=region.epc, context=TEST)


def test_at7_the_continuity_policy_options(region, workers):
    _careers_wales(region)
    set_continuity_policy(region.la, kind="fixed_date", fixed_day=31, fixed_month=1, learning_coach_exception=True,
                          actor=region.epc, context=TEST)
    commenced = datetime.date(2024, 9, 4)

    # Fixed date 31 Jan: a start on 4 Sep 2024 continues until 31 Jan 2025.
    college = _allocated(region, workers["careers_wales"], legal_forenames="Aled")
    record_post16_start(college, start=commenced, provider=region.college, destination_type="fe", actor=region.epc,
                        context=TEST)
    assert college.continuity_end == datetime.date(2025, 1, 31) and college.end is None

    # A learning coach with the exception ON: the allocation ends on the commencement date, and a re-assessment
    # task is raised at once.
    coached = _allocated(region, workers["learning_coach"], legal_forenames="Ffion")
    result = record_post16_start(coached, start=commenced, provider=region.college, destination_type="fe",
                                 actor=region.epc, context=TEST)
    coached.refresh_from_db()
    assert (coached.end, coached.end_reason) == (commenced, EndReason.CONTINUITY_ENDED)
    assert result.reassessment == Task.objects.get(kind=TaskKind.REASSESSMENT, person=coached.person)

    # Employment with training also applies the policy.
    employer = factories.make_organisation(OrganisationKind.EMPLOYER, name="Admiral Group")
    employed = _allocated(region, workers["youth_service"], legal_forenames="Iwan")
    record_post16_start(employed, start=commenced, provider=employer, destination_type="employment_with_training",
                        actor=region.epc, context=TEST)
    assert employed.continuity_end == datetime.date(2025, 1, 31)


def test_at24_follow_ups_after_closure_and_the_outcome_report(client, region, workers):
    careers = _careers_wales(region)
    closed_on = datetime.date(timezone.localdate().year - 3, 4, 1)
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, name="Cardiff Youth Service")
    families_first = factories.make_organisation(OrganisationKind.FAMILIES_FIRST, name="Cardiff Families First")
    cases = {}
    for name, supporting in (("Alone", None), ("WithYouth", youth), ("WithFamily", families_first)):
        allocation = _allocated(region, workers["careers_wales"], start=closed_on.replace(month=1),
                                legal_forenames=name)
        if supporting:
            add_supporting_service(allocation.package, supporting, purpose="Support", actor=region.epc,
                                   context=TEST)
        close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, end=closed_on, actor=region.epc, context=TEST)
        cases[name] = allocation

    # 1–2. A case closes on 1 Apr: follow-up tasks at 6, 12 and 24 months, for the careers team.
    alone = cases["Alone"]
    follow_ups = FollowUp.objects.filter(allocation=alone).order_by("months")
    assert [(f.months, f.due) for f in follow_ups] == [
        (6, datetime.date(closed_on.year, 10, 1)), (12, closed_on.replace(year=closed_on.year + 1)),
        (24, closed_on.replace(year=closed_on.year + 2))]
    assert all(f.task.kind == TaskKind.FOLLOW_UP and f.task.organisation == careers for f in follow_ups)

    statuses = {"Alone": ("neet", "training", "employment"), "WithYouth": ("education", "education", "employment"),
                "WithFamily": ("neet", "neet", "unknown")}
    for name, recorded in statuses.items():
        for follow_up, status in zip(cases[name].follow_ups.order_by("months"), recorded, strict=True):
            record_follow_up(follow_up, status=status, actor=region.epc, context=TEST)

    # 3. EET status at each checkpoint by support combination; no single "attributed to lead worker" figure.
    report = outcome_report(region.la, closed_from=closed_on, closed_to=closed_on, viewer=region.epc, context=TEST)
    by_combination = {months: {row.combination: row for row in rows} for months, rows in report.checkpoints.items()}
    assert by_combination[6]["lead_worker_only"].counts["neet"] == 1
    assert by_combination[6]["youth_service"].counts["education"] == 1
    assert by_combination[12]["lead_worker_only"].counts["training"] == 1
    assert by_combination[24]["families_first"].counts["unknown"] == 1
    assert [row.in_eet for row in report.checkpoints[24]] == [1, 1, 0, 0]
    assert not any("attribut" in key for key in report.as_dict())
    client.force_login(region.epc)
    page = client.get(reverse("broker:outcomes") + f"?from={closed_on}&to={closed_on}").content.decode()
    assert "Lead worker + Youth Service" in page and "Lead worker + Families First" in page
    assert 'data-testid="checkpoint-24"' in page
