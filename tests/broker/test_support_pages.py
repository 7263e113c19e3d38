"""The lead worker's pages: the caseload, the support package and its forms, the EPC's decision pages, the review
form and the lead worker tab of a record. Who sees what, that forms keep what was typed, and that reads are
audited."""

import datetime

import pytest

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.models import AdditionalNeed, Contact, Escalation, SupportReview
from yep.broker.services import support as S
from yep.people import services as people
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import Task, TaskStatus

from . import test_support as shared
from .test_support import STARTED, TODAY

# The shared fixtures: an allocation 60 days old, and its lead worker.
allocation, worker = shared.allocation, shared.worker


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


# The caseload -------------------------------------------------------------------------------------------------


def test_a_lead_worker_sees_their_caseload_with_dues_and_alerts(client, allocation, worker,
                                                                django_assert_max_num_queries):
    S.record_contact(allocation, on=TODAY - datetime.timedelta(days=30), channel="phone", outcome="engaged",
                     actor=worker, context=TEST)
    client.force_login(worker)
    with django_assert_max_num_queries(22):
        page = client.get("/broker/caseload/")
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert row.allocation == allocation and row.last_contact == TODAY - datetime.timedelta(days=30)
    assert row.next_contact_due == TODAY - datetime.timedelta(days=16)
    assert row.review_due == allocation.package.next_review
    assert row.alerts == ["No contact for 30 days"]
    assert page.context["capacity"].label == "1 of 15" and not page.context["capacity"].warning
    assert AuditEvent.objects.filter(actor=worker, object_type="caseload",
                                     detail__people=[allocation.person_id]).exists()


def test_another_lead_worker_sees_none_of_it(client, allocation, workers):
    page = _page(client, workers["careers_wales"].user, "/broker/caseload/")
    assert page.status_code == 200 and page.context["rows"] == []
    assert allocation.person.display_name not in page.content.decode()


def test_the_epc_sees_the_las_caseloads_by_worker_with_capacity_warnings(client, region, allocation,
                                                                          worker, workers):
    from yep.broker.services import change_lead_worker

    change_lead_worker(workers["youth_service"], capacity=1, actor=region.epc, context=TEST)
    page = _page(client, region.epc, f"/broker/caseload/?worker={worker.pk}")
    assert [r.allocation for r in page.context["rows"]] == [allocation]
    assert page.context["capacity"].warning == "At capacity: 1 of 1"
    assert 'data-testid="capacity-warning"' in page.content.decode()
    other = _page(client, region.epc, f"/broker/caseload/?worker={workers['careers_wales'].user_id}")
    assert other.context["rows"] == []
    assert _page(client, region.other_epc, "/broker/caseload/").context["rows"] == []


# The package --------------------------------------------------------------------------------------------------


def test_the_lead_worker_and_epc_open_the_package_and_others_get_404(client, region, allocation, worker,
                                                                      workers):
    url = f"/broker/allocations/{allocation.pk}/"
    mine = _page(client, worker, url)
    assert mine.status_code == 200 and 'data-testid="contact-form"' in mine.content.decode()
    assert 'data-testid="service-form"' not in mine.content.decode()  # the EPC adds services
    assert 'data-testid="service-form"' in _page(client, region.epc, url).content.decode()
    assert _page(client, workers["careers_wales"].user, url).status_code == 404
    assert _page(client, region.other_epc, url).status_code == 404
    assert AuditEvent.objects.filter(actor=region.other_epc, action="denied", object_type="support_package").exists()


def test_logging_a_contact_from_the_page(client, allocation, worker):
    client.force_login(worker)
    url = f"/broker/allocations/{allocation.pk}/contacts/"
    done = client.post(url, {"on": TODAY.isoformat(), "channel": "home_visit", "outcome": "engaged", "note": "Ok"})
    assert done.status_code == 302 and Contact.objects.get().channel == "home_visit"
    bad = client.post(url, {"on": (TODAY + datetime.timedelta(days=3)).isoformat(), "channel": "",
                            "outcome": "engaged", "note": "Typed this"})
    text = bad.content.decode()
    assert bad.status_code == 200 and 'data-testid="errors"' in text
    assert "cannot be in the future" in text and "Typed this" in text and 'href="#contact-on"' in text
    assert Contact.objects.count() == 1


def test_a_date_typed_wrongly_is_refused_not_dropped(client, allocation, worker):
    client.force_login(worker)
    page = client.post(f"/broker/allocations/{allocation.pk}/goals/", {"text": "Attend", "target_date": "31/02/26"})
    assert "target_date" in page.context["errors"] and 'href="#goal-target_date"' in page.content.decode()
    assert not allocation.package.goals.exists()


def test_a_school_user_cannot_post_to_the_package(client, region, allocation):
    client.force_login(region.school_staff)
    page = client.post(f"/broker/allocations/{allocation.pk}/goals/", {"text": "Mine now"})
    assert page.status_code == 404 and not allocation.package.goals.exists()


