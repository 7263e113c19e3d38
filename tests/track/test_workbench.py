"""The careers adviser's workbench: what waits for the careers service in its area, for the careers service and
the EPC only, and nothing from another LA."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yep.access.models import AuditEvent
from yep.people.models import ActivityCode, OrganisationKind, Role
from yep.track.services import record_activities

from .. import factories
from ..factories import TEST


@pytest.fixture(name="adviser")
def adviser_fixture(region):
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    return factories.make_user(Role.CAREERS_ADVISER, careers, "cw")


def _sixteen(la_code: str, surname: str):
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return factories.make_person(la_code, legal_forenames="Alys", legal_surname=surname, dob=f"{year - 16}-01-15")


def test_the_adviser_sees_the_unknowns_and_jwt_of_their_area_and_the_view_is_audited(client, region, adviser):
    unknown = _sixteen("681", "Unknown")  # no activity at all: tier 1
    in_jwt = _sixteen("681", "Works")
    record_activities([{"person_id": in_jwt.pk, "code_id": ActivityCode.objects.get(code=330).pk,
                        "start": timezone.localdate() - datetime.timedelta(days=30), "end": None,
                        "hours_per_week": 30, "organisation_id": None, "source": "careers_service"}],
                      actor="test", context=TEST)
    elsewhere = _sixteen("670", "Elsewhere")
    client.force_login(adviser)
    response = client.get(reverse("track:workbench"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/track/unknowns/{unknown.pk}/contact/"' in page
    assert f'href="/track/jwt/{in_jwt.pk}/"' in page and 'data-testid="count-jwt">1<' in page
    assert "Elsewhere" not in page
    event = AuditEvent.objects.filter(object_type="workbench", actor=adviser).get()
    assert unknown.pk in event.detail["people"] and elsewhere.pk not in event.detail["people"]


def test_school_staff_and_youth_workers_may_not_open_the_workbench(client, region):
    client.force_login(region.school_staff)
    assert client.get(reverse("track:workbench")).status_code == 403
    youth_worker = factories.make_user(Role.LEAD_WORKER, factories.make_organisation(
        OrganisationKind.YOUTH_SERVICE, "681", "Cardiff Youth Service"), "youth.worker")
    client.force_login(youth_worker)
    assert client.get(reverse("track:workbench")).status_code == 403
    # A youth worker's menu offers "Report a contact" instead.
    assert 'href="/track/contact-report/"' in client.get("/").content.decode()


def test_another_las_epc_sees_none_of_cardiffs_work(client, region):
    _sixteen("681", "Unknown")
    client.force_login(region.other_epc)
    page = client.get(reverse("track:workbench")).content.decode()
    assert "Unknown" not in page and 'data-testid="count-unknowns">' in page
