"""Acceptance scenarios for access (spec/framework-wales.md): AT-5, AT-12, AT-20 and AT-21.

AT-2 (an early-identification override is audited) needs risk bands, which arrive with issue 4.
"""

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yep.access import categories as C
from yep.access import services
from yep.access.models import AuditEvent, RelationshipKind
from yep.access.policy import decide
from yep.people import services as people_services
from yep.people.models import OrganisationKind, Role

T = factories.TEST


def _bearer(user, capsys):
    call_command("token", "create", user.username)
    return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}


def test_at5_an_uninvolved_careers_adviser_cannot_open_rhys_or_see_his_care_flag(client, region, capsys):
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw.adviser")
    families_first = factories.make_organisation(OrganisationKind.FAMILIES_FIRST, name="Cardiff Families First")
    social_worker = factories.make_user(Role.LEAD_WORKER, families_first, "social.worker")
    rhys = factories.make_person(legal_forenames="Rhys", legal_surname="Hughes", sex="M",
                                 dob=f"{timezone.localdate().year - 14}-02-10")
    factories.enrol(rhys, region.school, year_group=9)
    people_services.add_characteristic(rhys, "looked_after", start=datetime.date(2023, 4, 1), actor="test",
                                       context=T)
    services.open_relationship(rhys, RelationshipKind.LEAD_WORKER, user=social_worker, source="broker",
                               actor=region.epc, context=T)

    client.force_login(adviser)
    assert client.get(reverse("people:detail", args=[rhys.pk])).status_code == 404
    assert client.get(f"/api/v1/people/{rhys.pk}/sensitive", **_bearer(adviser, capsys)).status_code == 404
    client.force_login(social_worker)
    page = client.get(reverse("people:characteristics", args=[rhys.pk])).content.decode()
    assert "Looked after" in page


def test_at12_the_admissions_firewall(client, region, capsys):
    pupil = region.pupil
    people_services.add_characteristic(pupil, "aln", value="la_idp:SEMH", start=datetime.date(2022, 9, 1),
                                       actor="test", context=T)
    services.open_relationship(pupil, RelationshipKind.APPLICANT, organisation=region.college,
                               source="transition.application", actor=region.epc, context=T)
    headers = _bearer(region.provider_staff, capsys)

    during = client.get(f"/api/v1/people/{pupil.pk}", **headers).json()
    assert during["access"]["categories"] == [C.APPLICATION, C.IDENTITY]
    assert during["characteristics"] == [] and during["contacts"] is None and during["enrolments"] is None
    refused = client.get(f"/api/v1/people/{pupil.pk}/sensitive", **headers)
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(actor=region.provider_staff, action="denied", person_id=pupil.pk,
                                     fields=[C.SENSITIVE]).exists()

    factories.enrol(pupil, region.college, year_group=None, start=timezone.localdate())
    started = decide(region.provider_staff, pupil.pk)
    assert C.SUPPORT_NEEDS not in started.categories and C.RISK not in started.categories
    services.register_agreement(
        name="Cardiff LA and Cardiff and Vale College ISP", parties=[region.la, region.college],
        purpose="Transition support", lawful_basis="6(1)(e) public task", statute="ESA 2008 s13",
        categories=[C.IDENTITY, C.SUPPORT_NEEDS, C.LEAD_WORKER_CONTACT], start=datetime.date(2024, 1, 1),
        actor="test", context=T)
    agreed = decide(region.provider_staff, pupil.pk)
    assert {C.SUPPORT_NEEDS, C.LEAD_WORKER_CONTACT} <= agreed.categories
    assert C.RISK not in agreed.categories and C.SENSITIVE not in agreed.categories


def test_at20_sharing_with_an_organisation_without_an_agreement_is_blocked_then_allowed(client, region):
    housing = factories.make_organisation(OrganisationKind.THIRD_SECTOR, name="Cardiff Housing Support")
    client.force_login(region.epc)
    url = reverse("access:share", args=[region.pupil.pk])
    form = {"share-organisation": housing.pk, "share-categories": [C.SUPPORT_NEEDS], "share-purpose": "housing"}
    blocked = client.post(url, form)
    page = blocked.content.decode()
    assert blocked.status_code == 400
    assert "no sharing agreement between Cardiff and Cardiff Housing Support" in page
    assert reverse("access:new_agreement") in page
    assert not region.pupil.relationships.exists()
    assert AuditEvent.objects.filter(action="denied", object_type="flow", person_id=region.pupil.pk).exists()

    services.register_agreement(
        name="Cardiff housing ISP", parties=[region.la, housing], purpose="Housing support",
        lawful_basis="6(1)(e) public task", statute="Children Act 2004 s25",
        categories=[C.IDENTITY, C.SUPPORT_NEEDS], start=datetime.date(2024, 1, 1), actor="test", context=T)
    assert client.post(url, form).status_code == 302
    shared = region.pupil.relationships.get()
    assert shared.organisation == housing and shared.agreement.name == "Cardiff housing ISP"
    assert AuditEvent.objects.filter(action="share", person_id=region.pupil.pk, fields=[C.IDENTITY, C.SUPPORT_NEEDS])


def test_at21_access_ends_with_the_relationship_and_history_stays_read_only(client, region):
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, name="Cardiff Youth Service")
    worker = factories.make_user(Role.LEAD_WORKER, youth, "youth.worker")
    today = timezone.localdate()
    relationship = services.open_relationship(region.other_pupil, RelationshipKind.LEAD_WORKER, user=worker,
                                              start=today - datetime.timedelta(days=200), actor="test", context=T)
    assert decide(worker, region.other_pupil.pk).can_change
    services.end_relationship(relationship, end=today - datetime.timedelta(days=1), actor="test", context=T)

    decision = decide(worker, region.other_pupil.pk)
    assert decision.mode == "history" and not decision.can_change and not decision.can_see(C.CONTACT)
    client.force_login(worker)
    page = client.get(reverse("people:detail", args=[region.other_pupil.pk])).content.decode()
    assert 'data-testid="history-banner"' in page and "SA1 1AA" not in page
    with_settings_elapsed = today - datetime.timedelta(days=1) + datetime.timedelta(days=400)
    assert decide(worker, region.other_pupil.pk, on=with_settings_elapsed) is None
