"""Acceptance scenarios for brokerage (spec/framework-wales.md): AT-4 default allocation rules and the EPC's
override, the capacity part of AT-3, and AT-19 Welsh-language matching."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.broker.conftest import post16_dob, pre16_dob
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.allocation import caseload_of, propose
from yep.broker.models import ReferralStatus
from yep.broker.queries import unmet_welsh_demand
from yep.broker.services import allocate, decide_referral
from yep.people import services as people
from yep.tasks.models import Notification

# AT-4: each case's facts, and the expected proposal (host types best first, or the outcome).
AT4 = {
    "a pre-16 high, no FF": ({"stage": "pre16", "risk_band": "high"}, False, ["youth_service"]),
    "b pre-16 low": ({"stage": "pre16", "risk_band": "low"}, False, ["learning_coach", "careers_wales"]),
    "c pre-16 high, FF active": ({"stage": "pre16", "risk_band": "high"}, True, ["families_first"]),
    "d tier 3": ({"stage": "post16", "tier": 3}, False, ["careers_wales"]),
    "e tier 2": ({"stage": "post16", "tier": 2}, False, ["youth_service"]),
    "f tier 4 low": ({"stage": "post16", "tier": 4, "risk_band": "low"}, False,
                     ["learning_coach", "provider_pastoral"]),
    "g tier 4 high, FF involved": ({"stage": "post16", "tier": 4, "risk_band": "high"}, True, "taf_decides"),
    "h tier 5": ({"stage": "post16", "tier": 5}, False, "no_lead_worker"),
}


def _young_person(case: str, facts: dict, families_first: bool):
    dob = pre16_dob() if facts["stage"] == "pre16" else post16_dob()
    person = factories.make_person("681", legal_forenames="Case", legal_surname=case.split()[0].upper(), dob=dob)
    if families_first:  # Families First involvement is read from the record, as the EPC would see it
        people.add_characteristic(person, "families_first", start=datetime.date(2025, 9, 1), value="Y",
                                  actor="test", context=TEST)
    return person


def test_at4_default_allocation_rules_propose_the_expected_lead_worker(region):
    proposed = {}
    for case, (facts, families_first, _expected) in AT4.items():
        referral = factories.make_referral(_young_person(case, facts, families_first), **facts)
        assert referral.families_first is families_first
        proposal = propose(referral)
        proposed[case] = proposal.host_types or proposal.outcome
    assert proposed == {case: expected for case, (_facts, _ff, expected) in AT4.items()}


def test_at4_the_epc_overrides_a_to_careers_wales_with_a_reason_and_it_is_logged(region):
    facts, families_first, _ = AT4["a pre-16 high, no FF"]
    referral = factories.make_referral(_young_person("a", facts, families_first), **facts)
    adviser = factories.make_lead_worker("681", "careers_wales", username="cw.adviser")
    with pytest.raises(ValidationError, match="Give the reason"):
        allocate(referral, adviser, actor=region.epc, context=TEST)
    allocation = allocate(referral, adviser, override_reason="Already works well with her CW adviser",
                          actor=region.epc, context=TEST)
    assert (allocation.host_type, allocation.proposed) == ("careers_wales", "youth_service")
    event = AuditEvent.objects.get(object_type="lead_worker_allocation", object_id=str(allocation.pk))
    assert event.actor == region.epc and event.person_id == referral.person_id
    assert event.detail["override"] is True
    assert event.detail["override_reason"] == "Already works well with her CW adviser"
    assert event.detail["proposed"] == "youth_service" and event.detail["host_type"] == "careers_wales"


def test_at3_allocating_to_a_worker_at_14_of_15_shows_15_of_15_and_then_a_capacity_warning(region):
    worker = factories.make_lead_worker("681", "youth_service", capacity=15, username="ys.lead")
    factories.fill_caseload(worker, 14)
    approved, rejected = (
        factories.make_referral(factories.make_person("681", legal_forenames=name, dob=pre16_dob()),
                                source="school_business_case", risk_band="high", families_first=False)
        for name in ("Osian", "Elin"))
    before = propose(approved).candidates[0]
    assert (before.profile, before.caseload_label, before.warning) == (worker, "14/15", "")

    allocate(approved, worker, actor=region.epc, context=TEST)
    decide_referral(rejected, decision="declined", reason="Support in school is enough for now.",
                    actor=region.epc, context=TEST)

    assert caseload_of(worker.user_id) == 15
    rejected.refresh_from_db()
    assert rejected.status == ReferralStatus.CLOSED and rejected.decision_reason
    further = factories.make_referral(factories.make_person("681", legal_forenames="Nia", dob=pre16_dob()),
                                      risk_band="high", families_first=False)
    candidate = propose(further).candidates[0]
    assert candidate.caseload_label == "15/15" and candidate.at_capacity
    assert candidate.warning == "At capacity: caseload 15/15"


def test_at19_a_welsh_speaker_is_ranked_first_and_unmet_welsh_demand_is_counted(region):
    english = factories.make_lead_worker("681", "youth_service", capacity=20, username="ys.english")
    welsh = factories.make_lead_worker("681", "youth_service", capacity=10, speaks_welsh=True, username="ys.cymraeg")
    cy = factories.make_person("681", legal_forenames="Gwion", dob=pre16_dob(), preferred_language="cy",
                               email="gwion@example.org")
    cy_referral = factories.make_referral(cy, risk_band="high", families_first=False)
    proposal = propose(cy_referral)
    # The Welsh speaker comes first even with less spare capacity; for an English speaker, capacity decides.
    assert [c.profile for c in proposal.candidates] == [welsh, english] and not proposal.welsh_unmet
    # Letters and notifications to the young person are in Welsh; the lead worker reads theirs in English.
    allocate(cy_referral, welsh, actor=region.epc, context=TEST)
    to_cy = Notification.objects.get(recipient_person=cy)
    assert (to_cy.language, to_cy.subject) == ("cy", "Eich gweithiwr arweiniol")
    assert Notification.objects.get(recipient_user=welsh.user).language == "en"
    en = factories.make_person("681", legal_forenames="Gareth", dob=pre16_dob())
    assert propose(factories.make_referral(en, risk_band="high", families_first=False)).candidates[0].profile == english

    # Step 3: no Welsh speaker available.
    ff_worker = factories.make_lead_worker("681", "families_first", username="ff.english")
    other = factories.make_person("681", legal_forenames="Mali", dob=pre16_dob(), preferred_language="cy")
    referral = factories.make_referral(other, risk_band="high", families_first=True)
    unmet = propose(referral)
    assert unmet.welsh_unmet and [c.profile for c in unmet.candidates] == [ff_worker]
    before = unmet_welsh_demand(region.la)
    allocate(referral, ff_worker, actor=region.epc, context=TEST)
    assert unmet_welsh_demand(region.la) == before + 1
