"""The five tier engine: each rule of the derivation, one young person at a time and over a cohort's arrays."""

import datetime

import numpy as np
import pytest

from yep.track import rules, tiers
from yep.track.rules import ENGLAND, WALES, Category, CodeTable
from yep.track.tiers import Entry, derive

ON = datetime.date(2026, 11, 15)
DOB = datetime.date(2009, 3, 27)  # academic age 17 on ON
CODES = {f.code: f for f in rules.reference_codes()}


def entry(code: int, start: datetime.date = datetime.date(2026, 9, 1), end: datetime.date | None = None,
          hours: int | None = None, order: int = 0) -> Entry:
    facts = CODES[code]
    return Entry(code, facts.group, start, end, hours, "careers_service", facts.is_job_without_training, order,
                 ref=order)


def test_no_activity_is_tier_1_not_known():
    status = derive([], DOB, ON)
    assert (status.tier, status.reason) == (1, tiers.NO_ACTIVITY)


def test_a_not_known_code_is_tier_1():
    assert derive([entry(810)], DOB, ON).tier == 1


@pytest.mark.parametrize("code", [620, 630, 640, 650, 710])
def test_caring_parenthood_illness_pregnancy_and_custody_are_tier_2(code):
    assert derive([entry(code)], DOB, ON).tier == 2


@pytest.mark.parametrize("code", [610, 615, 619])
def test_neet_and_available_is_tier_3(code):
    assert derive([entry(code)], DOB, ON).tier == 3


def test_eet_full_time_is_tier_5_and_under_16_hours_is_tier_4():
    assert derive([entry(230, hours=30)], DOB, ON).tier == 5
    part_time = derive([entry(230, hours=12)], DOB, ON)
    assert (part_time.tier, part_time.reason) == (4, tiers.UNDER_HOURS)


def test_exactly_16_hours_follows_each_nations_rule():
    assert derive([entry(230, hours=16)], DOB, ON, rules=WALES).tier == 5
    assert derive([entry(230, hours=16)], DOB, ON, rules=ENGLAND).tier == 4


def test_a_part_time_code_without_hours_counts_as_under_the_boundary():
    assert derive([entry(360)], DOB, ON).tier == 4
    assert derive([entry(230)], DOB, ON).tier == 5


def test_a_risk_level_puts_eet_in_tier_4_with_its_level_but_not_neet():
    at_risk = derive([entry(230, hours=30)], DOB, ON, risk="high")
    assert (at_risk.tier, at_risk.risk, at_risk.reason) == (4, "high", tiers.AT_RISK)
    neet = derive([entry(619)], DOB, ON, risk="high")
    assert (neet.tier, neet.risk) == (3, None)


def test_an_unknown_risk_level_is_refused():
    with pytest.raises(ValueError):
        derive([], DOB, ON, risk="severe")


def test_a_job_without_training_is_flagged_beside_its_tier():
    full = derive([entry(330, hours=40)], DOB, ON)
    assert (full.tier, full.jwt) == (5, True)
    assert derive([entry(340, hours=40)], DOB, ON).jwt is False


def test_an_activity_past_its_currency_lapses_to_tier_1_for_reconfirmation():
    start = ON - datetime.timedelta(days=WALES.currency_days["neet_available"] + 1)
    status = derive([entry(619, start=start)], DOB, ON)
    assert (status.tier, status.reason) == (1, tiers.LAPSED)
    assert status.lapsed_on == start + datetime.timedelta(days=91)
    assert derive([entry(619, start=start + datetime.timedelta(days=1))], DOB, ON).tier == 3


def test_an_activity_that_ended_before_the_date_is_not_current():
    ended = entry(230, start=datetime.date(2026, 9, 1), end=ON - datetime.timedelta(days=1), hours=30)
    assert derive([ended], DOB, ON).reason == tiers.NO_ACTIVITY
    assert derive([ended], DOB, ON - datetime.timedelta(days=1)).tier == 5  # the end date is its last day


def test_the_latest_start_wins_and_a_tie_goes_to_the_later_recorded():
    college = entry(230, start=datetime.date(2026, 9, 1), hours=30, order=1)
    dropped = entry(619, start=datetime.date(2026, 10, 1), order=2)
    assert derive([dropped, college], DOB, ON).tier == 3
    same_day = entry(640, start=datetime.date(2026, 10, 1), order=3)
    assert derive([same_day, dropped], DOB, ON).activity == same_day


