"""The early identification API: the EPC versions the model and makes and releases runs; a school sees and reviews
only its own pupils; risk data never reaches admissions; one error shape and no 500s."""

import csv
import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from yep.access.models import AuditEvent, RelationshipKind
from yep.access.services import open_relationship
from yep.identify import services
from yep.identify.models import Attendance, Result, RiskModel, Run, RunStatus
from yep.identify.services import IndicatorSetting

from .. import factories
from ..factories import TEST

YEAR, TERM = 2026, "autumn"
DAY = datetime.date(2026, 11, 20)
JSON = "application/json"
MODEL = {"name": "Cardiff 2026", "note": "Attendance weighted up", "thresholds": {"low": 3, "medium": 6, "high": 9},
         "labels": {"high": {"en": "Red", "cy": "Coch"}}, "year_groups": [9, 10, 11], "run_terms": ["autumn"],
         "indicators": [{"key": "attendance_current", "weight": 3, "thresholds": [90, 80]},
                        {"key": "exclusions_current", "weight": 3, "thresholds": [1]},
                        {"key": "ks2_under", "weight": 1, "thresholds": [1]}]}


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def pupils(rates, school, year_group=10):
    """Year 10 pupils at ``school`` (by date of birth) with this autumn's attendance at each rate."""
    people = []
    for n, rate in enumerate(rates):
        person = factories.make_person("681", legal_forenames=f"Pupil{n}", legal_surname="Jones",
                                       dob=f"{YEAR - year_group - 4}-01-15", upn=factories.valid_upn("681"))
        factories.enrol(person, school, year_group=year_group)
        Attendance.objects.create(person=person, academic_year=YEAR, term=TERM, sessions_possible=100,
                                  sessions_attended=round(100 * rate))
        people.append(person)
    return people


def simple_model(region, thresholds=(3, 6, 9)):
    return services.create_model_version(region.la, name="Test", thresholds=thresholds, indicators=[
        IndicatorSetting("attendance_current", 3, [90, 80]), IndicatorSetting("exclusions_current", 3, [1]),
        IndicatorSetting("ks2_under", 1, [1])], actor=region.epc, context=TEST)


@pytest.fixture
def released(region):
    """A released run: two pupils at the region's school (one red, one not identified), one at another school."""
    ours = pupils([0.5, 0.99], region.school)
    cardiff_high = factories.make_organisation("school", "681", "Cardiff High")
    theirs = pupils([0.6], cardiff_high)
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    services.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    return SimpleNamespace(run=run, ours=ours, theirs=theirs, other_school=cardiff_high,
                           result=run.results.get(person=ours[0]))


# Models -----------------------------------------------------------------------------------------------------------


def test_the_epc_saves_a_new_model_version_for_their_own_la(client, region, bearer):
    simple_model(region)
    response = client.post("/api/v1/identify/models", {**MODEL, "la_code": "670"}, content_type=JSON,
                           **bearer(region.epc))
    assert response.status_code == 201
    body = response.json()
    assert (body["la_code"], body["version"], body["band_labels"]["high"]) == ("681", 2, "Red")
    assert [i["key"] for i in body["indicators"]] == ["attendance_current", "exclusions_current", "ks2_under"]
    assert body["indicators"][0]["rule"] == "below 90, below 80"
    listed = client.get("/api/v1/identify/models", **bearer(region.school_staff)).json()
    assert [m["version"] for m in listed] == [2, 1]


def test_a_model_breaking_the_rules_gets_400_with_every_problem(client, region, bearer):
    bad = {**MODEL, "thresholds": {"low": 5, "medium": 4, "high": 9}, "year_groups": [1],
           "indicators": [{"key": "attendance_current", "weight": 3, "thresholds": [80, 90]}]}
    response = client.post("/api/v1/identify/models", bad, content_type=JSON, **bearer(region.epc))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"thresholds", "year_groups", "indicators"}
    assert not RiskModel.objects.exists()


def test_only_the_epc_changes_a_model_and_other_las_cannot_read_it(client, region, bearer):
    model = simple_model(region)
    refused = client.post("/api/v1/identify/models", MODEL, content_type=JSON, **bearer(region.school_staff))
    assert refused.status_code == 403
    assert client.get(f"/api/v1/identify/models/{model.pk}", **bearer(region.school_staff)).status_code == 200
    elsewhere = client.get(f"/api/v1/identify/models/{model.pk}", **bearer(region.other_epc))
    unknown = client.get(f"/api/v1/identify/models/{model.pk + 99}", **bearer(region.other_epc))
    assert elsewhere.status_code == unknown.status_code == 404 and elsewhere.json() == unknown.json()
    assert client.get("/api/v1/identify/models", **bearer(region.other_epc)).json() == []


