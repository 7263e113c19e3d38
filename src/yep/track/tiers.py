"""The five tier engine: a young person's tier is derived from their activity timeline, never typed (issue 6, R45-R47).

Pure functions over plain values (no ORM): ``derive`` for one young person, ``derive_cohort`` over numpy arrays for
a whole cohort, and ``history``/``cohort_history`` at month-ends for movement between tiers.

The rules, in order, as at a date ``on``:

* Only academic ages 16-18 have a tier (Figure 6 is post-16; the monthly report counts 16, 17 and 18 year olds).
  Outside them the status has no tier (``tier is None``; 0 in the columnar arrays) and cohort counts leave the
  young person out, though their timeline is still shown.
* The *current* activity is the one with the latest start among those started on or before ``on`` and not ended
  before it (an end date is the last day of the activity); ties go to the later recorded.
* Tier 1 (not known): no current activity, a "not known" code, or a current activity past its currency period
  (Wales: flagged for re-confirmation; England: "not known").
* Tier 2: NEET and not available (sickness, caring, pregnancy, custody). Tier 3: NEET and available.
* Tier 4: in EET under the hours boundary (exactly 16 hours per the rule set), or in EET with a tier-4 risk level
  (from a provider or early identification). Tier 5: in EET, sustained.
* The jobs-without-training flag is held beside the tier (R46): a job without training of 16 hours or more is
  still tier 5.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .rules import RISK_LEVELS, WALES, Category, CodeFacts, CodeTable, RuleSet

MIN_AGE, MAX_AGE = 16, 18
AGES = (16, 17, 18)
TIERS = (1, 2, 3, 4, 5)
EPOCH = datetime.date(1970, 1, 1)
OPEN = np.iinfo(np.int64).max  # the end of an activity with no end date, as ``days`` gives it
OPEN32 = np.iinfo(np.int32).max  # the same, inside ``Timelines``

# Why a status is what it is: the rule that decided it.
OUTSIDE_AGES, NO_ACTIVITY, LAPSED, NOT_KNOWN = "outside_ages", "no_activity", "lapsed", "not_known"
NOT_AVAILABLE, AVAILABLE, UNDER_HOURS, AT_RISK, SUSTAINED = (
    "not_available", "available", "under_hours", "at_risk", "sustained")
REASONS: dict[str, Promise] = {
    OUTSIDE_AGES: _("Outside academic ages 16 to 18: the five tiers do not apply."),
    NO_ACTIVITY: _("No current activity is recorded."),
    LAPSED: _("The latest activity has passed its currency period and needs re-confirming."),
    NOT_KNOWN: _("The latest activity says the young person's situation is not known."),
    NOT_AVAILABLE: _("Not in education, employment or training, and not available for it."),
    AVAILABLE: _("Not in education, employment or training, and available for it."),
    UNDER_HOURS: _("In education, employment or training for fewer hours a week than the full-time boundary."),
    AT_RISK: _("In education, employment or training, and identified as at risk of dropping out."),
    SUSTAINED: _("In education, employment or training."),
}


@dataclass(frozen=True)
class Entry:
    """One activity on a young person's timeline, as the engine needs it."""

    code: int
    group: str
    start: datetime.date
    end: datetime.date | None = None
    hours: int | None = None
    source: str = ""
    is_job_without_training: bool = False
    order: int = 0  # recording order: of two activities starting the same day, the later recorded wins
    ref: int | None = None  # the caller's handle on the activity, e.g. its id

    @property
    def facts(self) -> CodeFacts:
        return CodeFacts(self.code, self.group, self.is_job_without_training)

    def is_current(self, on: datetime.date) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)


@dataclass(frozen=True)
class Status:
    """A young person's derived status on one date: the tier, the tier-4 risk level, the JWT flag and why."""

    on: datetime.date
    academic_age: int
    tier: int | None
    reason: str
    rules: str
    activity: Entry | None = None
    risk: str | None = None
    jwt: bool = False
    lapsed_on: datetime.date | None = None

    @property
    def in_cohort(self) -> bool:
        return self.tier is not None

    @property
    def explanation(self) -> str:
        return str(REASONS[self.reason])