def test_only_academic_ages_16_to_18_have_a_tier():
    assert derive([entry(230)], datetime.date(2011, 3, 1), ON).tier is None  # academic age 15
    assert derive([entry(230)], datetime.date(2007, 9, 1), ON).tier == 5  # 18: born after 31 August
    assert derive([entry(230)], datetime.date(2007, 8, 31), ON).tier is None  # 19


def test_month_ends_and_the_previous_month_end():
    assert tiers.month_ends(datetime.date(2026, 11, 15), 3) == [
        datetime.date(2026, 8, 31), datetime.date(2026, 9, 30), datetime.date(2026, 10, 31)]
    assert tiers.month_ends(datetime.date(2026, 10, 31), 1) == [datetime.date(2026, 10, 31)]
    assert tiers.previous_month_end(datetime.date(2026, 3, 31)) == datetime.date(2026, 2, 28)


def test_history_gives_the_tier_at_each_month_end():
    timeline = [entry(230, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 9, 30), hours=30),
                entry(619, start=datetime.date(2026, 10, 1))]
    statuses = tiers.history(timeline, DOB, ON, 3)
    assert [s.tier for s in statuses] == [1, 5, 3]


def test_the_rules_agree_with_the_reference_flags():
    for facts, row in zip(rules.reference_codes(), _reference_rows(), strict=True):
        category = WALES.category(facts)
        if facts.code in WALES.code_category:
            continue
        assert (category == Category.EET) == row["is_eet"], facts.code
        assert (category == Category.AVAILABLE) == row["available_for_eet"], facts.code


def _reference_rows():
    import csv

    with (rules.REFERENCE_DIR / "v1" / "activity_codes.csv").open(encoding="utf-8") as handle:
        return [{"is_eet": r["is_eet"] == "1", "available_for_eet": r["available_for_eet"] == "1"}
                for r in csv.DictReader(handle)]


def _cohort(timelines: dict[int, list[Entry]], dobs: dict[int, datetime.date], risk: dict[int, int] | None = None):
    rows = [(pid, e) for pid, entries in timelines.items() for e in entries]
    ids = np.array(list(dobs))
    return tiers.prepare(ids, np.array(list(dobs.values()), dtype="datetime64[D]"),
                         np.array([p for p, _e in rows], dtype=np.int64), np.array([e.code for _p, e in rows]),
                         tiers.days([e.start for _p, e in rows]), tiers.days([e.end for _p, e in rows]),
                         np.array([np.nan if e.hours is None else e.hours for _p, e in rows]),
                         risk=None if risk is None else np.array([risk.get(i, 0) for i in dobs]),
                         order=np.array([e.order for _p, e in rows]))


def test_the_cohort_engine_counts_by_tier_and_age_and_movement():
    table = CodeTable.build(WALES, rules.reference_codes())
    timelines = {
        7: [entry(230, start=datetime.date(2026, 9, 1), hours=30, order=1)],
        3: [entry(619, start=datetime.date(2026, 10, 20), order=2),
            entry(230, start=datetime.date(2026, 9, 1), hours=30, order=3)],
        9: [entry(640, order=4)],
        4: [],
    }
    dobs = {7: DOB, 3: datetime.date(2008, 1, 1), 9: datetime.date(2010, 1, 1), 4: datetime.date(2012, 1, 1)}
    prepared = _cohort(timelines, dobs, risk={7: 2})
    now = tiers.derive_cohort(prepared, ON, table)
    assert list(prepared.ids) == [3, 4, 7, 9]
    assert list(now.tier) == [3, 0, 4, 2] and list(now.risk) == [0, 0, 2, 0]
    counts = now.counts()
    assert counts[3, 1] == 1 and counts[2, 2] == 1 and counts[1, 0] == 1 and counts.sum() == 3
    before = tiers.derive_cohort(prepared, datetime.date(2026, 10, 1), table)
    moved = tiers.movement(before, now)
    assert moved[5, 3] == 1 and moved[4, 4] == 1 and moved[0, 0] == 1


def test_an_empty_cohort_counts_nothing():
    table = CodeTable.build(WALES, rules.reference_codes())
    empty = tiers.prepare(np.array([], np.int64), np.array([], "datetime64[D]"), np.array([], np.int64),
                          np.array([], np.int16), np.array([], np.int64), np.array([], np.int64), np.array([]))
    assert tiers.derive_cohort(empty, ON, table).counts().sum() == 0