def test_the_epc_previews_a_models_bands_on_todays_data_and_nothing_is_saved(client, region, bearer, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)
    pupils([0.5, 0.85, 0.99], region.school)  # scores 6, 3 and 0
    response = client.post("/api/v1/identify/models/preview", MODEL, content_type=JSON, **bearer(region.epc))
    assert response.status_code == 200
    body = response.json()
    assert (body["as_of"], body["counts"]["low"], body["counts"]["medium"], body["identified_share"]) == (
        "2026-11-20", 1, 1, 0.6667)
    assert [w["code"] for w in body["warnings"]] == ["over_half"]
    assert not RiskModel.objects.exists()


def test_a_preview_of_a_bad_model_gets_400_and_a_school_gets_403(client, region, bearer):
    bad = {**MODEL, "thresholds": {"low": 5, "medium": 4, "high": 9}}
    response = client.post("/api/v1/identify/models/preview", bad, content_type=JSON, **bearer(region.epc))
    assert response.status_code == 400 and "thresholds" in response.json()["errors"]
    refused = client.post("/api/v1/identify/models/preview", MODEL, content_type=JSON, **bearer(region.school_staff))
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(object_type="risk_preview").exists()


# Runs -------------------------------------------------------------------------------------------------------------


def test_the_epc_makes_a_draft_run(client, region, bearer):
    pupils([0.5, 0.99, 0.97], region.school)
    model = simple_model(region)
    response = client.post("/api/v1/identify/runs", {"model_id": model.pk, "academic_year": YEAR, "term": TERM,
                                                     "year_groups": [10, 11]}, content_type=JSON,
                           **bearer(region.epc))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["model_version"], body["scope"], body["year_groups"]) == ("draft", 1, "la",
                                                                                            [10, 11])
    listed = client.get("/api/v1/identify/runs", **bearer(region.epc)).json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_a_run_with_bad_details_gets_400_with_every_field(client, region, bearer):
    other_model = services.ensure_default_model(region.other_la, actor=region.other_epc, context=TEST)
    response = client.post("/api/v1/identify/runs", {"model_id": other_model.pk, "academic_year": 1999,
                                                     "term": "winter", "year_groups": [10, 99]},
                           content_type=JSON, **bearer(region.epc))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"model_id", "academic_year", "term", "year_groups"}
    assert not Run.objects.exists()


def test_a_school_cannot_make_or_release_runs_nor_see_drafts(client, region, bearer):
    pupils([0.5], region.school)
    model = simple_model(region)
    headers = bearer(region.school_staff)
    refused = client.post("/api/v1/identify/runs", {"model_id": model.pk, "academic_year": YEAR, "term": TERM},
                          content_type=JSON, **headers)
    assert refused.status_code == 403
    draft = services.create_run(model, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc, context=TEST)
    assert client.post(f"/api/v1/identify/runs/{draft.pk}/publish", {"confirm_warnings": True}, content_type=JSON,
                       **headers).status_code == 403
    assert client.get(f"/api/v1/identify/runs/{draft.pk}", **headers).status_code == 404
    assert client.get("/api/v1/identify/runs", **headers).json() == []


def test_releasing_a_run_with_warnings_needs_confirmation(client, region, bearer):
    pupils([0.5, 0.5, 0.6, 0.99], region.school)
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    headers = bearer(region.epc)
    warned = client.get(f"/api/v1/identify/runs/{run.pk}", **headers).json()["warnings"]
    assert [w["code"] for w in warned] == ["over_half"] and "half" in warned[0]["message"]
    refused = client.post(f"/api/v1/identify/runs/{run.pk}/publish", {}, content_type=JSON, **headers)
    assert refused.status_code == 400
    assert warned[0]["message"] in refused.json()["errors"]["confirm_warnings"]
    assert Run.objects.get(pk=run.pk).status == RunStatus.DRAFT
    released = client.post(f"/api/v1/identify/runs/{run.pk}/publish", {"confirm_warnings": True},
                           content_type=JSON, **headers)
    assert released.status_code == 200 and released.json()["status"] == "published"
    again = client.post(f"/api/v1/identify/runs/{run.pk}/publish", {"confirm_warnings": True},
                        content_type=JSON, **headers)
    assert again.status_code == 400


def test_a_school_sees_its_own_pupils_numbers_not_the_las(client, region, bearer, released):
    body = client.get(f"/api/v1/identify/runs/{released.run.pk}", **bearer(region.school_staff)).json()
    assert body["scope"] == "yours" and body["counts"]["cohort"] == 2
    assert client.get(f"/api/v1/identify/runs/{released.run.pk}", **bearer(region.epc)).json()["counts"][
        "cohort"] == 3


# Results ----------------------------------------------------------------------------------------------------------