def academic_age(dob: datetime.date, on: datetime.date) -> int:
    """Age on 31 August at the start of the academic year containing ``on`` (as ``people.models.academic_age``)."""
    year = on.year if on.month >= 9 else on.year - 1
    return year - dob.year - (dob.month >= 9)


def current_entry(entries: Sequence[Entry], on: datetime.date) -> Entry | None:
    """The activity that wins on ``on``: the latest start among the current ones, ties to the later recorded."""
    current = [(e.start, e.order, i) for i, e in enumerate(entries) if e.is_current(on)]
    return entries[max(current)[2]] if current else None


def derive(entries: Sequence[Entry], dob: datetime.date, on: datetime.date, *, risk: str | None = None,
           rules: RuleSet = WALES) -> Status:
    """The one status a young person has on ``on``, from their timeline (see the module's rules)."""
    if risk is not None and risk not in RISK_LEVELS:
        raise ValueError(f"Unknown risk level {risk!r}")
    age = academic_age(dob, on)
    if not MIN_AGE <= age <= MAX_AGE:
        return Status(on, age, None, OUTSIDE_AGES, rules.version)
    entry = current_entry(entries, on)
    if entry is None:
        return Status(on, age, 1, NO_ACTIVITY, rules.version)
    lapses = entry.start + datetime.timedelta(days=rules.currency(entry.facts))
    category = rules.category(entry.facts)
    if category == Category.NOT_KNOWN:
        return Status(on, age, 1, NOT_KNOWN, rules.version, entry)
    if on > lapses:
        return Status(on, age, 1, LAPSED, rules.version, entry, lapsed_on=lapses)
    if category == Category.NOT_AVAILABLE:
        return Status(on, age, 2, NOT_AVAILABLE, rules.version, entry)
    if category == Category.AVAILABLE:
        return Status(on, age, 3, AVAILABLE, rules.version, entry)
    jwt = entry.is_job_without_training
    if rules.under_hours(entry.hours, entry.code):
        return Status(on, age, 4, UNDER_HOURS, rules.version, entry, risk=risk, jwt=jwt)
    if risk is not None:
        return Status(on, age, 4, AT_RISK, rules.version, entry, risk=risk, jwt=jwt)
    return Status(on, age, 5, SUSTAINED, rules.version, entry, jwt=jwt)


def month_ends(until: datetime.date, months: int = 12) -> list[datetime.date]:
    """The last ``months`` month-ends on or before ``until``, oldest first."""
    ends = []
    day = until if (until + datetime.timedelta(days=1)).day == 1 else until.replace(day=1) - datetime.timedelta(1)
    for _n in range(months):
        ends.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return ends[::-1]


def previous_month_end(on: datetime.date) -> datetime.date:
    """The month-end before ``on``: where "movement since last month" starts."""
    return on.replace(day=1) - datetime.timedelta(days=1)


def history(entries: Sequence[Entry], dob: datetime.date, until: datetime.date, months: int = 12, *,
            risk: str | None = None, rules: RuleSet = WALES) -> list[Status]:
    """The status at each of the last ``months`` month-ends up to ``until``, oldest first."""
    return [derive(entries, dob, day, risk=risk, rules=rules) for day in month_ends(until, months)]


# The columnar engine -------------------------------------------------------------------------------------------


def days(values: Sequence[datetime.date | None] | np.ndarray) -> np.ndarray:
    """Dates as int64 days since 1970 (numpy ``datetime64[D]`` or a list of dates; None or NaT for open ends,
    which become ``OPEN``)."""
    array = np.asarray(values, dtype="datetime64[D]")
    out = array.astype(np.int64)
    out[np.isnat(array)] = OPEN
    return out


def day_number(on: datetime.date) -> int:
    return (on - EPOCH).days


