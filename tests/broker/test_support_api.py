"""The support API at /api/v1/broker: caseload, package, the lead worker's writes, the EPC's decisions and a young
person's lead worker. For each: allowed, refused (403 or the same 404 as a missing record), bad input (400/422)."""

import datetime

import pytest
from django.core.management import call_command

from tests import factories
from yep.broker.models import Escalation, ReferralStatus
from yep.people.models import OrganisationKind

from . import test_support as shared
from .test_support import TODAY

# The shared fixtures: an allocation 60 days old, and its lead worker.
allocation, worker = shared.allocation, shared.worker

API = "/api/v1/broker"
JSON = "application/json"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def _post(client, url, body, headers):
    return client.post(url, body, content_type=JSON, **headers)


def test_the_caseload_lists_the_lead_workers_young_people(client, bearer, allocation, worker, workers):
    mine = client.get(f"{API}/caseload", **bearer(worker)).json()
    assert [r["allocation_id"] for r in mine["rows"]] == [allocation.pk]
    assert (mine["caseload"], mine["capacity"], mine["warning"]) == (1, 15, "")
    assert mine["rows"][0]["alerts"] == ["No contact for 60 days"]
    assert client.get(f"{API}/caseload", **bearer(workers["careers_wales"].user)).json()["rows"] == []


def test_the_package_reads_for_its_lead_worker_and_is_404_for_others(client, bearer, region, allocation,
                                                                     worker):
    package = client.get(f"{API}/allocations/{allocation.pk}", **bearer(worker))
    assert package.status_code == 200
    body = package.json()
    assert body["services"][0]["role"] == "lead" and body["goals"] == [] and body["person_id"] == allocation.person_id
    assert client.get(f"{API}/allocations/{allocation.pk}", **bearer(region.other_epc)).status_code == 404
    assert client.get(f"{API}/allocations/999999", **bearer(region.epc)).status_code == 404


def test_goals_actions_and_the_package_are_written_through_the_api(client, bearer, allocation, worker):
    auth = bearer(worker)
    goal = _post(client, f"{API}/allocations/{allocation.pk}/goals", {"text": "Attend 90%"}, auth)
    assert goal.status_code == 201
    action = _post(client, f"{API}/allocations/{allocation.pk}/actions",
                   {"text": "Mentoring", "goal_id": goal.json()["id"]}, auth)
    assert action.status_code == 201 and action.json()["goal_id"] == goal.json()["id"]
    done = _post(client, f"{API}/allocations/{allocation.pk}/actions/{action.json()['id']}/done", {}, auth)
    assert done.json()["done"] is True
    status = client.patch(f"{API}/allocations/{allocation.pk}/goals/{goal.json()['id']}", {"status": "achieved"},
                          content_type=JSON, **auth)
    assert status.json()["status"] == "achieved"
    day = (TODAY + datetime.timedelta(days=20)).isoformat()
    patched = client.patch(f"{API}/allocations/{allocation.pk}/package", {"summary": "School", "next_review": day},
                           content_type=JSON, **auth)
    assert patched.status_code == 200 and patched.json()["next_review"] == day
    bad = _post(client, f"{API}/allocations/{allocation.pk}/goals", {"text": " "}, auth)
    assert bad.status_code == 400 and "text" in bad.json()["errors"]


def test_contacts_and_progress(client, bearer, region, allocation, worker):
    auth = bearer(worker)
    url = f"{API}/allocations/{allocation.pk}/contacts"
    ok = _post(client, url, {"on": TODAY.isoformat(), "channel": "phone", "outcome": "engaged"}, auth)
    assert ok.status_code == 201 and ok.json()["recorded_by"] == worker.username
    future = _post(client, url, {"on": (TODAY + datetime.timedelta(days=1)).isoformat(), "channel": "phone",
                                 "outcome": "engaged"}, auth)
    assert future.status_code == 400 and "on" in future.json()["errors"]
    assert _post(client, url, {"on": "not a date", "channel": "phone", "outcome": "x"}, auth).status_code == 422
    assert _post(client, url, {"on": TODAY.isoformat(), "channel": "phone", "outcome": "engaged"},
                 bearer(region.school_staff)).status_code == 404
    progress = _post(client, f"{API}/allocations/{allocation.pk}/progress",
                     {"progress": "not_working", "summary": "Not attending"}, auth)
    assert progress.status_code == 201 and progress.json()["suggest_escalation"] is True


