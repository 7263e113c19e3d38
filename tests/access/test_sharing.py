"""Sharing agreements, flows, consent, objections and break-the-glass, through the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from yep.access import categories as C
from yep.access import services
from yep.access.agreements import check_flow
from yep.access.models import AuditEvent, RelationshipKind
from yep.access.policy import decide, people_visible_to
from yep.people.models import OrganisationKind, Role

T = factories.TEST


def agree(*parties, categories=(C.IDENTITY, C.SUPPORT_NEEDS), **extra):
    defaults = {"name": "Cardiff youth support ISP", "purpose": "Support for young people", "start":
                datetime.date(2024, 1, 1), "lawful_basis": "6(1)(e) public task", "statute": "Children Act 2004 s25"}
    return services.register_agreement(parties=parties, categories=categories, actor="test", context=T,
                                       **{**defaults, **extra})


def test_an_agreement_without_a_lawful_basis_is_refused_and_nothing_is_saved(region):
    with pytest.raises(ValidationError) as caught:
        agree(region.la, region.college, lawful_basis="")
    assert "lawful_basis" in caught.value.message_dict


def test_sensitive_data_needs_an_article_9_condition(region):
    with pytest.raises(ValidationError) as caught:
        agree(region.la, region.college, categories=(C.SENSITIVE,))
    assert "special_category_condition" in caught.value.message_dict


def test_a_flow_is_allowed_only_within_an_agreement_in_force_that_covers_it(region):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, name="Cardiff Housing")
    assert not check_flow(region.pupil, region.la, housing, {C.SUPPORT_NEEDS}).allowed
    agreement = agree(region.la, housing)
    assert check_flow(region.pupil, region.la, housing, {C.SUPPORT_NEEDS}).agreement == agreement
    blocked = check_flow(region.pupil, region.la, housing, {C.SENSITIVE})
    assert not blocked.allowed and "does not cover" in blocked.message


def test_an_expired_or_suspended_agreement_allows_nothing_and_says_so(region):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, name="Cardiff Housing")
    agreement = agree(region.la, housing, end=datetime.date(2025, 1, 1))
    check = check_flow(region.pupil, region.la, housing, {C.SUPPORT_NEEDS})
    assert not check.allowed and "not in force" in check.message and check.nearest == agreement


def test_an_objection_limits_any_flow_to_name_address_and_date_of_birth(region):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, name="Cardiff Housing")
    agree(region.la, housing, categories=(C.IDENTITY, C.CONTACT, C.SUPPORT_NEEDS))
    services.record_objection(region.pupil, made_by="parent_carer", actor="test", context=T)
    assert not check_flow(region.pupil, region.la, housing, {C.SUPPORT_NEEDS}).allowed
    assert check_flow(region.pupil, region.la, housing, {C.IDENTITY, C.CONTACT}).allowed


def test_a_parent_gives_consent_for_an_under_16_and_the_young_person_cannot(region):
    child = factories.make_person(dob=f"{timezone.localdate().year - 13}-01-15")
    with pytest.raises(ValidationError):
        services.record_consent(child, "referral", given_by="young_person", given_by_name="Cai", method="verbal",
                                actor="test", context=T)
    services.record_consent(child, "referral", given_by="parent_carer", given_by_name="Mari Lloyd",
                            method="written", actor="test", context=T)
    assert services.has_consent(child, "referral")


def test_withdrawn_consent_no_longer_counts_but_is_kept(region):
    consent = services.record_consent(region.pupil, "referral", given_by="young_person", given_by_name="Dafydd",
                                      method="verbal", actor="test", context=T)
    services.withdraw_consent(consent, actor="test", context=T)
    assert not services.has_consent(region.pupil, "referral")
    assert region.pupil.consents.count() == 1


def test_break_the_glass_gives_read_only_access_for_a_limited_time_with_a_reason(region):
    assert decide(region.other_epc, region.pupil.pk) is None
    with pytest.raises(ValidationError):
        services.open_break_glass(region.other_epc, region.pupil, reason="urgent", actor=region.other_epc,
                                  context=T)
    access = services.open_break_glass(region.other_epc, region.pupil, actor=region.other_epc, context=T,
                                       reason="Police welfare check tonight; family moved to Swansea")
    decision = decide(region.other_epc, region.pupil.pk)
    assert decision.mode == "read_only" and decision.break_glass == access
    assert AuditEvent.objects.filter(action="break_glass", person_id=region.pupil.pk).exists()
    access.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    access.save(update_fields=["expires_at"])
    assert decide(region.other_epc, region.pupil.pk) is None


def test_a_lead_worker_sees_exactly_their_caseload(region):
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, name="Cardiff Youth Service")
    worker = factories.make_user(Role.LEAD_WORKER, youth, "youth.worker")
    assert not people_visible_to(worker).exists()
    services.open_relationship(region.other_pupil, RelationshipKind.LEAD_WORKER, user=worker, actor="test",
                               context=T)
    assert list(people_visible_to(worker)) == [region.other_pupil]
    assert decide(worker, region.other_pupil.pk).can_see(C.SENSITIVE)