@dataclass(frozen=True)
class Timelines:
    """A cohort's timelines as arrays, prepared once for any number of dates (see ``prepare``)."""

    ids: np.ndarray  # person ids, sorted
    dob_year: np.ndarray
    dob_autumn: np.ndarray  # born September-December: a year younger on 31 August
    risk: np.ndarray  # int8, 0 none, 1-3 low/medium/high
    person: np.ndarray  # each activity's index into ``ids``
    code: np.ndarray  # int16
    start: np.ndarray  # int32 days since 1970
    end: np.ndarray  # int32 days, OPEN32 when open
    hours: np.ndarray  # int16, -1 when not recorded
    key: np.ndarray  # start * rows + recording rank: the larger key wins
    row_of_rank: np.ndarray | None  # recording rank -> row, when an order was given
    # Each row's kind under a code table (see ``_kinds``), worked out once per table rather than once per date.
    cache: dict[int, tuple[CodeTable, np.ndarray, np.ndarray]] = field(default_factory=dict, compare=False)


def _person_index(ids: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Each activity's index into the sorted ``ids``, -1 for people not in the cohort."""
    if not len(ids):
        return np.full(len(person), -1, np.int64)
    if ids[0] >= 0 and ids[-1] <= 4 * len(ids) + 10_000_000:
        # Database ids are dense enough for a lookup table, many times faster than a binary search per row.
        lookup = np.full(int(ids[-1]) + 1, -1, np.int64)
        lookup[ids] = np.arange(len(ids))
        inside = (person >= 0) & (person <= ids[-1])
        return np.where(inside, lookup[np.clip(person, 0, ids[-1])], -1)
    index = np.searchsorted(ids, person)
    found = ids[np.minimum(index, len(ids) - 1)] == person
    return np.where(found, index, -1)


def prepare(ids: np.ndarray, dobs: np.ndarray, person: np.ndarray, code: np.ndarray, start: np.ndarray,
            end: np.ndarray, hours: np.ndarray, *, risk: np.ndarray | None = None,
            order: np.ndarray | None = None) -> Timelines:
    """Arrays for ``derive_cohort``: people (``ids``, dates of birth, optional risk 0-3) and their activities
    (person id, code, start and end as ``days``, hours with -1 or NaN for none, optional recording order; without
    it the row order is the recording order). Activities of people not in ``ids`` are left out."""
    ids = np.asarray(ids, dtype=np.int64)
    dob = np.asarray(dobs, dtype="datetime64[D]")
    risk = np.zeros(len(ids), np.int8) if risk is None else np.asarray(risk, np.int8)
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        by_id = np.argsort(ids, kind="stable")
        ids, dob, risk = ids[by_id], dob[by_id], risk[by_id]
    years = dob.astype("datetime64[Y]")
    month = (dob.astype("datetime64[M]") - years.astype("datetime64[M]")).astype(np.int64) + 1
    index = _person_index(ids, np.asarray(person, np.int64))
    hours = np.asarray(hours)
    if hours.dtype.kind == "f":
        hours = np.nan_to_num(hours, nan=-1)
    columns = [index, np.asarray(code, np.int16), np.minimum(start, OPEN32).astype(np.int32),
               np.minimum(end, OPEN32).astype(np.int32), hours.astype(np.int16)]
    if order is not None:
        columns.append(np.asarray(order))
    if (index < 0).any():
        known = index >= 0
        columns = [c[known] for c in columns]
    index, code, start, end, hours = columns[:5]
    rows = len(index)
    if order is None:
        rank, row_of_rank = np.arange(rows, dtype=np.int64), None
    else:
        row_of_rank = np.argsort(columns[5], kind="stable")
        rank = np.empty(rows, np.int64)
        rank[row_of_rank] = np.arange(rows)
    return Timelines(ids, years.astype(np.int64) + 1970, month >= 9, risk, index, code, start, end, hours,
                     start.astype(np.int64) * max(rows, 1) + rank, row_of_rank)


@dataclass(frozen=True)
class CohortStatus:
    """Every young person's status on one date, aligned with ``Timelines.ids``."""

    on: datetime.date
    tier: np.ndarray  # int8: 1-5, 0 outside ages 16-18
    risk: np.ndarray  # int8: the tier-4 risk level 1-3 where tier is 4, else 0
    jwt: np.ndarray  # bool
    row: np.ndarray  # the winning activity's row, -1 when none
    age: np.ndarray  # academic age

    def counts(self) -> np.ndarray:
        """People by tier (rows 1-5) and academic age (columns 16, 17, 18), as a 5 x 3 array."""
        inside = self.tier > 0
        cell = (self.tier[inside].astype(np.int64) - 1) * 3 + (self.age[inside] - MIN_AGE)
        return np.bincount(cell, minlength=15).reshape(5, 3)


def _current_rows(t: Timelines, day: int) -> np.ndarray:
    current = np.flatnonzero((t.start <= day) & (t.end >= day))
    best = np.full(len(t.ids), -1, dtype=np.int64)
    np.maximum.at(best, t.person[current], t.key[current])
    rows = max(len(t.code), 1)
    rank = np.where(best >= 0, best % rows, -1)
    if t.row_of_rank is None or not len(t.code):
        return rank
    return np.where(rank >= 0, t.row_of_rank[np.maximum(rank, 0)], -1)


# A row's kind: the tier its activity gives while current (1-5, before any risk level), plus JWT (8).
JWT_KIND = 8


def _kinds(t: Timelines, table: CodeTable) -> tuple[np.ndarray, np.ndarray]:
    """Each row's kind and the last day it is current before lapsing (-1 for a "not known" code, which is never
    current), under ``table``'s rules: looked up per code (1,000 entries) and then gathered per row."""
    cached = t.cache.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1], cached[2]
    rules = table.rules
    full_time = np.array([1, 2, 3, 5], np.int8)[table.category]
    part_time = np.where(full_time == 5, 4, full_time).astype(np.int8)
    jwt = (JWT_KIND * (table.jwt & (full_time == 5))).astype(np.int8)  # the flag sits beside EET only
    boundary = rules.full_time_hours
    hours, code = t.hours, t.code
    under = (hours < boundary) if rules.exactly_full_time_is_sustained else (hours <= boundary)
    under = np.where(hours < 0, table.part_time[code], under)
    kind = (np.where(under, part_time[code], full_time[code]) + jwt[code]).astype(np.int8)
    # "Not known" lapses before it starts, so it is never live; the sum stays within int32 for any real date.
    last_day = np.where(table.category == Category.NOT_KNOWN, -(2**30), table.currency).astype(np.int32)
    lapses = t.start + last_day[code]
    t.cache[id(table)] = (table, kind, lapses)
    return kind, lapses


