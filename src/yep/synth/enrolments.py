"""Enrolments: each person's schools from Reception, and post-16 provider enrolments.

Everyone has a primary enrolment from Reception and, from Year 7, a secondary one; leavers'
secondary enrolments end, completed, at the end of Year 11. At most one event interrupts the
latest school phase: a move of school (more likely with higher risk), a move from another LA,
a permanent exclusion (then a place at the PRU), education other than at school (the PRU), or
withdrawal to home education (no school after it). Sixth form, college and work-based learning
enrolments mirror the post-16 activity timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yep.synth.activities import Episodes
from yep.synth.characteristics import Characteristics
from yep.synth.population import People
from yep.synth.sampling import choose_prevalence, uniform_days
from yep.synth.school_calendar import (
    NULL_DAY,
    SchoolCalendar,
    academic_year_of,
    day_of_month,
    month_of,
    ymd,
)
from yep.synth.schools import Placement

END_REASONS = ("", "completed", "moved_school", "moved_la", "excluded", "dropped_out", "left")
_R = {name: i for i, name in enumerate(END_REASONS)}
TO_PRU = -1  # event: education other than at school, at the PRU


@dataclass
class Enrolments:
    person: np.ndarray
    org: np.ndarray
    year_group: np.ndarray  # 0 = blank (FE, WBL)
    start: np.ndarray
    end: np.ndarray
    reason: np.ndarray  # index into END_REASONS
    permanent_exclusions: tuple[np.ndarray, ...]  # person, org, day

    def school_at(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The school (org index) each person was enrolled at on the day, or -1."""
        school = self.year_group > 0
        p, s, e, o = self.person[school], self.start[school], self.end[school], self.org[school]
        base = int(s.min()) if len(s) else 0
        keys = p * (1 << 22) + (s - base)  # rows are sorted by person, then start
        pos = np.searchsorted(keys, person * (1 << 22) + (day - base), side="right") - 1
        found = pos >= 0
        pos = np.maximum(pos, 0)
        ok = found & (p[pos] == person) & ((e[pos] == NULL_DAY) | (e[pos] >= day))
        return np.where(ok, o[pos], -1)


class _Rows:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        person: np.ndarray,
        org: np.ndarray,
        year_group: np.ndarray | int,
        start: np.ndarray,
        end: np.ndarray,
        reason: np.ndarray | int,
    ) -> None:
        n = len(person)
        self.parts.append(
            tuple(
                np.broadcast_to(np.asarray(x, dtype=np.int64), (n,))
                for x in (person, org, year_group, start, end, reason)
            )
        )

    def arrays(self) -> list[np.ndarray]:
        return [np.concatenate(column) for column in zip(*self.parts, strict=True)]


@dataclass(frozen=True)
class _Phase:
    """Each person's latest school phase (secondary from age 11, else primary)."""

    org: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NULL_DAY if current
    year_group: np.ndarray  # at its end, or now
    secondary: np.ndarray


def _latest_phase(people: People, cal: SchoolCalendar, placement: Placement) -> _Phase:
    age = people.academic_age
    secondary = age >= 11
    return _Phase(
        org=np.where(secondary, placement.secondary, placement.primary),
        start=cal.latest_phase_start(age),
        end=np.where(age >= 16, cal.leave_day(age), NULL_DAY),
        year_group=np.minimum(age - 4, 11),
        secondary=secondary,
    )


def _events(
    rng: np.random.Generator, people: People, chars: Characteristics, phase: _Phase, cal: SchoolCalendar, n_la: int
) -> tuple[np.ndarray, np.ndarray]:
    """The event interrupting each person's latest phase (0 = none) and the day it happens."""
    n = people.n
    event = np.zeros(n, dtype=np.int64)
    moves = rng.random(n) < 0.05 + 0.25 * people.risk
    to_la = (rng.random(n) < 0.3) & (n_la > 1)
    event[moves] = np.where(to_la[moves], _R["moved_la"], _R["moved_school"])
    secondary = np.flatnonzero(people.academic_age >= 12)
    event[secondary[choose_prevalence(rng, np.exp(2.0 * people.z[secondary]), 0.004)]] = _R["excluded"]
    last = np.where(phase.end == NULL_DAY, cal.today, phase.end) - 30
    event[last - phase.start < 90] = 0
    day = uniform_days(rng, phase.start + 60, np.maximum(last, phase.start + 60))
    for kind, code in (("eotas", TO_PRU), ("home_educated", _R["left"])):
        has = chars.flag(kind, n)
        event[has] = code
        day[has] = chars.since[kind][has]
    return event, day


def _moved_in_from(rng: np.random.Generator, people: People, placement: Placement, event: np.ndarray) -> np.ndarray:
    """The LA a mover came from; their first school (and so their UPN) is from there."""
    n_la = len(placement.fe)
    old_la = (people.la + rng.integers(1, max(n_la, 2), people.n)) % n_la
    secondary_mover = (event == _R["moved_la"]) & (people.academic_age >= 11)
    old_primary = placement.groups["primary"].pick(rng, old_la)
    placement.primary = np.where(secondary_mover & (old_primary >= 0), old_primary, placement.primary)
    return old_la


