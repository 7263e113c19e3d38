"""Continuity pages: the EPC's policy form, recording a post-16 start and the provider's contact, closing a case,
recording a follow-up, and the outcome report; each refused to those it is not for."""
# ruff: noqa: F811 - the fixtures imported from test_continuity are, by pytest's design, test arguments too

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.models import ContinuityPolicy, EndReason, FollowUp
from yep.broker.services.continuity import close_case
from yep.broker.services.followups import record_follow_up
from yep.people.models import OrganisationKind, Role

from .test_continuity import START, allocated, careers  # noqa: F401 - pytest fixtures shared with the services' tests

# The policy -----------------------------------------------------------------------------------------------------


def test_the_epc_sees_the_default_and_saves_a_fixed_date(client, region):
    client.force_login(region.epc)
    url = reverse("broker:continuity_policy")
    assert 'data-testid="policy-default"' in client.get(url).content.decode()
    response = client.post(url, {"kind": "fixed_date", "months": "3", "fixed_day": "31", "fixed_month": "1",
                                 "learning_coach_exception": "on", "destination_types": ["fe"]})
    assert response.status_code == 302
    policy = ContinuityPolicy.objects.get(la=region.la)
    assert (policy.kind, policy.learning_coach_exception, policy.destination_types) == ("fixed_date", True, ["fe"])


def test_a_bad_policy_is_shown_again_with_the_problems_and_what_was_typed(client, region):
    client.force_login(region.epc)
    response = client.post(reverse("broker:continuity_policy"), {"kind": "months", "months": "40", "fixed_day": "31",
                                                                 "fixed_month": "2"})
    page = response.content.decode()
    assert response.status_code == 400 and 'data-testid="errors"' in page and 'value="40"' in page
    assert not ContinuityPolicy.objects.exists()


def test_only_an_epc_opens_the_policy(client, region):
    client.force_login(region.school_staff)
    assert client.get(reverse("broker:continuity_policy")).status_code == 403


# The post-16 start ----------------------------------------------------------------------------------------------


def test_the_lead_worker_records_a_start_and_sees_the_continuity_end(client, region, allocated):
    allocation = allocated()
    client.force_login(allocation.lead_worker)
    url = reverse("broker:post16_start", args=[allocation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "start", "start": START.isoformat(), "provider": region.college.pk,
                                 "destination_type": "fe"}, follow=True)
    page = response.content.decode()
    assert "The lead worker stays until 04/12/2024" in page
    assert "no sharing agreement" in page  # why the provider was not told
    client.post(url, {"action": "contact", "contact": "Mr Lloyd, pastoral lead"})
    allocation.refresh_from_db()
    assert (allocation.continuity_end, allocation.provider_contact) == (datetime.date(2024, 12, 4),
                                                                        "Mr Lloyd, pastoral lead")


def test_a_bad_start_keeps_what_was_typed(client, region, allocated):
    allocation = allocated()
    client.force_login(region.epc)
    response = client.post(reverse("broker:post16_start", args=[allocation.pk]),
                           {"action": "start", "start": "2024-09-04", "provider": "", "destination_type": "fe"})
    page = response.content.decode()
    assert response.status_code == 400 and 'value="2024-09-04"' in page and "Choose the school" in page


def test_someone_not_involved_gets_404_for_the_start_page(client, region, allocated, workers):
    allocation = allocated()
    for user in (region.other_epc, workers["youth_service"].user):
        client.force_login(user)
        assert client.get(reverse("broker:post16_start", args=[allocation.pk])).status_code == 404
    assert AuditEvent.objects.filter(actor=workers["youth_service"].user, action="denied").exists()


# Closing ---------------------------------------------------------------------------------------------------------


def test_the_lead_worker_closes_the_case(client, region, allocated):
    allocation = allocated()
    client.force_login(allocation.lead_worker)
    assert 'data-testid="close-case"' in client.get(reverse("broker:close", args=[allocation.pk])).content.decode()
    response = client.post(reverse("broker:close", args=[allocation.pk]),
                           {"reason": EndReason.SUPPORT_COMPLETE, "end": "2025-04-01", "note": ""})
    assert response.status_code == 302
    assert FollowUp.objects.filter(allocation=allocation).count() == 3


def test_a_handover_under_18_is_refused_on_the_page(client, region, allocated):
    jobcentre = factories.make_organisation(OrganisationKind.DWP, name="Jobcentre Plus")
    allocation = allocated(dob="2007-06-15")
    client.force_login(region.epc)
    response = client.post(reverse("broker:close", args=[allocation.pk]),
                           {"reason": EndReason.POST18_HANDOVER, "handover_to": jobcentre.pk, "end": "2025-02-01"})
    assert response.status_code == 400 and "under 18" in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.end is None


def test_another_lead_worker_cannot_close_the_case(client, region, allocated, workers):
    allocation = allocated()
    client.force_login(workers["youth_service"].user)
    assert client.post(reverse("broker:close", args=[allocation.pk]), {"reason": "other"}).status_code == 404


# Follow-ups and outcomes -----------------------------------------------------------------------------------------


@pytest.fixture
def closed(region, allocated, careers):
    allocation = allocated()
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, end=datetime.date(2024, 10, 1), actor=region.epc,
               context=TEST)
    return allocation


def test_a_careers_adviser_records_a_follow_up(client, region, careers, closed):
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw.adviser")
    six = closed.follow_ups.get(months=6)
    client.force_login(adviser)
    url = reverse("broker:follow_up", args=[six.pk])
    assert client.post(url, {"status": "university"}).status_code == 400
    assert client.post(url, {"status": "training", "note": "Apprenticeship"}).status_code == 302
    assert 'data-testid="follow-up-status"' in client.get(url).content.decode()


def test_the_follow_up_page_is_404_outside_the_team(client, region, closed):
    client.force_login(region.school_staff)
    assert client.get(reverse("broker:follow_up", args=[closed.follow_ups.first().pk])).status_code == 404


def test_the_outcome_report_suppresses_small_counts_for_another_las_epc(client, region, closed):
    record_follow_up(closed.follow_ups.get(months=6), status="employment", actor=region.epc, context=TEST)
    client.force_login(region.epc)
    url = reverse("broker:outcomes") + "?from=2024-01-01&to=2024-12-31"
    own = client.get(url).content.decode()
    assert "Lead worker only" in own and "attributed to the lead worker" in own and ">1</td>" in own
    client.force_login(region.other_epc)
    other = client.get(url + "&la=681").content.decode()
    assert ">c</td>" in other and ">1</td>" not in other
    client.force_login(region.school_staff)
    assert client.get(url).status_code == 403
