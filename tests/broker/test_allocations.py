"""Allocating and ending lead workers: overrides, one lead worker at a time, access through the relationship."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent, Relationship
from yep.access.policy import decide
from yep.broker.allocation import caseload_of
from yep.broker.models import Allocation, ReferralStatus
from yep.broker.queries import active_allocation, caseload, referrals_visible_to, unmet_welsh_demand
from yep.broker.services import allocate, end_allocation

from .conftest import post16_dob


@pytest.fixture
def referral(region, young):
    return factories.make_referral(young(legal_forenames="Cai"), risk_band="high", families_first=False)


# Who may allocate: allowed (the LA's EPC), refused (another LA's EPC; the lead worker), elevated (the EPC).

def test_the_epc_allocates_and_the_worker_gains_access(region, referral, workers):
    worker = workers["youth_service"]
    assert decide(worker.user, referral.person_id) is None
    allocation = allocate(referral, worker, actor=region.epc, context=TEST)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED and referral.decided_by == region.epc
    assert allocation.relationship.kind == "lead_worker" and allocation.relationship.user == worker.user
    assert decide(worker.user, referral.person_id).can_change
    assert caseload_of(worker.user_id) == 1 and list(caseload(worker.user)) == [allocation]
    assert AuditEvent.objects.filter(object_type="lead_worker_allocation", action="create").exists()


def test_another_las_epc_cannot_allocate_and_the_refusal_is_audited(region, referral, workers):
    with pytest.raises(PermissionDenied):
        allocate(referral, workers["youth_service"], actor=region.other_epc, context=TEST)
    assert AuditEvent.objects.filter(actor=region.other_epc, action="denied").exists()
    assert not Allocation.objects.exists()


def test_a_lead_worker_cannot_allocate_themselves(region, referral, workers):
    with pytest.raises(PermissionDenied):
        allocate(referral, workers["youth_service"], actor=workers["youth_service"].user, context=TEST)


def test_an_override_needs_a_reason_that_names_the_proposal(region, referral, workers):
    with pytest.raises(ValidationError) as error:
        allocate(referral, workers["careers_wales"], actor=region.epc, context=TEST)
    assert "Youth Service" in error.value.message_dict["override_reason"][0]
    allocation = allocate(referral, workers["careers_wales"], override_reason="Knows the CW adviser well",
                          actor=region.epc, context=TEST)
    assert allocation.overridden and allocation.proposed == "youth_service"


def test_an_allowed_alternative_is_not_an_override(region, young, workers):
    referral = factories.make_referral(young(), risk_band="low")
    allocation = allocate(referral, workers["careers_wales"], actor=region.epc, context=TEST)
    assert not allocation.overridden and allocation.proposed == "learning_coach,careers_wales"


def test_allocating_when_the_rules_propose_no_lead_worker_is_an_override(region, young, workers):
    referral = factories.make_referral(young(dob=post16_dob()), stage="post16", tier=5)
    with pytest.raises(ValidationError):
        allocate(referral, workers["careers_wales"], actor=region.epc, context=TEST)
    assert allocate(referral, workers["careers_wales"], override_reason="JWT: high risk despite tier 5",
                    actor=region.epc, context=TEST).proposed == "no_lead_worker"


def test_a_second_lead_worker_is_refused_while_the_first_is_active(region, referral, workers):
    allocate(referral, workers["youth_service"], actor=region.epc, context=TEST)
    end_first = factories.make_referral(referral.person, source="lead_worker", risk_band="high", families_first=False)
    with pytest.raises(ValidationError) as error:
        allocate(end_first, workers["youth_service"], actor=region.epc, context=TEST)
    assert "one lead worker at a time" in error.value.message_dict["lead_worker"][0]


def test_the_database_also_holds_one_active_lead_worker(region, referral, workers):
    first = allocate(referral, workers["youth_service"], actor=region.epc, context=TEST)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(referral=referral, person=first.person, lead_worker=workers["careers_wales"].user,
                                  host_organisation=first.host_organisation, host_type="careers_wales",
                                  decided_at=first.decided_at, start=first.start)


def test_a_decided_referral_and_a_worker_of_another_la_are_refused(region, referral, workers):
    swansea = factories.make_lead_worker("670", "youth_service", username="sw.youth")
    with pytest.raises(ValidationError) as error:
        allocate(referral, swansea, actor=region.epc, context=TEST)
    assert "lead_worker" in error.value.message_dict
    allocate(referral, workers["youth_service"], actor=region.epc, context=TEST)
    with pytest.raises(ValidationError) as error:
        allocate(referral, workers["youth_service"], actor=region.epc, context=TEST)
    assert "referral" in error.value.message_dict


def test_ending_an_allocation_closes_the_relationship_and_frees_capacity(region, referral, workers):
    worker = workers["youth_service"]
    allocation = allocate(referral, worker, start=datetime.date(2026, 1, 5), actor=region.epc, context=TEST)
    end_allocation(allocation, reason="support_complete", end=datetime.date(2026, 6, 1), actor=region.epc,
                   context=TEST)
    relationship = Relationship.objects.get(pk=allocation.relationship_id)
    referral.refresh_from_db()
    assert relationship.end == datetime.date(2026, 6, 1) and referral.status == ReferralStatus.CLOSED
    assert caseload_of(worker.user_id) == 0 and active_allocation(referral.person_id) is None
    later = factories.make_referral(referral.person, risk_band="high", families_first=False)
    assert allocate(later, workers["youth_service"], actor=region.epc, context=TEST).end is None


def test_ending_needs_a_known_reason_a_note_for_other_and_a_sensible_date(region, referral, workers):
    allocation = allocate(referral, workers["youth_service"], start=datetime.date(2026, 1, 5), actor=region.epc,
                          context=TEST)
    with pytest.raises(ValidationError) as error:
        end_allocation(allocation, reason="bored", end=datetime.date(2025, 1, 1), actor=region.epc, context=TEST)
    assert set(error.value.message_dict) == {"end_reason", "end"}
    with pytest.raises(ValidationError) as error:
        end_allocation(allocation, reason="other", actor=region.epc, context=TEST)
    assert "end_note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        end_allocation(allocation, reason="support_complete", end=timezone.localdate() + datetime.timedelta(days=2),
                       actor=region.epc, context=TEST)
    assert "future" in error.value.message_dict["end"][0]
    with pytest.raises(PermissionDenied):
        end_allocation(allocation, reason="support_complete", actor=region.other_epc, context=TEST)
    end_allocation(allocation, reason="other", note="Family moved abroad", actor=region.epc, context=TEST)
    with pytest.raises(ValidationError):
        end_allocation(allocation, reason="other", note="again", actor=region.epc, context=TEST)


def test_referrals_are_visible_to_their_las_epc_and_their_referrer_only(region, referral):
    own = factories.make_referral(region.pupil, tier=4, risk_band="low")
    assert set(referrals_visible_to(region.epc)) == {referral, own}
    assert list(referrals_visible_to(region.other_epc)) == []
    assert list(referrals_visible_to(region.school_staff)) == []


def test_welsh_demand_unmet_at_allocation_is_counted(region, young, workers):
    referral = factories.make_referral(young(preferred_language="cy"), risk_band="high", families_first=False)
    assert unmet_welsh_demand(region.la) == 0
    allocate(referral, workers["youth_service"], actor=region.epc, context=TEST)
    assert unmet_welsh_demand(region.la) == 1
    assert unmet_welsh_demand(region.other_la) == 0


def test_when_the_team_around_the_family_decides_its_choice_is_recorded_without_an_override(region, young,
                                                                                            workers):
    referral = factories.make_referral(young(dob=post16_dob()), tier=4, risk_band="high", families_first=True)
    allocation = allocate(referral, workers["families_first"], actor=region.epc, context=TEST)
    assert allocation.proposed == "taf_decides" and not allocation.overridden


def test_when_no_rule_applies_any_allocation_needs_a_reason(region, young, workers):
    referral = factories.make_referral(young(dob=post16_dob()), tier=1)
    with pytest.raises(ValidationError) as error:
        allocate(referral, workers["careers_wales"], actor=region.epc, context=TEST)
    assert "No rule applies" in error.value.message_dict["override_reason"][0]