def test_escalating_on_the_page_and_the_epc_deciding(client, region, allocation, worker):
    client.force_login(worker)
    response = client.post(f"/broker/allocations/{allocation.pk}/escalate/", {"evidence": "Missed 5 sessions"})
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    page = client.get(f"/broker/escalations/{escalation.pk}/")
    assert page.status_code == 200 and 'data-testid="decide-form"' not in page.content.decode()
    client.force_login(region.epc)
    page = client.get(f"/broker/escalations/{escalation.pk}/")
    assert 'data-testid="decide-form"' in page.content.decode()
    assert client.post(f"/broker/escalations/{escalation.pk}/", {"decision": "", "reason": ""}).context["errors"]
    client.post(f"/broker/escalations/{escalation.pk}/", {"decision": "change_package", "reason": "More sessions"})
    escalation.refresh_from_db()
    assert escalation.decision == "change_package" and escalation.task.status == TaskStatus.DONE


def test_a_blocked_flow_shows_why_and_where_to_register_an_agreement(client, region, allocation, worker):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, "681", "Llamau")
    need = S.raise_additional_need(allocation, need="housing", actor=worker, context=TEST)
    client.force_login(region.epc)
    page = client.post(f"/broker/additional-needs/{need.pk}/", {
        "choice": "add", "organisation": housing.pk, "purpose": "Tenancy", "categories": ["support_needs"]})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="blocked"' in text and "no sharing agreement" in text
    assert 'href="/agreements/new/"' in text and "Tenancy" in text
    need.refresh_from_db()
    assert need.status == "open"
    client.post(f"/broker/additional-needs/{need.pk}/", {"choice": "add", "organisation": housing.pk,
                                                         "purpose": "Tenancy"})
    need.refresh_from_db()
    assert need.status == "service_added" and Task.objects.get(pk=need.task_id).status == TaskStatus.DONE


def test_raising_an_additional_need_from_the_page(client, allocation, worker):
    client.force_login(worker)
    client.post(f"/broker/allocations/{allocation.pk}/additional-needs/", {"need": "housing", "note": "Sofa"})
    assert AdditionalNeed.objects.get().need == "housing"
    bad = client.post(f"/broker/allocations/{allocation.pk}/additional-needs/", {"need": "x"})
    assert "need" in bad.context["errors"]


def test_recording_a_review_from_the_form(client, allocation, worker):
    client.force_login(worker)
    url = f"/broker/allocations/{allocation.pk}/reviews/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"held_on": TODAY.isoformat(), "risk_band": "medium"})
    assert "participants" in bad.context["errors"]
    done = client.post(url, {"held_on": TODAY.isoformat(), "risk_band": "medium", "participant-0-name": "Ffion",
                             "participant-0-role": "Lead worker", "participant-0-attended": "1",
                             "participant-1-name": "Mr Price", "lead_worker_feedback": "Better"})
    assert done.status_code == 302
    review = SupportReview.objects.get()
    assert [(p.name, p.attended) for p in review.participants.all()] == [("Ffion", True), ("Mr Price", False)]


# The lead worker tab ------------------------------------------------------------------------------------------


def test_the_tab_shows_the_lead_worker_families_first_and_the_package_link(client, region, allocation, worker,
                                                                           django_assert_max_num_queries):
    person = allocation.person
    people.add_characteristic(person, "families_first", start=STARTED, value="Y", actor="test", context=TEST)
    people.add_characteristic(person, "social_worker", start=STARTED, value="Bethan Morgan", actor="test",
                              context=TEST)
    client.force_login(region.epc)
    with django_assert_max_num_queries(30):
        page = client.get(f"/people/{person.pk}/lead-worker/")
    text = page.content.decode()
    assert page.status_code == 200 and page.context["families_first"] == "FF/TAF active — social worker Bethan Morgan"
    assert worker.username in text and f"/broker/allocations/{allocation.pk}/" in text
    assert f'href="/people/{person.pk}/lead-worker/"' in text  # the tab is in the record's navigation


def test_a_young_person_with_no_lead_worker_can_be_referred_from_the_tab(client, region, allocation):
    person = factories.make_person("681", legal_forenames="Nia")
    client.force_login(region.epc)
    page = client.get(f"/people/{person.pk}/lead-worker/").content.decode()
    assert f'href="/people/{person.pk}/refer/"' in page
    # Not offered where a lead worker is already allocated.
    assert "/refer/" not in client.get(f"/people/{allocation.person_id}/lead-worker/").content.decode()


def test_a_provider_without_the_support_category_is_refused_the_tab(client, region, allocation):
    factories.enrol(allocation.person, region.college, year_group=None, start=STARTED)
    page = _page(client, region.provider_staff, f"/people/{allocation.person_id}/lead-worker/")
    assert page.status_code == 403
    assert AuditEvent.objects.filter(actor=region.provider_staff, action="denied", fields=["support_needs"]).exists()


def test_a_careers_adviser_not_involved_cannot_open_the_tab(client, region, allocation):
    adviser = factories.make_user(Role.CAREERS_ADVISER, factories.make_organisation("careers_service", "681"),
                                  "cw.adviser")
    assert _page(client, adviser, f"/people/{allocation.person_id}/lead-worker/").status_code == 404


@pytest.mark.parametrize("url", ["/broker/escalations/999999/", "/broker/additional-needs/999999/",
                                 "/broker/allocations/999999/"])
def test_missing_things_are_404(client, region, url):
    assert _page(client, region.epc, url).status_code == 404
