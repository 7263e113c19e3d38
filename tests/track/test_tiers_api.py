"""The tracking API's tier routes: a young person's timeline and the tier counts, allowed, refused and bad input."""

import pytest
from django.core.management import call_command

from yep.access.models import AuditEvent

from .test_timeline_pages import tracked_fixture  # noqa: F401  (the shared setup, a fixture named tracked)

TIMELINE = "/api/v1/track/people/{}/timeline"
TIERS = "/api/v1/track/tiers"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_timeline_gives_activities_newest_first_and_the_derived_tier(client, region, tracked, bearer):
    response = client.get(TIMELINE.format(region.pupil.pk), **bearer(region.epc))
    assert response.status_code == 200
    body = response.json()
    assert [a["code"] for a in body["activities"]] == [619, 230]
    assert body["activities"][1]["organisation"] == "Cardiff and Vale College"
    status = body["status"]
    assert (status["tier"], status["reason"], status["jwt"]) == (3, "available", False)
    assert status["activity_id"] == body["activities"][0]["id"]
    assert len(body["history"]) == 13 and body["history"][-2]["tier"] == 5
    assert AuditEvent.objects.filter(action="view", person_id=region.pupil.pk, channel="api").exists()


def test_a_person_the_caller_may_not_see_is_404_like_one_that_does_not_exist(client, region, tracked,
                                                                             bearer):
    headers = bearer(region.other_epc)
    assert client.get(TIMELINE.format(region.pupil.pk), **headers).status_code == 404
    assert client.get(TIMELINE.format(999_999), **headers).status_code == 404


def test_the_timeline_refuses_a_role_without_casework_and_a_malformed_id(client, region, tracked,
                                                                         bearer):
    assert client.get(TIMELINE.format(region.pupil.pk), **bearer(region.analyst)).status_code == 403
    assert client.get(TIMELINE.format(0), **bearer(region.epc)).status_code == 422


def test_tier_counts_for_the_epcs_la_by_tier_and_age(client, region, tracked, bearer):
    body = client.get(TIERS, **bearer(region.epc)).json()
    assert body["total"] == 2
    rows = {r["tier"]: r for r in body["tiers"]}
    assert rows[3]["ages"] == {"16": 0, "17": 1, "18": 0} and rows[1]["ages"]["16"] == 1
    assert body["movement"][5][3] == 1 and len(body["movement"]) == 6


def test_tier_counts_as_at_an_earlier_date(client, region, tracked, bearer):
    body = client.get(TIERS, {"on": tracked["left"].isoformat()}, **bearer(region.epc)).json()
    assert body["on"] == tracked["left"].isoformat()
    assert {r["tier"]: r["total"] for r in body["tiers"]}[5] == 1


def test_tier_counts_are_refused_to_school_staff(client, region, tracked, bearer):
    assert client.get(TIERS, **bearer(region.school_staff)).status_code == 403


def test_a_bad_or_future_date_is_a_400_naming_the_field(client, region, tracked, bearer):
    headers = bearer(region.epc)
    bad = client.get(TIERS, {"on": "31/10/2026"}, **headers)
    assert bad.status_code == 400 and "year-month-day" in bad.json()["errors"]["on"][0]
    future = client.get(TIERS, {"on": "2999-01-01"}, **headers)
    assert future.status_code == 400 and "on" in future.json()["errors"]


def test_the_openapi_document_lists_the_tier_routes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/track/people/{person_id}/timeline" in paths and "/api/v1/track/tiers" in paths
