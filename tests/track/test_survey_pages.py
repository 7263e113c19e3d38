"""The destinations survey pages and API: opening a survey, the collection list with a form per leaver, the
snapshot button, the results and the snapshot export; allowed, refused and bad input."""

import csv
import io

import pytest
from django.core.management import call_command

from yep.access.models import AuditEvent
from yep.track.models import Activity, DestinationSurvey, SurveyDestination

from . import test_surveys
from .test_surveys import AS_AT, LEAVING, SEPTEMBER, make_leaver

# Fixtures shared with the survey service tests (pytest finds them by these names).
careers, cohort = test_surveys.careers, test_surveys.cohort


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


# Pages -------------------------------------------------------------------------------------------------------------


def test_the_epc_opens_a_survey_from_the_list(client, region, careers):
    client.force_login(region.epc)
    page = client.get("/track/surveys/")
    assert page.status_code == 200 and 'data-testid="open-form"' in page.content.decode()
    opened = client.post("/track/surveys/", {"la": region.la.pk, "leaving_year": LEAVING})
    survey = DestinationSurvey.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/track/surveys/{survey.pk}/"
    assert f'data-testid="survey-{survey.pk}"' in client.get("/track/surveys/").content.decode()


def test_a_bad_open_form_shows_the_problems_and_keeps_what_was_typed(client, region, careers):
    client.force_login(region.epc)
    page = client.post("/track/surveys/", {"la": region.la.pk, "leaving_year": "next"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"leaving_year"}
    assert 'value="next"' in page.content.decode() and 'data-testid="errors"' in page.content.decode()
    assert not DestinationSurvey.objects.exists()


def test_the_survey_page_shows_progress_the_leavers_to_collect_and_the_results(client, region, careers, cohort):
    client.force_login(careers.adviser)
    page = client.get(f"/track/surveys/{cohort.survey.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "4 of 6 leavers have a known destination (67%)" in html
    for person in cohort.missing:
        assert f'data-testid="leaver-{person.pk}"' in html
    assert f'data-testid="leaver-{cohort.neet.pk}"' not in html  # known: NEET is a destination
    assert page.context["results"].rows[0].counts["education"] == "c"  # the careers service is not the LA
    event = AuditEvent.objects.filter(action="view", object_type="destination_survey").latest("pk")
    assert sorted(event.detail["people"]) == sorted(p.pk for p in cohort.missing)


def test_the_survey_page_reads_the_same_few_queries_however_many_leavers(client, region, careers, cohort,
                                                                         django_assert_max_num_queries):
    for n in range(10):
        make_leaver(region, f"Leaver {n}", "Morris")
    client.force_login(careers.adviser)
    client.get(f"/track/surveys/{cohort.survey.pk}/")
    with django_assert_max_num_queries(24):
        page = client.get(f"/track/surveys/{cohort.survey.pk}/")
    assert page.context["progress"].total == 16


def test_the_adviser_records_a_destination_from_the_list(client, region, careers, cohort):
    elin = cohort.missing[0]
    client.force_login(careers.adviser)
    done = client.post(f"/track/surveys/{cohort.survey.pk}/", {
        "action": "record", "person": elin.pk, "code": "410", "start": SEPTEMBER.isoformat(), "hours_per_week": "30",
        "provider": ""})
    assert done.status_code == 302
    assert Activity.objects.get(person=elin).source == "destination_survey"
    assert f'data-testid="leaver-{elin.pk}"' not in client.get(done["Location"]).content.decode()


def test_a_bad_destination_is_shown_at_its_leaver_and_keeps_what_was_typed(client, region, careers, cohort):
    elin = cohort.missing[0]
    client.force_login(careers.adviser)
    page = client.post(f"/track/surveys/{cohort.survey.pk}/", {
        "action": "record", "person": elin.pk, "code": "", "start": "31/13/2025", "hours_per_week": "7"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"code", "start"}
    html = page.content.decode()
    assert f'href="#{elin.pk}-code"' in html and 'value="31/13/2025"' in html
    assert not Activity.objects.filter(source="destination_survey").exists()


def test_the_epc_takes_the_snapshot_and_downloads_it(client, region, careers, cohort):
    client.force_login(region.epc)
    done = client.post(f"/track/surveys/{cohort.survey.pk}/", {"action": "snapshot"})
    assert done.status_code == 302 and SurveyDestination.objects.count() == 6
    page = client.get(done["Location"]).content.decode()
    assert 'data-testid="frozen"' in page and 'data-testid="export"' in page and 'data-testid="snapshot"' not in page
    export = client.get(f"/track/surveys/{cohort.survey.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert export["Content-Type"] == "text/csv" and len(rows) == 6
    assert sorted(r["destination_group"] for r in rows) == ["education"] * 3 + ["neet"] + ["not_known"] * 2
    assert AuditEvent.objects.filter(action="export", object_type="destination_survey", actor=region.epc).exists()


def test_schools_and_other_areas_cannot_see_a_survey_and_an_open_one_has_no_export(client, region, careers, cohort):
    client.force_login(region.school_staff)
    assert client.get("/track/surveys/").status_code == 403
    client.force_login(region.other_epc)
    assert client.get(f"/track/surveys/{cohort.survey.pk}/").status_code == 404
    assert client.post(f"/track/surveys/{cohort.survey.pk}/", {"action": "snapshot"}).status_code == 404
    client.force_login(region.epc)
    assert client.get(f"/track/surveys/{cohort.survey.pk}/export.csv").status_code == 404
    assert not SurveyDestination.objects.exists()


# API ---------------------------------------------------------------------------------------------------------------


def test_the_api_opens_reads_collects_and_snapshots_a_survey(client, region, careers, cohort, bearer):
    headers = bearer(careers.adviser)
    listed = client.get("/api/v1/track/surveys", **headers).json()
    assert [s["id"] for s in listed] == [cohort.survey.pk] and listed[0]["as_at"] == AS_AT.isoformat()
    body = client.get(f"/api/v1/track/surveys/{cohort.survey.pk}", **headers).json()
    assert (body["known"], body["leavers"]) == (4, 6)
    assert sorted(x["person_id"] for x in body["to_collect"]) == sorted(p.pk for p in cohort.missing)
    assert body["results"]["totals"]["education"] == "c" and not body["results"]["exact"]
    recorded = client.post(f"/api/v1/track/surveys/{cohort.survey.pk}/destinations", content_type="application/json",
                           data={"person_id": cohort.missing[0].pk, "code": 230, "start": SEPTEMBER.isoformat(),
                                 "hours_per_week": 20}, **headers)
    assert recorded.status_code == 201 and recorded.json()["known"] == 5
    snap = client.post(f"/api/v1/track/surveys/{cohort.survey.pk}/snapshot", **headers)
    assert snap.status_code == 200 and snap.json()["frozen"] == 6 and not snap.json()["survey"]["open"]


def test_the_api_opens_a_survey_and_refuses_a_second(client, region, careers, bearer):
    headers = bearer(region.epc)
    made = client.post("/api/v1/track/surveys", content_type="application/json",
                       data={"la_id": region.la.pk, "leaving_year": LEAVING}, **headers)
    assert made.status_code == 201 and made.json()["leaving_year"] == LEAVING
    again = client.post("/api/v1/track/surveys", content_type="application/json",
                        data={"la_id": region.la.pk, "leaving_year": LEAVING}, **headers)
    assert again.status_code == 400 and "leaving_year" in again.json()["errors"]


def test_the_api_refuses_other_areas_and_unreadable_input(client, region, careers, cohort, bearer):
    other = bearer(region.other_epc)
    assert client.get(f"/api/v1/track/surveys/{cohort.survey.pk}", **other).status_code == 404
    assert client.post("/api/v1/track/surveys", content_type="application/json",
                       data={"la_id": region.la.pk, "leaving_year": LEAVING}, **other).status_code == 403
    assert client.get("/api/v1/track/surveys", **bearer(region.school_staff)).status_code == 403
    headers = bearer(careers.adviser)
    bad = client.post(f"/api/v1/track/surveys/{cohort.survey.pk}/destinations", content_type="application/json",
                      data={"person_id": cohort.missing[0].pk, "code": 5, "start": "soon"}, **headers)
    assert bad.status_code == 422
    stranger = client.post(f"/api/v1/track/surveys/{cohort.survey.pk}/destinations", content_type="application/json",
                           data={"person_id": region.other_pupil.pk, "code": 230, "start": SEPTEMBER.isoformat()},
                           **headers)
    assert stranger.status_code == 404
    assert not Activity.objects.filter(source="destination_survey").exists()


def test_the_openapi_document_lists_the_survey_and_nccis_routes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for route in ("/api/v1/track/surveys", "/api/v1/track/surveys/{survey_id}",
                  "/api/v1/track/surveys/{survey_id}/destinations", "/api/v1/track/surveys/{survey_id}/snapshot",
                  "/api/v1/track/nccis/averages"):
        assert route in paths