def _primary_rows(people: People, cal: SchoolCalendar, placement: Placement, rows: _Rows) -> None:
    who = np.flatnonzero(people.academic_age >= 11)
    age = people.academic_age[who]
    rows.add(
        who,
        placement.primary[who],
        6,
        ymd(cal.year_started(age, 0), 9, 1),
        ymd(cal.year_started(age, 6) + 1, 8, 31),
        _R["completed"],
    )


def _pick_school(rng: np.random.Generator, placement: Placement, secondary: np.ndarray, la: np.ndarray) -> np.ndarray:
    return np.where(secondary, placement.groups["secondary"].pick(rng, la), placement.groups["primary"].pick(rng, la))


def _schools_around(
    rng: np.random.Generator, people: People, placement: Placement, phase: _Phase, event: np.ndarray, old_la: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The school before and after each event (the phase's own school where it does not change)."""
    other = _pick_school(rng, placement, phase.secondary, people.la)
    old_school = _pick_school(rng, placement, phase.secondary, old_la)
    pru = placement.groups["pru"].pick(rng, people.la)
    before = np.select([event == _R["moved_school"], event == _R["moved_la"]], [other, old_school], phase.org)
    after = np.select([event == _R["excluded"], event == TO_PRU], [np.where(pru >= 0, pru, other), pru], phase.org)
    return before, after


def _completed_if_ended(end: np.ndarray) -> np.ndarray:
    return np.where(end == NULL_DAY, 0, _R["completed"])


def _latest_rows(
    rng: np.random.Generator,
    people: People,
    placement: Placement,
    phase: _Phase,
    event: tuple[np.ndarray, np.ndarray],
    old_la: np.ndarray,
    rows: _Rows,
    today: int,
) -> tuple[np.ndarray, ...]:
    """Rows for the latest phase, split in two where an event (kind, day) interrupts it."""
    kind, day = event
    before, after = _schools_around(rng, people, placement, phase, kind, old_la)
    split = (kind != 0) & (before >= 0) & ((after >= 0) | (kind == _R["left"]))
    whole = np.flatnonzero(~split)
    p = phase
    rows.add(whole, p.org[whole], p.year_group[whole], p.start[whole], p.end[whole], _completed_if_ended(p.end[whole]))
    s = np.flatnonzero(split)
    last = np.where(p.end[s] == NULL_DAY, today, p.end[s])
    year_then = np.maximum(p.year_group[s] - (academic_year_of(last) - academic_year_of(day[s])), 1)
    rows.add(s, before[s], year_then, p.start[s], day[s], np.where(kind[s] == TO_PRU, _R["moved_school"], kind[s]))
    stays = s[kind[s] != _R["left"]]
    restart = day[stays] + np.where(kind[stays] == _R["excluded"], rng.integers(5, 30, len(stays)), 1)
    rows.add(stays, after[stays], p.year_group[stays], restart, p.end[stays], _completed_if_ended(p.end[stays]))
    primary = s[~p.secondary[s]]
    placement.primary[primary] = before[primary]  # a primary pupil who moved started elsewhere
    excluded = s[kind[s] == _R["excluded"]]
    return excluded, before[excluded], day[excluded]


def _provider_rows(people: People, cal: SchoolCalendar, post16: Episodes, rows: _Rows) -> None:
    """Sixth form, FE and WBL enrolments from the post-16 timeline."""
    ordered = post16.sorted()
    same_next = np.r_[ordered.person[1:] == ordered.person[:-1], False]
    next_code = np.where(same_next, np.r_[ordered.code[1:], 0], 0)
    keep = np.isin(ordered.code, (210, 230, 310, 410)) & (ordered.org >= 0)
    e, next_code = ordered.take(np.flatnonzero(keep)), next_code[keep]
    current = e.end == NULL_DAY
    completed = ~current & (month_of(e.end) == 8) & (day_of_month(e.end) == 31)
    reason = np.select([current, completed, next_code >= 540], [0, _R["completed"], _R["dropped_out"]], _R["left"])
    last_day = np.where(current, cal.today, e.end)
    first_year = cal.year_started(people.academic_age[e.person], 12)
    year_group = np.where(e.code == 210, np.clip(12 + academic_year_of(last_day) - first_year, 12, 13), 0)
    rows.add(e.person, e.org, year_group, e.start, e.end, reason)


def build_enrolments(
    rng: np.random.Generator,
    people: People,
    cal: SchoolCalendar,
    placement: Placement,
    chars: Characteristics,
    post16: Episodes,
) -> Enrolments:
    """All enrolments; also moves movers' first school to their old LA (read later for UPNs)."""
    rows = _Rows()
    phase = _latest_phase(people, cal, placement)
    event, day = _events(rng, people, chars, phase, cal, len(placement.fe))
    old_la = _moved_in_from(rng, people, placement, event)
    _primary_rows(people, cal, placement, rows)
    excluded = _latest_rows(rng, people, placement, phase, (event, day), old_la, rows, cal.today)
    _provider_rows(people, cal, post16, rows)
    person, org, year_group, start, end, reason = rows.arrays()
    order = np.lexsort((start, person))
    return Enrolments(person[order], org[order], year_group[order], start[order], end[order], reason[order], excluded)
