"""The partner API: bearer tokens, search, read and add, with one error shape and no 500s."""

import pytest
from django.core.management import call_command

from tests import factories
from yep.people.models import Person


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_openapi_document_is_published(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "YEP API"
    assert "/api/v1/people" in document["paths"]


def test_requests_without_a_valid_token_are_refused(client, region):
    assert client.get("/api/v1/people?q=Dafydd").status_code == 401
    assert client.get("/api/v1/people?q=Dafydd", HTTP_AUTHORIZATION="Bearer yep_nonsense").status_code == 401


def test_a_partner_finds_and_reads_a_young_person_it_may_see(client, region, bearer):
    headers = bearer(region.school_staff)
    found = client.get("/api/v1/people", {"q": "David ap Gruffydd"}, **headers).json()
    assert [p["id"] for p in found] == [region.pupil.pk]
    record = client.get(f"/api/v1/people/{region.pupil.pk}", **headers).json()
    assert record["upn"] == region.pupil.upn and record["enrolments"][0]["organisation"] == "Ysgol Gyfun Glantaf"


def test_a_partner_cannot_read_a_young_person_outside_its_relationships(client, region, bearer):
    response = client.get(f"/api/v1/people/{region.other_pupil.pk}", **bearer(region.school_staff))
    assert response.status_code == 404


@pytest.mark.parametrize("person_id", ["0", str(2**63), "99999999999999999999999"])
def test_an_id_that_cannot_be_a_record_gets_422_not_500(client, region, bearer, person_id):
    response = client.get(f"/api/v1/people/{person_id}", **bearer(region.epc))
    assert response.status_code == 422 and response.json()["errors"]


def test_an_epc_token_sees_the_whole_la(client, region, bearer):
    response = client.get(f"/api/v1/people/{region.pupil.pk}", **bearer(region.epc))
    assert response.status_code == 200


def test_an_analyst_token_may_not_search_named_records(client, region, bearer):
    response = client.get("/api/v1/people", {"q": "Jones"}, **bearer(region.analyst))
    assert response.status_code == 403 and "permission" in response.json()["detail"]


def test_adding_a_young_person_with_bad_details_gets_400_with_every_field(client, region, bearer):
    response = client.post("/api/v1/people", {"legal_forenames": "Cai", "legal_surname": "", "dob": "2009-13-01",
                                              "uln": "0000000000"}, content_type="application/json",
                           **bearer(region.epc))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"legal_surname", "dob", "uln"}


def test_a_malformed_request_gets_422_not_500(client, region, bearer):
    response = client.post("/api/v1/people", {"legal_forenames": "Cai"}, content_type="application/json",
                           **bearer(region.epc))
    assert response.status_code == 422 and "dob" in str(response.json()["errors"])


def test_a_body_that_is_not_json_gets_400_with_errors_and_adds_nobody(client, region, bearer):
    before = Person.objects.count()
    response = client.post("/api/v1/people", "{not json", content_type="application/json", **bearer(region.epc))
    assert response.status_code == 400 and response.json()["errors"]["__all__"] == [
        "The request body is not valid JSON."]
    assert Person.objects.count() == before


def test_adding_a_young_person_through_the_api(client, region, bearer):
    response = client.post("/api/v1/people", {"legal_forenames": "Cai", "legal_surname": "Lloyd",
                                              "dob": "2010-01-05", "la_code": "681", "upn": factories.valid_upn()},
                           content_type="application/json", **bearer(region.epc))
    assert response.status_code == 201 and response.json()["legal_surname"] == "Lloyd"


def test_a_revoked_token_stops_working(client, region, bearer, capsys):
    headers = bearer(region.epc)
    prefix = headers["HTTP_AUTHORIZATION"].split()[1][:12]
    call_command("token", "revoke", prefix)
    assert client.get("/api/v1/people?q=x", **headers).status_code == 401