def derive_cohort(t: Timelines, on: datetime.date, table: CodeTable,
                  ages: tuple[int, int] = (MIN_AGE, MAX_AGE)) -> CohortStatus:
    """Every young person's status on ``on``: the columnar twin of ``derive`` (the tests hold them equal). The
    same rules applied to wider ``ages`` give the 16-24 guarantee's picture (tier 0 outside them)."""
    day = day_number(on)
    kinds, lapses = _kinds(t, table)
    row = _current_rows(t, day)
    at = np.maximum(row, 0)
    kind = kinds[at] if len(kinds) else np.zeros(len(row), np.int8)
    live = (row >= 0) & ((lapses[at] if len(lapses) else 0) >= day)
    tier = np.where(live, kind & 7, 1).astype(np.int8)
    tier[(tier == 5) & (t.risk > 0)] = 4
    year = on.year if on.month >= 9 else on.year - 1
    age = (year - t.dob_year - t.dob_autumn).astype(np.int16)
    tier[(age < ages[0]) | (age > ages[1])] = 0
    risk = np.where(tier == 4, t.risk, 0).astype(np.int8)
    jwt = live & (kind >= JWT_KIND) & (tier > 0)
    return CohortStatus(on, tier, risk, jwt, row, age)


def cohort_history(t: Timelines, dates: Sequence[datetime.date], table: CodeTable) -> list[CohortStatus]:
    """``derive_cohort`` at each date (e.g. ``month_ends``)."""
    return [derive_cohort(t, day, table) for day in dates]


def movement(before: CohortStatus, after: CohortStatus) -> np.ndarray:
    """People moving from each tier to each tier between two dates, as a 6 x 6 array indexed by tier (0: not in
    the 16-18 cohort on that date, e.g. turned 16 since, or left at 19)."""
    cell = before.tier.astype(np.int64) * 6 + after.tier
    return np.bincount(cell, minlength=36).reshape(6, 6)