def test_a_school_lists_only_its_own_pupils_results_with_factors(client, region, bearer, released):
    response = client.get(f"/api/v1/identify/runs/{released.run.pk}/results", **bearer(region.school_staff))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {r["person_id"] for r in body["items"]} == {p.pk for p in released.ours}
    top = body["items"][0]
    assert (top["person_id"], top["score"], top["band"], top["band_label"]) == (released.ours[0].pk, 6, "medium",
                                                                               "Medium")
    assert top["factors"][0]["points"] == 6 and top["agreed_band"] is None
    event = AuditEvent.objects.filter(actor=region.school_staff, action="view", object_type="risk_results").get()
    assert sorted(event.detail["people"]) == sorted(p.pk for p in released.ours)
    everyone = client.get(f"/api/v1/identify/runs/{released.run.pk}/results", **bearer(region.epc)).json()
    assert everyone["count"] == 3


def test_results_filter_and_page_and_refuse_bad_filters(client, region, bearer, released):
    headers, url = bearer(region.epc), f"/api/v1/identify/runs/{released.run.pk}/results"
    medium = client.get(url, {"band": "medium"}, **headers).json()
    assert {r["person_id"] for r in medium["items"]} == {released.ours[0].pk, released.theirs[0].pk}
    school = client.get(url, {"school_id": released.other_school.pk}, **headers).json()
    assert [r["person_id"] for r in school["items"]] == [released.theirs[0].pk]
    page = client.get(url, {"limit": 1, "offset": 1}, **headers).json()
    assert (page["count"], len(page["items"])) == (3, 1)
    assert client.get(url, {"changed": "up"}, **headers).json()["count"] == 0  # no earlier run to compare with
    for bad in ({"limit": 501}, {"band": "purple"}, {"year_group": "ten"}, {"changed": "sideways"},
                {"offset": -1}, {"school_id": 10**30}):
        assert client.get(url, bad, **headers).status_code == 422, bad


def test_results_say_how_each_pupil_moved_since_the_last_run(client, region, bearer, released):
    for person, rate in ((released.ours[0], 1.0), (released.ours[1], 0.5)):  # a long spring term, year to date
        Attendance.objects.create(person=person, academic_year=YEAR, term="spring", sessions_possible=300,
                                  sessions_attended=round(300 * rate))
    spring = services.create_run(released.run.model, academic_year=YEAR, term="spring",
                                 as_of=datetime.date(2027, 3, 20), actor=region.epc, context=TEST)
    url = f"/api/v1/identify/runs/{spring.pk}/results"
    body = client.get(url, **bearer(region.epc)).json()
    moves = {r["person_id"]: r["change"] for r in body["items"]}
    assert body["previous_run_id"] == released.run.pk
    assert moves[released.ours[0].pk] == "down" and moves[released.ours[1].pk] == "up"
    up = client.get(url, {"changed": "up"}, **bearer(region.epc)).json()
    assert [r["person_id"] for r in up["items"]] == [released.ours[1].pk]


def test_a_result_another_school_holds_is_the_same_404_as_none(client, region, bearer, released):
    headers = bearer(region.school_staff)
    theirs = Result.objects.get(person=released.theirs[0])
    hidden = client.get(f"/api/v1/identify/results/{theirs.pk}", **headers)
    missing = client.get(f"/api/v1/identify/results/{theirs.pk + 999}", **headers)
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert client.get(f"/api/v1/identify/runs/{released.run.pk}/results", **bearer(region.other_epc)
                      ).status_code == 404
    assert client.get("/api/v1/identify/results/99999999999999999999", **headers).status_code in (404, 422)


# Reviews ----------------------------------------------------------------------------------------------------------


def test_a_review_with_a_reason_keeps_both_bands(client, region, bearer, released):
    headers = bearer(region.school_staff)
    response = client.post(f"/api/v1/identify/results/{released.result.pk}/reviews",
                           {"agreed_band": "high", "reason": "Known transition worries",
                            "young_person_view": "Worried about moving", "support_needs": ["careers"]},
                           content_type=JSON, **headers)
    assert response.status_code == 201
    assert (response.json()["action"], response.json()["agreed_band"]) == ("raise", "high")
    detail = client.get(f"/api/v1/identify/results/{released.result.pk}", **headers).json()
    assert (detail["band"], detail["agreed_band"]) == ("medium", "high")
    assert detail["reviews"][0]["support_needs"] == [{"code": "careers", "label": "Careers guidance and transition"}]
    assert AuditEvent.objects.filter(action="view", object_type="risk_result", person_id=released.ours[0].pk).exists()
    agreed = client.get(f"/api/v1/identify/runs/{released.run.pk}/results", {"band": "high"}, **headers).json()
    assert [r["id"] for r in agreed["items"]] == [released.result.pk]


