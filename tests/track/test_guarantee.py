"""England's September Guarantee (issue 6, item 2): the Year 11 cohort by school and the Year 12 cohort by
residence, the published percentages, the latest record counting, who sees names, recording an offer (works,
refused, bad input) and the page, form, export and API."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people import services as people
from yep.people.models import OrganisationKind
from yep.track import guarantee
from yep.track.models import GuaranteeOffer
from yep.track.services_guarantee import record_offer

YEAR = timezone.localdate().year  # a guarantee year the service accepts, whatever today is


def year11_dob() -> str:
    """Academic age 15 on 31 May of YEAR (finishing Year 11)."""
    return datetime.date(YEAR - 16, 3, 1).isoformat()


def year12_dob() -> str:
    """Academic age 16 on 31 May of YEAR (finishing Year 12)."""
    return datetime.date(YEAR - 17, 3, 1).isoformat()


def pupil(school, forenames: str, la_code: str = "681", year_group: int = 11):
    person = factories.make_person(la_code, legal_forenames=forenames, legal_surname="Year11", dob=year11_dob())
    factories.enrol(person, school, year_group=year_group, start=datetime.date(YEAR - 1, 9, 1))
    return person


@pytest.fixture
def year11(region):
    """Five Year 11 pupils at Cardiff's schools: four more and the region's pupil (on the roll in Year 11 too; by
    date of birth perhaps also in a Year 12 cohort, so only ever the one without a record here)."""
    return [*(pupil(region.school, name) for name in ("Aled", "Bethan", "Carys", "Dylan")), region.pupil]


def offer(person, actor, status="offer_made", offer_type="fe_college", year_group=11, **extra):
    return record_offer(person, year=YEAR, year_group=year_group, status=status,
                        offer_type=offer_type if status == "offer_made" else "", actor=actor, context=TEST, **extra)


@pytest.fixture
def recorded(region, year11):
    """Three offers made, one not appropriate, one not recorded."""
    for person in year11[:3]:
        offer(person, region.epc)
    offer(year11[3], region.epc, status="not_appropriate", notes="Moving abroad in August.")
    return year11


# The cohorts and the figures ---------------------------------------------------------------------------------------


def test_the_percentages_are_of_the_cohort_by_published_category(region, recorded):
    report = guarantee.guarantee_report(region.epc, region.la, YEAR)
    y11 = report.cohorts[0]
    assert (y11.year_group, y11.total) == (11, 5)
    assert y11.counts == {"offer_made": 3, "not_appropriate": 1, "no_offer": 0, "not_recorded": 1}
    assert y11.percents == {"offer_made": 60.0, "not_appropriate": 20.0, "no_offer": 0.0, "not_recorded": 20.0}
    assert [(w.person, w.status) for w in report.waiting if w.year_group == 11] == [(recorded[4], "not_recorded")]


def test_year_11_is_by_school_and_year_12_by_residence(region):
    swansea_resident_at_cardiff_school = pupil(region.school, "Elin", la_code="670")
    cardiff_resident_at_swansea_school = pupil(region.other_school, "Ffion")
    resident_16 = factories.make_person("681", legal_forenames="Gareth", dob=year12_dob())
    resident_17 = factories.make_person("681", legal_forenames="Huw", dob=datetime.date(YEAR - 18, 3, 1).isoformat())
    swansea_16 = factories.make_person("670", legal_forenames="Iolo", dob=year12_dob())
    y11, y12 = set(guarantee.cohort(region.la, YEAR, 11)), set(guarantee.cohort(region.la, YEAR, 12))
    assert swansea_resident_at_cardiff_school in y11 and cardiff_resident_at_swansea_school not in y11
    assert resident_16 in y12 and resident_17 not in y12 and swansea_16 not in y12
    assert swansea_16 in guarantee.cohort(region.other_la, YEAR, 12)


def test_the_year_11_cohort_is_fixed_on_31_may(region):
    moved_in_april, left_in_june = pupil(region.school, "Jac"), pupil(region.school, "Lowri")
    people.end_enrolment(moved_in_april.enrolments.get(), end=datetime.date(YEAR, 4, 30), reason="moved_la",
                         actor="test", context=TEST)
    people.end_enrolment(left_in_june.enrolments.get(), end=datetime.date(YEAR, 6, 26), reason="completed",
                         actor="test", context=TEST)
    y11 = set(guarantee.cohort(region.la, YEAR, 11))
    assert moved_in_april not in y11 and left_in_june in y11


def test_a_later_record_replaces_an_earlier_one(region, recorded):
    offer(recorded[0], region.epc, status="no_offer")
    y11 = guarantee.guarantee_report(region.epc, region.la, YEAR).cohorts[0]
    assert y11.counts["offer_made"] == 2 and y11.counts["no_offer"] == 1
    offer(recorded[0], region.epc, offer_type="apprenticeship")
    y11 = guarantee.guarantee_report(region.epc, region.la, YEAR).cohorts[0]
    assert y11.counts["offer_made"] == 3 and y11.counts["no_offer"] == 0
    assert GuaranteeOffer.objects.filter(person=recorded[0]).count() == 3  # history is kept


def test_another_las_epc_sees_no_names_and_small_counts_suppressed(region, recorded):
    for viewer in (region.other_epc, region.analyst):
        report = guarantee.guarantee_report(viewer, region.la, YEAR)
        y11 = report.cohorts[0]
        assert report.waiting == [] and not report.exact
        assert y11.total == 5 and y11.counts["offer_made"] == "c" and y11.percents["offer_made"] == "c"
        assert y11.counts["no_offer"] == 0


def test_the_default_year_turns_over_on_1_may():
    assert guarantee.default_year(datetime.date(2026, 4, 30)) == 2025
    assert guarantee.default_year(datetime.date(2026, 5, 1)) == 2026


# Recording an offer ------------------------------------------------------------------------------------------------


def test_the_careers_service_records_an_offer_audited_with_the_person(region, year11):
    adviser = factories.make_user("careers_adviser", factories.make_organisation(
        OrganisationKind.CAREERS_SERVICE, "681", "Careers Cardiff"), "cw.cardiff")
    made = offer(year11[1], adviser, provider=region.college.pk)
    assert (made.status, made.offer_type, made.provider, made.recorded_by) == (
        "offer_made", "fe_college", region.college, adviser)
    event = AuditEvent.objects.filter(object_type="guarantee_offer", action="create").get()
    assert event.person_id == year11[1].pk and event.detail["status"] == "offer_made"


def test_refused_without_the_right_or_the_young_person(region, year11):
    for actor in (region.school_staff, region.other_epc):
        with pytest.raises(PermissionDenied):
            offer(year11[1], actor)
    assert not GuaranteeOffer.objects.exists()
    assert AuditEvent.objects.filter(action="denied", object_type="guarantee_offer", person_id=year11[1].pk).count() \
        == 2


def test_bad_input_is_refused_whole(region, year11):
    with pytest.raises(ValidationError) as problem:
        record_offer(year11[1], year=YEAR + 2, year_group=13, status="maybe", offer_type="", provider=region.la.pk,
                     notes="x" * 2001, actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"year", "year_group", "status", "provider", "notes"}
    with pytest.raises(ValidationError) as problem:
        record_offer(year11[1], year=YEAR, year_group=11, status="offer_made", offer_type="", actor=region.epc,
                     context=TEST)
    assert set(problem.value.message_dict) == {"offer_type"}
    with pytest.raises(ValidationError) as problem:
        record_offer(year11[1], year=YEAR, year_group=11, status="no_offer", offer_type="fe_college",
                     actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"offer_type"}
    not_in_cohort = factories.make_person("681", legal_forenames="Kate", dob=datetime.date(YEAR - 19, 3, 1)
                                          .isoformat())
    with pytest.raises(ValidationError) as problem:
        offer(not_in_cohort, region.epc, year_group=12)
    assert set(problem.value.message_dict) == {"year_group"}
    assert not GuaranteeOffer.objects.exists()


# The page, the form, the export and the API ---------------------------------------------------------------------


def test_the_page_shows_both_cohorts_and_links_those_without_an_offer(client, region, recorded):
    client.force_login(region.epc)
    page = client.get(f"/track/september-guarantee/?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="cohort-11"' in html and 'data-testid="cohort-12"' in html
    assert f"/track/september-guarantee/{recorded[4].pk}/?year={YEAR}&amp;year_group=11" in html
    assert f'data-testid="waiting-{recorded[0].pk}"' not in html
    event = AuditEvent.objects.filter(action="view", object_type="september_guarantee").latest("pk")
    assert recorded[4].pk in event.detail["people"]


def test_the_page_is_refused_without_the_right(client, region):
    client.force_login(region.school_staff)
    assert client.get("/track/september-guarantee/").status_code == 403


def test_the_form_records_an_offer_or_shows_the_problems(client, region, recorded):
    client.force_login(region.epc)
    url = f"/track/september-guarantee/{recorded[4].pk}/"
    bad = client.post(url, {"year": YEAR, "year_group": "11", "status": "offer_made", "notes": "Typed"})
    assert bad.status_code == 400 and set(bad.context["errors"]) == {"offer_type"} and "Typed" in bad.content.decode()
    good = client.post(url, {"year": YEAR, "year_group": "11", "status": "offer_made",
                             "offer_type": "apprenticeship", "provider": region.college.pk, "la": region.la.pk})
    assert good.status_code == 302 and good["Location"].startswith("/track/september-guarantee/?year=")
    assert GuaranteeOffer.objects.get(person=recorded[4]).offer_type == "apprenticeship"
    other = client.get(f"/track/september-guarantee/{region.other_pupil.pk}/")
    assert other.status_code == 404


def test_the_export_lists_those_without_an_offer_and_is_audited(client, region, recorded):
    client.force_login(region.epc)
    response = client.get(f"/track/september-guarantee/export.csv?la={region.la.pk}&year={YEAR}")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200 and rows[0][0] == "person_ref"
    assert str(recorded[4].pk) in [r[0] for r in rows[1:]] and str(recorded[0].pk) not in [r[0] for r in rows[1:]]
    event = AuditEvent.objects.get(action="export", object_type="september_guarantee")
    assert recorded[4].pk in event.detail["people"]


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_api_reads_the_figures_and_records_an_offer(client, region, recorded, bearer):
    auth = bearer(region.epc)
    read = client.get(f"/api/v1/track/september-guarantee?la={region.la.pk}&year={YEAR}", **auth)
    body = read.json()
    assert read.status_code == 200 and body["cohorts"][0]["percents"]["offer_made"] == 60.0
    assert [w["person_id"] for w in body["waiting"] if w["year_group"] == 11] == [recorded[4].pk]
    made = client.post(f"/api/v1/track/september-guarantee/{recorded[4].pk}/offers", content_type="application/json",
                       data={"year": YEAR, "year_group": 11, "status": "no_offer"}, **auth)
    assert made.status_code == 201 and made.json()["status"] == "no_offer"


def test_the_api_refuses_other_las_and_bad_input(client, region, recorded, bearer):
    other = bearer(region.other_epc)
    assert client.get(f"/api/v1/track/september-guarantee?la={region.la.pk}", **other).status_code == 404
    hidden = client.post(f"/api/v1/track/september-guarantee/{recorded[4].pk}/offers",
                         content_type="application/json", data={"year": YEAR, "year_group": 11,
                                                                "status": "no_offer"}, **other)
    assert hidden.status_code == 404
    bad = client.post(f"/api/v1/track/september-guarantee/{recorded[4].pk}/offers", content_type="application/json",
                      data={"year": YEAR, "year_group": 11, "status": "offer_made"}, **bearer(region.epc))
    assert bad.status_code == 400 and "offer_type" in bad.json()["errors"]
