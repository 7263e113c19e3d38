"""The brokerage board's API: referrals made, read and decided through the access policy; the proposal and
allocation for the EPC only; the dashboard, rules and lead workers of the EPC's own LA; one error shape."""

import pytest
from django.core.management import call_command

from tests import factories
from yep.access.models import AuditEvent
from yep.broker.models import Allocation, AllocationRule, LeadWorkerProfile, Referral
from yep.people.models import Role

from .conftest import post16_dob

JSON = "application/json"
API = "/api/v1/broker"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


@pytest.fixture
def referral(region, young, workers):
    return factories.make_referral(young(legal_forenames="Osian"), stage="pre16", risk_band="high",
                                   families_first=False, needs=("attendance", "wellbeing"))


# Referrals ---------------------------------------------------------------------------------------------------------


def test_the_epc_lists_and_reads_referrals_and_each_read_is_audited(client, region, referral, bearer):
    auth = bearer(region.epc)
    listed = client.get(f"{API}/referrals?status=open", **auth).json()
    assert [r["id"] for r in listed] == [referral.pk]
    assert client.get(f"{API}/referrals?status=closed", **auth).json() == []
    one = client.get(f"{API}/referrals/{referral.pk}", **auth).json()
    assert (one["needs"], one["risk_band"], one["stage"]) == (["attendance", "wellbeing"], "high", "pre16")
    assert AuditEvent.objects.filter(actor=region.epc, action="view", person_id=referral.person_id).exists()


def test_other_users_get_404_for_a_referral_they_cannot_see(client, region, referral, workers, bearer):
    for user in (region.other_epc, region.school_staff, workers["youth_service"].user):
        auth = bearer(user)
        assert client.get(f"{API}/referrals/{referral.pk}", **auth).status_code == 404
        assert client.get(f"{API}/referrals", **auth).json() == []


def test_refer_through_the_api_and_bad_input_lists_every_problem(client, region, young, bearer):
    person = young(legal_forenames="Catrin", dob=post16_dob())
    auth = bearer(region.epc)
    bad = client.post(f"{API}/referrals", {"person_id": person.pk, "source": "provider"}, content_type=JSON, **auth)
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"needs", "consent_confirmed", "tier"}
    good = client.post(f"{API}/referrals", {"person_id": person.pk, "source": "tier", "needs": ["careers"],
                                            "tier": 4, "risk_band": "medium"}, content_type=JSON, **auth)
    assert good.status_code == 201 and good.json()["tier"] == 4
    assert Referral.objects.get(pk=good.json()["id"]).risk_band == "medium"
    other = client.post(f"{API}/referrals", {"person_id": region.other_pupil.pk, "source": "tier", "needs": ["careers"],
                                             "tier": 3}, content_type=JSON, **auth)
    assert other.status_code == 404


# Proposal, allocation, decision ------------------------------------------------------------------------------------


def test_the_epc_reads_the_proposal_and_allocates_with_and_without_a_reason(client, region, referral, workers, bearer):
    auth = bearer(region.epc)
    proposal = client.get(f"{API}/referrals/{referral.pk}/proposal", **auth).json()
    assert (proposal["rule_order"], proposal["host_types"]) == (30, ["youth_service"])
    assert [c["lead_worker_id"] for c in proposal["candidates"]] == [workers["youth_service"].user_id]
    url = f"{API}/referrals/{referral.pk}/allocate"
    refused = client.post(url, {"lead_worker": workers["careers_wales"].user_id}, content_type=JSON, **auth)
    assert refused.status_code == 400 and "override_reason" in refused.json()["errors"]
    done = client.post(url, {"lead_worker": workers["careers_wales"].user_id, "override_reason": "Knows her"},
                       content_type=JSON, **auth)
    assert done.status_code == 201
    assert (done.json()["host_type"], done.json()["override_reason"]) == ("careers_wales", "Knows her")


def test_school_staff_get_403_for_the_proposal_and_allocation(client, region, referral, workers, bearer):
    auth = bearer(region.school_staff)
    assert client.get(f"{API}/referrals/{referral.pk}/proposal", **auth).status_code == 403
    assert client.post(f"{API}/referrals/{referral.pk}/allocate", {"lead_worker": workers["youth_service"].user_id},
                       content_type=JSON, **auth).status_code == 403
    assert client.get(f"{API}/dashboard", **auth).status_code == 403
    assert not Allocation.objects.exists()


