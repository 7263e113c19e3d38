"""AT-26 Post-18 handover (spec/framework-wales.md; R44, R58): a young person in tier 3 turns 18 and is still
NEET. The lead worker is prompted to hand the case over to adult services or to record continued support; a
case handed over leaves the 16-18 tier reports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.broker.models import EndReason
from yep.broker.services import allocate
from yep.broker.services.continuity import close_case
from yep.broker.services.schedule import run_due
from yep.people.models import ActivityCode, OrganisationKind
from yep.tasks.models import Task, TaskKind, TaskStatus
from yep.track import queries
from yep.track.services import record_activities

TODAY = timezone.localdate()


def _turned_18_days_ago(days: int) -> str:
    birthday = TODAY - datetime.timedelta(days=days)
    return birthday.replace(year=birthday.year - 18 if (birthday.month, birthday.day) != (2, 29) else
                            birthday.year - 18).isoformat()


def _doing(person, code: int, days_ago: int) -> None:
    record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk,
                        "start": TODAY - datetime.timedelta(days=days_ago), "end": None, "hours_per_week": None,
                        "organisation_id": None, "source": "careers_service"}], actor="test", context=TEST)


@pytest.fixture(name="case")
def case_fixture(region):
    """Ffion turned 18 ten days ago, is seeking work (tier 3), and has a Careers Wales lead worker."""
    ffion = factories.make_person("681", legal_forenames="Ffion", legal_surname="Hughes", dob=_turned_18_days_ago(10))
    _doing(ffion, 619, 60)
    worker = factories.make_lead_worker("681", "careers_wales", username="lw.ffion")
    referral = factories.make_referral(ffion, source="tier", stage="post16", tier=3)
    allocation = allocate(referral, worker, start=TODAY - datetime.timedelta(days=50), actor=region.epc,
                          context=TEST)
    return allocation


def test_at26_the_lead_worker_is_prompted_once_when_a_neet_young_person_turns_18(region, case):
    counts = run_due(TODAY, actor="scheduler", context=TEST)
    assert counts["handover"] == 1
    task = Task.objects.get(kind=TaskKind.HANDOVER)
    assert task.assignee == case.lead_worker and task.person == case.person and "tier 3" in task.detail
    assert run_due(TODAY + datetime.timedelta(days=1), actor="scheduler", context=TEST)["handover"] == 0


def test_at26_a_young_person_in_work_at_18_or_not_yet_18_is_not_prompted(region, case):
    _doing(case.person, 340, 5)  # now in employment with training: tier 5
    younger = factories.make_person("681", legal_forenames="Iolo", legal_surname="Price",
                                    dob=_turned_18_days_ago(-30))  # 18 next month
    _doing(younger, 619, 30)
    allocate(factories.make_referral(younger, source="tier", stage="post16", tier=3),
             factories.make_lead_worker("681", "careers_wales", username="lw.iolo"), actor=region.epc, context=TEST)
    assert run_due(TODAY, actor="scheduler", context=TEST)["handover"] == 0


def test_at26_the_lead_worker_records_continued_support_and_the_case_stays_open(client, region, case):
    run_due(TODAY, actor="scheduler", context=TEST)
    client.force_login(case.lead_worker)
    close_page = client.get(reverse("broker:close", args=[case.pk])).content.decode()
    assert 'data-testid="continue-form"' in close_page
    refused = client.post(reverse("broker:continue_after_18", args=[case.pk]), {"continue_note": " "})
    assert refused.status_code == 400 and "Say why support continues" in refused.content.decode()
    assert Task.objects.get(kind=TaskKind.HANDOVER).status == TaskStatus.OPEN
    done = client.post(reverse("broker:continue_after_18", args=[case.pk]),
                       {"continue_note": "Starting a traineeship in January; I stay until then."})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.end is None
    task = Task.objects.get(kind=TaskKind.HANDOVER)
    assert task.status == TaskStatus.DONE and "traineeship" in task.outcome


def test_at26_a_handover_to_jobcentre_plus_takes_the_case_out_of_the_16_18_tier_report(client, region, case):
    assert queries.cohort_tiers(region.epc, TODAY).rows()[2]["total"] == 1  # tier 3
    jobcentre = factories.make_organisation(OrganisationKind.DWP, "681", "Jobcentre Plus Cardiff")
    close_case(case, reason=EndReason.POST18_HANDOVER, handover_to=jobcentre, actor=case.lead_worker, context=TEST)
    assert Task.objects.filter(kind=TaskKind.HANDOVER, status=TaskStatus.OPEN).count() == 0
    cohort = queries.cohort_tiers(region.epc, TODAY)
    assert cohort.rows()[2]["total"] == 0 and cohort.handed_over == 1
    guarantee = queries.guarantee_cohort(region.epc, TODAY)
    assert guarantee.neet == 1
    client.force_login(region.epc)
    page = client.get(reverse("track:tiers")).content.decode()
    assert 'data-testid="handed-over"' in page and 'data-testid="guarantee-neet">1<' in page
    assert client.get("/api/v1/track/tiers").json()["handed_over"] == 1
    assert client.get("/api/v1/track/guarantee").json()["neet"] == 1
