"""Recording what a young person is doing, one activity at a time: by the careers service on the timeline tab and
by a partner through the API; the tier follows; nobody else may; bad input is explained field by field and
changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yep.access.models import AuditEvent
from yep.people.models import OrganisationKind, Role
from yep.track import queries
from yep.track.models import Activity
from yep.track.services import record_activity

from .. import factories
from ..factories import TEST

TODAY = timezone.localdate()


@pytest.fixture(name="sixteen")
def sixteen_fixture(region):
    """Owain, 16, of whom nothing is known yet, and Cardiff's careers adviser."""
    year = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
    owain = factories.make_person("681", legal_forenames="Owain", legal_surname="Lewis", dob=f"{year - 16}-01-15")
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    return owain, factories.make_user(Role.CAREERS_ADVISER, careers, "cw")


def test_the_adviser_records_college_and_the_tier_follows(client, region, sixteen):
    owain, adviser = sixteen
    assert queries.person_timeline(owain).now.tier == 1
    client.force_login(adviser)
    timeline = client.get(reverse("track:person_timeline", args=[owain.pk])).content.decode()
    assert 'data-testid="record-activity"' in timeline
    response = client.post(reverse("track:record_activity", args=[owain.pk]), {
        "code": "230", "start": (TODAY - datetime.timedelta(days=20)).isoformat(), "hours_per_week": "21",
        "organisation": str(region.college.pk), "source": "young_person", "confidence": "medium"})
    assert response.status_code == 302
    activity = Activity.objects.get(person=owain)
    assert (activity.code.code, activity.hours_per_week, activity.organisation, activity.source,
            activity.confidence) == (230, 21, region.college, "young_person", "medium")
    assert queries.person_timeline(owain).now.tier == 5
    timeline = client.get(reverse("track:person_timeline", args=[owain.pk])).content.decode()
    assert "Full-time education: further education" in timeline and "Medium" in timeline
    assert AuditEvent.objects.filter(action="create", object_type="activity", person_id=owain.pk).exists()


def test_bad_input_is_explained_by_field_and_nothing_is_recorded(client, region, sixteen):
    owain, adviser = sixteen
    client.force_login(adviser)
    response = client.post(reverse("track:record_activity", args=[owain.pk]), {
        "code": "999", "start": (TODAY + datetime.timedelta(days=3)).isoformat(), "hours_per_week": "200",
        "training_level": "2", "source": "careers_service"})
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("Choose an activity code from the list.", "The activity cannot start in the future.",
                    "Enter the hours a week as a whole number from 0 to 168."):
        assert message in page
    assert 'value="200"' in page and not Activity.objects.filter(person=owain).exists()
    with pytest.raises(ValidationError) as error:
        record_activity(owain, code=619, start=TODAY, training_level=3, actor=adviser, context=TEST)
    assert error.value.message_dict == {"training_level": ["A training level goes with employment or training only."]}


def test_school_staff_and_another_las_epc_may_not_record(client, region, sixteen):
    owain, _adviser = sixteen
    with pytest.raises(PermissionDenied):
        record_activity(owain, code=619, start=TODAY, actor=region.school_staff, context=TEST)
    client.force_login(region.other_epc)
    assert client.get(reverse("track:record_activity", args=[owain.pk])).status_code == 404
    response = client.post(f"/api/v1/track/people/{owain.pk}/activities", {"code": 619, "start": TODAY.isoformat()},
                           content_type="application/json")
    assert response.status_code == 404
    assert not Activity.objects.filter(person=owain).exists()
    assert AuditEvent.objects.filter(action="denied", person_id=owain.pk).exists()


def test_a_partner_records_an_activity_through_the_api(client, region, sixteen):
    owain, adviser = sixteen
    client.force_login(adviser)
    response = client.post(f"/api/v1/track/people/{owain.pk}/activities",
                           {"code": 619, "start": (TODAY - datetime.timedelta(days=2)).isoformat()},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["code"] == 619
    assert queries.person_timeline(owain).now.tier == 3
    assert client.get(f"/api/v1/track/people/{owain.pk}/timeline").json()["activities"][0]["confidence"] == "high"
    bad = client.post(f"/api/v1/track/people/{owain.pk}/activities", {"code": 619, "start": TODAY.isoformat(),
                                                                      "source": "gossip", "confidence": "sure"},
                      content_type="application/json")
    assert bad.status_code == 400 and {"source", "confidence"} <= set(bad.json()["errors"])
    assert Activity.objects.filter(person=owain).count() == 1
