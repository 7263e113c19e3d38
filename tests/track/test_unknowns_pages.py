"""The unknowns pages and API: the careers service's queue, logging a contact, the youth workers' restricted
report form (told only matched or not), the reports list, the intake queue and reporting a move; who may use each."""

import pytest
from django.utils import timezone

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.tasks.models import Task
from yep.track.models import Activity, CareersContact, ContactReport, LaMove
from yep.track.queries import person_timeline
from yep.track.services_unknowns import report_contact

from . import test_unknowns
from .notification_setup import days_ago
from .test_unknowns import make_unknown, youth_service_of

# Fixtures shared with the unknowns service tests (pytest finds them by these names).
careers, npt, youth_worker = test_unknowns.careers, test_unknowns.npt, test_unknowns.youth_worker

API = "/api/v1/track"


# The queue ---------------------------------------------------------------------------------------------------------


def test_the_careers_adviser_sees_the_queue_with_leads_and_filters_it(client, region, careers,
                                                                      django_assert_max_num_queries):
    lost = make_unknown("Lost", code=810, started=90)
    region_pupil = region.pupil  # at school with no activity: a school list lead
    client.force_login(careers.adviser)
    with django_assert_max_num_queries(30):
        page = client.get("/track/unknowns/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-testid="unknown-{lost.pk}"' in body and f"/track/unknowns/{lost.pk}/contact/" in body
    schools = client.get("/track/unknowns/", {"source": "school_list"}).content.decode()
    assert f'data-testid="unknown-{region_pupil.pk}"' in schools and f'data-testid="unknown-{lost.pk}"' not in schools
    none = client.get("/track/unknowns/", {"source": "none", "age": "17"}).content.decode()
    assert f'data-testid="unknown-{lost.pk}"' in none
    assert AuditEvent.objects.filter(actor=careers.adviser, object_type="unknowns").count() == 3


def test_a_youth_worker_and_a_school_cannot_open_the_queue_and_another_la_sees_none_of_ours(
        client, region, careers, youth_worker):
    lost = make_unknown("Lost", code=810)
    for outsider in (youth_worker, region.school_staff):
        client.force_login(outsider)
        assert client.get("/track/unknowns/").status_code == 403
        assert client.get("/track/intake/").status_code == 403
        assert client.get("/track/contact-reports/").status_code == 403
        assert client.get(f"/track/unknowns/{lost.pk}/contact/").status_code == 403
        assert client.get(f"{API}/unknowns").status_code == 403
    client.force_login(region.other_epc)
    assert f"unknown-{lost.pk}" not in client.get("/track/unknowns/").content.decode()
    assert client.get(f"/track/unknowns/{lost.pk}/contact/").status_code == 404
    assert client.get(f"/track/moves/new/{lost.pk}/").status_code == 404
    assert lost.pk not in [u["person_id"] for u in client.get(f"{API}/unknowns").json()["items"]]


# Logging a contact -------------------------------------------------------------------------------------------------


def test_logging_a_confirmed_contact_moves_the_young_person_out_of_tier_1(client, region, careers):
    lost = make_unknown("Lost", code=810)
    client.force_login(careers.adviser)
    form = client.get(f"/track/unknowns/{lost.pk}/contact/")
    assert form.status_code == 200
    done = client.post(f"/track/unknowns/{lost.pk}/contact/", {
        "purpose": "tracing", "method": "phone", "source": "family", "outcome": "confirmed", "code": "619"})
    assert done.status_code == 302 and done["Location"] == "/track/unknowns/"
    assert person_timeline(lost).now.tier == 3


def test_a_bad_contact_is_shown_with_its_errors_and_what_was_typed(client, region, careers):
    lost = make_unknown("Lost")
    client.force_login(careers.adviser)
    page = client.post(f"/track/unknowns/{lost.pk}/contact/", {
        "purpose": "tracing", "method": "phone", "outcome": "confirmed", "code": "619", "start": "2026-02-31",
        "notes": "Kept"})
    assert page.status_code == 200 and 'data-testid="errors"' in page.content.decode()
    assert set(page.context["errors"]) == {"start"} and page.context["form"]["notes"] == "Kept"
    assert not CareersContact.objects.exists() and not Activity.objects.filter(person=lost).exists()


# Report a contact -------------------------------------------------------------------------------------------------


def test_the_youth_worker_is_told_only_that_it_matched(client, region, careers, youth_worker):
    person = make_unknown("Pritchard", forenames="Ffion", phone="07700900123", address_line1="1 Heol y Coed")
    client.force_login(youth_worker)
    assert client.get("/track/contact-report/").status_code == 200
    sent = client.post("/track/contact-report/", {
        "organisation": youth_service_of(youth_worker).pk, "forenames": "Ffion", "surname": "Pritchard",
        "dob": person.dob.isoformat(), "seen_on": days_ago(1).isoformat(), "where": "Skate park"}, follow=True)
    body = sent.content.decode()
    assert "Matched: the careers service will follow this up." in body
    # The id as a page would show it (a bare digit would also be found inside the random CSRF token).
    shown_id = (f'"{person.pk}"', f">{person.pk}<", f"/{person.pk}/", f"={person.pk}&", f"={person.pk}\"")
    for secret in (*shown_id, "1 Heol y Coed", "07700900123", "Tier", "tier", f"/people/{person.pk}"):
        assert secret not in body.replace(f'value="{youth_service_of(youth_worker).pk}"', "")
    assert ContactReport.objects.get().person == person
    api = client.post(f"{API}/contact-reports", {"forenames": "Nobody", "surname": "Known", "dob": "2009-01-02",
                                                 "seen_on": days_ago(1).isoformat()}, content_type="application/json")
    assert api.status_code == 201 and api.json() == {"status": "no_match",
                                                     "message": "No match: the careers service will look into it."}


def test_a_bad_report_keeps_what_was_typed_and_writes_nothing(client, region, youth_worker):
    client.force_login(youth_worker)
    page = client.post("/track/contact-report/", {
        "organisation": youth_service_of(youth_worker).pk, "forenames": "Ffion", "surname": "",
        "dob": "31/31/2009", "seen_on": "tomorrow"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"surname", "dob", "seen_on"}
    assert page.context["form"]["forenames"] == "Ffion"
    bad = client.post(f"{API}/contact-reports", {"forenames": "A", "surname": "B", "dob": "2009-01-02",
                                                 "seen_on": "2099-01-01"}, content_type="application/json")
    assert bad.status_code == 400 and "seen_on" in bad.json()["errors"]
    assert not ContactReport.objects.exists()


def test_the_careers_service_closes_a_report_from_its_list(client, region, careers, youth_worker):
    person = make_unknown("Pritchard", forenames="Ffion")
    report = report_contact(organisation=youth_service_of(youth_worker), forenames="Ffion", surname="Pritchard",
                            dob=person.dob, seen_on=days_ago(1), actor=youth_worker, context=TEST)
    client.force_login(region.other_epc)
    assert f"report-{report.pk}" not in client.get("/track/contact-reports/").content.decode()
    assert client.post("/track/contact-reports/", {"report": report.pk}).status_code == 404
    client.force_login(careers.adviser)
    assert f'data-testid="report-{report.pk}"' in client.get("/track/contact-reports/").content.decode()
    assert client.post("/track/contact-reports/", {"report": report.pk}).status_code == 302
    assert ContactReport.objects.get().status == "closed"


# Moves and intake --------------------------------------------------------------------------------------------------


def test_a_move_reported_on_the_page_reaches_the_new_las_intake_where_it_is_accepted(client, region, careers, npt):
    person = make_unknown("Mover")
    client.force_login(careers.adviser)
    bad = client.post(f"/track/moves/new/{person.pk}/", {"to_la": "", "moved_on": "2026-02-30"})
    assert bad.status_code == 200 and set(bad.context["errors"]) == {"to_la", "moved_on"}
    assert not LaMove.objects.exists()
    done = client.post(f"/track/moves/new/{person.pk}/", {"to_la": npt.la.pk, "moved_on": days_ago(7).isoformat(),
                                                          "source": "family"})
    assert done.status_code == 302
    move = LaMove.objects.get()
    client.force_login(region.epc)
    assert f"move-{move.pk}" not in client.get("/track/intake/").content.decode()
    assert client.post("/track/intake/", {"move": move.pk}).status_code == 404
    client.force_login(npt.adviser)
    assert f'data-testid="move-{move.pk}"' in client.get("/track/intake/").content.decode()
    assert client.post("/track/intake/", {"move": move.pk}).status_code == 302
    move.refresh_from_db()
    assert move.accepted_by == npt.adviser


def test_the_api_logs_contacts_reports_moves_and_accepts_them(client, region, careers, npt):
    lost, mover = make_unknown("Lost", code=810), make_unknown("Mover")
    client.force_login(careers.adviser)
    listed = client.get(f"{API}/unknowns", {"age": 17}).json()
    assert lost.pk in [u["person_id"] for u in listed["items"]]
    logged = client.post(f"{API}/unknowns/{lost.pk}/contacts", {"method": "phone", "outcome": "confirmed",
                                                                 "code": 619}, content_type="application/json")
    assert logged.status_code == 201 and person_timeline(lost).now.tier == 3
    bad = client.post(f"{API}/moves", {"person_id": mover.pk, "to_la_id": region.college.pk,
                                       "moved_on": days_ago(2).isoformat()}, content_type="application/json")
    assert bad.status_code == 400 and "to_la_id" in bad.json()["errors"]
    moved = client.post(f"{API}/moves", {"person_id": mover.pk, "to_la_id": npt.la.pk,
                                         "moved_on": days_ago(2).isoformat()}, content_type="application/json")
    assert moved.status_code == 201
    move_id = moved.json()["id"]
    assert client.post(f"{API}/moves/{move_id}/accept").status_code == 404  # not Cardiff's to accept
    client.force_login(npt.epc)
    assert [m["id"] for m in client.get(f"{API}/intake").json()] == [move_id]
    accepted = client.post(f"{API}/moves/{move_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted_at"]
    assert Task.objects.filter(source=f"track.lamove:{move_id}").exists()


@pytest.mark.parametrize("path", ["/track/unknowns/", "/track/intake/", "/track/contact-reports/",
                                  "/track/contact-report/"])
def test_pages_ask_anonymous_users_to_sign_in(client, region, path):
    assert client.get(path).status_code == 302


def test_another_las_epc_cannot_report_a_move_through_the_api(client, region, careers, npt):
    person = make_unknown("Mover")
    client.force_login(region.other_epc)
    refused = client.post(f"{API}/moves", {"person_id": person.pk, "to_la_id": npt.la.pk,
                                           "moved_on": timezone.localdate().isoformat()},
                          content_type="application/json")
    assert refused.status_code == 404 and not LaMove.objects.exists()
