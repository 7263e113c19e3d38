"""R25: an LA's rule carrying the risk agreed before 16 into the first months of post-16 education or training as
tier 4 at that level; the EPC sets it on a page and through the API; nobody else may; bad values change nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yep.access.models import AuditEvent
from yep.identify.models import Result, RiskModel, Run, RunStatus
from yep.people.models import ActivityCode
from yep.track import queries, services_rules
from yep.track.models import PostSixteenRiskRule
from yep.track.risk import risk_levels
from yep.track.services import record_activities

from ..factories import TEST

TODAY = timezone.localdate()
STARTED = TODAY - datetime.timedelta(days=40)  # began college 40 days ago


def _released_band(region, person, band, agreed=""):
    """``person`` in a released Year 11 run of the LA's model, scored ``band`` (``agreed`` at review)."""
    model = RiskModel.objects.create(la=region.la, version=RiskModel.objects.count() + 1, name="EI",
                                     threshold_low=3, threshold_medium=6, threshold_high=9)
    run = Run.objects.create(la=region.la, model=model, academic_year=TODAY.year - 2, term="spring",
                             as_of=TODAY - datetime.timedelta(days=400), status=RunStatus.PUBLISHED)
    Result.objects.create(run=run, person=person, school=region.school, year_group=11, inputs=[], points=[],
                          score=9, band=band, agreed_band=agreed)


@pytest.fixture(name="at_college")
def at_college_fixture(region):
    """The region's pupil, full time at college (tier 5 without a rule), flagged high before 16."""
    record_activities([{"person_id": region.pupil.pk, "code_id": ActivityCode.objects.get(code=230).pk,
                        "start": STARTED, "end": None, "hours_per_week": 21, "organisation_id": region.college.pk,
                        "source": "provider"}], actor="test", context=TEST)
    _released_band(region, region.pupil, "high")
    return region.pupil


def _status(person, on=TODAY):
    return queries.person_timeline(person).as_at if on == TODAY else queries.person_timeline(person, on=on).as_at


def test_with_the_rule_on_a_high_band_before_16_is_tier_4_high_for_the_months_set(region, at_college):
    assert _status(at_college).tier == 5  # no rule: the LA has not turned it on
    services_rules.set_post16_risk_rule(region.la, enabled=True, min_band="high", months=3, actor=region.epc,
                                        context=TEST)
    status = _status(at_college)
    assert (status.tier, status.risk) == (4, "high")
    assert risk_levels(TODAY) == {at_college.pk: "high"}
    # Three months after starting, the carried risk has run out.
    assert risk_levels(STARTED + datetime.timedelta(days=100)) == {}
    # And the tier counts use it.
    assert queries.cohort_tiers(region.epc, TODAY).rows()[3]["total"] == 1


def test_the_agreed_band_counts_and_a_band_under_the_threshold_is_not_carried(region, at_college):
    services_rules.set_post16_risk_rule(region.la, enabled=True, min_band="high", months=12, actor=region.epc,
                                        context=TEST)
    _released_band(region, at_college, "high", agreed="medium")  # a later run, lowered at review
    assert risk_levels(TODAY) == {}
    services_rules.set_post16_risk_rule(region.la, enabled=True, min_band="medium", months=12, actor=region.epc,
                                        context=TEST)
    assert risk_levels(TODAY) == {at_college.pk: "medium"}
    services_rules.set_post16_risk_rule(region.la, enabled=False, min_band="medium", months=12, actor=region.epc,
                                        context=TEST)
    assert risk_levels(TODAY) == {}


def test_only_the_las_own_epc_may_set_the_rule_and_bad_values_change_nothing(region):
    with pytest.raises(PermissionDenied):
        services_rules.set_post16_risk_rule(region.la, enabled=True, min_band="high", months=12,
                                            actor=region.other_epc, context=TEST)
    assert AuditEvent.objects.filter(action="denied", object_type="post16_risk_rule").exists()
    with pytest.raises(ValidationError) as error:
        services_rules.set_post16_risk_rule(region.la, enabled=True, min_band="amber", months=0, actor=region.epc,
                                            context=TEST)
    assert set(error.value.message_dict) == {"min_band", "months"}
    assert not PostSixteenRiskRule.objects.exists()


def test_the_epc_turns_the_rule_on_in_the_page_and_sees_errors_in_their_words(client, region):
    client.force_login(region.epc)
    page = client.get(reverse("track:post16_risk_rule")).content.decode()
    assert 'data-testid="rule-form"' in page
    assert 'id="enabled-no" name="enabled" type="radio" value="no" checked' in page
    bad = client.post(reverse("track:post16_risk_rule"), {"enabled": "yes", "min_band": "high", "months": "thirty"})
    assert bad.status_code == 200 and "Enter a whole number of months from 1 to 24." in bad.content.decode()
    assert 'value="thirty"' in bad.content.decode() and not PostSixteenRiskRule.objects.exists()
    done = client.post(reverse("track:post16_risk_rule"), {"enabled": "yes", "min_band": "medium", "months": "6"})
    assert done.status_code == 302
    rule = PostSixteenRiskRule.objects.get(la=region.la)
    assert (rule.enabled, rule.min_band, rule.months, rule.updated_by) == (True, "medium", 6, region.epc)
    event = AuditEvent.objects.get(object_type="post16_risk_rule", action="change")
    assert event.detail["after"] == {"enabled": True, "min_band": "medium", "months": 6}


def test_the_rule_page_and_api_are_for_the_epc_only(client, region):
    client.force_login(region.school_staff)
    assert client.get(reverse("track:post16_risk_rule")).status_code == 403
    client.force_login(region.epc)
    response = client.put("/api/v1/track/rules/post16-risk", {"enabled": True, "min_band": "high", "months": 9},
                          content_type="application/json")
    assert response.status_code == 200 and response.json() == {"la": region.la.ref, "enabled": True,
                                                              "min_band": "high", "months": 9}
    assert client.get("/api/v1/track/rules/post16-risk").json()["months"] == 9
    bad = client.put("/api/v1/track/rules/post16-risk", {"enabled": True, "min_band": "red", "months": 9},
                     content_type="application/json")
    assert bad.status_code == 400 and "min_band" in bad.json()["errors"]
