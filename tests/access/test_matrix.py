"""The access matrix: every role and relationship against the record page, the lead worker tab, the sensitive
characteristics (page and API), the API record and search. Expected outcomes are written out by hand from
docs/security.md, not derived from the policy code, so a change to the policy that breaks the documented rules
fails here."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yep.access import services
from yep.access.models import RelationshipKind
from yep.people import services as people_services
from yep.people.models import OrganisationKind, Role

T = factories.TEST


@pytest.fixture
def world(region):
    """Pupil P (Year 11, school S, Cardiff, looked after) and learner Q (17, college C, Cardiff)."""
    year = timezone.localdate().year
    pupil = region.pupil
    people_services.update_person(pupil, {"dob": f"{year - 15}-01-10"}, actor="t", context=T)  # Year 10 or 11
    people_services.add_characteristic(pupil, "looked_after", start=datetime.date(2023, 1, 1), actor="t", context=T)
    learner = factories.make_person(legal_forenames="Cerys", legal_surname="Morgan", dob=f"{year - 18}-01-20")
    factories.enrol(learner, region.college, year_group=None, start=datetime.date(year - 1, 9, 1))
    people_services.add_characteristic(learner, "pregnancy", start=datetime.date(year - 1, 11, 1), actor="t",
                                       context=T)
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, name="Cardiff Youth Service")
    users = {
        "epc": region.epc, "other_epc": region.other_epc, "school": region.school_staff,
        "other_school": factories.make_user(Role.SCHOOL_STAFF, region.other_school, "other.school"),
        "provider": region.provider_staff, "analyst": region.analyst,
        "careers": factories.make_user(Role.CAREERS_ADVISER, careers, "cw"),
        "lead_worker": factories.make_user(Role.LEAD_WORKER, youth, "lw.with"),
        "other_lead_worker": factories.make_user(Role.LEAD_WORKER, youth, "lw.without"),
        "dpo": factories.make_user(Role.DPO, region.la, "dpo"),
        "researcher": factories.make_user(Role.RESEARCHER, region.la, "researcher"),
        "admin": factories.make_user(Role.ADMINISTRATOR, region.la, "admin"),
    }
    services.open_relationship(pupil, RelationshipKind.LEAD_WORKER, user=users["lead_worker"], actor="t", context=T)
    return {"users": users, "people": {"P": pupil, "Q": learner}}


# user, person: (record page, sensitive page shows the flag, API record, API sensitive, found by search)
MATRIX = {
    ("epc", "P"): (200, True, 200, 200, True),
    ("epc", "Q"): (200, True, 200, 200, True),
    ("other_epc", "P"): (404, False, 404, 404, False),
    ("school", "P"): (200, True, 200, 200, True),
    ("school", "Q"): (404, False, 404, 404, False),
    ("other_school", "P"): (404, False, 404, 404, False),
    ("provider", "P"): (404, False, 404, 404, False),
    ("provider", "Q"): (200, False, 200, 403, True),
    ("careers", "P"): (404, False, 404, 404, False),  # pre-16 and no relationship
    ("careers", "Q"): (200, False, 200, 403, True),
    ("lead_worker", "P"): (200, True, 200, 200, True),
    ("lead_worker", "Q"): (404, False, 404, 404, False),
    ("other_lead_worker", "P"): (404, False, 404, 404, False),
    ("analyst", "P"): (403, False, 403, 403, None),
    ("dpo", "P"): (403, False, 403, 403, None),
    ("researcher", "P"): (403, False, 403, 403, None),
    ("admin", "P"): (403, False, 403, 403, None),
}
# The lead worker tab needs support needs: the provider has none for Q without an agreement.
LEAD_WORKER_TAB = {**{key: row[0] for key, row in MATRIX.items()}, ("provider", "Q"): 403}
FLAG = {"P": "Looked after", "Q": "Pregnancy"}
NAME = {"P": "Dafydd ap Gruffydd", "Q": "Cerys Morgan"}


@pytest.mark.parametrize(("who", "whom"), sorted(MATRIX))
def test_access_matrix(client, world, capsys, who, whom):
    page, flag, api, api_sensitive, found = MATRIX[(who, whom)]
    user, person = world["users"][who], world["people"][whom]
    client.force_login(user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == page
    assert client.get(reverse("broker:person_lead_worker", args=[person.pk])).status_code == LEAD_WORKER_TAB[
        (who, whom)]
    sensitive_page = client.get(reverse("people:characteristics", args=[person.pk]))
    assert (FLAG[whom] in sensitive_page.content.decode()) == flag
    call_command("token", "create", user.username)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}
    assert client.get(f"/api/v1/people/{person.pk}", **headers).status_code == api
    assert client.get(f"/api/v1/people/{person.pk}/sensitive", **headers).status_code == api_sensitive
    search = client.get("/api/v1/people", {"q": NAME[whom]}, **headers)
    if found is None:
        assert search.status_code == 403
    else:
        assert (person.pk in [p["id"] for p in search.json()]) == found
