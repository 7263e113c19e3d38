"""The provider notification API: a college MIS sends one or a batch (all or nothing); a provider reads back only
what it sent; the careers service works the unmatched queue and reads the compliance report."""

import pytest
from django.core.management import call_command

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people.models import OrganisationKind
from yep.track.models import ProviderNotification
from yep.track.services_notifications import notify

from . import notification_setup
from .notification_setup import days_ago, identifiers_of

# Fixtures shared by the notification tests (pytest finds them by these names).
careers, learner = notification_setup.careers, notification_setup.learner

JSON = "application/json"
API = "/api/v1/track"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_a_college_mis_sends_a_leaver_and_reads_it_back_without_the_match(client, region, careers, learner, bearer):
    sarah = learner()
    auth = bearer(region.provider_staff)
    sent = client.post(f"{API}/notifications", {"uln": sarah.uln, "left_on": days_ago(12).isoformat()},
                       content_type=JSON, **auth)
    assert sent.status_code == 201
    body = sent.json()
    assert (body["status"], body["person_id"], body["days_to_notify"], body["within_target"]) == (
        "received", None, 12, True)
    assert ProviderNotification.objects.get(pk=body["id"]).person == sarah
    listed = client.get(f"{API}/notifications", **auth).json()
    assert [n["id"] for n in listed["items"]] == [body["id"]] and listed["items"][0]["person_id"] is None


def test_bad_input_lists_every_problem_and_a_batch_is_all_or_nothing(client, region, careers, learner, bearer):
    auth = bearer(region.provider_staff)
    bad = client.post(f"{API}/notifications", {"uln": "12", "postcode": "nowhere"}, content_type=JSON, **auth)
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"uln", "postcode", "left_on"}
    unreadable = client.post(f"{API}/notifications", {"dob": "not a date"}, content_type=JSON, **auth)
    assert unreadable.status_code == 422
    good = {"uln": learner().uln, "left_on": days_ago(3).isoformat()}
    batch = client.post(f"{API}/notifications/batch", {"notifications": [good, {"surname": "Hughes"}]},
                        content_type=JSON, **auth)
    assert batch.status_code == 400 and set(batch.json()["errors"]) == {"2.identifiers", "2.left_on"}
    assert not ProviderNotification.objects.exists()
    done = client.post(f"{API}/notifications/batch", {"notifications": [good]}, content_type=JSON, **auth)
    assert done.status_code == 201 and len(done.json()) == 1


def test_another_providers_notification_is_refused_and_audited(client, region, careers, bearer):
    other = factories.make_organisation(OrganisationKind.WBL_PROVIDER, "670", "Swansea Training")
    auth = bearer(region.provider_staff)
    refused = client.post(f"{API}/notifications", {"provider_id": other.pk, "uln": factories.valid_uln(),
                                                   "left_on": days_ago(1).isoformat()}, content_type=JSON, **auth)
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor=region.provider_staff).exists()
    school = bearer(region.school_staff)
    assert client.post(f"{API}/notifications", {}, content_type=JSON, **school).status_code == 403


@pytest.fixture
def waiting(region, careers, learner):
    sarah = learner("Sarah", "Hughes", uln=None)
    sent = notify(region.college, kind="left", left_on=days_ago(5), actor=region.provider_staff, context=TEST,
                  identifiers={"forenames": "Sara", "surname": "Hughes", "dob": sarah.dob})
    return sent, sarah


def test_the_adviser_resolves_from_the_queue_and_others_get_404(client, region, careers, waiting, bearer):
    sent, sarah = waiting
    mine, theirs = bearer(careers.adviser), bearer(careers.other_adviser)
    assert [n["id"] for n in client.get(f"{API}/unmatched", **mine).json()] == [sent.pk]
    assert client.get(f"{API}/unmatched", **theirs).json() == []
    url = f"{API}/notifications/{sent.pk}/resolve"
    assert client.post(url, {"person_id": sarah.pk}, content_type=JSON, **theirs).status_code == 404
    assert client.post(url, {"person_id": region.other_pupil.pk}, content_type=JSON, **mine).status_code == 404
    done = client.post(url, {"person_id": sarah.pk}, content_type=JSON, **mine)
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["person_id"], done.json()["match_method"]) == (
        "resolved", sarah.pk, "manual")
    assert client.post(url, {"person_id": sarah.pk}, content_type=JSON, **mine).status_code == 404
    provider = bearer(region.provider_staff)
    assert client.get(f"{API}/unmatched", **provider).status_code == 403


def test_rejecting_needs_a_reason(client, region, careers, waiting, bearer):
    sent, _sarah = waiting
    auth = bearer(region.epc)
    url = f"{API}/notifications/{sent.pk}/reject"
    assert client.post(url, {"reason": ""}, content_type=JSON, **auth).status_code == 400
    assert client.post(url, {"reason": "Not ours"}, content_type=JSON, **auth).json()["status"] == "rejected"


def test_compliance_through_the_api(client, region, careers, learner, bearer):
    for person, days in ((learner(), 10), (learner("Cai", "Morgan"), 20)):
        notify(region.college, kind="left", identifiers=identifiers_of(person), left_on=days_ago(days),
               actor=region.provider_staff, context=TEST)
    report = client.get(f"{API}/compliance", **bearer(region.epc)).json()
    (college,) = report["providers"]
    assert (college["left"], college["within_target"], college["percent_within"], report["target_days"]) == (
        2, 1, 50, 14)
    bad = client.get(f"{API}/compliance?from=2026-01-02&to=2026-01-01", **bearer(region.epc))
    assert bad.status_code == 400
    assert client.get(f"{API}/compliance", **bearer(region.provider_staff)).status_code == 403
