"""Acceptance scenario AT-23 (spec/framework-wales.md; Estyn F4, R41): the referral pressure dashboard."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.broker.conftest import pre16_dob
from tests.factories import TEST
from yep.broker.models import Referral
from yep.broker.services import allocate

# Six months of rising pressure: referrals per month, and the median number of needs per referral.
PER_MONTH = [20, 23, 26, 29, 32, 35]
MEDIAN_NEEDS = [2, 2, 2, 3, 3, 3]
NEEDS = ["attendance", "wellbeing", "family", "careers"]


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _refer(surname: str, n_needs: int):
    person = factories.make_person("681", legal_forenames="Pressure", legal_surname=surname, dob=pre16_dob())
    return factories.make_referral(person, stage="pre16", risk_band="high", families_first=False,
                                   needs=tuple(NEEDS[:n_needs]))


def _received(referral, when: datetime.datetime) -> None:
    # The service stamps the time a referral is received; the scenario places them in past months.
    Referral.objects.filter(pk=referral.pk).update(received_at=when)


@pytest.fixture
def pressure(region):
    """The six complete months before this one, with referrals rising 20 -> 35 and needs 2 -> 3; then three
    referrals allocated this month after 4, 6 and 8 days to a Youth Service worker, who is now at capacity."""
    today = timezone.localdate()
    months = [_month_start(today, back) for back in range(6, 0, -1)]
    for month, count, median in zip(months, PER_MONTH, MEDIAN_NEEDS, strict=True):
        for n in range(count):
            # Needs of median, median-1 and median+1 in turn: the median stays ``median``.
            referral = _refer(f"{month:%b}{n}", median + (0, -1, 1)[n % 3])
            _received(referral, _at(month + datetime.timedelta(days=n % 27)))
    youth = factories.make_lead_worker("681", "youth_service", capacity=3, username="ys.full")
    factories.make_lead_worker("681", "youth_service", capacity=10, username="ys.room")
    now = timezone.now()
    for days in (4, 6, 8):
        referral = _refer(f"Now{days}", 2)
        _received(referral, now - datetime.timedelta(days=days))
        allocate(Referral.objects.get(pk=referral.pk), youth, actor=region.epc, context=TEST)
    return {"months": months, "full": youth.host_organisation}


def _six_months(trends: list, months: list[datetime.date]) -> list[tuple[int, float]]:
    by_month = {row[0]: (row[1], row[2]) for row in trends}
    return [by_month[m] for m in months]


def test_at23_the_board_shows_both_trends_time_to_allocation_and_hosts_at_capacity(client, region, pressure):
    client.force_login(region.epc)
    page = client.get("/broker/")
    assert page.status_code == 200
    data = page.context["data"]
    trends = [(m.start, m.referrals, m.median_needs) for m in data.trends]
    assert _six_months(trends, pressure["months"]) == list(zip(PER_MONTH, MEDIAN_NEEDS, strict=True))
    assert data.time_to_allocation.median_days == pytest.approx(6.0, abs=0.1)
    assert [h.organisation for h in data.hosts_at_capacity] == [pressure["full"]]
    html = page.content.decode()
    assert 'data-testid="trends"' in html and "<svg" in html  # the charts, and the table beside them
    for month, count in zip(pressure["months"], PER_MONTH, strict=True):
        assert f"{month:%B %Y}</th>" in html and f">{count}</td>" in html
    assert 'data-testid="host-at-capacity"' in html and pressure["full"].name in html


def test_at23_the_dashboard_api_gives_the_same_figures(client, region, pressure, capsys):
    call_command("token", "create", region.epc.username)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}
    data = client.get("/api/v1/broker/dashboard", **auth).json()
    trends = [(datetime.date.fromisoformat(f"{m['month']}-01"), m["referrals"], m["median_needs"])
              for m in data["trends"]]
    assert _six_months(trends, pressure["months"]) == list(zip(PER_MONTH, MEDIAN_NEEDS, strict=True))
    assert data["time_to_allocation"]["median_days"] == pytest.approx(6.0, abs=0.1)
    assert data["time_to_allocation"]["allocations"] == 3
    assert data["hosts_at_capacity"] == [pressure["full"].name]
    full = next(h for h in data["hosts"] if h["organisation"] == pressure["full"].name)
    assert (full["caseload"], full["capacity"], full["at_capacity"]) == (3, 3, True)
