"""The board's figures: which referrals wait and for how long, time to allocation over the last 3 months, capacity
by host organisation, and referral trends by calendar month; each counts the LA's own brokerage only."""

import datetime

from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.broker import metrics
from yep.broker.models import Allocation, Referral
from yep.broker.services import allocate, decide_referral

DAY = datetime.date(2026, 11, 23)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _refer(young, name: str, received: datetime.date, needs=("attendance",), **facts):
    referral = factories.make_referral(young(legal_forenames=name), stage="pre16", risk_band="high",
                                       families_first=False, needs=needs, **facts)
    Referral.objects.filter(pk=referral.pk).update(received_at=_at(received))  # placed in the past
    return Referral.objects.get(pk=referral.pk)


def test_open_and_deferred_referrals_wait_oldest_first_with_the_days_waited(region, young):
    newer = _refer(young, "Newer", DAY - datetime.timedelta(days=2))
    older = _refer(young, "Older", DAY - datetime.timedelta(days=9))
    deferred = _refer(young, "Deferred", DAY - datetime.timedelta(days=5))
    decide_referral(deferred, decision="deferred", reason="After the exams", actor=region.epc, context=TEST)
    closed = _refer(young, "Closed", DAY - datetime.timedelta(days=20))
    decide_referral(closed, decision="declined", reason="Moved away", actor=region.epc, context=TEST)
    waiting = metrics.waiting_referrals(region.la, DAY)
    assert [(w.referral, w.days) for w in waiting] == [(older, 9), (deferred, 5), (newer, 2)]
    assert metrics.waiting_referrals(region.other_la, DAY) == []


def test_time_to_allocation_is_the_median_over_the_last_three_months(region, young, workers):
    youth = workers["youth_service"]
    for name, waited in (("A", 2), ("B", 4), ("C", 10)):
        referral = _refer(young, name, DAY - datetime.timedelta(days=waited))
        allocate(referral, youth, actor=region.epc, context=TEST)
    old = _refer(young, "Old", DAY - datetime.timedelta(days=200))
    allocate(old, youth, actor=region.epc, context=TEST)
    # Decided long ago: outside the window. (Tests place records in time; services stamp "now".)
    Allocation.objects.filter(referral=old).update(decided_at=_at(DAY - datetime.timedelta(days=150)))
    Allocation.objects.exclude(referral=old).update(decided_at=_at(DAY))
    result = metrics.time_to_allocation(region.la, DAY)
    assert (result.allocations, result.median_days) == (3, 4.0)
    assert metrics.time_to_allocation(region.other_la, DAY).median_days is None


def test_capacity_is_added_up_by_host_and_hosts_at_capacity_are_flagged(region, young):
    host = factories.make_organisation("youth_service", "681", "Cardiff Youth Service")
    first = factories.make_lead_worker("681", "youth_service", capacity=2, username="ys.a", host=host)
    factories.make_lead_worker("681", "youth_service", capacity=1, username="ys.b", host=host)
    roomy = factories.make_lead_worker("681", "careers_wales", capacity=10, username="cw.a")
    factories.fill_caseload(first, 3)
    hosts = metrics.capacity_by_host(region.la)
    assert [(h.organisation, len(h.workers), h.caseload, h.capacity, h.at_capacity) for h in hosts] == [
        (host, 2, 3, 3, True), (roomy.host_organisation, 1, 0, 10, False)]
    assert hosts[0].workers[0].at_capacity and not hosts[0].over_capacity
    assert metrics.capacity_by_host(region.other_la) == []


def test_trends_count_referrals_and_the_median_needs_for_each_of_twelve_months(region, young):
    _refer(young, "Sep1", datetime.date(2026, 9, 3), needs=("attendance",))
    _refer(young, "Sep2", datetime.date(2026, 9, 30), needs=("attendance", "wellbeing", "family"))
    _refer(young, "Nov1", datetime.date(2026, 11, 1), needs=("attendance", "wellbeing"))
    _refer(young, "TooOld", datetime.date(2025, 11, 30))
    trends = metrics.referral_trends(region.la, DAY)
    assert [m.start for m in trends][0] == datetime.date(2025, 12, 1) and len(trends) == 12
    by_month = {m.start: (m.referrals, m.median_needs) for m in trends}
    assert by_month[datetime.date(2026, 9, 1)] == (2, 2.0)
    assert by_month[datetime.date(2026, 10, 1)] == (0, None)
    assert by_month[datetime.date(2026, 11, 1)] == (1, 2)
