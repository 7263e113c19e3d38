"""The EPC's brokerage pages: the board, a referral with the rules' proposal, allocating and deciding through the
forms, referring from a record, the allocation rules editor and the lead workers page; who may see each."""

import pytest

from tests import factories
from yep.access.models import AuditEvent
from yep.broker.allocation import rules_for
from yep.broker.models import Allocation, AllocationRule, LeadWorkerProfile, Referral, ReferralStatus
from yep.people.models import Role

from .conftest import post16_dob, pre16_dob


@pytest.fixture
def referral(region, young, workers):
    """A pre-16 high-risk referral (no Families First): the rules propose the Youth Service."""
    person = young(legal_forenames="Osian")
    return factories.make_referral(person, stage="pre16", risk_band="high", families_first=False,
                                   needs=("attendance", "wellbeing"))


# The board -------------------------------------------------------------------------------------------------------


def test_the_epc_sees_the_referrals_waiting_and_the_capacity_of_each_host(client, region, referral, workers):
    factories.fill_caseload(workers["youth_service"], 15)
    client.force_login(region.epc)
    page = client.get("/broker/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/broker/referrals/{referral.pk}/" in html and "Osian" in html
    assert page.context["data"].waiting[0].referral == referral
    full = [h.organisation for h in page.context["data"].hosts_at_capacity]
    assert full == [workers["youth_service"].host_organisation]
    assert 'data-testid="host-at-capacity"' in html
    assert AuditEvent.objects.filter(actor=region.epc, action="view", object_type="referrals").exists()


def test_school_staff_and_lead_workers_get_403_on_the_board(client, region, workers):
    for user in (region.school_staff, workers["youth_service"].user):
        client.force_login(user)
        assert client.get("/broker/").status_code == 403


def test_the_board_shows_only_the_epcs_own_la(client, region, referral):
    swansea = factories.make_person("670", legal_forenames="Rhiannon", legal_surname="Morgan", dob=post16_dob())
    other = factories.make_referral(swansea, stage="post16", tier=3)
    client.force_login(region.other_epc)
    html = client.get("/broker/").content.decode()
    assert f"/broker/referrals/{other.pk}/" in html
    assert f"/broker/referrals/{referral.pk}/" not in html and "Osian" not in html


# A referral ------------------------------------------------------------------------------------------------------


def test_the_epc_sees_the_referral_with_the_rule_and_the_ranked_candidates(client, region, referral, workers):
    client.force_login(region.epc)
    page = client.get(f"/broker/referrals/{referral.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Youth Service" in html and "Rule 30" in html
    assert "not supported by Families First" in html  # the matched rule's rationale
    assert [c.profile for c in page.context["proposal"].candidates] == [workers["youth_service"]]
    assert AuditEvent.objects.filter(actor=region.epc, action="view", person_id=referral.person_id).exists()


def test_allocating_the_proposed_worker_needs_no_reason(client, region, referral, workers):
    client.force_login(region.epc)
    response = client.post(f"/broker/referrals/{referral.pk}/",
                           {"action": "allocate", "lead_worker": workers["youth_service"].user_id})
    assert response.status_code == 302
    allocation = Allocation.objects.get(referral=referral)
    assert allocation.lead_worker == workers["youth_service"].user and allocation.override_reason == ""
    assert response.url in (f"/broker/allocations/{allocation.pk}/", f"/broker/referrals/{referral.pk}/")


def test_allocating_outside_the_proposal_asks_for_the_reason_and_keeps_the_choice(client, region, referral, workers):
    client.force_login(region.epc)
    adviser = workers["careers_wales"].user_id
    page = client.post(f"/broker/referrals/{referral.pk}/", {"action": "allocate", "lead_worker": adviser,
                                                             "start": ""})
    assert page.status_code == 200
    assert "Give the reason" in page.content.decode() and 'data-testid="errors"' in page.content.decode()
    assert f'<option value="{adviser}" selected>' in page.content.decode()
    assert not Allocation.objects.filter(referral=referral).exists()

    client.post(f"/broker/referrals/{referral.pk}/", {"action": "allocate", "lead_worker": adviser,
                                                      "override_reason": "Knows her Careers Wales adviser"})
    allocation = Allocation.objects.get(referral=referral)
    assert (allocation.host_type, allocation.override_reason) == ("careers_wales", "Knows her Careers Wales adviser")


def test_the_decide_form_needs_a_reason_and_keeps_what_was_typed(client, region, referral):
    client.force_login(region.epc)
    page = client.post(f"/broker/referrals/{referral.pk}/", {"action": "decide", "decision": "deferred",
                                                             "decision_reason": ""})
    assert "Give the reason for the decision." in page.content.decode()
    assert 'id="decision-deferred" name="decision" type="radio" value="deferred" checked' in page.content.decode()
    client.post(f"/broker/referrals/{referral.pk}/", {"action": "decide", "decision": "declined",
                                                      "decision_reason": "Support in school is enough."})
    referral.refresh_from_db()
    assert (referral.status, referral.decision) == (ReferralStatus.CLOSED, "declined")


def test_a_lead_worker_cannot_see_anothers_referral_or_allocate(client, region, referral, workers):
    client.force_login(workers["youth_service"].user)
    assert client.get(f"/broker/referrals/{referral.pk}/").status_code == 404
    assert client.post(f"/broker/referrals/{referral.pk}/", {"action": "allocate",
                                                            "lead_worker": workers["youth_service"].user_id}
                       ).status_code == 404
    assert not Allocation.objects.filter(referral=referral).exists()


def test_the_referrer_sees_their_referral_without_the_proposal_and_cannot_allocate(client, region, workers):
    pupil = factories.make_person("681", legal_forenames="Elin", legal_surname="Hughes", dob=pre16_dob())
    factories.enrol(pupil, region.school)
    client.force_login(region.school_staff)
    client.post(f"/people/{pupil.pk}/refer/", {"source": "school_business_case", "needs": ["attendance"],
                                               "urgency": "routine", "consent_confirmed": "yes"})
    referral = Referral.objects.get(person=pupil)
    page = client.get(f"/broker/referrals/{referral.pk}/")
    assert page.status_code == 200 and page.context["proposal"] is None
    assert 'data-testid="allocate-form"' not in page.content.decode()
    assert client.post(f"/broker/referrals/{referral.pk}/", {"action": "allocate", "lead_worker": workers[
        "youth_service"].user_id}).status_code == 403


# Referring -------------------------------------------------------------------------------------------------------


def test_school_staff_refer_their_pupil_and_return_to_the_record(client, region):
    pupil = factories.make_person("681", legal_forenames="Elin", legal_surname="Hughes", dob=pre16_dob())
    factories.enrol(pupil, region.school)
    client.force_login(region.school_staff)
    response = client.post(f"/people/{pupil.pk}/refer/", {
        "source": "school_business_case", "needs": ["attendance", "wellbeing"], "urgency": "priority",
        "consent_confirmed": "yes", "notes": "Year 11, attendance falling"})
    assert response.status_code == 302 and response.url == f"/people/{pupil.pk}/"
    referral = Referral.objects.get(person=pupil)
    assert (referral.needs, referral.urgency, referral.referred_by) == (["attendance", "wellbeing"], "priority",
                                                                        region.school_staff)


def test_the_epc_referring_goes_to_the_referral_page(client, region, young):
    person = young(legal_forenames="Catrin", dob=post16_dob())
    client.force_login(region.epc)
    response = client.post(f"/people/{person.pk}/refer/", {"source": "tier", "needs": ["careers"],
                                                           "urgency": "routine", "tier": "4", "risk_band": "high"})
    referral = Referral.objects.get(person=person)
    assert response.url == f"/broker/referrals/{referral.pk}/"
    assert (referral.stage, referral.tier, referral.risk_band) == ("post16", 4, "high")


def test_bad_referral_input_shows_every_problem_and_keeps_what_was_typed(client, region, young):
    person = young(legal_forenames="Catrin", dob=post16_dob())
    client.force_login(region.epc)
    page = client.post(f"/people/{person.pk}/refer/", {"source": "provider", "urgency": "urgent",
                                                       "notes": "Left college in October"})
    html = page.content.decode()
    assert page.status_code == 200 and not Referral.objects.filter(person=person).exists()
    for problem in ("Choose at least one need.", "Confirm that the young person", "Give the young person&#x27;s tier"):
        assert problem in html
    assert "Left college in October" in html and 'value="urgent" checked' in html and 'value="provider" checked' in html


def test_staff_who_cannot_see_the_young_person_get_404_on_refer(client, region):
    client.force_login(region.school_staff)
    assert client.get(f"/people/{region.other_pupil.pk}/refer/").status_code == 404
    client.force_login(factories.make_user(Role.GOVERNMENT_ANALYST, region.la, "analyst2"))
    assert client.get(f"/people/{region.pupil.pk}/refer/").status_code == 403


# Rules and lead workers ------------------------------------------------------------------------------------------


def _rules_post(rows):
    data = {"action": "save", "rows": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{key}-{i}"] = value
    return data


def test_the_epc_edits_the_rules_all_or_nothing_and_restores_the_defaults(client, region):
    client.force_login(region.epc)
    page = client.get("/broker/rules/")
    assert page.status_code == 200 and "Tier 3, unemployed" in page.content.decode()
    good = {"order": "10", "stage": "pre16", "bands": ["high"], "families_first": "any", "outcome": "lead_worker",
            "host_types": ["careers_wales"], "rationale": "Everyone to Careers Wales"}
    bad = {"order": "20", "stage": "post16", "families_first": "any", "outcome": "lead_worker", "rationale": "none"}
    page = client.post("/broker/rules/", _rules_post([good, bad]))
    assert "rule 2: a lead worker outcome needs host types" in page.content.decode()
    assert "Everyone to Careers Wales" in page.content.decode()  # typed values kept
    assert [r.order for r in rules_for(region.la.pk)][:2] == [10, 20]  # unchanged: still the ten defaults
    assert len(rules_for(region.la.pk)) == 10

    client.post("/broker/rules/", _rules_post([good, {**bad, "delete": "yes"}]))
    assert list(AllocationRule.objects.filter(la=region.la).values_list("order", "host_types")) == [
        (10, ["careers_wales"])]
    client.post("/broker/rules/", {"action": "defaults"})
    assert AllocationRule.objects.filter(la=region.la).count() == 10


def test_host_types_keep_their_order_when_the_rules_are_saved(client, region):
    client.force_login(region.epc)
    client.post("/broker/rules/", _rules_post([{
        "order": "40", "stage": "pre16", "bands": ["low"], "families_first": "any", "outcome": "lead_worker",
        "host_order": "learning_coach,careers_wales", "host_types": ["careers_wales", "learning_coach"]}]))
    assert AllocationRule.objects.get(la=region.la).host_types == ["learning_coach", "careers_wales"]


def test_only_the_epc_manages_rules_and_lead_workers(client, region, workers):
    for user in (region.school_staff, workers["youth_service"].user):
        client.force_login(user)
        assert client.get("/broker/rules/").status_code == 403
        assert client.get("/broker/lead-workers/").status_code == 403


def test_the_epc_registers_and_changes_a_lead_worker(client, region):
    youth = factories.make_organisation("youth_service", "681", "Cardiff Youth Service")
    staff = factories.make_user(Role.LEAD_WORKER, youth, "new.worker")
    client.force_login(region.epc)
    page = client.post("/broker/lead-workers/", {"action": "register", "username": "nobody", "capacity": "x",
                                                 "host_type": "youth_service"})
    assert "Give the username of a member of staff" in page.content.decode()
    assert 'value="nobody"' in page.content.decode()
    client.post("/broker/lead-workers/", {"action": "register", "username": "new.worker", "capacity": "12",
                                          "host_organisation": youth.pk, "host_type": "youth_service",
                                          "speaks_welsh": "yes"})
    profile = LeadWorkerProfile.objects.get(user=staff)
    assert (profile.capacity, profile.speaks_welsh, profile.host_organisation) == (12, True, youth)
    client.post("/broker/lead-workers/", {"action": "change", "profile": profile.pk, "capacity": "8",
                                          "active": "yes"})
    profile.refresh_from_db()
    assert (profile.capacity, profile.speaks_welsh, profile.active) == (8, False, True)
    assert "new.worker" in client.get("/broker/lead-workers/").content.decode()


def test_staff_of_another_la_cannot_be_registered(client, region):
    client.force_login(region.epc)
    swansea_youth = factories.make_organisation("youth_service", "670", "Swansea Youth")
    factories.make_user(Role.LEAD_WORKER, swansea_youth, "swansea.worker")
    page = client.post("/broker/lead-workers/", {"action": "register", "username": "swansea.worker",
                                                 "capacity": "10", "host_organisation": region.la.pk,
                                                 "host_type": "youth_service"})
    assert "Give the username of a member of staff" in page.content.decode()
    assert not LeadWorkerProfile.objects.filter(user__username="swansea.worker").exists()


def test_the_board_reads_a_fixed_number_of_queries_however_many_referrals_wait(client, region, young, workers,
                                                                               django_assert_max_num_queries):
    for n in range(12):
        factories.make_referral(young(legal_forenames=f"Waiting{n}"), stage="pre16", risk_band="medium",
                                families_first=False)
    factories.fill_caseload(workers["learning_coach"], 2)
    client.force_login(region.epc)
    with django_assert_max_num_queries(20):
        page = client.get("/broker/")
    assert len(page.context["data"].waiting) == 12
