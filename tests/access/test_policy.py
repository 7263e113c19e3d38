"""Who sees which young people: deny by default, by role and live relationship (allowed, refused, elevated)."""

import datetime

import pytest
from django.http import Http404

from tests import factories
from yep.access.models import AuditEvent
from yep.access.policy import can_see_sensitive, decide, get_person_for, people_visible_to
from yep.people import services


def test_school_staff_see_their_current_pupils(region):
    assert list(people_visible_to(region.school_staff)) == [region.pupil]


def test_school_staff_do_not_see_another_schools_pupils_or_their_former_pupils(region):
    services.end_enrolment(region.pupil.enrolments.get(), end=datetime.date(2021, 7, 20), reason="moved_la",
                           actor="test", context=factories.TEST)
    assert list(people_visible_to(region.school_staff)) == []


def test_an_epc_sees_everyone_resident_or_educated_in_their_la(region):
    assert set(people_visible_to(region.epc)) == {region.pupil}
    assert set(people_visible_to(region.other_epc)) == {region.other_pupil, region.resident_elsewhere}


def test_an_epc_sees_a_pupil_educated_in_their_la_who_lives_elsewhere(region):
    factories.enrol(region.resident_elsewhere, region.school)
    assert region.resident_elsewhere in people_visible_to(region.epc)


def test_government_analysts_see_no_named_record(region):
    assert not people_visible_to(region.analyst).exists()


def test_a_user_whose_membership_has_ended_sees_nobody(region):
    region.epc.memberships.update(end=datetime.date(2021, 1, 1))
    assert not people_visible_to(region.epc).exists()


def test_reading_a_record_you_may_not_see_is_the_same_404_as_no_record_and_is_logged(region):
    with pytest.raises(Http404) as refused:
        get_person_for(region.school_staff, region.other_pupil.pk, "casework", factories.TEST)
    with pytest.raises(Http404) as missing:
        get_person_for(region.school_staff, 999_999, "casework", factories.TEST)
    assert str(refused.value) == str(missing.value)
    assert AuditEvent.objects.filter(actor=region.school_staff, action="denied").count() == 2


def test_reading_a_record_you_may_see_is_logged(region):
    person, decision = get_person_for(region.epc, region.pupil.pk, "casework", factories.TEST)
    assert person == region.pupil and decision.can_change
    assert AuditEvent.objects.filter(actor=region.epc, action="view", person_id=region.pupil.pk).exists()


def test_the_epc_and_the_school_see_a_pupils_sensitive_characteristics_and_the_analyst_does_not(region):
    assert can_see_sensitive(region.epc, region.pupil.pk)
    assert can_see_sensitive(region.school_staff, region.pupil.pk)
    assert not can_see_sensitive(region.analyst, region.pupil.pk)


def test_a_decision_names_its_grounds(region):
    decision = decide(region.school_staff, region.pupil.pk)
    assert decision.grounds == ("Pupil at Ysgol Gyfun Glantaf",)
