"""The panels API: recording a meeting, reading meetings and cases in scope only, sending a case, and the EPC's
decision, with the one error shape."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from yep.broker.models import BusinessCase, PanelMeeting
from yep.people.models import Role

from .test_panels import _case, _panel, make_school

JSON = "application/json"
API = "/api/v1/broker"


@pytest.fixture
def school(region):
    return make_school(region)


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def _meeting_body(school, **extra):
    return {"school_id": school.org.pk, "held_on": timezone.localdate().isoformat(),
            "members": [{"name": "Ceri Lloyd", "role": "headteacher"}, {"name": "Dai Bowen", "role": "careers"}],
            "pupils": [{"person_id": p.pk, "risk_band": "high", "in_school_plan": "Mentoring"} for p in school.red],
            **extra}


def test_school_staff_record_and_read_a_panel_meeting(client, school, bearer):
    created = client.post(f"{API}/panels", _meeting_body(school), content_type=JSON, **bearer(school.staff))
    assert created.status_code == 201
    body = created.json()
    assert [m["role"] for m in body["member_list"]] == ["headteacher", "careers"]
    assert [p["person_id"] for p in body["pupil_list"]] == [p.pk for p in school.red] and body["hidden"] == 0
    listed = client.get(f"{API}/panels", **bearer(school.epc)).json()
    assert [m["id"] for m in listed] == [body["id"]] and listed[0]["pupils"] == 3
    assert client.get(f"{API}/panels/{body['id']}", **bearer(school.epc)).json()["pupil_list"][0]["person_name"]


def test_a_panel_is_refused_for_another_las_school_and_bad_rows_are_reported(client, region, school, bearer):
    other = client.post(f"{API}/panels", _meeting_body(school), content_type=JSON, **bearer(region.other_epc))
    assert other.status_code == 404
    bad = _meeting_body(school, members=[], pupils=[{"person_id": region.other_pupil.pk}])
    refused = client.post(f"{API}/panels", bad, content_type=JSON, **bearer(school.staff))
    assert refused.status_code == 400
    assert refused.json()["errors"]["pupils"] == ["pupil 1: not a current pupil of this school"]
    assert "members" in refused.json()["errors"]
    assert not PanelMeeting.objects.exists()


def test_another_school_cannot_read_a_meeting_or_a_case(client, region, school, bearer):
    meeting = _panel(school)
    case = _case(school, school.red[0])
    other = factories.make_user(Role.SCHOOL_STAFF, region.other_school, "bishop.gore")
    assert client.get(f"{API}/panels/{meeting.pk}", **bearer(other)).status_code == 404
    assert client.get(f"{API}/business-cases/{case.pk}", **bearer(other)).status_code == 404
    assert client.get(f"{API}/business-cases", **bearer(other)).json() == []


def test_a_school_sends_a_case_and_the_epc_decides_it(client, school, bearer):
    body = {"person_id": school.red[0].pk, "school_id": school.org.pk, "needs": ["attendance"],
            "case": "Attendance 50%", "urgency": "routine", "consent_confirmed": True}
    sent = client.post(f"{API}/business-cases", body, content_type=JSON, **bearer(school.staff))
    assert sent.status_code == 201 and sent.json()["status"] == "submitted"
    case_id = sent.json()["id"]

    no_consent = client.post(f"{API}/business-cases", {**body, "person_id": school.red[1].pk,
                                                       "consent_confirmed": False},
                             content_type=JSON, **bearer(school.staff))
    assert no_consent.status_code == 400 and "consent_confirmed" in no_consent.json()["errors"]

    decide = f"{API}/business-cases/{case_id}/decide"
    staff = client.post(decide, {"decision": "approve", "reason": "ok"}, content_type=JSON, **bearer(school.staff))
    assert staff.status_code == 403
    blank = client.post(decide, {"decision": "reject", "reason": ""}, content_type=JSON, **bearer(school.epc))
    assert blank.status_code == 400 and blank.json()["errors"] == {"reason": ["Give the reason for the decision."]}
    approved = client.post(decide, {"decision": "approve", "reason": "Needs a lead worker"}, content_type=JSON,
                           **bearer(school.epc))
    assert approved.status_code == 200
    referral_id = BusinessCase.objects.get(pk=case_id).referral_id
    assert referral_id is not None and approved.json()["referral_id"] == referral_id
    assert client.get(f"{API}/business-cases", **bearer(school.epc)).json()[0]["status"] == "approved"
