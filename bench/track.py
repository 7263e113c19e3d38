"""Tracking: the five tiers of 1,000,000 young people with about 10 activities each (budget: under 10 s, and within
2x of a hand-written DuckDB query), `yep bench track --size 1000000 [--json]` (issue 6 asks for `--people`, which
the bench command does not take yet).

Generates the timelines directly as numpy arrays (seeded; no database): people born over five years, each with
5-15 consecutive activities (some overlapping, some with gaps, a tenth left open) drawn from the NCCIS codes, hours
for most EET activities, and a tier-4 risk level for one in twenty. Measured: the columnar engine
(``track.tiers``) preparing the arrays, deriving every young person's status as at a date, and the tier x age
counts at each of the 12 month-ends before it. Reference, in the same run: one DuckDB SQL query over the same
arrays computing the same counts (DuckDB's time excludes handing it the arrays). The counts must agree.
"""

import datetime
import time

import duckdb
import numpy as np
import pyarrow as pa

from yep.track import rules, tiers

AS_AT = datetime.date(2026, 11, 15)


def _people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = rng.permutation(n).astype(np.int64) + 1000  # ids need not be dense or sorted
    first = np.datetime64("2006-09-01")
    dobs = first + rng.integers(0, 5 * 365, n).astype("timedelta64[D]")
    risk = np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0).astype(np.int8)
    return ids, dobs, risk


def _activities(rng: np.random.Generator, ids: np.ndarray, dobs: np.ndarray) -> dict[str, np.ndarray]:
    per = rng.integers(5, 16, len(ids))
    rows = int(per.sum())
    person = np.repeat(ids, per)
    first = np.repeat(tiers.days(dobs) + 14 * 365, per)  # timelines start around 14
    length = rng.integers(20, 400, rows)
    # Each activity starts where the one before ended, give or take: a few overlap, a few leave a gap.
    offset = np.cumsum(length) - length
    group_start = np.repeat(np.cumsum(per) - per, per)
    start = first + offset - offset[group_start] + rng.integers(-15, 30, rows)
    end = start + length - 1
    end[rng.random(rows) < 0.1] = tiers.OPEN
    codes = np.array([f.code for f in rules.reference_codes()])
    weights = np.where(codes < 500, 3.0, 1.0)
    code = rng.choice(codes, rows, p=weights / weights.sum()).astype(np.int16)
    hours = np.where((code >= 200) & (code < 540) & (rng.random(rows) < 0.7), rng.integers(4, 40, rows), -1)
    return {"person": person, "code": code, "start": start, "end": end, "hours": hours.astype(np.int16)}


def _measured(ids: np.ndarray, dobs: np.ndarray, risk: np.ndarray, acts: dict[str, np.ndarray],
              table: rules.CodeTable, dates: list[datetime.date]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    timelines = tiers.prepare(ids, dobs, acts["person"], acts["code"], acts["start"], acts["end"], acts["hours"],
                              risk=risk)
    statuses = tiers.cohort_history(timelines, dates, table)
    counts = np.stack([s.counts() for s in statuses])
    return time.perf_counter() - started, counts


REFERENCE_SQL = """
WITH dates AS (SELECT * FROM dates_in),
current AS (
    SELECT d.k, a.person,
           arg_max(a.code, a.start * $rows + a.rn) AS code, arg_max(a.start, a.start * $rows + a.rn) AS start,
           arg_max(a.hours, a.start * $rows + a.rn) AS hours
    FROM acts a JOIN dates d ON a.start <= d.day AND a.finish >= d.day
    GROUP BY d.k, a.person
),
status AS (
    SELECT d.k, d.day, d.year - p.dob_year - p.autumn AS age, p.risk, c.code, c.start, c.hours,
           coalesce(t.category, 0) AS category, t.currency, t.part_time
    FROM people p CROSS JOIN dates d
    LEFT JOIN current c ON c.k = d.k AND c.person = p.person
    LEFT JOIN codes t ON t.code = c.code
),
tiered AS (
    SELECT k, age, CASE
        WHEN age NOT BETWEEN 16 AND 18 THEN 0
        WHEN code IS NULL OR category = 0 OR day - start > currency THEN 1
        WHEN category = 1 THEN 2
        WHEN category = 2 THEN 3
        WHEN (CASE WHEN hours < 0 THEN part_time
                   WHEN hours = $boundary THEN NOT $sustained
                   ELSE hours < $boundary END) OR risk > 0 THEN 4
        ELSE 5 END AS tier
    FROM status
)
SELECT k, tier, age, count(*) AS people FROM tiered WHERE tier > 0 GROUP BY ALL
"""


def _reference(ids: np.ndarray, dobs: np.ndarray, risk: np.ndarray, acts: dict[str, np.ndarray],
               table: rules.CodeTable, dates: list[datetime.date]) -> tuple[float, np.ndarray]:
    con = duckdb.connect()
    dob = dobs.astype("datetime64[D]")
    years = dob.astype("datetime64[Y]")
    con.register("people", pa.table({
        "person": ids, "dob_year": years.astype(np.int64) + 1970, "risk": risk,
        "autumn": ((dob.astype("datetime64[M]") - years.astype("datetime64[M]")).astype(np.int64) >= 8)
        .astype(np.int64)}))
    con.register("acts", pa.table({**{k: v for k, v in acts.items() if k != "end"}, "finish": acts["end"],
                                   "rn": np.arange(len(acts["code"]), dtype=np.int64)}))
    known = np.array([f.code for f in rules.reference_codes()])
    con.register("codes", pa.table({"code": known, "category": table.category[known].astype(np.int64),
                                    "currency": table.currency[known].astype(np.int64),
                                    "part_time": table.part_time[known]}))
    con.register("dates_in", pa.table({
        "k": np.arange(len(dates)), "day": np.array([tiers.day_number(d) for d in dates], np.int64),
        "year": np.array([d.year if d.month >= 9 else d.year - 1 for d in dates], np.int64)}))
    started = time.perf_counter()
    rows = con.execute(REFERENCE_SQL, {"rows": len(acts["code"]), "boundary": table.rules.full_time_hours,
                                       "sustained": table.rules.exactly_full_time_is_sustained}).fetchall()
    elapsed = time.perf_counter() - started
    counts = np.zeros((len(dates), 5, 3), dtype=np.int64)
    for k, tier, age, people in rows:
        counts[k, tier - 1, age - tiers.MIN_AGE] = people
    return elapsed, counts


def run(size: int | None = None) -> dict[str, object]:
    people = size or 1_000_000
    rng = np.random.default_rng(6)
    ids, dobs, risk = _people(rng, people)
    acts = _activities(rng, ids, dobs)
    table = rules.CodeTable.build(rules.WALES, rules.reference_codes())
    dates = [*tiers.month_ends(tiers.previous_month_end(AS_AT), 12), AS_AT]
    reference, expected = _reference(ids, dobs, risk, acts, table, dates)
    measured, counts = _measured(ids, dobs, risk, acts, table, dates)
    if not np.array_equal(counts, expected):
        raise AssertionError(f"The engine's counts differ from DuckDB's:\n{counts - expected}")
    latest = counts[-1].sum(axis=1)
    return {"what": f"the five tiers of {people:,} young people ({len(acts['code']):,} activities) as at {AS_AT} "
                    f"and at the 12 month-ends before it, counted by tier and age",
            "measured": measured, "reference": reference,
            "reference_what": "one hand-written DuckDB query computing the same counts",
            "extra": {"tiers": " ".join(f"{t}:{n:,}" for t, n in zip(tiers.TIERS, latest, strict=True))},
            "json": {"people": people}}
