"""England's NCCIS return and DfE's December to February average, from the timeline with England's rules: the
average checked against a hand computation, the return's rows (ages, EHC plans at 18, currency, groups, SEND),
and the page, export and API; allowed, refused and bad input. Dates are pinned to the winter of 2024-25."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people import services as people
from yep.people.models import ActivityCode, Person
from yep.track import nccis
from yep.track.services import record_activities

from . import test_surveys

careers = test_surveys.careers  # the Cardiff careers service and its adviser (a fixture)

WINTER = 2024
SEPTEMBER = datetime.date(2024, 9, 2)
AGE_16, AGE_17, AGE_18 = datetime.date(2008, 1, 15), datetime.date(2007, 5, 1), datetime.date(2006, 5, 1)


def young(name: str, dob: datetime.date = AGE_16, la: str = "681") -> Person:
    return factories.make_person(la, legal_forenames=name, legal_surname="Smith", dob=dob.isoformat())


def did(person: Person, code: int, start: datetime.date, hours: int | None = None) -> None:
    record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk, "start": start,
                        "end": None, "hours_per_week": hours, "organisation_id": None, "source": "provider"}],
                      actor="test", context=TEST)


@pytest.fixture
def winter(region):
    """Ten young people of academic age 16-17 living in Cardiff: NEET 1, 2 and 0 and not known 1, 1 and 1 at the
    ends of December, January and February. Beside them, who must not count: an 18 year old NEET, a Swansea
    resident NEET and a young adult offender in custody."""
    ten = [young(f"Person {n}", AGE_16 if n % 2 else AGE_17) for n in range(10)]
    neet_dec_jan, neet_jan, not_known = ten[0], ten[1], ten[2]
    for person in ten:
        did(person, 810 if person is not_known else 230, SEPTEMBER, 21)
    did(neet_dec_jan, 619, datetime.date(2024, 12, 1))
    did(neet_dec_jan, 310, datetime.date(2025, 2, 1), 30)
    did(neet_jan, 619, datetime.date(2025, 1, 10))
    did(neet_jan, 230, datetime.date(2025, 2, 11), 21)
    eighteen, elsewhere, custody = young("Eighteen", AGE_18), young("Swansea", la="670"), young("Custody")
    for person in (eighteen, elsewhere):
        did(person, 619, datetime.date(2024, 12, 1))
    did(custody, 710, SEPTEMBER)
    return {"ten": ten, "neet": neet_dec_jan, "not_known": not_known, "eighteen": eighteen, "custody": custody}


# The December to February average ----------------------------------------------------------------------------------


def test_the_dec_feb_average_matches_the_hand_computation(region, winter):
    average = nccis.dec_feb_average(region.la, WINTER)
    months = [(m.on, m.cohort, m.neet, m.not_known) for m in average.months]
    assert months == [(datetime.date(2024, 12, 31), 10, 1, 1), (datetime.date(2025, 1, 31), 10, 2, 1),
                      (datetime.date(2025, 2, 28), 10, 0, 1)]
    assert [m.neet_pct for m in average.months] == [10.0, 20.0, 0.0]
    # (10% + 20% + 0%) / 3 = 10.0% NEET; (10% + 10% + 10%) / 3 = 10.0% not known.
    assert (average.neet_pct, average.not_known_pct, average.combined_pct) == (10.0, 10.0, 20.0)
    assert average.as_dict()["rules"] == "nccis-2024.1"


def test_an_activity_past_its_currency_counts_as_not_known(region, winter):
    stale = young("Stale")
    did(stale, 619, datetime.date(2024, 9, 2))  # NEET re-confirmed every 91 days: lapsed by December
    december = nccis.dec_feb_average(region.la, WINTER).months[0]
    assert (december.cohort, december.neet, december.not_known) == (11, 1, 2)


def test_an_la_without_young_people_has_no_percentages(region):
    average = nccis.dec_feb_average(region.other_la, WINTER)
    assert average.cohort == 0 and average.neet_pct is None and average.months[2].on == datetime.date(2025, 2, 28)


def test_a_leap_year_february_ends_on_the_29th():
    assert nccis.winter_month_ends(2027)[2] == datetime.date(2028, 2, 29)


# The return ---------------------------------------------------------------------------------------------------------


def test_the_return_lists_ages_16_and_17_with_activity_currency_group_and_send(region, winter):
    people.add_characteristic(winter["neet"], "aln", value="school_idp:MLD", start=SEPTEMBER, actor="test",
                              context=TEST)
    on = datetime.date(2025, 1, 31)
    rows = {r.person_ref: r for r in nccis.nccis_return(region.la, on)}
    assert set(rows) == {p.pk for p in winter["ten"]} | {winter["custody"].pk}
    neet = rows[winter["neet"].pk]
    assert (neet.la_code, neet.academic_age, neet.activity_code, neet.start_date, neet.group, neet.send) == (
        "681", 17, 619, datetime.date(2024, 12, 1), "neet", "K")
    assert neet.currency_due == datetime.date(2024, 12, 1) + datetime.timedelta(days=91)
    assert rows[winter["not_known"].pk].group == "not_known" and rows[winter["custody"].pk].group == "custody"
    assert rows[winter["ten"][3].pk].group == "eet" and rows[winter["ten"][3].pk].send == "N"


def test_an_18_year_old_is_in_the_return_only_with_an_ehc_plan(region, winter):
    on = datetime.date(2025, 1, 31)
    assert winter["eighteen"].pk not in {r.person_ref for r in nccis.nccis_return(region.la, on)}
    people.add_characteristic(winter["eighteen"], "aln", value="ehc:ASD", start=SEPTEMBER, actor="test",
                              context=TEST)
    row = {r.person_ref: r for r in nccis.nccis_return(region.la, on)}[winter["eighteen"].pk]
    assert (row.academic_age, row.send, row.group) == (18, "E", "neet")


def test_the_epc_exports_the_return_and_the_export_is_audited(region, winter):
    body = nccis.export_return(region.la, datetime.date(2025, 1, 31), actor=region.epc, context=TEST)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == list(nccis.HEADER) and len(rows) == 11
    event = AuditEvent.objects.get(action="export", object_type="nccis_return")
    assert event.actor == region.epc and len(event.detail["people"]) == 11


def test_the_careers_service_and_other_las_cannot_export_and_the_refusal_is_audited(region, careers, winter):
    for user in (careers.adviser, region.other_epc):
        with pytest.raises(nccis.PermissionDenied):
            nccis.export_return(region.la, datetime.date(2025, 1, 31), actor=user, context=TEST)
    assert AuditEvent.objects.filter(action="denied", object_type="nccis_return").count() == 2
    assert not AuditEvent.objects.filter(action="export").exists()


# The page and the API -----------------------------------------------------------------------------------------------


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_nccis_page_shows_the_winter_before_the_date_and_downloads_the_return(client, region, winter):
    client.force_login(region.epc)
    page = client.get("/track/nccis/", {"la": region.la.pk, "on": "2025-03-15"})
    html = page.content.decode()
    assert page.status_code == 200 and page.context["average"].winter == WINTER
    assert 'data-testid="neet-pct">10.0<' in html and 'data-testid="not-known-pct">10.0<' in html
    download = client.get("/track/nccis/export.csv", {"la": region.la.pk, "on": "2025-01-31"})
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert len(list(csv.DictReader(io.StringIO(download.content.decode())))) == 11
    assert AuditEvent.objects.filter(action="export", actor=region.epc, channel="web").exists()


def test_the_nccis_page_reports_a_bad_date_and_refuses_others(client, region, careers, winter):
    client.force_login(region.epc)
    page = client.get("/track/nccis/", {"la": region.la.pk, "on": "31/01/2025"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"on"} and page.context["average"] is None
    assert client.get("/track/nccis/export.csv", {"la": region.other_la.pk}).status_code == 404
    client.force_login(careers.adviser)
    assert client.get("/track/nccis/").status_code == 403
    assert client.get("/track/nccis/export.csv", {"la": region.la.pk}).status_code == 403


def test_the_api_gives_the_averages_with_the_three_months(client, region, winter, bearer):
    body = client.get("/api/v1/track/nccis/averages", {"la": region.la.pk, "winter": WINTER},
                      **bearer(region.epc)).json()
    assert (body["neet_pct"], body["not_known_pct"], body["cohort"]) == (10.0, 10.0, 10.0)
    assert [m["neet"] for m in body["months"]] == [1, 2, 0]


def test_the_api_refuses_other_las_and_unreadable_input(client, region, careers, winter, bearer):
    url = "/api/v1/track/nccis/averages"
    assert client.get(url, {"la": region.la.pk, "winter": WINTER}, **bearer(region.other_epc)).status_code == 404
    assert client.get(url, {"la": region.la.pk, "winter": WINTER}, **bearer(careers.adviser)).status_code == 403
    assert client.get(url, {"la": region.la.pk, "winter": "last"}, **bearer(region.epc)).status_code == 422


# The command line ---------------------------------------------------------------------------------------------------


def test_the_command_line_writes_the_return_and_prints_the_averages(region, winter, tmp_path, capsys):
    out = tmp_path / "nccis.csv"
    call_command("track", "--as", region.epc.username, "nccis", "--la", "681", "--on", "2025-01-31",
                 "--out", str(out))
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 11
    call_command("track", "averages", "--la", "681", "--winter", str(WINTER), "--json")
    body = capsys.readouterr().out
    assert '"neet_pct": 10.0' in body and '"not_known_pct": 10.0' in body


def test_the_command_line_refuses_a_user_of_another_la_and_a_bad_date(region, winter):
    with pytest.raises(CommandError):
        call_command("track", "--as", region.other_epc.username, "nccis", "--la", "681")
    with pytest.raises(CommandError):
        call_command("track", "nccis", "--la", "681", "--on", "31/01/2025")
