"""Jobs without training pages: the careers service's priority list and its CSV download, one young person's
follow-up with its forms, and who may use each."""

import csv
import io

from django.utils import timezone

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.track.models import CareersContact, TrainingOffer
from yep.track.services_jwt import arrange_offer, log_jwt_contact

from . import test_jwt_setup
from .test_jwt_setup import days_ago

careers, employer, jwt_worker = test_jwt_setup.careers, test_jwt_setup.employer, test_jwt_setup.jwt_worker


def test_the_careers_adviser_sees_the_list_filters_it_by_age_and_downloads_it(client, region, careers, jwt_worker):
    ffion, owain = jwt_worker("Ffion", age=16), jwt_worker("Owain", age=17)
    client.force_login(careers.adviser)
    page = client.get("/track/jwt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'data-testid="jwt-{ffion.pk}"') < html.index(f'data-testid="jwt-{owain.pk}"')
    assert f'href="/track/jwt/{ffion.pk}/"' in html and "Caffi&#x27;r Bae" in html and "Not contacted" in html
    only17 = client.get("/track/jwt/?age=17").content.decode()
    assert f'data-testid="jwt-{owain.pk}"' in only17 and f'data-testid="jwt-{ffion.pk}"' not in only17
    download = client.get("/track/jwt/export.csv")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["person_id"], r["academic_age"], r["employer"], r["hours_per_week"]) for r in rows] == [
        (str(ffion.pk), "16", "Caffi'r Bae", "30"), (str(owain.pk), "17", "Caffi'r Bae", "30")]
    exported = AuditEvent.objects.get(action="export", object_type="jwt_list")
    assert exported.detail["people"] == [ffion.pk, owain.pk] and exported.actor == careers.adviser
    assert AuditEvent.objects.filter(action="view", object_type="jwt_list").count() == 2


def test_staff_without_the_permission_are_refused(client, region, careers, jwt_worker):
    ffion = jwt_worker()
    for user in (region.school_staff, region.provider_staff, region.analyst):
        client.force_login(user)
        for url in ("/track/jwt/", "/track/jwt/export.csv", f"/track/jwt/{ffion.pk}/"):
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(f"/track/jwt/{ffion.pk}/", {"action": "contact", "method": "phone",
                                                       "outcome": "contacted"}).status_code == 403
    assert not CareersContact.objects.exists()


def test_another_areas_careers_adviser_and_epc_see_none_of_it(client, region, careers, jwt_worker):
    ffion = jwt_worker()
    for user in (careers.other_adviser, region.other_epc):
        client.force_login(user)
        assert f"jwt-{ffion.pk}" not in client.get("/track/jwt/").content.decode()
        assert str(ffion.pk) not in client.get("/track/jwt/export.csv").content.decode().split("\r\n", 1)[1]
        assert client.get(f"/track/jwt/{ffion.pk}/").status_code == 404
        assert client.post(f"/track/jwt/{ffion.pk}/", {"action": "contact", "method": "phone",
                                                       "outcome": "contacted"}).status_code == 404
    assert not CareersContact.objects.exists()
    assert AuditEvent.objects.filter(action="denied", person_id=ffion.pk).count() == 4


def test_the_list_page_costs_a_fixed_number_of_queries(client, region, careers, jwt_worker,
                                                       django_assert_max_num_queries):
    for n in range(5):
        person = jwt_worker(f"Person{n}")
        log_jwt_contact(person, method="phone", outcome="contacted", actor=careers.adviser, context=TEST)
        arrange_offer(person, kind="day_release", provider=region.college, level=2, starts_on=days_ago(-7),
                      actor=careers.adviser, context=TEST)
    client.force_login(careers.adviser)
    with django_assert_max_num_queries(25):
        assert client.get("/track/jwt/").status_code == 200


def test_the_adviser_logs_a_contact_and_arranges_an_offer_from_the_young_persons_page(client, region, careers,
                                                                                     jwt_worker):
    ffion = jwt_worker()
    client.force_login(careers.adviser)
    page = client.get(f"/track/jwt/{ffion.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="employer">Caffi&#x27;r Bae' in html
    assert "Job without training (does not count)" in html
    done = client.post(f"/track/jwt/{ffion.pk}/", {"action": "contact", "method": "phone", "outcome": "contacted",
                                                   "notes": "Interested in catering."})
    assert done.status_code == 302 and done["Location"] == f"/track/jwt/{ffion.pk}/"
    assert CareersContact.objects.get().notes == "Interested in catering."
    done = client.post(f"/track/jwt/{ffion.pk}/", {"action": "offer", "kind": "day_release",
                                                   "provider": region.college.pk, "level": "2",
                                                   "starts_on": days_ago(-10).isoformat()})
    assert done.status_code == 302
    offer = TrainingOffer.objects.get()
    assert (offer.kind, offer.provider, offer.level) == ("day_release", region.college, 2)
    assert f'data-testid="offer-{offer.pk}"' in client.get(f"/track/jwt/{ffion.pk}/").content.decode()


def test_a_bad_offer_shows_every_problem_keeps_what_was_typed_and_saves_nothing(client, region, careers,
                                                                                jwt_worker):
    ffion = jwt_worker()
    client.force_login(careers.adviser)
    page = client.post(f"/track/jwt/{ffion.pk}/", {"action": "offer", "kind": "day_release", "provider": "",
                                                   "level": "9", "starts_on": "31/02/2026", "notes": "Tuesdays"})
    assert page.status_code == 200
    assert set(page.context["errors"]) == {"provider", "level", "starts_on"}
    html = page.content.decode()
    assert 'data-testid="errors"' in html and 'href="#offer-level"' in html
    assert 'value="31/02/2026"' in html and "Tuesdays</textarea>" in html
    assert not TrainingOffer.objects.exists()


def test_the_answer_and_the_start_are_recorded_and_the_young_person_leaves_the_list(client, region, careers,
                                                                                   jwt_worker):
    ffion = jwt_worker()
    offer = arrange_offer(ffion, kind="day_release", provider=region.college, level=2, starts_on=days_ago(-7),
                          actor=careers.adviser, context=TEST)
    client.force_login(careers.adviser)
    assert client.post(f"/track/jwt/{ffion.pk}/", {"action": "decision", "offer": offer.pk,
                                                   "status": "accepted"}).status_code == 302
    future = client.post(f"/track/jwt/{ffion.pk}/", {"action": "commence", "offer": offer.pk,
                                                     "on": days_ago(-3).isoformat()})
    assert future.status_code == 200 and set(future.context["errors"]) == {"on"}
    assert f'href="#offer-{offer.pk}-on"' in future.content.decode()
    started = client.post(f"/track/jwt/{ffion.pk}/", {"action": "commence", "offer": offer.pk,
                                                      "on": timezone.localdate().isoformat()})
    assert started.status_code == 302
    html = client.get(f"/track/jwt/{ffion.pk}/").content.decode()
    assert 'data-testid="not-jwt"' in html and "Employment with training at Level 2 or above (counts)" in html
    assert f"jwt-{ffion.pk}" not in client.get("/track/jwt/").content.decode()
