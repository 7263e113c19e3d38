"""The jobs-without-training API: the priority list, contacts, offers with their answer and start, and the Youth
Guarantee status; who may use each, and what bad input gets back."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.track.models import CareersContact, TrainingOffer
from yep.track.services_jwt import arrange_offer

from . import test_jwt_setup
from .test_jwt_setup import days_ago

careers, employer, jwt_worker = test_jwt_setup.careers, test_jwt_setup.employer, test_jwt_setup.jwt_worker

JSON = "application/json"
API = "/api/v1/track"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def _offer(region, person, actor):
    return arrange_offer(person, kind="day_release", provider=region.college, level=2, starts_on=days_ago(-7),
                         actor=actor, context=TEST)


def test_the_careers_adviser_reads_the_list_and_others_are_refused_or_see_none(client, region, careers,
                                                                              jwt_worker, bearer):
    ffion, owain = jwt_worker("Ffion", age=16), jwt_worker("Owain", age=17)
    listed = client.get(f"{API}/jwt", **bearer(careers.adviser))
    assert listed.status_code == 200
    assert [(r["person_id"], r["academic_age"], r["employer"], r["hours_per_week"], r["tier"])
            for r in listed.json()] == [(ffion.pk, 16, "Caffi'r Bae", 30, 5), (owain.pk, 17, "Caffi'r Bae", 30, 5)]
    assert [r["person_id"] for r in client.get(f"{API}/jwt?age=17", **bearer(careers.adviser)).json()] == [owain.pk]
    assert client.get(f"{API}/jwt?age=15", **bearer(careers.adviser)).status_code == 422
    assert client.get(f"{API}/jwt", **bearer(region.school_staff)).status_code == 403
    assert client.get(f"{API}/jwt", **bearer(careers.other_adviser)).json() == []
    assert AuditEvent.objects.filter(object_type="jwt_list", action="view").count() == 3


def test_a_contact_is_logged_for_the_adviser_and_refused_to_anyone_else(client, region, careers, jwt_worker,
                                                                         bearer):
    ffion = jwt_worker()
    url = f"{API}/jwt/{ffion.pk}/contacts"
    body = {"method": "phone", "outcome": "contacted", "notes": "Keen."}
    made = client.post(url, body, content_type=JSON, **bearer(careers.adviser))
    assert made.status_code == 201 and (made.json()["outcome"], made.json()["by"]) == ("contacted", "cw.adviser")
    assert client.post(url, body, content_type=JSON, **bearer(region.provider_staff)).status_code == 403
    assert client.post(url, body, content_type=JSON, **bearer(careers.other_adviser)).status_code == 404
    assert client.post(f"{API}/jwt/999999/contacts", body, content_type=JSON,
                       **bearer(careers.adviser)).status_code == 404
    bad = client.post(url, {"method": "pigeon", "outcome": "contacted"}, content_type=JSON,
                      **bearer(careers.adviser))
    assert bad.status_code == 422
    assert CareersContact.objects.count() == 1


def test_an_offer_with_a_bad_level_and_date_gets_every_problem_and_saves_nothing(client, region, careers,
                                                                                 jwt_worker, bearer):
    ffion = jwt_worker()
    auth = bearer(careers.adviser)
    bad = client.post(f"{API}/jwt/{ffion.pk}/offers", {"kind": "day_release", "provider_id": region.college.pk,
                                                        "level": 0, "starts_on": days_ago(500).isoformat()},
                      content_type=JSON, **auth)
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"level", "starts_on"}
    unknown = client.post(f"{API}/jwt/{ffion.pk}/offers", {"kind": "day_release", "provider_id": 999999,
                                                            "level": 2, "starts_on": days_ago(-7).isoformat()},
                          content_type=JSON, **auth)
    assert unknown.status_code == 400 and set(unknown.json()["errors"]) == {"provider_id"}
    assert not TrainingOffer.objects.exists()
    made = client.post(f"{API}/jwt/{ffion.pk}/offers", {"kind": "day_release", "provider_id": region.college.pk,
                                                         "level": 2, "starts_on": days_ago(-7).isoformat()},
                       content_type=JSON, **auth)
    assert made.status_code == 201 and (made.json()["status"], made.json()["level"]) == ("arranged", 2)


def test_the_answer_and_the_start_clear_the_jwt_and_the_guarantee_counts(client, region, careers, jwt_worker,
                                                                          bearer):
    ffion = jwt_worker()
    offer = _offer(region, ffion, careers.adviser)
    auth = bearer(careers.adviser)
    status = client.get(f"{API}/people/{ffion.pk}/guarantee-status", **auth).json()
    assert (status["code"], status["counts"]) == ("jwt", False)
    accepted = client.post(f"{API}/jwt/offers/{offer.pk}/decision", {"status": "accepted"}, content_type=JSON,
                           **auth)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    started = client.post(f"{API}/jwt/offers/{offer.pk}/commence", {"on": timezone.localdate().isoformat()},
                          content_type=JSON, **auth)
    assert started.status_code == 200 and started.json()["activity_id"] is not None
    status = client.get(f"{API}/people/{ffion.pk}/guarantee-status", **auth).json()
    assert (status["code"], status["counts"]) == ("employment_with_training", True)
    assert client.get(f"{API}/jwt", **auth).json() == []


def test_another_area_cannot_see_or_settle_an_offer_or_read_the_guarantee(client, region, careers, jwt_worker,
                                                                          bearer):
    ffion = jwt_worker()
    offer = _offer(region, ffion, careers.adviser)
    for user in (careers.other_adviser, region.other_epc):
        auth = bearer(user)
        assert client.post(f"{API}/jwt/offers/{offer.pk}/decision", {"status": "declined"}, content_type=JSON,
                           **auth).status_code == 404
        assert client.post(f"{API}/jwt/offers/{offer.pk}/commence", {"on": timezone.localdate().isoformat()},
                           content_type=JSON, **auth).status_code == 404
        assert client.get(f"{API}/people/{ffion.pk}/guarantee-status", **auth).status_code == 404
    assert client.post(f"{API}/jwt/offers/{offer.pk}/decision", {"status": "accepted"}, content_type=JSON,
                       **bearer(region.school_staff)).status_code == 403
    offer.refresh_from_db()
    assert offer.status == "arranged"


def test_a_settled_offer_or_a_future_start_is_a_clear_400(client, region, careers, jwt_worker, bearer):
    ffion = jwt_worker()
    offer = _offer(region, ffion, careers.adviser)
    auth = bearer(careers.adviser)
    future = client.post(f"{API}/jwt/offers/{offer.pk}/commence", {"on": days_ago(-2).isoformat()},
                         content_type=JSON, **auth)
    assert future.status_code == 400 and set(future.json()["errors"]) == {"on"}
    client.post(f"{API}/jwt/offers/{offer.pk}/decision", {"status": "withdrawn"}, content_type=JSON, **auth)
    again = client.post(f"{API}/jwt/offers/{offer.pk}/decision", {"status": "accepted"}, content_type=JSON, **auth)
    assert again.status_code == 400 and set(again.json()["errors"]) == {"status"}


def test_the_jwt_routes_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for route in ("/jwt", "/jwt/{person_id}/contacts", "/jwt/{person_id}/offers", "/jwt/offers/{offer_id}/decision",
                  "/jwt/offers/{offer_id}/commence", "/people/{person_id}/guarantee-status"):
        assert f"{API}{route}" in paths