def test_a_review_without_a_reason_gets_400(client, region, bearer, released):
    response = client.post(f"/api/v1/identify/results/{released.result.pk}/reviews",
                           {"agreed_band": "high", "reason": " ", "support_needs": ["nonsense"]},
                           content_type=JSON, **bearer(region.school_staff))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reason", "support_needs"}
    assert Result.objects.get(pk=released.result.pk).agreed_band == ""


def test_only_the_pupils_school_and_the_epc_may_review(client, region, bearer, released):
    url = f"/api/v1/identify/results/{released.result.pk}/reviews"
    review = {"agreed_band": "low", "reason": "r"}
    assert client.post(url, review, content_type=JSON, **bearer(region.provider_staff)).status_code == 403
    assert client.post(url, review, content_type=JSON, **bearer(region.other_epc)).status_code == 404
    theirs = Result.objects.get(person=released.theirs[0])
    assert client.post(f"/api/v1/identify/results/{theirs.pk}/reviews", review, content_type=JSON,
                       **bearer(region.school_staff)).status_code == 404
    assert Result.objects.get(pk=released.result.pk).agreed_band == ""


# A young person's risk ----------------------------------------------------------------------------------------------


def test_the_school_reads_a_pupils_risk_history(client, region, bearer, released):
    response = client.get(f"/api/v1/identify/people/{released.ours[0].pk}/risk", **bearer(region.school_staff))
    assert response.status_code == 200
    history = response.json()
    assert [(r["run"]["id"], r["score"]) for r in history] == [(released.run.pk, 6)]
    assert history[0]["factors"][0]["value"].startswith("50")


def test_a_provider_is_refused_risk_data_and_the_refusal_is_logged(client, region, bearer, released):
    pupil = released.ours[0]
    open_relationship(pupil, RelationshipKind.APPLICANT, organisation=region.college,
                      source="transition.application", actor=region.epc, context=TEST)
    response = client.get(f"/api/v1/identify/people/{pupil.pk}/risk", **bearer(region.provider_staff))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor=region.provider_staff, action="denied", person_id=pupil.pk,
                                     fields=["risk"]).exists()


def test_someone_elses_pupil_is_the_same_404_as_nobody(client, region, bearer, released):
    headers = bearer(region.other_epc)
    hidden = client.get(f"/api/v1/identify/people/{released.ours[0].pk}/risk", **headers)
    missing = client.get("/api/v1/identify/people/999999/risk", **headers)
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()


# Exports and malformed requests -------------------------------------------------------------------------------------


def test_a_schools_export_has_only_its_own_pupils(client, region, bearer, released):
    response = client.get(f"/api/v1/identify/runs/{released.run.pk}/export", {"format": "csv"},
                          **bearer(region.school_staff))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row[0] for row in table[1:]) == sorted(p.upn for p in released.ours)
    event = AuditEvent.objects.get(actor=region.school_staff, action="export")
    assert event.detail["rows"] == 2


def test_an_xlsx_and_a_roni_export(client, region, bearer, released):
    headers, url = bearer(region.epc), f"/api/v1/identify/runs/{released.run.pk}/export"
    xlsx = client.get(url, {"format": "xlsx"}, **headers)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    roni = client.get(url, {"roni": "true"}, **headers)
    assert len(list(csv.reader(io.StringIO(roni.content.decode("utf-8-sig"))))) == 3  # header and two identified


def test_an_export_in_another_format_or_of_a_run_not_yours_is_refused(client, region, bearer, released):
    url = f"/api/v1/identify/runs/{released.run.pk}/export"
    assert client.get(url, {"format": "pdf"}, **bearer(region.epc)).status_code == 422
    assert client.get(url, **bearer(region.other_epc)).status_code == 404
    assert client.get(url, **bearer(region.provider_staff)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_malformed_requests_get_422_not_500(client, region, bearer):
    headers = bearer(region.epc)
    wrong_types = client.post("/api/v1/identify/models", {**MODEL, "thresholds": {"low": "three"}},
                              content_type=JSON, **headers)
    assert wrong_types.status_code == 422 and "thresholds" in str(wrong_types.json()["errors"])
    nan = {**MODEL, "indicators": [{**MODEL["indicators"][0], "thresholds": [float("nan")]}]}
    not_a_number = client.post("/api/v1/identify/models", json.dumps(nan), content_type=JSON, **headers)
    assert not_a_number.status_code == 422 and not RiskModel.objects.exists()
    no_run = client.post("/api/v1/identify/runs", {"academic_year": YEAR}, content_type=JSON, **headers)
    assert no_run.status_code == 422 and "model_id" in str(no_run.json()["errors"])
    garbled = client.post("/api/v1/identify/runs", "{not json", content_type=JSON, **headers)
    assert garbled.status_code == 400 and garbled.json()["detail"]  # ninja's own answer to a body it cannot parse
