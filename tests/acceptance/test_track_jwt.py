"""Acceptance scenario AT-15, JWT tracking (spec/framework-wales.md, R77 with R46 and R65): a 16 year old in a job
without training is on the careers service's priority list; the adviser logs a contact and arranges a college day
release at Level 2; once it is accepted and starts, the JWT flag clears, the tier stays 5, and the Youth Guarantee
status says employment with training at Level 2 or above."""

from django.utils import timezone

from tests.track import test_jwt_setup
from tests.track.test_jwt_setup import days_ago
from yep.access.models import AuditEvent
from yep.track import jwt
from yep.track.models import Activity, CareersContact, TrainingOffer
from yep.track.queries import person_timeline

careers, employer, jwt_worker = test_jwt_setup.careers, test_jwt_setup.employer, test_jwt_setup.jwt_worker


def test_at15_a_job_without_training_is_followed_up_until_training_starts(client, region, careers, jwt_worker):
    # 1. A 16 year old: tier 5, 30 hours a week, employer training none: on the careers adviser's priority list.
    ffion = jwt_worker("Ffion", "Evans", age=16, hours=30, since=45)
    jwt_worker("Owain", "Price", age=17, hours=37, since=300)
    status = person_timeline(ffion).now
    assert (status.tier, status.jwt, status.academic_age) == (5, True, 16)
    client.force_login(careers.adviser)
    listed = client.get("/track/jwt/").content.decode()
    assert listed.index(f'data-testid="jwt-{ffion.pk}"') < listed.index("Owain")  # 16 year olds first
    assert [r.person for r in jwt.jwt_list_for(careers.adviser)][0] == ffion

    # 2. The adviser logs a contact and arranges a college day release at Level 2; it is accepted.
    page = f"/track/jwt/{ffion.pk}/"
    assert client.post(page, {"action": "contact", "method": "phone", "outcome": "contacted",
                              "notes": "Would like to train in hospitality."}).status_code == 302
    assert client.post(page, {"action": "offer", "kind": "day_release", "provider": region.college.pk,
                              "level": "2", "starts_on": days_ago(-7).isoformat()}).status_code == 302
    offer = TrainingOffer.objects.get(person=ffion)
    assert (offer.kind, offer.level, offer.provider, offer.status) == ("day_release", 2, region.college, "arranged")
    assert client.post(page, {"action": "decision", "offer": offer.pk, "status": "accepted"}).status_code == 302
    row = jwt.jwt_list_for(careers.adviser)[0]
    assert (row.person, row.last_contact, row.open_offer.status) == (ffion, CareersContact.objects.get(), "accepted")
    assert jwt.guarantee_status(ffion).counts is False

    # 3. Once it starts, the JWT flag clears (tier still 5) and the guarantee counts employment with training.
    assert client.post(page, {"action": "commence", "offer": offer.pk,
                              "on": timezone.localdate().isoformat()}).status_code == 302
    offer.refresh_from_db()
    started = Activity.objects.get(pk=offer.activity_id)
    assert (started.training_level, started.hours_per_week, started.organisation.name) == (2, 30, "Caffi'r Bae")
    status = person_timeline(ffion).now
    assert (status.tier, status.jwt) == (5, False)
    assert ffion not in [r.person for r in jwt.jwt_list_for(careers.adviser)]
    assert f"jwt-{ffion.pk}" not in client.get("/track/jwt/").content.decode()
    guarantee = jwt.guarantee_status(ffion)
    assert (guarantee.code, guarantee.counts) == ("employment_with_training", True)
    assert str(guarantee.label) == "Employment with training at Level 2 or above (counts)"
    assert "Employment with training at Level 2 or above" in client.get(page).content.decode()
    audited = AuditEvent.objects.filter(person_id=ffion.pk, object_type__in=("careers_contact", "training_offer"))
    assert audited.count() == 4  # the contact, the offer, the answer, the start
