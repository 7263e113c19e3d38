"""Proposals: the first matching rule, and candidates ranked by Welsh, spare capacity and continuity."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.access.services import open_relationship
from yep.broker.allocation import matching_rule, propose, rules_for
from yep.broker.defaults import DEFAULT_RULES
from yep.broker.models import AllocationRule, Outcome
from yep.broker.services import change_lead_worker, ensure_default_rules, set_allocation_rules


def test_every_la_on_the_register_starts_with_the_default_rules(region):
    rules = list(AllocationRule.objects.filter(la=region.la).order_by("order"))
    assert [(r.order, r.outcome, r.host_types) for r in rules] == [
        (d["order"], d["outcome"], d["host_types"]) for d in DEFAULT_RULES]


def test_an_la_without_rows_uses_the_defaults_until_they_are_written(region, young):
    set_allocation_rules(region.la, [], actor=region.epc, context=TEST)
    assert [r.pk for r in rules_for(region.la.pk)] == [None] * len(DEFAULT_RULES)
    written = ensure_default_rules(region.la, actor=region.epc, context=TEST)
    assert len(written) == len(DEFAULT_RULES) and all(r.pk for r in rules_for(region.la.pk))


def test_an_la_changes_its_own_rules_and_the_change_is_audited(region, young):
    rows = [dict(row, host_types=["careers_wales"]) if row["order"] == 40 else row for row in DEFAULT_RULES]
    set_allocation_rules(region.la, rows, actor=region.epc, context=TEST)
    referral = factories.make_referral(young(), risk_band="low")
    assert propose(referral).host_types == ["careers_wales"]
    assert AuditEvent.objects.filter(object_type="allocation_rules", actor=region.epc, action="change").exists()


def test_bad_rules_are_reported_together_by_number_and_change_nothing(region):
    rows = [{"order": 1, "stage": "pre16", "bands": ["purple"], "outcome": "lead_worker", "host_types": []},
            {"order": 1, "tiers": [9], "outcome": "no_lead_worker", "host_types": ["youth_service"]}]
    with pytest.raises(ValidationError) as error:
        set_allocation_rules(region.la, rows, actor=region.epc, context=TEST)
    messages = error.value.message_dict["rules"]
    assert [m.split(":")[0] for m in messages] == ["rule 1", "rule 1", "rule 2", "rule 2",
                                                   "Two rules have the same order"]
    assert AllocationRule.objects.filter(la=region.la).count() == len(DEFAULT_RULES)


def test_only_the_las_epc_sets_its_rules(region):
    with pytest.raises(PermissionDenied):
        set_allocation_rules(region.la, [], actor=region.other_epc, context=TEST)


def test_no_rule_for_tier_1_means_the_epc_decides(region, young):
    referral = factories.make_referral(young(), stage="post16", tier=1)
    proposal = propose(referral)
    assert matching_rule(referral) is None and proposal.outcome == "" and proposal.candidates == []
    assert "tier" in proposal.summary


def test_no_lead_worker_proposals_have_no_candidates(region, young, workers):
    proposal = propose(factories.make_referral(young(), stage="post16", tier=5))
    assert proposal.outcome == Outcome.NO_LEAD_WORKER and proposal.candidates == []


def test_spare_capacity_ranks_first_and_the_full_worker_carries_a_warning(region, young):
    busy = factories.make_lead_worker("681", "youth_service", capacity=2, username="busy")
    free = factories.make_lead_worker("681", "youth_service", capacity=10, username="free")
    factories.fill_caseload(busy, 2)
    proposal = propose(factories.make_referral(young(), risk_band="high"))
    assert [c.profile for c in proposal.candidates] == [free, busy]
    assert (proposal.candidates[1].caseload_label, proposal.candidates[1].at_capacity) == ("2/2", True)
    assert "At capacity" in proposal.candidates[1].warning and proposal.candidates[0].warning == ""


def test_continuity_breaks_a_tie_in_spare_capacity(region, young):
    a = factories.make_lead_worker("681", "youth_service", username="a.worker")
    b = factories.make_lead_worker("681", "youth_service", username="b.worker")
    person = young()
    open_relationship(person, "panel", user=b.user, start=datetime.date(2025, 1, 1), actor="test", context=TEST)
    proposal = propose(factories.make_referral(person, risk_band="high"))
    assert [c.profile for c in proposal.candidates] == [b, a]
    assert proposal.candidates[0].knows_young_person


def test_inactive_workers_and_workers_of_other_las_are_not_candidates(region, young):
    gone = factories.make_lead_worker("681", "youth_service", username="gone")
    change_lead_worker(gone, active=False, actor=region.epc, context=TEST)
    factories.make_lead_worker("670", "youth_service", username="swansea")
    assert propose(factories.make_referral(young(), risk_band="high")).candidates == []


def test_over_capacity_is_its_own_warning(region, young):
    worker = factories.make_lead_worker("681", "youth_service", capacity=3, username="over")
    factories.fill_caseload(worker, 3)
    change_lead_worker(worker, capacity=2, actor=region.epc, context=TEST)
    candidate = propose(factories.make_referral(young(), risk_band="high")).candidates[0]
    assert "Over capacity" in candidate.warning and candidate.caseload_label == "3/2"
