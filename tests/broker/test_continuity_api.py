"""Continuity API: the policy (EPC only), a post-16 start, closing a case, a follow-up, a course ending and the
outcome report; 404 for what the caller may not act on, one error shape for bad input."""
# ruff: noqa: F811 - the fixtures imported from test_continuity are, by pytest's design, test arguments too

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.broker.conftest import post16_dob
from tests.factories import TEST
from yep.broker.models import EndReason
from yep.broker.services.continuity import close_case
from yep.tasks.models import Task, TaskKind

from .test_continuity import START, allocated, careers  # noqa: F401 - pytest fixtures shared with the services' tests

JSON = "application/json"
API = "/api/v1/broker"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_epc_reads_and_sets_the_policy(client, region, bearer):
    auth = bearer(region.epc)
    assert client.get(f"{API}/continuity-policy", **auth).json()["saved"] is False
    saved = client.put(f"{API}/continuity-policy", {"kind": "fixed_date", "fixed_day": 31, "fixed_month": 1,
                                                    "learning_coach_exception": True}, content_type=JSON, **auth)
    assert saved.status_code == 200
    assert (saved.json()["kind"], saved.json()["saved"]) == ("fixed_date", True)


def test_a_bad_policy_lists_every_problem_and_others_are_refused(client, region, bearer):
    bad = client.put(f"{API}/continuity-policy", {"kind": "weeks", "months": 0}, content_type=JSON,
                     **bearer(region.epc))
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"kind", "months"}
    assert client.get(f"{API}/continuity-policy", **bearer(region.school_staff)).status_code == 403


def test_a_start_through_the_api_returns_the_continuity_end(client, region, allocated, bearer):
    allocation = allocated()
    body = {"start": START.isoformat(), "provider_id": region.college.pk, "destination_type": "fe"}
    answer = client.post(f"{API}/allocations/{allocation.pk}/post16-start", body, content_type=JSON,
                         **bearer(allocation.lead_worker))
    assert answer.status_code == 200
    assert (answer.json()["continuity_end"], answer.json()["provider_told"]) == ("2024-12-04", False)


def test_a_start_for_someone_elses_allocation_is_404_and_bad_input_is_400(client, region, allocated, workers,
                                                                          bearer):
    allocation = allocated()
    body = {"start": START.isoformat(), "provider_id": region.college.pk, "destination_type": "fe"}
    url = f"{API}/allocations/{allocation.pk}/post16-start"
    assert client.post(url, body, content_type=JSON, **bearer(workers["youth_service"].user)).status_code == 404
    bad = client.post(url, {**body, "destination_type": "university"}, content_type=JSON, **bearer(region.epc))
    assert bad.status_code == 400 and "destination_type" in bad.json()["errors"]


def test_closing_through_the_api_schedules_follow_ups_and_one_is_recorded(client, region, allocated, careers,
                                                                          bearer):
    allocation = allocated()
    auth = bearer(region.epc)
    closed = client.post(f"{API}/allocations/{allocation.pk}/close", {"reason": "support_complete",
                                                                       "end": "2024-10-01"},
                         content_type=JSON, **auth).json()
    assert closed["follow_ups"] == ["2025-04-01", "2025-10-01", "2026-10-01"]
    six = allocation.follow_ups.get(months=6)
    recorded = client.post(f"{API}/follow-ups/{six.pk}", {"status": "education"}, content_type=JSON, **auth)
    assert recorded.status_code == 200 and recorded.json()["status"] == "education"
    again = client.post(f"{API}/follow-ups/{six.pk}", {"status": "neet"}, content_type=JSON, **auth)
    assert again.status_code == 400
    assert client.post(f"{API}/follow-ups/{six.pk}", {"status": "neet"}, content_type=JSON,
                       **bearer(region.school_staff)).status_code == 404


def test_a_course_ending_raises_an_interview_for_the_careers_team(client, region, careers, young, bearer):
    learner = young(dob=post16_dob())
    factories.enrol(learner, region.college, year_group=None)
    body = {"person_id": learner.pk, "provider_id": region.college.pk,
            "ends_on": (timezone.localdate() + datetime.timedelta(weeks=3)).isoformat()}
    answer = client.post(f"{API}/course-endings", body, content_type=JSON, **bearer(region.provider_staff))
    assert answer.status_code == 200
    assert Task.objects.get(pk=answer.json()["interview_task_id"]).kind == TaskKind.INTERVIEW
    stranger = young(dob=post16_dob(), legal_forenames="Other")
    hidden = client.post(f"{API}/course-endings", {**body, "person_id": stranger.pk}, content_type=JSON,
                         **bearer(region.provider_staff))
    assert hidden.status_code == 404


def test_the_outcome_report_is_exact_for_the_epc_and_suppressed_for_another_la(client, region, allocated, bearer):
    allocation = allocated()
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, end=datetime.date(2024, 10, 1), actor=region.epc,
               context=TEST)
    url = f"{API}/outcomes?from=2024-01-01&to=2024-12-31"
    own = client.get(url, **bearer(region.epc)).json()
    assert own["cases"] == 1 and own["exact"] is True
    assert [c["combination"] for c in own["checkpoints"][0]["combinations"]] == [
        "lead_worker_only", "youth_service", "families_first", "other"]
    other = client.get(f"{url}&la=681", **bearer(region.other_epc)).json()
    assert other["cases"] == "c" and other["exact"] is False
    assert client.get(url, **bearer(region.school_staff)).status_code == 403
