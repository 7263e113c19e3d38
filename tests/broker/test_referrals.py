"""Making a referral: the facts fixed at referral, validation that reports every problem, and who may refer."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.models import Need, Referral, ReferralStatus
from yep.broker.services import decide_referral, make_referral
from yep.identify.models import SupportNeed
from yep.people import services as people

from .conftest import post16_dob, pre16_dob


def test_every_early_identification_support_need_is_a_brokerage_need():
    assert set(SupportNeed.values) <= set(Need.values)
    assert {"aln", "financial_hardship", "pregnancy", "custody", "care_experience", "other"} <= set(Need.values)


def test_a_referral_fixes_the_facts_the_rules_read(region, young):
    person = young()
    people.add_characteristic(person, "families_first", start=datetime.date(2024, 1, 1), value="Y", actor="test",
                              context=TEST)
    referral = factories.make_referral(person, risk_band="medium", urgency="priority")
    assert (referral.stage, referral.risk_band, referral.families_first, referral.tier) == ("pre16", "medium",
                                                                                            True, None)
    assert referral.la == region.la and referral.status == ReferralStatus.OPEN and referral.urgency == "priority"
    assert AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk), action="create").exists()


def test_stage_follows_the_academic_age_unless_given(region, young):
    assert factories.make_referral(young(dob=pre16_dob())).stage == "pre16"
    assert factories.make_referral(young(dob=post16_dob()), tier=3).stage == "post16"
    assert factories.make_referral(young(dob=post16_dob()), stage="pre16").stage == "pre16"


def test_every_problem_is_reported_at_once_and_nothing_is_written(region, young):
    person = young(dob=post16_dob())
    with pytest.raises(ValidationError) as error:
        make_referral(person, source="provider", needs=["astrology"], urgency="whenever", risk_band="purple",
                      consent_confirmed=False, notes="x" * 2001, actor="test", context=TEST)
    assert set(error.value.message_dict) == {"needs", "urgency", "risk_band", "tier", "consent_confirmed", "notes"}
    assert "five tier model" in error.value.message_dict["tier"][0]
    assert not Referral.objects.exists()


def test_a_pre16_referral_has_no_tier_and_needs_at_least_one_need(region, young):
    with pytest.raises(ValidationError) as error:
        factories.make_referral(young(), needs=(), tier=3)
    assert set(error.value.message_dict) == {"needs", "tier"}


def test_an_unknown_source_is_refused(region, young):
    with pytest.raises(ValidationError) as error:
        factories.make_referral(young(), source="rumour")
    assert "source" in error.value.message_dict


def test_a_self_referral_is_consent(region, young):
    referral = factories.make_referral(young(), source="self_or_parent", consent_confirmed=False)
    assert referral.consent_confirmed


def test_a_second_open_referral_is_refused_but_a_new_one_after_closing_is_not(region, young):
    person = young()
    referral = factories.make_referral(person)
    with pytest.raises(ValidationError) as error:
        factories.make_referral(person)
    assert "open referral" in error.value.message_dict["person"][0]
    decide_referral(referral, decision="no_lead_worker", reason="Support in school is enough.", actor=region.epc,
                    context=TEST)
    assert factories.make_referral(person).status == ReferralStatus.OPEN


def test_an_early_identification_referral_without_a_result_is_refused(region, young):
    with pytest.raises(ValidationError) as error:
        factories.make_referral(young(), source="early_identification")
    assert "no early identification result" in error.value.message_dict["source"][0]


# Who may refer: allowed (the pupil's school), refused (another school), elevated (the EPC).

def test_school_staff_may_refer_their_own_pupil(region):
    referral = make_referral(region.pupil, source="school_business_case", needs=["attendance"], tier=4,
                             risk_band="low", consent_confirmed=True, actor=region.school_staff, context=TEST)
    assert referral.referred_by == region.school_staff


def test_staff_of_another_school_cannot_refer_and_the_refusal_is_audited(region):
    outsider = factories.make_user("school_staff", region.other_school)
    with pytest.raises(PermissionDenied):
        make_referral(region.pupil, source="school_business_case", needs=["attendance"], tier=4,
                      consent_confirmed=True, actor=outsider, context=TEST)
    assert AuditEvent.objects.filter(actor=outsider, action="denied", object_type="referral").exists()
    assert not Referral.objects.exists()


def test_the_epc_may_refer_anyone_in_the_la(region):
    referral = make_referral(region.pupil, source="tier", needs=["careers"], tier=3, actor=region.epc, context=TEST)
    assert referral.la == region.la


def test_only_the_epc_decides_without_allocating_and_always_with_a_reason(region, young):
    referral = factories.make_referral(young())
    with pytest.raises(PermissionDenied):
        decide_referral(referral, decision="declined", reason="x", actor=region.other_epc, context=TEST)
    with pytest.raises(ValidationError) as error:
        decide_referral(referral, decision="declined", reason=" ", actor=region.epc, context=TEST)
    assert "decision_reason" in error.value.message_dict
    decide_referral(referral, decision="deferred", reason="Panel next week.", actor=region.epc, context=TEST)
    assert referral.status == ReferralStatus.OPEN and referral.decision == "deferred"


def test_an_early_identification_referral_takes_the_agreed_band_and_the_needs_from_review(region):
    from yep.identify import services as identify
    from yep.identify.models import Attendance, Band
    from yep.identify.services import IndicatorSetting

    pupil = factories.make_person("681", legal_forenames="Lowri", legal_surname="Morgan", dob="2012-01-15",
                                  upn=factories.valid_upn("681"))
    factories.enrol(pupil, region.school, year_group=10)
    Attendance.objects.create(person=pupil, academic_year=2026, term="autumn", sessions_possible=100,
                              sessions_attended=99)
    model = identify.create_model_version(
        region.la, name="Test", thresholds=(3, 6, 9), indicators=[
            IndicatorSetting("attendance_current", 3, [90, 80]), IndicatorSetting("exclusions_current", 3, [1]),
            IndicatorSetting("ks2_under", 1, [1])], actor=region.epc, context=TEST)
    run = identify.create_run(model, academic_year=2026, term="autumn", as_of=datetime.date(2026, 11, 20),
                              actor=region.epc, context=TEST)
    result = run.results.get(person=pupil)
    identify.review_result(result, agreed_band=Band.HIGH, reason="Known to be struggling", support_needs=["careers"],
                           actor=region.epc, context=TEST)
    referral = factories.make_referral(pupil, source="early_identification", needs=())
    assert (referral.risk_band, referral.risk_result, referral.needs) == ("high", result, ["careers"])
