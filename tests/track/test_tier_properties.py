"""Properties of tier derivation that hold for any timeline (hypothesis): one tier at any date, the 16-hour
boundary, lapsing, ended activities, and the columnar engine agreeing with the per-person one."""

import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yep.track import rules, tiers
from yep.track.rules import ENGLAND, RISK_LEVELS, WALES, Category, CodeTable
from yep.track.tiers import Entry, derive

CODES = rules.reference_codes()
EET_CODES = [f for f in CODES if WALES.category(f) == Category.EET and f.code not in WALES.part_time_codes]
FIRST, LAST = datetime.date(2022, 1, 1), datetime.date(2027, 12, 31)
TABLES = {r.nation: CodeTable.build(r, CODES) for r in (WALES, ENGLAND)}

dates = st.dates(FIRST, LAST)
dobs = st.dates(datetime.date(2003, 1, 1), datetime.date(2013, 12, 31))
risks = st.none() | st.sampled_from(RISK_LEVELS)
rule_sets = st.sampled_from([WALES, ENGLAND])


@st.composite
def entries(draw, order: int = 0) -> Entry:
    facts = draw(st.sampled_from(CODES))
    start = draw(dates)
    end = draw(st.none() | st.dates(start, LAST))
    hours = draw(st.none() | st.integers(0, 60))
    return Entry(facts.code, facts.group, start, end, hours, "test", facts.is_job_without_training, order, order)


@st.composite
def timelines(draw) -> list[Entry]:
    size = draw(st.integers(0, 8))
    # Recording orders with ties: equal starts and equal orders both happen.
    return [draw(entries(order=draw(st.integers(0, 3)))) for _n in range(size)]


@given(timelines(), dobs, dates, risks, rule_sets)
def test_every_timeline_gives_exactly_one_tier_at_any_date(timeline, dob, on, risk, rule_set):
    status = derive(timeline, dob, on, risk=risk, rules=rule_set)
    in_ages = tiers.MIN_AGE <= tiers.academic_age(dob, on) <= tiers.MAX_AGE
    assert (status.tier in tiers.TIERS) if in_ages else status.tier is None
    assert status.reason in tiers.REASONS
    assert status.risk is None or status.tier == 4
    assert not status.jwt or status.tier in (4, 5)


@given(timelines(), dobs, dates)
def test_an_activity_ending_before_the_date_never_counts_as_current(timeline, dob, on):
    status = derive(timeline, dob, on)
    if status.activity is not None:
        assert status.activity.end is None or status.activity.end >= on
        assert status.activity.start <= on
    ended = [e for e in timeline if e.end is not None and e.end < on]
    # Removing activities that had ended changes nothing.
    assert derive([e for e in timeline if e not in ended], dob, on) == status


@given(st.sampled_from(EET_CODES), st.integers(0, 60), rule_sets)
def test_the_16_hour_boundary(facts, hours, rule_set):
    on = datetime.date(2026, 11, 15)
    activity = Entry(facts.code, facts.group, datetime.date(2026, 9, 1), None, hours)
    status = derive([activity], datetime.date(2009, 3, 1), on, rules=rule_set)
    under = hours < 16 or (hours == 16 and not rule_set.exactly_full_time_is_sustained)
    assert status.tier == (4 if under else 5)


@given(st.sampled_from(CODES), st.integers(0, 800), rule_sets)
def test_an_activity_lapses_exactly_after_its_currency_period(facts, age_in_days, rule_set):
    on = datetime.date(2026, 11, 15)
    start = on - datetime.timedelta(days=age_in_days)
    status = derive([Entry(facts.code, facts.group, start, None, 30)], datetime.date(2009, 3, 1), on, rules=rule_set)
    if rule_set.category(facts) == Category.NOT_KNOWN:
        assert status.tier == 1
    elif age_in_days > rule_set.currency(facts):
        assert (status.tier, status.reason) == (1, tiers.LAPSED)
    else:
        assert status.tier != 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(timelines(), dobs, risks), min_size=1, max_size=12), st.lists(dates, min_size=1, max_size=3),
       rule_sets)
def test_the_columnar_and_per_person_engines_agree(people, days, rule_set):
    ids = np.arange(len(people), dtype=np.int64) * 7 + 3
    rows = [(int(pid), e) for pid, (timeline, _d, _r) in zip(ids, people, strict=True) for e in timeline]
    level = {None: 0, **{name: n for n, name in enumerate(RISK_LEVELS, start=1)}}
    prepared = tiers.prepare(
        ids[::-1], np.array([d for _t, d, _r in people][::-1], dtype="datetime64[D]"),
        np.array([p for p, _e in rows], dtype=np.int64), np.array([e.code for _p, e in rows], dtype=np.int16),
        tiers.days([e.start for _p, e in rows]), tiers.days([e.end for _p, e in rows]),
        np.array([-1 if e.hours is None else e.hours for _p, e in rows], dtype=np.int16),
        risk=np.array([level[r] for _t, _d, r in people][::-1], dtype=np.int8),
        order=np.array([e.order for _p, e in rows], dtype=np.int64))
    for on in days:
        cohort = tiers.derive_cohort(prepared, on, TABLES[rule_set.nation])
        for n, (timeline, dob, risk) in enumerate(people):
            one = derive(timeline, dob, on, risk=risk, rules=rule_set)
            assert cohort.tier[n] == (one.tier or 0)
            assert cohort.jwt[n] == one.jwt
            assert cohort.risk[n] == level[one.risk]
            if one.tier is not None:
                assert (cohort.row[n] >= 0) == (one.activity is not None)
            if one.activity is not None:
                assert rows[cohort.row[n]][1] == one.activity


@given(timelines(), dobs, st.dates(datetime.date(2024, 1, 1), LAST))
def test_history_is_the_status_at_each_month_end(timeline, dob, until):
    statuses = tiers.history(timeline, dob, until, 4)
    assert [s.on for s in statuses] == tiers.month_ends(until, 4)
    assert statuses == [derive(timeline, dob, s.on) for s in statuses]