def test_decide_and_end_an_allocation(client, region, referral, workers, young, bearer):
    auth = bearer(region.epc)
    blank = client.post(f"{API}/referrals/{referral.pk}/decide", {"decision": "declined", "reason": " "},
                        content_type=JSON, **auth)
    assert blank.status_code == 400 and "decision_reason" in blank.json()["errors"]
    deferred = client.post(f"{API}/referrals/{referral.pk}/decide", {"decision": "deferred",
                                                                     "reason": "After the exams"},
                           content_type=JSON, **auth).json()
    assert (deferred["status"], deferred["decision"]) == ("open", "deferred")
    allocated = client.post(f"{API}/referrals/{referral.pk}/allocate",
                            {"lead_worker": workers["youth_service"].user_id}, content_type=JSON, **auth).json()
    end = f"{API}/allocations/{allocated['id']}/end"
    assert client.post(end, {"reason": "other"}, content_type=JSON, **auth).status_code == 400
    assert client.post(end, {"reason": "support_complete"}, content_type=JSON,
                       **bearer(region.other_epc)).status_code == 404
    ended = client.post(end, {"reason": "support_complete"}, content_type=JSON, **auth)
    assert ended.status_code == 200 and ended.json()["end_reason"] == "support_complete"


# Dashboard, rules, lead workers -------------------------------------------------------------------------------------


def test_the_dashboard_gives_the_boards_figures_for_the_epcs_la(client, region, referral, workers, bearer):
    factories.fill_caseload(workers["youth_service"], 15)
    data = client.get(f"{API}/dashboard", **bearer(region.epc)).json()
    assert data["la_code"] == "681" and [w["referral_id"] for w in data["waiting"]] == [referral.pk]
    assert data["hosts_at_capacity"] == [workers["youth_service"].host_organisation.name]
    assert len(data["trends"]) == 12 and data["trends"][-1]["referrals"] == 16
    assert data["time_to_allocation"]["allocations"] == 15
    other = client.get(f"{API}/dashboard", **bearer(region.other_epc)).json()
    assert other["waiting"] == [] and other["hosts"] == []


def test_rules_are_replaced_all_or_nothing(client, region, bearer):
    auth = bearer(region.epc)
    assert len(client.get(f"{API}/rules", **auth).json()) == 10
    rule = {"order": 1, "stage": "any", "outcome": "lead_worker", "host_types": ["youth_service"],
            "rationale": "Everyone to the Youth Service"}
    bad = client.put(f"{API}/rules", [rule, {**rule, "host_types": ["nobody"]}], content_type=JSON, **auth)
    assert bad.status_code == 400 and "rule 2" in bad.json()["errors"]["rules"][0]
    assert not AllocationRule.objects.filter(la=region.la, order=1).exists()
    good = client.put(f"{API}/rules", [rule], content_type=JSON, **auth)
    assert good.status_code == 200 and [r["order"] for r in good.json()] == [1]
    assert client.put(f"{API}/rules", [rule], content_type=JSON, **bearer(region.school_staff)).status_code == 403


def test_lead_workers_are_listed_registered_and_changed(client, region, workers, bearer):
    auth = bearer(region.epc)
    assert {w["username"] for w in client.get(f"{API}/lead-workers", **auth).json()} == {
        f"lw.{h}" for h in workers}
    youth = factories.make_organisation("youth_service", "681", "Cardiff Youth Service")
    factories.make_user(Role.LEAD_WORKER, youth, "new.worker")
    made = client.post(f"{API}/lead-workers", {"username": "new.worker", "host_organisation_id": youth.pk,
                                               "host_type": "youth_service", "capacity": 12}, content_type=JSON,
                       **auth)
    assert made.status_code == 201
    bad = client.patch(f"{API}/lead-workers/{made.json()['id']}", {"capacity": 0}, content_type=JSON, **auth)
    assert bad.status_code == 400 and "capacity" in bad.json()["errors"]
    changed = client.patch(f"{API}/lead-workers/{made.json()['id']}", {"speaks_welsh": True}, content_type=JSON,
                           **auth).json()
    assert (changed["capacity"], changed["speaks_welsh"]) == (12, True)
    assert client.patch(f"{API}/lead-workers/{made.json()['id']}", {"capacity": 3}, content_type=JSON,
                        **bearer(region.other_epc)).status_code == 404
    assert LeadWorkerProfile.objects.get(pk=made.json()["id"]).capacity == 12