def test_escalating_and_deciding_through_the_api(client, bearer, region, allocation, worker):
    raised = _post(client, f"{API}/allocations/{allocation.pk}/escalations", {"evidence": "No engagement"},
                   bearer(worker))
    assert raised.status_code == 201
    body = raised.json()
    assert body["task_due"] and body["referral_id"] and body["decision"] == ""
    again = _post(client, f"{API}/allocations/{allocation.pk}/escalations", {"evidence": "Still none"},
                  bearer(worker))
    assert again.status_code == 400
    url = f"{API}/escalations/{body['id']}/decide"
    assert _post(client, url, {"decision": "continue", "reason": "Mine"}, bearer(worker)).status_code == 403
    assert _post(client, url, {"decision": "maybe", "reason": "x"}, bearer(region.epc)).status_code == 400
    decided = _post(client, url, {"decision": "continue", "reason": "Until half term"}, bearer(region.epc))
    assert decided.status_code == 200 and decided.json()["decision"] == "continue"
    assert Escalation.objects.get().referral.status == ReferralStatus.CLOSED


def test_additional_needs_and_supporting_services(client, bearer, region, allocation, worker):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, "681", "Llamau")
    need = _post(client, f"{API}/allocations/{allocation.pk}/additional-needs", {"need": "housing"}, bearer(worker))
    assert need.status_code == 201
    url = f"{API}/additional-needs/{need.json()['id']}/services"
    body = {"organisation_id": housing.pk, "purpose": "Tenancy", "categories": ["support_needs"]}
    assert _post(client, url, body, bearer(worker)).status_code == 403
    blocked = _post(client, url, body, bearer(region.epc))
    assert blocked.status_code == 400 and "no sharing agreement" in blocked.json()["errors"]["__all__"][0]
    added = _post(client, url, {**body, "categories": []}, bearer(region.epc))
    assert added.status_code == 201 and added.json()["role"] == "supporting"
    second = _post(client, f"{API}/allocations/{allocation.pk}/additional-needs", {"need": "careers"}, bearer(worker))
    declined = _post(client, f"{API}/additional-needs/{second.json()['id']}/decline", {"reason": "Covered"},
                     bearer(region.epc))
    assert declined.json()["status"] == "not_added"


def test_reviews_and_the_young_persons_lead_worker(client, bearer, region, allocation, worker):
    url = f"{API}/allocations/{allocation.pk}/reviews"
    review = {"held_on": TODAY.isoformat(), "risk_band": "medium",
              "participants": [{"name": "Ffion", "role": "Lead worker", "attended": True}]}
    assert _post(client, url, review, bearer(worker)).status_code == 201
    assert _post(client, url, {**review, "participants": []}, bearer(worker)).status_code == 400
    lead = client.get(f"{API}/people/{allocation.person_id}/lead-worker", **bearer(region.epc)).json()
    assert lead["lead_worker"] == worker.username and lead["current"]["reviews"][0]["risk_band"] == "medium"
    factories.enrol(allocation.person, region.college, year_group=None)
    assert client.get(f"{API}/people/{allocation.person_id}/lead-worker",
                      **bearer(region.provider_staff)).status_code == 403


def test_an_epc_of_another_la_cannot_read_the_caseload_of_ours(client, bearer, region, allocation):
    page = client.get(f"{API}/caseload", **bearer(region.other_epc)).json()
    assert page["rows"] == [] and page["caseload"] is None
